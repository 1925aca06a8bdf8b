"""How a text column writes its numbers: readings built from parts, each verified on every value.

A number written for people carries more than its digits: a sign (`-12`, `−12` with the unicode minus,
`(12.00)` in accounting style, `12-` with a trailing minus), digit grouping (`1,234`, `1.234`, `1 234`,
`1'234`), a decimal mark (`.` or `,`), an exponent (`1.2e3`) and constant text around it (a currency sign
or code, a unit, a percent sign). A reading fixes each of these parts; the candidates are every
combination of the parts the values could be using, and a reading counts only when it reads every value
that holds a digit. Readings that read every value alike are one meaning; readings that read some value
differently (`1,234` as a thousand or as one and a bit; `12.5%` as 12.5 or 0.125) are several meanings that
only the last good output can tell apart. Values without any digit are the residue (`n/a`), left to a dead
letter rather than read.
"""

from __future__ import annotations

import hashlib
import re
from itertools import product

from pydantic import BaseModel, Field

from agentic_assets.repair.sql_rewrite import quote

# Minus signs in use: the ASCII hyphen-minus and the unicode minus sign (U+2212) typeset output writes.
MINUS = "-\u2212"
# Group separators in use between thousands: comma (en), dot (de, it, ...), space, no-break space and narrow
# no-break space (fr, SI style), apostrophe (ch).
GROUPS = ["", ",", ".", " ", "\u00a0", "\u202f", "'"]
DECIMALS = [".", ","]
# Characters that may belong to the written number itself (digits, marks, signs, exponent, parentheses).
_NUMBER_CHARS = set("0123456789" + "".join(GROUPS) + "".join(DECIMALS) + MINUS + "+()eE")


class NumberReading(BaseModel):
    """One way of reading every value of a column as a number."""

    prefix: str = Field(default="", description="constant text before the number (a currency sign or code)")
    suffix: str = Field(default="", description="constant text after the number (a unit, a currency, `%`)")
    group: str = Field(default="", description="the thousands separator, '' for none")
    decimal: str = Field(default=".", description="the decimal mark")
    exponent: bool = Field(default=False, description="some value is in scientific notation")
    scale: float = Field(default=1.0, description="factor applied after reading: 0.01 reads a percent as a fraction")
    scale_marked: bool = Field(
        default=False,
        description="the scale applies only to the values written with the suffix (`76.1 %` beside `0.761`)",
    )
    digest: str = Field(default="", description="digest of what the reading reads: equal digests agree")
    residue: int = Field(default=0, description="distinct values without any digit (not read)")

    @property
    def parts(self) -> int:
        """How many parts differ from a plain number: of two readings that agree, the plainer one is kept."""
        return sum([bool(self.prefix), bool(self.suffix), bool(self.group), self.decimal != ".", self.scale != 1])

    def describe(self) -> str:
        bits = []
        if self.prefix:
            bits.append(f"prefix {self.prefix!r}")
        if self.suffix:
            bits.append(f"suffix {self.suffix!r}")
        if self.group:
            bits.append(f"thousands separator {self.group!r}")
        bits.append(f"decimal mark {self.decimal!r}")
        if self.scale != 1:
            bits.append(
                f"scaled by {self.scale:g}" + (f" where {self.suffix!r} is written" if self.scale_marked else "")
            )
        return ", ".join(bits)


def _split(value: str) -> tuple[str, str, str] | None:
    """(text before, the number, text after): the number runs from the first to the last digit, widened by
    the sign marks and parentheses that touch it; None when the value holds no digit."""
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    if not digits:
        return None
    start, end = digits[0], digits[-1] + 1
    while start > 0 and value[start - 1] in MINUS + "+(" + "".join(DECIMALS):
        start -= 1
    while end < len(value) and value[end] in MINUS + ")":
        end += 1
    return value[:start], value[start:end], value[end:]


def _affix(text: str) -> str:
    """The affix as written, without the spaces and sign marks that stand between it and the number."""
    return text.strip(" \u00a0\u202f" + MINUS + "+()")


def _signed(pre: str, core: str, post: str) -> tuple[bool, str] | None:
    """Whether the value is negative, and its unsigned core; None when its signs contradict."""
    negative = False
    marks = [ch for ch in pre + post if ch in MINUS + "()"]
    core_marks = core
    if core.startswith("(") and core.endswith(")") or ("(" in marks and ")" in marks):
        negative = True
        core_marks = core.strip("()")
    elif core[0] in MINUS or any(m in MINUS for m in marks) or core[-1] in MINUS:
        negative = True
        core_marks = core.strip(MINUS)
    elif core[0] == "+":
        core_marks = core[1:]
    if any(ch in "()" for ch in core_marks) or any(ch in MINUS for ch in core_marks.split("e")[0].split("E")[0]):
        return None
    return negative, core_marks


def _number_pattern(group: str, decimal: str, exponent: bool) -> re.Pattern[str]:
    """The unsigned number under one grouping and decimal mark, built from its parts."""
    # Integer part: plain digits, or with a separator, one to three digits then groups of exactly three; a
    # grouped number never leads with zero (`0.399` is a decimal, not zero thousand three hundred ninety-nine).
    integer = r"\d+" if not group else rf"(?:[1-9]\d{{0,2}}(?:{re.escape(group)}\d{{3}})+|\d+)"
    fraction = rf"(?:{re.escape(decimal)}\d+)?"
    power = r"(?:[eE][+\-\u2212]?\d+)?" if exponent else ""
    return re.compile(rf"^(?:{integer}{fraction}|{re.escape(decimal)}\d+){power}$")


def _value(core: str, group: str, decimal: str) -> float:
    text = core.replace(group, "") if group else core
    text = text.replace(decimal, ".").replace("\u2212", "-")
    return float(text)


def _digest(values: list[float]) -> str:
    return hashlib.sha256("|".join(f"{v:.9g}" for v in values).encode()).hexdigest()[:16]


def detect(values: list[str]) -> list[NumberReading]:
    """Every reading that reads each distinct value holding a digit, one per meaning (plainest first)."""
    texts = [v.strip() for v in values if v is not None and v.strip()]
    split = [(v, _split(v)) for v in texts]
    numbered = [(v, s) for v, s in split if s is not None]
    residue = len(texts) - len(numbered)
    if not numbered:
        return []
    prefixes = {_affix(pre) for _, (pre, _c, _p) in numbered} - {""}
    suffixes = {_affix(post) for _, (_pr, _c, post) in numbered} - {""}
    if len(prefixes) > 1 or len(suffixes) > 1:
        return []  # two spellings of the affix are two meanings (kg and lb, EUR and USD): not a format
    prefix, suffix = next(iter(prefixes), ""), next(iter(suffixes), "")
    signed = []
    for _v, (pre, core, post) in numbered:
        s = _signed(pre, core, post)
        if s is None:
            return []
        signed.append(s)
    exponent = any(re.search(r"\d[eE][+\-\u2212]?\d", core) for _n, core in signed)
    groups: dict[str, NumberReading] = {}
    for group, decimal in product(GROUPS, DECIMALS):
        if group == decimal:
            continue
        pattern = _number_pattern(group, decimal, exponent)
        if not all(pattern.match(core) for _n, core in signed):
            continue
        read = [(-1 if neg else 1) * _value(core, group, decimal) for neg, core in signed]
        # A percent sign may mean the number as written (12.5 percent points) or the fraction it stands for;
        # where only some values carry it, it may also mark just those values as percents (the rest fractions).
        marked = [bool(_affix(post)) for _v, (_pr, _c, post) in numbered]
        scales = [(1.0, False), (0.01, False)] if suffix == "%" else [(1.0, False)]
        if suffix == "%" and any(marked) and not all(marked):
            scales.append((0.01, True))
        for scale, only_marked in scales:
            reading = NumberReading(
                prefix=prefix,
                suffix=suffix,
                group=group,
                decimal=decimal,
                exponent=exponent,
                scale=scale,
                scale_marked=only_marked,
                digest=_digest(
                    [_scaled(x, scale) if m or not only_marked else x for x, m in zip(read, marked, strict=True)]
                ),
                residue=residue,
            )
            best = groups.get(reading.digest)
            if best is None or reading.parts < best.parts:
                groups[reading.digest] = reading
    return sorted(groups.values(), key=lambda r: r.parts)


def _divisor(scale: float) -> int | None:
    """The whole number `scale` is one over (0.01 -> 100), or None; 1e-12 only absorbs the float error of 1/scale."""
    if not 0 < scale < 1:
        return None
    inverse = round(1 / scale)
    return inverse if abs(inverse * scale - 1) < 1e-12 else None


def _scaled(value: float, scale: float) -> float:
    """`value` times `scale`; a scale of one over a whole number divides by it, which rounds the decimal as
    written (`44.5 / 100` is the double nearest 0.445; `44.5 * 0.01` is not)."""
    divisor = _divisor(scale)
    return value / divisor if divisor else value * scale


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def to_sql(reading: NumberReading, column: str, target: str, *, strict: bool = True) -> str:
    """The DuckDB expression reading `column` as `target` under `reading` (TRY_CAST when not strict)."""
    text = f"trim(CAST({quote(column)} AS VARCHAR))"
    for affix in (reading.prefix, reading.suffix):
        if affix:
            text = f"replace({text}, {_literal(affix)}, '')"
    # The sign: a minus (either spelling) or an opening parenthesis anywhere outside an exponent.
    mantissa = f"regexp_replace({text}, '[eE][-+\u2212]?[0-9]+$', '')" if reading.exponent else text
    negative = f"regexp_matches({mantissa}, '[-\u2212(]')"
    keep = "0-9" + re.escape(reading.decimal)
    digits = f"regexp_replace({mantissa}, '[^{keep}]', '', 'g')"
    if reading.decimal != ".":
        digits = f"replace({digits}, {_literal(reading.decimal)}, '.')"
    if reading.exponent:
        power = f"regexp_extract(replace({text}, '\u2212', '-'), '[eE][-+]?[0-9]+$')"
        digits = f"({digits} || {power})"
    cast = "CAST" if strict else "TRY_CAST"
    number = f"{cast}({digits} AS DOUBLE)"
    # Dividing by a whole number rounds as the decimal is written (see `_scaled`).
    divisor = _divisor(reading.scale)
    if reading.scale == 1:
        factor = ""
    elif reading.scale_marked:
        written = f"trim(CAST({quote(column)} AS VARCHAR))"
        factor = f" / (CASE WHEN contains({written}, {_literal(reading.suffix)}) THEN {divisor} ELSE 1 END)"
    else:
        factor = f" / {divisor}" if divisor else f" * {reading.scale:g}"
    scaled = f"(CASE WHEN {negative} THEN -1 ELSE 1 END * {number}{factor})"
    return scaled if target == "DOUBLE" else f"CAST({scaled} AS {target})"
