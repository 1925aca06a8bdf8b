"""Column profiles: null rate, distinct count, min/max, top values and the formats the values are written in.

Format detection is what tells a date-order switch, a decimal comma, currency text, epoch numbers or
zero-padded identifiers apart; the planner reads these facts, never the raw values.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from agentic_assets.repair.number_readings import NumberReading
from agentic_assets.repair.number_readings import detect as detect_numbers
from agentic_assets.repair.redaction import is_pii_column, mask, names_column, redact_value
from agentic_assets.repair.representations import Parse, detect, detect_beside_iso

DISTINCT_SAMPLE = 5000

# Written formats of text values; the first matching pattern wins.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso_timestamp", re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")),
    ("iso_date", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    ("slash_date", re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")),
    ("dot_date", re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")),
    ("dash_date", re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$")),
    ("ymd_slash_date", re.compile(r"^\d{4}/\d{2}/\d{2}$")),
    ("compact_date", re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")),
    ("zero_padded_integer", re.compile(r"^0\d+$")),
    ("integer", re.compile(r"^[+-]?\d+$")),
    ("decimal_point", re.compile(r"^[+-]?\d+\.\d+$")),
    ("thousands_comma", re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")),
    ("decimal_comma", re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$")),
    (
        "currency",
        re.compile(r"^(([A-Z]{3}|[€$£¥])\s?[+-]?[\d.,]+|[+-]?[\d.,]+\s?([A-Z]{3}|[€$£¥]))$"),
    ),
]
DATE_FORMATS = {"iso_date", "iso_timestamp", "slash_date", "dot_date", "dash_date", "ymd_slash_date", "compact_date"}
NUMBER_FORMATS = {"integer", "decimal_point", "thousands_comma", "decimal_comma", "currency", "zero_padded_integer"}
# Epoch ranges (2001-09 .. 2039-09) by unit.
EPOCH_RANGES = {"epoch_seconds": (1e9, 2.2e9), "epoch_millis": (1e12, 2.2e12), "epoch_micros": (1e15, 2.2e15)}


class DayOrder(BaseModel):
    """Evidence on NN/NN/YYYY dates: a first part above 12 means day first, a second part above 12 month first."""

    first_above_12: int = 0
    second_above_12: int = 0

    @property
    def order(self) -> str | None:
        if self.first_above_12 and not self.second_above_12:
            return "day_first"
        if self.second_above_12 and not self.first_above_12:
            return "month_first"
        return None


class Affixes(BaseModel):
    """Text values written as a number inside constant text (a code, a unit suffix, a currency sign)."""

    prefixes: dict[str, int] = Field(default_factory=dict, description="text before the number -> distinct values")
    suffixes: dict[str, int] = Field(default_factory=dict, description="text after the number -> distinct values")
    numeric_share: float = Field(description="share of distinct values that are prefix, number, suffix")

    @property
    def constant(self) -> bool:
        """One spelling of the affix (or none) on each side: stripping it loses nothing a value says."""
        return len(self.prefixes) <= 1 and len(self.suffixes) <= 1 and bool(self.prefixes or self.suffixes)


# A number inside text: leading text, the digits (with separators and sign), trailing text.
_AFFIXED = re.compile(r"^(\D*?)\s*([+-]?\d[\d.,]*)\s*(\D*)$")


def affixes_of(values: list[str]) -> Affixes | None:
    if not values:
        return None
    prefixes: Counter[str] = Counter()
    suffixes: Counter[str] = Counter()
    numeric = 0
    for v in values:
        m = _AFFIXED.match(v.strip())
        if not m:
            continue
        numeric += 1
        pre, post = m.group(1).strip(), m.group(3).strip()
        if pre and pre not in "+-":
            prefixes[pre] += 1
        if post:
            suffixes[post] += 1
    if not numeric:
        return None
    return Affixes(prefixes=dict(prefixes), suffixes=dict(suffixes), numeric_share=round(numeric / len(values), 4))


class ColumnProfile(BaseModel):
    table: str
    column: str
    type: str
    rows: int
    nulls: int
    null_rate: float
    distinct: int
    duplicated_values: int = Field(description="non-null values that occur more than once")
    min: Any = None
    max: Any = None
    top_values: list[tuple[Any, int]] = Field(default_factory=list)
    formats: dict[str, int] = Field(default_factory=dict, description="written format -> distinct values")
    day_order: dict[str, DayOrder] = Field(default_factory=dict, description="per date format with NN/NN parts")
    epoch_unit: str | None = None
    pii: bool = False
    decimal_separator: str | None = Field(default=None, description="text numbers: ',' or '.' as decimal mark")
    quantiles: list[float] = Field(default_factory=list, description="numbers: 10th, 50th and 90th percentile")
    percentiles: list[float] = Field(default_factory=list, description="numbers: every 5th percentile, 0th to 100th")
    values: list[Any] = Field(default_factory=list, description="every distinct value, for low-cardinality text")
    lag_to_now_hours: float | None = Field(default=None, description="time columns: now minus the latest value")
    recent_days: dict[str, int] = Field(default_factory=dict, description="time columns: rows per day, last 7 days")
    partitions: list[tuple[str, int]] = Field(
        default_factory=list, description="time columns: rows per distinct value, the latest 8, oldest first"
    )
    affixes: Affixes | None = Field(default=None, description="text: numbers written inside constant text")
    parses: list[Parse] = Field(
        default_factory=list, description="text: date, timestamp and duration formats that read every value"
    )
    number_readings: list[NumberReading] = Field(
        default_factory=list, description="text: the ways of reading every value holding a digit as a number"
    )
    beside_iso: list[Parse] = Field(
        default_factory=list,
        description="text partly in ISO 8601 that no one format reads: the formats that read every other value",
    )


def classify(value: str) -> str:
    v = value.strip()
    for name, pattern in _PATTERNS:
        if pattern.match(v):
            return name
    return "text"


def _decimal_separator(values: list[str], formats: Counter[str]) -> str | None:
    """Which mark separates decimals in text numbers: the last of both when both occur; a comma followed by
    other than three digits is decimal; several comma groups are thousands; a column without dots but with
    commas writes decimal commas."""
    pairs = [(v.strip(), m.group(2)) for v in values if (m := _AFFIXED.match(v.strip()))]
    cores = [c for _, c in pairs]
    affixed = any(c != v for v, c in pairs)
    if not (formats.keys() & {"decimal_comma", "thousands_comma", "currency"}) and not affixed:
        return None
    # Read from the numbers themselves (a unit or code around them says nothing about the decimal mark).
    numbers = [re.sub(r"[^0-9,.]", "", c) for c in cores] if affixed else [re.sub(r"[^0-9,.]", "", v) for v in values]
    if not numbers:
        return None
    # Both marks written as a plain decimal mark (one mark, not followed by a group of three), in different
    # values: two systems feed the column, and each value says which mark it uses (None: read per value).
    plain_point = any(n.count(".") == 1 and "," not in n and not re.search(r"\.\d{3}$", n) for n in numbers)
    plain_comma = any(n.count(",") == 1 and "." not in n and not re.search(r",\d{3}$", n) for n in numbers)
    if plain_point and plain_comma:
        return None
    if any(n.count(".") > 1 for n in numbers):
        return ","  # several dots in one number: the dots group thousands
    if any("," in n and "." in n and n.rfind(",") > n.rfind(".") for n in numbers):
        return ","
    if any("," in n and "." in n for n in numbers):
        return "."
    if any(re.search(r",\d+$", n) and not re.search(r",\d{3}$", n) for n in numbers):
        return ","
    if any(n.count(",") > 1 for n in numbers):
        return "."
    if not any("." in n for n in numbers) and any("," in n for n in numbers):
        return ","
    return "."


def _is_numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def _is_time(t: pa.DataType) -> bool:
    return pa.types.is_timestamp(t) or pa.types.is_date(t)


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def profile_column(
    table: pa.Table, table_name: str, column: str, *, now: datetime | None = None, flagged: list[str] | None = None
) -> ColumnProfile:
    flagged = flagged or []
    col = table.column(column)
    t = col.type
    pii = is_pii_column(column, flagged)
    con = duckdb.connect()
    try:
        con.register("t", pa.table({"v": col}))
        rows, nulls, distinct = con.execute("SELECT count(*), count(*) - count(v), count(DISTINCT v) FROM t").fetchone()
        dup = con.execute("SELECT count(*) FROM (SELECT v FROM t WHERE v IS NOT NULL GROUP BY v HAVING count(*) > 1)")
        duplicated = dup.fetchone()[0]
        lo = hi = None
        if not pa.types.is_boolean(t) and not pa.types.is_nested(t):
            lo, hi = con.execute("SELECT min(v), max(v) FROM t").fetchone()
        top = con.execute(
            "SELECT v, count(*) AS n FROM t WHERE v IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT 5"
        ).fetchall()
        values: list[Any] = []
        if _is_text(t) or _is_numeric(t):
            values = [
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT v FROM t WHERE v IS NOT NULL ORDER BY v LIMIT {DISTINCT_SAMPLE}"
                ).fetchall()
            ]
        quantiles: list[float] = []
        percentiles: list[float] = []
        if _is_numeric(t) and rows > nulls:
            q = con.execute("SELECT quantile_cont(v, [0.1, 0.5, 0.9]) FROM t WHERE v IS NOT NULL").fetchone()[0]
            quantiles = [round(float(x), 6) for x in q]
            steps = ", ".join(f"{i / 20:g}" for i in range(21))
            pq = con.execute(f"SELECT quantile_disc(v, [{steps}]) FROM t WHERE v IS NOT NULL").fetchone()[0]
            percentiles = [round(float(x), 6) for x in pq]
        recent: dict[str, int] = {}
        partitions: list[tuple[str, int]] = []
        lag = None
        if _is_time(t) and hi is not None:
            partitions = [
                (str(v), n)
                for v, n in reversed(
                    con.execute(
                        "SELECT v, count(*) FROM t WHERE v IS NOT NULL GROUP BY v ORDER BY v DESC LIMIT 8"
                    ).fetchall()
                )
            ]
            ref = now.replace(tzinfo=None) if now else None
            latest = hi if isinstance(hi, datetime) else datetime(hi.year, hi.month, hi.day)
            latest = latest.replace(tzinfo=None)
            if ref is not None:
                lag = round((ref - latest).total_seconds() / 3600, 2)
            end = (ref or latest).date()
            for day, n in con.execute(
                "SELECT CAST(v AS DATE) AS d, count(*) FROM t WHERE v IS NOT NULL GROUP BY d ORDER BY d DESC LIMIT 10"
            ).fetchall():
                if day > end - timedelta(days=7):
                    recent[str(day)] = n
    finally:
        con.close()

    formats: Counter[str] = Counter()
    orders: dict[str, DayOrder] = {}
    epoch_unit = None
    separator = None
    if _is_text(t):
        for v in values:
            kind = classify(str(v))
            formats[kind] += 1
            if kind in ("slash_date", "dot_date", "dash_date"):
                a, b, _ = re.split(r"[/.-]", v.strip())
                order = orders.setdefault(kind, DayOrder())
                order.first_above_12 += int(a) > 12
                order.second_above_12 += int(b) > 12
        separator = _decimal_separator([str(v) for v in values], formats)
        if separator == ",":
            # "12,345" is a decimal comma here, not a thousands group.
            formats["decimal_comma"] += formats.pop("thousands_comma", 0)
    elif _is_numeric(t) and values:
        nums = [float(v) for v in values]
        for unit, (a, b) in EPOCH_RANGES.items():
            if all(a <= x <= b for x in nums):
                epoch_unit = unit
        formats["number"] = len(nums)

    if _is_text(t) and not pii and len(values) > 30:
        # Many distinct values, most of them people's names: a names column, masked like a flagged one.
        pii = names_column(values)

    def shown(v: Any) -> Any:
        return mask("pii") if pii else redact_value(_json(v), column, flagged)

    # The readings of text are tried on the distinct values read above (up to DISTINCT_SAMPLE of them).
    texts = [str(v) for v in values] if _is_text(t) and not pii else None
    parses = detect(texts) if texts is not None else []

    return ColumnProfile(
        table=table_name,
        column=column,
        type=str(t),
        rows=rows,
        nulls=nulls,
        null_rate=round(nulls / rows, 4) if rows else 0.0,
        distinct=distinct,
        duplicated_values=duplicated,
        min=shown(lo),
        max=shown(hi),
        top_values=[(shown(v), n) for v, n in top],
        formats=dict(formats),
        day_order=orders,
        epoch_unit=epoch_unit,
        pii=pii,
        decimal_separator=separator,
        quantiles=quantiles,
        percentiles=percentiles,
        values=[shown(v) for v in values] if _is_text(t) and len(values) <= 30 else [],
        lag_to_now_hours=lag,
        recent_days=recent,
        partitions=partitions,
        affixes=affixes_of(texts) if texts is not None else None,
        parses=parses,
        beside_iso=detect_beside_iso(texts) if texts is not None and not parses else [],
        number_readings=detect_numbers(texts) if texts is not None else [],
    )
