"""PII redaction: nothing a model sees carries a name, an email, a phone or an account number.

Columns flagged `pii: true` in sources.yaml are masked wholesale (and so is any column of the same name
downstream); every other value is scanned for the patterns below. Masks keep the kind, not the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{4}\d{6,26}\b")
CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")
PHONE = re.compile(r"(?<![\w.])\+?\d{1,3}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d{2,4}){2,4}(?![\w.])")
# Column names that hold personal data even when no sources.yaml flag says so.
PII_NAME = re.compile(
    r"(^|_)(name|full_name|first_name|last_name|surname|email|e_mail|phone|mobile|iban|account_number|"
    r"account_no|card_number|pan|ssn|bsn|passport|address|street|birth_date|date_of_birth|dob)($|_)"
)
# Identifiers of merchants, products and the like are not personal; these words clear a name match.
NOT_PERSONAL = re.compile(r"(^|_)(merchant|product|store|brand|category|subcategory|segment|city|country|bank)(_|$)")


def mask(kind: str) -> str:
    return f"<{kind}>"


def is_pii_column(name: str, flagged: Iterable[str] = ()) -> bool:
    low = name.lower()
    if low in {f.lower() for f in flagged}:
        return True
    return bool(PII_NAME.search(low)) and not NOT_PERSONAL.search(low)


def redact_text(text: str) -> str:
    """Mask emails, IBANs, card and phone numbers inside free text (error messages, logs)."""
    text = EMAIL.sub(mask("email"), text)
    text = IBAN.sub(mask("account"), text)
    text = CARD.sub(lambda m: mask("card") if len(re.sub(r"\D", "", m.group(0))) >= 13 else m.group(0), text)
    return text


def redact_value(value: Any, column: str | None = None, flagged: Iterable[str] = ()) -> Any:
    if value is None:
        return None
    if column is not None and is_pii_column(column, flagged):
        return mask("pii")
    if isinstance(value, str):
        if EMAIL.fullmatch(value.strip()):
            return mask("email")
        if IBAN.fullmatch(value.strip()):
            return mask("account")
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 13 and CARD.fullmatch(value.strip()):
            return mask("card")
        if value.strip().startswith("+") and PHONE.fullmatch(value.strip()):
            return mask("phone")
        return redact_text(value)
    return value


def redact_rows(rows: list[dict[str, Any]], flagged: Iterable[str] = ()) -> list[dict[str, Any]]:
    flagged = list(flagged)
    return [{k: redact_value(v, k, flagged) for k, v in row.items()} for row in rows]
