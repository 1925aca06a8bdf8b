"""Freshness: how far each source's time columns stopped short of where its history says they should be.

The measure compares, per source, its time columns now (`materialize.watermarks`) with three references,
each a fact of the data, never of a name:
- its own history inside the data: the latest period's rows against the periods before it (a partly landed
  partition);
- the last good run: the same column's latest value and latest period then (recorded in the run log), and the
  clock then (a feed that fell a whole period further behind the clock than it was);
- the other sources: a column whose latest period is behind another source's by more than at the last good
  run, where the two moved in step then (a partition that has not landed while the data it belongs to has).
A source with no rows now that had rows at the last good run has not landed at all.

A column whose values reach past the clock, where at the last good run they stayed behind it, holds rows
stamped ahead (a device clock that jumped): those rows are measured apart (`AheadOfClock`), with the other time
column of the same rows that every one of them lies after, so that they can be named by a row's own values.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from typing import Literal

import duckdb
import pyarrow as pa
from pydantic import BaseModel, Field

from agentic_assets.clock import naive_utc
from agentic_assets.materialize.watermarks import Grain, Watermark, time_expressions, watermarks_of
from agentic_assets.repair.departures import Departure, departures
from agentic_assets.repair.view import AssetView

ShortfallKind = Literal["not_landed", "behind", "partial", "stale"]

# The latest period counts as partly landed only below this share of what it should hold: periods of one feed
# vary by a few percent (the day-to-day spread of a partitioned feed), so a tenth missing is more than that
# variation. It must also be below the smallest earlier period, the feed's own observed range.
PARTIAL_SHARE = 0.9
# Earlier periods needed to call one typical: with three, the median differs from both extremes.
MIN_HISTORY = 3
# The trailing periods that must follow each other without a gap for a column to be a feed (one that advances
# period by period) rather than an occasional date such as a hire or contract date: the latest and the two
# before it, the fewest that show a cadence rather than a coincidence of two neighbours.
FEED_RUN = 3

# Two time columns moved in step at the last good run when their latest periods were at most this many periods
# apart: a feed published one period after the data it belongs to (yesterday's targets) still moves with it;
# further apart, the column does not follow the other (a load date, a static validity date).
IN_STEP = 1

# A value counts as ahead of the clock only past this margin: the clocks of upstream systems disagree by
# minutes, and an hour is the finest period the measure reads, so a value an hour past the clock is in a
# period that has not begun.
AHEAD_MARGIN = timedelta(hours=1)

# Rows of a catalog table read as a dimension of entities: one row per site, device or account, far fewer than
# the facts that reference them; a larger table is a fact table, which records no entity's departure.
MAX_DIMENSION_ROWS = 100_000

_ORDER: dict[Grain, int] = {"hour": 0, "day": 1, "month": 2}
# A month counts as 30 days: it is used only for the share of an open period that has passed and for how long
# to wait, where a day either way changes nothing.
PERIOD: dict[Grain, timedelta] = {"hour": timedelta(hours=1), "day": timedelta(days=1), "month": timedelta(days=30)}


class ColumnFreshness(BaseModel):
    source: str
    column: str
    now: Watermark
    at_last_good: Watermark | None = None
    feed: bool = Field(description="its latest periods follow each other without a gap")
    lag_hours: float | None = Field(default=None, description="the clock minus the latest value")
    lag_at_last_good_hours: float | None = None
    expected_rows: int | None = Field(default=None, description="rows a complete latest period should hold")


class Shortfall(BaseModel):
    source: str
    column: str | None = None
    kind: ShortfallKind
    detail: str
    expected_rows: int | None = Field(default=None, description="rows the late period should hold once landed")
    period: datetime | None = Field(default=None, description="the period that is short or has not landed")


class AheadOfClock(BaseModel):
    """Rows of one time column stamped past the clock, where the column stayed behind its clock at the last good
    run."""

    source: str
    column: str
    rows: int = Field(description="rows whose value is past the clock")
    before: str | None = Field(
        default=None,
        description="another time column of the source, behind the clock, that every such row lies after",
    )
    rows_after_before: int | None = Field(default=None, description="rows of the source whose value is after it")
    condition: str | None = Field(default=None, description="SQL on the source naming those rows by their values")


class FreshnessReport(BaseModel):
    clock: datetime | None = None
    last_good_clock: datetime | None = None
    rows_now: dict[str, int] = Field(default_factory=dict)
    rows_at_last_good: dict[str, int] = Field(default_factory=dict)
    columns: list[ColumnFreshness] = Field(default_factory=list)
    shortfalls: list[Shortfall] = Field(default_factory=list)
    ahead: list[AheadOfClock] = Field(default_factory=list)
    departures: list[Departure] = Field(default_factory=list)


def truncate(value: datetime, grain: Grain) -> datetime:
    if grain == "month":
        return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if grain == "day":
        return value.replace(hour=0, minute=0, second=0, microsecond=0)
    return value.replace(minute=0, second=0, microsecond=0)


def steps(a: datetime, b: datetime, grain: Grain) -> int:
    """Whole periods of `grain` from the period of `a` to the period of `b`."""
    a, b = truncate(a, grain), truncate(b, grain)
    if grain == "month":
        return (b.year - a.year) * 12 + b.month - a.month
    if grain == "day":
        return (b - a).days
    return int((b - a).total_seconds() // 3600)


def coarser(a: Grain, b: Grain) -> Grain:
    return a if _ORDER[a] >= _ORDER[b] else b


def is_feed(mark: Watermark) -> bool:
    """The trailing periods (FEED_RUN, or the two there are of a young feed) follow each other without a gap."""
    periods = [*mark.earlier_periods, mark.latest_period][-FEED_RUN:]
    pairs = zip(periods, periods[1:], strict=False)
    return len(periods) >= 2 and all(steps(a, b, mark.grain) == 1 for a, b in pairs)


def _hours(a: datetime | None, b: datetime) -> float | None:
    return None if a is None else round((a - b).total_seconds() / 3600, 2)


def _expected_rows(mark: Watermark, good: Watermark | None, clock: datetime | None) -> tuple[int | None, int | None]:
    """(rows a complete latest period should hold, the least any earlier period held), from the data's own
    earlier periods, else from the last good run's latest period when the data keeps one period only."""
    if len(mark.earlier_rows) >= MIN_HISTORY:
        typical, least = int(statistics.median(mark.earlier_rows)), min(mark.earlier_rows)
    elif good is not None and good.latest_period < mark.latest_period:
        typical = least = good.latest_rows
    else:
        return None, None
    if not mark.partitioned and clock is not None:
        # An event stream's latest period may still be open at the clock: it should hold its share so far.
        elapsed = (clock - mark.latest_period) / PERIOD[mark.grain]
        share = max(0.0, min(1.0, elapsed))
        typical, least = int(typical * share), int(least * share)
    return typical, least


def measure(
    now: dict[str, list[Watermark]],
    at_last_good: dict[str, list[Watermark]],
    *,
    clock: datetime | None,
    last_good_clock: datetime | None,
    rows_now: dict[str, int],
    rows_at_last_good: dict[str, int],
) -> FreshnessReport:
    """The freshness of every source from its watermarks now and at the last good run (pure: no reads)."""
    report = FreshnessReport(
        clock=clock, last_good_clock=last_good_clock, rows_now=rows_now, rows_at_last_good=rows_at_last_good
    )
    for source, n in rows_now.items():
        if n == 0 and rows_at_last_good.get(source, 0) > 0:
            report.shortfalls.append(
                Shortfall(source=source, kind="not_landed", expected_rows=rows_at_last_good[source],
                          detail=f"{source} holds no rows; it held {rows_at_last_good[source]} at the last good run")
            )  # fmt: skip
    for source, marks in now.items():
        good_marks = {m.column: m for m in at_last_good.get(source, [])}
        for mark in marks:
            good = good_marks.get(mark.column)
            expected, least = _expected_rows(mark, good, clock)
            col = ColumnFreshness(
                source=source, column=mark.column, now=mark, at_last_good=good, feed=is_feed(mark),
                lag_hours=_hours(clock, mark.latest), expected_rows=expected,
                lag_at_last_good_hours=_hours(last_good_clock, good.latest) if good else None,
            )  # fmt: skip
            report.columns.append(col)
            if expected is not None and least is not None and mark.latest_rows < min(least, PARTIAL_SHARE * expected):
                report.shortfalls.append(
                    Shortfall(source=source, column=mark.column, kind="partial", expected_rows=expected,
                              period=mark.latest_period,
                              detail=f"{source}.{mark.column} has {mark.latest_rows} rows for its latest "
                              f"{mark.grain} {mark.latest_period:%Y-%m-%d %H:%M} against about {expected} for a "
                              f"complete one (never fewer than {least} before)")
                )  # fmt: skip
            if col.feed and col.lag_hours is not None and col.lag_at_last_good_hours is not None:
                fell = col.lag_hours - col.lag_at_last_good_hours
                if fell >= PERIOD[mark.grain].total_seconds() / 3600:
                    report.shortfalls.append(
                        Shortfall(source=source, column=mark.column, kind="stale", period=mark.latest_period,
                                  detail=f"{source}.{mark.column} is {col.lag_hours:.0f} h behind the clock, "
                                  f"{fell:.0f} h more than at the last good run: it stopped delivering")
                    )  # fmt: skip
    report.shortfalls += _behind(report.columns)
    return report


def _behind(columns: list[ColumnFreshness]) -> list[Shortfall]:
    """Time columns whose latest period fell behind another source's by more than at the last good run, where
    the two moved in step then; without that history, between two feeds (periods without a gap)."""
    out: list[Shortfall] = []
    for late in columns:
        for ahead in columns:
            if ahead.source == late.source:
                continue
            grain = coarser(late.now.grain, ahead.now.grain)
            gap = steps(late.now.latest, ahead.now.latest, grain)
            if gap < 1:
                continue
            if late.at_last_good is not None and ahead.at_last_good is not None:
                before = steps(late.at_last_good.latest, ahead.at_last_good.latest, grain)
                if before > IN_STEP or gap <= before:
                    continue  # not moving with the other, or its usual offset
            elif not (late.feed and ahead.feed):
                continue
            missing = _next(truncate(late.now.latest, grain), grain)
            out.append(
                Shortfall(source=late.source, column=late.column, kind="behind", period=missing,
                          expected_rows=late.expected_rows or late.now.latest_rows,
                          detail=f"{late.source}.{late.column} ends {late.now.latest:%Y-%m-%d %H:%M}, {gap} {grain}(s) "
                          f"behind {ahead.source}.{ahead.column} ({ahead.now.latest:%Y-%m-%d %H:%M})")
            )  # fmt: skip
            break
    return out


def _next(period: datetime, grain: Grain) -> datetime:
    if grain == "month":
        return period.replace(year=period.year + period.month // 12, month=period.month % 12 + 1)
    return period + PERIOD[grain]


def freshness(view: AssetView) -> FreshnessReport:
    """The `freshness` tool: every source's time columns now against the last good run and the other sources."""
    good = view.last_good()
    now: dict[str, list[Watermark]] = {}
    rows_now: dict[str, int] = {}
    for source in view.sources:
        try:
            table = view.source_table(source)
        except Exception:  # noqa: BLE001 - an unreadable source is the schema diff's to report
            continue
        rows_now[source] = table.num_rows
        now[source] = watermarks_of(table)
    current = view.now or datetime.now(UTC)
    clock = naive_utc(current)
    report = measure(
        now,
        good.input_watermarks if good else {},
        clock=clock,
        last_good_clock=good.clock if good else None,
        rows_now=rows_now,
        rows_at_last_good=dict(good.input_rows) if good else {},
    )
    for source in {c.source for c in ahead_columns(report)}:
        report.ahead += ahead_of_clock(view.source_table(source), source, report)
    report.departures += _departures(view, report)
    return report


def _departures(view: AssetView, report: FreshnessReport) -> list[Departure]:
    """For each partly landed latest period, the entities the catalog records as gone (`departures`)."""
    partial = [s for s in report.shortfalls if s.kind == "partial" and s.column and s.period]
    if not partial:
        return []
    catalog: dict[str, pa.Table] = {}
    for name in view.catalog_names():
        try:
            table = view.catalog_table(name, MAX_DIMENSION_ROWS + 1)
        except Exception:  # noqa: BLE001 - an unreadable catalog table records nothing
            continue
        if table.num_rows <= MAX_DIMENSION_ROWS:
            catalog[name] = table
    marks = {(c.source, c.column): c.now for c in report.columns}
    out: list[Departure] = []
    for short in partial:
        mark = marks.get((short.source, short.column or ""))
        if mark is None or short.period is None or short.column is None:
            continue
        table = view.source_table(short.source)
        out += departures(short.source, table, short.column, short.period, PERIOD[mark.grain], mark.grain, catalog)
    return out


def ahead_columns(report: FreshnessReport) -> list[ColumnFreshness]:
    """Columns reaching past the clock now that stayed behind the clock at the last good run (a column written
    ahead on purpose, a schedule or a due date, was ahead then too)."""
    if report.clock is None or report.last_good_clock is None:
        return []
    return [
        c
        for c in report.columns
        if c.at_last_good is not None
        and c.now.latest > report.clock + AHEAD_MARGIN
        and c.at_last_good.latest <= report.last_good_clock + AHEAD_MARGIN
    ]


def ahead_of_clock(table: pa.Table, source: str, report: FreshnessReport) -> list[AheadOfClock]:
    """The rows of `source` stamped past the clock, per column, and the other time column (behind the clock)
    that each of those rows lies after, the one that fewest rows of the source lie after."""
    assert report.clock is not None
    ahead = [c for c in ahead_columns(report) if c.source == source]
    behind = [c.column for c in report.columns if c.source == source and c.now.latest <= report.clock + AHEAD_MARGIN]
    limit = f"TIMESTAMP '{report.clock + AHEAD_MARGIN:%Y-%m-%d %H:%M:%S}'"
    out: list[AheadOfClock] = []
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("t", table)
        reads = time_expressions(con, table)
        for col in ahead:
            if col.column not in reads:
                continue
            value = reads[col.column]
            (rows,) = con.execute(f"SELECT count(*) FROM t WHERE {value} > {limit}").fetchone()
            found = AheadOfClock(source=source, column=col.column, rows=rows)
            for other in behind:
                if other not in reads:
                    continue
                ref = reads[other]
                covered, after = con.execute(
                    f"SELECT count(*) FILTER (WHERE {value} > {limit} AND {value} > {ref}), "
                    f"count(*) FILTER (WHERE {value} > {ref}) FROM t"
                ).fetchone()
                tighter = found.rows_after_before is None or after < found.rows_after_before
                if covered == rows and tighter:
                    found.before, found.rows_after_before = other, after
                    found.condition = f"{value} > {ref}"
            out.append(found)
    finally:
        con.close()
    return out
