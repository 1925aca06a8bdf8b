"""PII redaction: nothing a model sees carries a name, an email, a phone or an account number.

Columns flagged `pii: true` in sources.yaml are masked wholesale (and so is any column of the same name
downstream). Everything else is judged by its values, not by its column's name: emails, phone numbers,
IBANs (their mod-97 check digits must hold), card numbers (the Luhn checksum must hold), and a person's
name where it sits in a row beside an identifier (the record of someone). Masks keep the kind, not the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
CARD = re.compile(r"(?<![\w.])\d(?:[ -]?\d){12,18}(?![\w.])")
# An international number (+CC ...), or a national one with a trunk 0 written in separated groups (a bare run
# of digits with a leading zero is a zero-padded identifier, not a phone number).
PHONE = re.compile(
    r"(?<![\w+.])(?:\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){1,5}|(?:\(0\d{1,4}\)|0\d{1,4})(?:[\s.-]\(?\d{1,4}\)?){1,5})(?![\w.])"
)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Two or more capitalised words, with the lower-case particles of family names between them (de, van der).
PERSON_NAME = re.compile(r"^[A-Z][a-z]+(?:[ '-](?:(?:[a-z]{1,3} )*[A-Z][a-z]+))+$")
# An identifier beside the name: a code with digits (C-00042, TX0001234) or a plain integer.
IDENTIFIER = re.compile(r"^(?=.*\d)[A-Za-z]{0,6}[-_]?\d{2,}[A-Za-z0-9-]*$")
# E.164 allows at most 15 digits; below 8 a digit group is an amount, a count or a code, not a phone number.
PHONE_DIGITS = (8, 15)


def mask(kind: str) -> str:
    return f"<{kind}>"


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(text: str) -> bool:
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _card(m: re.Match[str]) -> str:
    digits = _digits(m.group(0))
    return mask("card") if 13 <= len(digits) <= 19 and luhn_ok(digits) else m.group(0)


def _phone(m: re.Match[str]) -> str:
    text = m.group(0)
    n = len(_digits(text))
    if ISO_DATE.search(text) or not PHONE_DIGITS[0] <= n <= PHONE_DIGITS[1]:
        return text
    return mask("phone")


def is_pii_column(name: str, flagged: Iterable[str] = ()) -> bool:
    """A column flagged personal in sources.yaml (by name, downstream too)."""
    return name.lower() in {f.lower() for f in flagged}


def redact_text(text: str) -> str:
    """Mask emails, IBANs, card and phone numbers inside free text (error messages, logs, values)."""
    text = EMAIL.sub(mask("email"), text)
    text = IBAN.sub(lambda m: mask("account") if iban_ok(m.group(0)) else m.group(0), text)
    text = CARD.sub(_card, text)
    return PHONE.sub(_phone, text)


def looks_like_person_name(value: Any) -> bool:
    return isinstance(value, str) and bool(PERSON_NAME.match(value.strip()))


def redact_value(value: Any, column: str | None = None, flagged: Iterable[str] = ()) -> Any:
    if value is None:
        return None
    if column is not None and is_pii_column(column, flagged):
        return mask("pii")
    if isinstance(value, str):
        return redact_text(value)
    return value


def _has_identifier(row: dict[str, Any]) -> bool:
    return any(
        (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, str) and IDENTIFIER.match(v.strip()))
        for v in row.values()
    )


def redact_rows(rows: list[dict[str, Any]], flagged: Iterable[str] = ()) -> list[dict[str, Any]]:
    flagged = list(flagged)
    out = []
    for row in rows:
        beside_id = _has_identifier(row)
        out.append(
            {
                k: mask("name")
                if beside_id and looks_like_person_name(v) and not is_pii_column(k, flagged)
                else redact_value(v, k, flagged)
                for k, v in row.items()
            }
        )
    return out


def names_column(values: Iterable[Any]) -> bool:
    """A column most of whose text values are people's names (profiles mask it, as rows mask each name)."""
    text = [v for v in values if isinstance(v, str)]
    # A majority: a column of names has some values that do not parse as one (initials, a company).
    return bool(text) and sum(looks_like_person_name(v) for v in text) * 2 > len(text)
