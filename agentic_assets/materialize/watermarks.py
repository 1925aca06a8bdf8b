"""How far each input's time columns reach: recorded at every run, so that freshness has a history.

A time column is found by its type and its values, never by its name: a date or timestamp (with or without a
zone), an integer whose every value lies in one epoch range, or text whose every value reads as an ISO date,
timestamp or year-month. Each is read as a naive UTC timestamp. Its grain is the coarsest calendar unit that
leaves every value unchanged (a partition label: month, day, hour); values finer than an hour are events,
bucketed by day. Per column: the latest value, the latest period and its rows, and the rows of the periods
before it (the source's own history of period sizes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

Grain = Literal["hour", "day", "month"]

# Epoch ranges (2001-09 .. 2039-09) by unit, and the factor to milliseconds.
EPOCH_UNITS: dict[str, tuple[float, float, float]] = {
    "epoch_seconds": (1e9, 2.2e9, 1000.0),
    "epoch_millis": (1e12, 2.2e12, 1.0),
    "epoch_micros": (1e15, 2.2e15, 0.001),
}
# Values read to decide whether a text or integer column holds times: the distinct values among the first
# PREFIX rows, at most SAMPLE of them; enough that a value in another shape would be among them, few enough
# that the decision costs a small query however large the input (it runs at every materialization).
PREFIX = 20_000
SAMPLE = 2000
# Earlier periods kept per column: whatever the grain, eight earlier periods give a median that one odd
# period does not move, and cover a week of a daily feed (its weekday pattern).
HISTORY = 8
_TRUNC: dict[str, str] = {"month": "month", "day": "day", "hour": "hour"}
_YEAR_MONTH = "%Y-%m"


class Watermark(BaseModel):
    """How far one time column of one input reaches."""

    column: str
    written_as: str = Field(description="date, timestamp, timestamptz, epoch_seconds/millis/micros, or text")
    grain: Grain
    partitioned: bool = Field(description="every value is a period label (truncated to the grain), not an event")
    latest: datetime = Field(description="the latest value, naive UTC")
    latest_period: datetime
    latest_rows: int = Field(description="rows in the latest period")
    earlier_rows: list[int] = Field(default_factory=list, description="rows of the periods before, oldest first")
    earlier_periods: list[datetime] = Field(default_factory=list, description="those periods, oldest first")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _expression(con: duckdb.DuckDBPyConnection, field: pa.Field) -> tuple[str, str] | None:
    """(DuckDB expression reading the column as a naive UTC timestamp, how it is written), or None."""
    c = _quote(field.name)
    t = field.type
    if pa.types.is_timestamp(t):
        return (f"({c} AT TIME ZONE 'UTC')", "timestamptz") if t.tz else (f"CAST({c} AS TIMESTAMP)", "timestamp")
    if pa.types.is_date(t):
        return f"CAST({c} AS TIMESTAMP)", "date"
    sample = f"(SELECT DISTINCT v FROM (SELECT {c} AS v FROM t WHERE {c} IS NOT NULL LIMIT {PREFIX}) LIMIT {SAMPLE})"
    if pa.types.is_integer(t):
        lo, hi = con.execute(f"SELECT min(v), max(v) FROM {sample}").fetchone()
        if lo is None:
            return None
        for unit, (a, b, to_ms) in EPOCH_UNITS.items():
            if a <= lo and hi <= b:
                return f"epoch_ms(CAST({c} * {to_ms} AS BIGINT))", unit
        return None
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        n, as_time, as_month = con.execute(
            f"SELECT count(*), count(TRY_CAST(v AS TIMESTAMPTZ)), count(TRY_STRPTIME(v, '{_YEAR_MONTH}')) "
            f"FROM {sample} WHERE length(v) >= 7"
        ).fetchone()
        total = con.execute(f"SELECT count(*) FROM {sample}").fetchone()[0]
        if not total or n != total:
            return None
        if as_time == total:
            return f"(TRY_CAST({c} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')", "text"
        if as_month == total:
            return f"TRY_STRPTIME({c}, '{_YEAR_MONTH}')", "text"
    return None


def _grain(con: duckdb.DuckDBPyConnection, expr: str) -> tuple[Grain, bool]:
    """The coarsest unit that leaves every value unchanged (a partition label), else events bucketed by day."""
    month, day, hour, several = con.execute(
        f"SELECT bool_and(v = date_trunc('month', v)), bool_and(v = date_trunc('day', v)), "
        f"bool_and(v = date_trunc('hour', v)), min(v) < max(v) FROM (SELECT {expr} AS v FROM t) WHERE v IS NOT NULL"
    ).fetchone()
    # A single value says nothing of the grain; it is read as the day it falls on.
    if several and month:
        return "month", True
    if day:
        return "day", True
    if hour and several:
        return "hour", True
    return "day", False


def watermarks_of(data: Any) -> list[Watermark]:
    """The watermark of every time column of one input (an Arrow table or dataset, scanned, not loaded)."""
    con = duckdb.connect()
    out: list[Watermark] = []
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        con.register("t", data)
        for field in data.schema:
            found = _expression(con, field)
            if found is None:
                continue
            expr, written_as = found
            grain, partitioned = _grain(con, expr)
            rows = con.execute(
                f"SELECT date_trunc('{_TRUNC[grain]}', v) AS p, count(*), max(v) FROM (SELECT {expr} AS v FROM t) "
                f"WHERE v IS NOT NULL GROUP BY p ORDER BY p DESC LIMIT {HISTORY + 1}"
            ).fetchall()
            if not rows:
                continue
            latest_period, latest_rows, latest = rows[0]
            earlier = list(reversed(rows[1:]))
            out.append(
                Watermark(
                    column=field.name,
                    written_as=written_as,
                    grain=grain,
                    partitioned=partitioned,
                    latest=latest,
                    latest_period=latest_period,
                    latest_rows=latest_rows,
                    earlier_rows=[n for _, n, _ in earlier],
                    earlier_periods=[p for p, _, _ in earlier],
                )
            )
    finally:
        con.close()
    return out


def input_watermarks(inputs: dict[str, Any]) -> dict[str, list[Watermark]]:
    """Per input, its time columns' watermarks; an input that cannot be read this way records none."""
    out: dict[str, list[Watermark]] = {}
    for name, data in inputs.items():
        try:
            marks = watermarks_of(data)
        except (duckdb.Error, pa.ArrowException, ValueError):
            continue  # the run itself reports what is wrong with an input; the record goes without it
        if marks:
            out[name] = marks
    return out
