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

# Epoch ranges (2001-09 .. 2039-09) by unit.
EPOCH_UNITS: dict[str, tuple[float, float]] = {
    "epoch_seconds": (1e9, 2.2e9),
    "epoch_millis": (1e12, 2.2e12),
    "epoch_micros": (1e15, 2.2e15),
}
# Values read to decide whether a text or integer column holds times: the distinct values among the first
# PREFIX rows, at most SAMPLE of them; enough that a value in another shape would be among them, few enough
# that the decision costs a small query however large the input (it runs at every materialization).
PREFIX = 20_000
SAMPLE = 2000
# Earlier periods kept per column: whatever the grain, eight earlier periods give a median that one odd
# period does not move, and cover a week of a daily feed (its weekday pattern).
HISTORY = 8
# How each epoch unit is read as a timestamp, in integer arithmetic (a floating-point product per row costs
# twenty times as much on a large input).
_EPOCH_READ: dict[str, str] = {
    "epoch_seconds": "epoch_ms(CAST({c} AS BIGINT) * 1000)",
    "epoch_millis": "epoch_ms(CAST({c} AS BIGINT))",
    "epoch_micros": "make_timestamp(CAST({c} AS BIGINT))",
}
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
        for unit, (a, b) in EPOCH_UNITS.items():
            if a <= lo and hi <= b:
                return _EPOCH_READ[unit].format(c=c), unit
        return None
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        n, as_time, as_month, zoned = con.execute(
            f"SELECT count(*), count(TRY_CAST(v AS TIMESTAMPTZ)), count(TRY_STRPTIME(v, '{_YEAR_MONTH}')), "
            f"count(*) FILTER (WHERE TRY_CAST(v AS TIMESTAMP) IS DISTINCT FROM "
            f"(TRY_CAST(v AS TIMESTAMPTZ) AT TIME ZONE 'UTC')) FROM {sample} WHERE length(v) >= 7"
        ).fetchone()
        total = con.execute(f"SELECT count(*) FROM {sample}").fetchone()[0]
        if not total or n != total:
            return None
        if as_time == total:
            # Values written with an offset or zone are read through it; values without one (the sample says
            # which form the column is written in, as it says which shape) are UTC already, and reading them as
            # plain timestamps costs a third of reading them through a zone.
            if zoned:
                return f"(TRY_CAST({c} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')", "text"
            return f"TRY_CAST({c} AS TIMESTAMP)", "text"
        if as_month == total:
            return f"TRY_STRPTIME({c}, '{_YEAR_MONTH}')", "text"
    return None


def time_expressions(con: duckdb.DuckDBPyConnection, data: Any) -> dict[str, str]:
    """Per time column of `data` (registered as `t` on `con`), the expression reading it as a naive UTC timestamp."""
    return {field.name: e[0] for field in data.schema if (e := _expression(con, field)) is not None}


def _grain(exact: bool, on_day: bool, on_month: bool, several: bool) -> tuple[Grain, bool]:
    """The coarsest unit that leaves every value unchanged (a partition label), else events bucketed by day.

    `exact`: every value is its own hour; `on_day`/`on_month`: every such hour is also its day's/month's start.
    """
    # A single value says nothing of the grain; it is read as the day it falls on.
    if exact and on_month and several:
        return "month", True
    if exact and on_day:
        return "day", True
    if exact and several:
        return "hour", True
    return "day", False


def watermarks_of(data: Any) -> list[Watermark]:
    """The watermark of every time column of one input (an Arrow table or dataset, scanned, not loaded).

    Which columns hold times is decided on a small sample; then one scan of the input reads every such column
    at once into hourly buckets (rows, earliest, latest, whether every value is the hour itself). The grain and
    the periods are read off those buckets, which are few (one per hour of the data's span) however many rows
    there are: the input is read once, not two or three times per column.
    """
    con = duckdb.connect()
    out: list[Watermark] = []
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        con.register("t", data)
        found = [(field.name, *e) for field in data.schema if (e := _expression(con, field)) is not None]
        if not found:
            return []
        values = ", ".join(f"{expr} AS v{i}" for i, (_, expr, _) in enumerate(found))
        parts = " UNION ALL ".join(
            f"SELECT {i} AS i, date_trunc('hour', v{i}) AS h, count(*) AS n, min(v{i}) AS lo, max(v{i}) AS hi, "
            f"bool_and(v{i} = date_trunc('hour', v{i})) AS exact FROM v WHERE v{i} IS NOT NULL GROUP BY h"
            for i in range(len(found))
        )
        con.execute(f"CREATE TEMP TABLE hours AS WITH v AS MATERIALIZED (SELECT {values} FROM t) {parts}")
        flags = {
            i: (exact, on_day, on_month, several)
            for i, exact, on_day, on_month, several in con.execute(
                "SELECT i, bool_and(exact), bool_and(h = date_trunc('day', h)), bool_and(h = date_trunc('month', h)), "
                "min(lo) < max(hi) FROM hours GROUP BY i"
            ).fetchall()
        }
        for i, (name, _, written_as) in enumerate(found):
            if i not in flags:
                continue  # no value at all
            grain, partitioned = _grain(*flags[i])
            rows = con.execute(
                f"SELECT date_trunc('{_TRUNC[grain]}', h) AS p, sum(n)::BIGINT, max(hi) FROM hours WHERE i = {i} "
                f"GROUP BY p ORDER BY p DESC LIMIT {HISTORY + 1}"
            ).fetchall()
            latest_period, latest_rows, latest = rows[0]
            earlier = list(reversed(rows[1:]))
            out.append(
                Watermark(
                    column=name,
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
