"""Which written representation a text column's values are in: candidate formats, each tried on the values.

A value that stopped casting because the source now writes it differently (`20260302`, `02.03.2026`,
`20260302T0815`, `2 Mar 2026`, `02/03/26`, `2026-03-02T08:15:00+01:00`) is restored by parsing it in the
format it is written in. The candidates are generated from parts (date orders with four- or two-digit years,
numeric months or English month names, separators, clocks with fractional seconds, `Z` or an offset, plus
ISO 8601 durations) rather than listed from cases, and each is
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

from agentic_assets.clock import naive_utc

# The three date orders in use: ISO 8601 (year first) and the two national orders with the year last.
_ORDERS = [("%Y", "%m", "%d"), ("%d", "%m", "%Y"), ("%m", "%d", "%Y")]
_DATE_SEPARATORS = ["-", "/", ".", ""]
# Two-digit years are written in the national orders only (`02/03/26`); `26-03-02` would be read as a day.
_SHORT_YEAR_ORDERS = [("%d", "%m", "%y"), ("%m", "%d", "%y")]
# Dates with the month's English name or abbreviation (`2 Mar 2026`, `Mar 2, 2026`, `02-MAR-26`): the day
# before or after the month, the year last or (with hyphens) first; strptime reads the name in any case.
_MONTHS = ["%b", "%B"]
_NAMED_LAYOUTS = [
    *("{d} {b} {y}", "{d}-{b}-{y}", "{d}/{b}/{y}", "{d}.{b}.{y}"),
    *("{b} {d}, {y}", "{b} {d} {y}", "{y}-{b}-{d}"),
]
# Time parts after a date: none, or hours and minutes (with seconds) joined by `T` or a space, with or
# without colons; with fractional seconds, a UTC `Z` or a numeric offset.
_CLOCKS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%H%M", "%H%M%S"]
_ZONES = ["", "Z", "%z"]
_TIME_PARTS = [""] + [
    f"{join}{clock}{zone}"
    for join in ("T", " ")
    for clock in _CLOCKS
    for zone in _ZONES
    if not (zone == "%z" and ":" not in clock)  # a compact clock takes `Z`, never a written offset
]
# Month-name dates come with a plain clock at most, after a space or, as written out in prose, a comma.
_NAMED_TIME_PARTS = ["", " %H:%M", " %H:%M:%S", ", %H:%M", ", %H:%M:%S"]
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


class Parse(BaseModel):
    """One candidate representation that reads every distinct non-null value of a column."""

    kind: Literal["date", "timestamp", "duration"]
    format: str = Field(description="a strptime pattern (DuckDB and Python agree on these codes), or ISO8601")
    digest: str = Field(description="digest of what the format reads from the values: equal digests agree")


def _date_formats() -> list[tuple[str, str]]:
    out = []
    for (a, b, c), sep, time in product(_ORDERS + _SHORT_YEAR_ORDERS, _DATE_SEPARATORS, _TIME_PARTS):
        if not sep and a != "%Y":
            continue  # `02032026` has no compact national form in use: a compact date is ISO's `YYYYMMDD`
        if not sep and time and ":" in time:
            continue  # a compact date goes with a compact clock (`20260302T0815`)
        out.append(("timestamp" if time else "date", f"{a}{sep}{b}{sep}{c}{time}"))
    for layout, month, year, time in product(_NAMED_LAYOUTS, _MONTHS, ("%Y", "%y"), _NAMED_TIME_PARTS):
        if layout.startswith("{y}") and year == "%y":
            continue  # a two-digit year first would be read as a day
        out.append(("timestamp" if time else "date", layout.format(d="%d", b=month, y=year) + time))
    return out


_ADJACENT = re.compile(r"%[A-Za-z]%[A-Za-z]")


def _round_trips(text: str, value: datetime, fmt: str) -> bool:
    """Whether `fmt` writes `value` back as `text`: a compact format (fields side by side) must match exactly
    (letters in any case), or `0815` would read as 00:08:15 under `%H%M%S`; separated fields are delimited by
    their separators, so strptime alone is exact there (it also reads `2.3.2026` and `+01:00`)."""
    if not _ADJACENT.search(fmt.replace("%z", "")):  # an offset is delimited by its sign
        return True
    return value.strftime(fmt).lower() == text.lower()


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
            parsed.append(naive_utc(value))
        else:
            out.append(Parse(kind=kind, format=fmt, digest=_digest(parsed)))  # type: ignore[arg-type]
    durations = [duration_seconds(v) for v in texts]
    if all(d is not None for d in durations):
        out.append(Parse(kind="duration", format="ISO8601", digest=_digest(durations)))
    return out


def _reads_as_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def detect_beside_iso(values: list[str]) -> list[Parse]:
    """A column fed in two forms: when some values are ISO 8601 dates or timestamps (what a plain cast reads)
    and no one format reads every value, the formats that read every other value; [] otherwise."""
    texts = [v.strip() for v in values if v is not None and v.strip()]
    rest = [v for v in texts if not _reads_as_iso(v)]
    if not rest or len(rest) == len(texts):
        return []
    return [p for p in detect(rest) if p.kind in ("date", "timestamp")]


def readings(parses: list[Parse], kind: set[str]) -> dict[str, list[Parse]]:
    """The candidates of the wanted kinds grouped by what they read: one group is one meaning."""
    groups: dict[str, list[Parse]] = {}
    for p in parses:
        if p.kind in kind:
            groups.setdefault(p.digest, []).append(p)
    return groups
