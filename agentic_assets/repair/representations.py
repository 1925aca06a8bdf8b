"""Which written representation a text column's values are in: candidate formats, each tried on the values.

A value that stopped casting because the source now writes it differently (`20260302`, `02.03.2026`,
`20260302T0815`) is restored by parsing it in the format it is written in. The candidates are generated
(date orders x separators x time parts, plus ISO 8601 durations) rather than listed from cases, and each is
tried on every distinct value; a candidate counts only when it parses all of them. Two candidates that both
parse everything but read some value differently (day and month order when no day is above 12) are an
ambiguity that the planner escalates; the digest of what each candidate reads tells them apart.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from itertools import product
from typing import Literal

from pydantic import BaseModel, Field

# The three date orders in use: ISO 8601 (year first) and the two national orders with the year last.
_ORDERS = [("%Y", "%m", "%d"), ("%d", "%m", "%Y"), ("%m", "%d", "%Y")]
_DATE_SEPARATORS = ["-", "/", ".", ""]
# Time parts after a date: none, or hours and minutes (with seconds) joined by `T` or a space, with or
# without colons.
_TIME_PARTS = ["", "T%H:%M", "T%H:%M:%S", "T%H%M", "T%H%M%S", " %H:%M", " %H:%M:%S", " %H%M", " %H%M%S"]
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


class Parse(BaseModel):
    """One candidate representation that reads every distinct non-null value of a column."""

    kind: Literal["date", "timestamp", "duration"]
    format: str = Field(description="a strptime pattern (DuckDB and Python agree on these codes), or ISO8601")
    digest: str = Field(description="digest of what the format reads from the values: equal digests agree")


def _date_formats() -> list[tuple[str, str]]:
    out = []
    for (a, b, c), sep, time in product(_ORDERS, _DATE_SEPARATORS, _TIME_PARTS):
        if not sep and a != "%Y":
            continue  # `02032026` has no compact national form in use: a compact date is ISO's `YYYYMMDD`
        out.append(("timestamp" if time else "date", f"{a}{sep}{b}{sep}{c}{time}"))
    return out


_ADJACENT = re.compile(r"%[A-Za-z]%[A-Za-z]")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def _round_trips(text: str, value: datetime, fmt: str) -> bool:
    """Whether `fmt` writes `value` back as `text`: a compact format (fields side by side) must match exactly,
    or `0815` would read as 00:08:15 under `%H%M%S`; separated fields may drop their leading zeros (`2.3.2026`)."""
    written = value.strftime(fmt)
    if written == text:
        return True
    return not _ADJACENT.search(fmt) and _LEADING_ZEROS.sub("", written) == _LEADING_ZEROS.sub("", text)


def _digest(parsed: list[object]) -> str:
    return hashlib.sha256("|".join(map(str, parsed)).encode()).hexdigest()[:16]


def duration_seconds(value: str) -> float | None:
    m = _DURATION.match(value.strip())
    if not m or not any(m.groups()):
        return None
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def detect(values: list[str]) -> list[Parse]:
    """Every candidate representation that parses all of `values` (distinct, non-null), with its reading."""
    texts = [v.strip() for v in values if v is not None and v.strip()]
    if not texts:
        return []
    out: list[Parse] = []
    for kind, fmt in _date_formats():
        parsed = []
        for v in texts:
            try:
                value = datetime.strptime(v, fmt)
            except ValueError:
                break
            if not _round_trips(v, value, fmt):
                break
            parsed.append(value)
        else:
            out.append(Parse(kind=kind, format=fmt, digest=_digest(parsed)))  # type: ignore[arg-type]
    durations = [duration_seconds(v) for v in texts]
    if all(d is not None for d in durations):
        out.append(Parse(kind="duration", format="ISO8601", digest=_digest(durations)))
    return out


def readings(parses: list[Parse], kind: set[str]) -> dict[str, list[Parse]]:
    """The candidates of the wanted kinds grouped by what they read: one group is one meaning."""
    groups: dict[str, list[Parse]] = {}
    for p in parses:
        if p.kind in kind:
            groups.setdefault(p.digest, []).append(p)
    return groups
