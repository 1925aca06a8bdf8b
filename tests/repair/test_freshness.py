"""Freshness: time columns found by type and values, and the shortfalls measured against the history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from agentic_assets.materialize.watermarks import watermarks_of
from agentic_assets.repair.freshness import FreshnessReport, is_feed, measure, steps
from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.operators.late_arrival import declared_hours, late_findings
from agentic_assets.repair.planner.signals import parse_checks

DAYS = [date(2026, 3, 1) + timedelta(days=i) for i in range(6)]


def _daily(counts: list[int], days: list[date] = DAYS) -> pa.Table:
    return pa.table({"d": [d for d, n in zip(days, counts, strict=True) for _ in range(n)]})


def _marks(table: pa.Table) -> dict:
    return {m.column: m for m in watermarks_of(table)}


@pytest.mark.parametrize(
    ("column", "written_as", "grain"),
    [
        (pa.array([datetime(2026, 3, 1, h) for h in range(5)], pa.timestamp("us")), "timestamp", "hour"),
        (
            pa.array([datetime(2026, 3, 1, h, tzinfo=UTC) for h in range(5)], pa.timestamp("us", tz="UTC")),
            "timestamptz",
            "hour",
        ),  # fmt: skip
        (pa.array([1772323200 + 3600 * h for h in range(5)], pa.int64()), "epoch_seconds", "hour"),
        (pa.array([f"2026-03-0{d}" for d in range(1, 6)]), "text", "day"),
        (pa.array([f"2026-0{m}" for m in range(1, 6)]), "text", "month"),
        (pa.array([date(2026, m, 1) for m in range(1, 6)], pa.date32()), "date", "month"),
    ],
)
def test_time_columns_are_found_by_type_and_values_whatever_their_name(column, written_as, grain) -> None:  # noqa: ANN001
    (mark,) = watermarks_of(pa.table({"x": column}))
    assert (mark.written_as, mark.grain, mark.partitioned) == (written_as, grain, True)
    assert mark.latest_rows == 1 and len(mark.earlier_rows) == 4


def test_epochs_are_read_exactly_in_each_unit_and_text_through_its_offset() -> None:
    at = datetime(2026, 3, 1, 10, 0, 0, 123456)
    seconds = int(at.replace(tzinfo=UTC).timestamp())
    micros = seconds * 1_000_000 + at.microsecond
    t = pa.table(
        {
            "s": pa.array([seconds - 86400, seconds], pa.int64()),
            "ms": pa.array([micros // 1000 - 86_400_000, micros // 1000], pa.int64()),
            "us": pa.array([micros - 86_400_000_000, micros], pa.int64()),
            "zoned": ["2026-02-28T12:00:00+02:00", "2026-03-01T12:00:00+02:00"],
            "naive": ["2026-02-28 12:00:00", "2026-03-01 12:00:00"],
        }
    )
    marks = _marks(t)
    assert marks["s"].latest == at.replace(microsecond=0)
    assert marks["ms"].latest == at.replace(microsecond=123000)
    assert marks["us"].latest == at
    assert marks["zoned"].latest == datetime(2026, 3, 1, 10, 0)  # read through its offset, as UTC
    assert marks["naive"].latest == datetime(2026, 3, 1, 12, 0)
    assert {m.latest_rows for m in marks.values()} == {1}


def test_every_time_column_of_an_input_is_measured_in_one_reading() -> None:
    n = 5000
    days = [date(2026, 1, 1) + timedelta(days=i // 100) for i in range(n)]  # 100 rows a day for 50 days
    t = pa.table({"d": days, "at": [datetime(2026, 1, 1) + timedelta(minutes=15 * i) for i in range(n)],
                  "empty": pa.array([None] * n, pa.timestamp("us")), "amount": [1.5] * n})  # fmt: skip
    marks = _marks(t)
    assert set(marks) == {"d", "at"}  # a column without values has no watermark
    assert (marks["d"].grain, marks["d"].partitioned, marks["d"].latest_rows) == ("day", True, 100)
    assert marks["d"].earlier_rows == [100] * 8
    assert (marks["at"].grain, marks["at"].partitioned) == ("day", False)
    assert marks["at"].latest == datetime(2026, 1, 1) + timedelta(minutes=15 * (n - 1))
    assert marks["at"].latest_rows == (n - 1) % 96 + 1  # 96 quarter hours a day


def test_numbers_codes_and_free_text_are_not_time_columns() -> None:
    t = pa.table({"term_months": [12, 24, 36], "meter_id": [9_000_001, 9_000_002, 9_000_003], "note": ["a", "b", "c"]})
    assert watermarks_of(t) == []
    mixed = pa.table({"when": ["2026-03-01", "soon", "2026-03-02"]})
    assert watermarks_of(mixed) == []


def test_event_times_are_bucketed_by_day_and_a_day_still_open_is_judged_pro_rata() -> None:
    stamps = [datetime(2026, 3, 1) + timedelta(days=d, minutes=20 * k) for d in range(5) for k in range(72)]
    stamps += [datetime(2026, 3, 6) + timedelta(minutes=20 * k) for k in range(18)]  # 06:00 of the sixth day
    marks = {"events": watermarks_of(pa.table({"at": stamps}))}
    (mark,) = marks["events"]
    assert (mark.grain, mark.partitioned, mark.latest_rows) == ("day", False, 18)
    at_six = measure(marks, {}, clock=datetime(2026, 3, 6, 6, 0), last_good_clock=None,
                     rows_now={"events": len(stamps)}, rows_at_last_good={})  # fmt: skip
    assert at_six.shortfalls == []  # a quarter of the day has passed and a quarter of its rows are in
    at_noon = measure(marks, {}, clock=datetime(2026, 3, 6, 23, 0), last_good_clock=None,
                      rows_now={"events": len(stamps)}, rows_at_last_good={})  # fmt: skip
    assert [s.kind for s in at_noon.shortfalls] == ["partial"]


def test_a_partly_landed_partition_is_partial_and_a_source_that_shrank_for_days_is_not() -> None:
    clock = datetime(2026, 3, 7, 5)
    late = _marks(_daily([100, 103, 98, 101, 99, 62]))
    report = measure({"reads": list(late.values())}, {}, clock=clock, last_good_clock=None,
                     rows_now={"reads": 563}, rows_at_last_good={})  # fmt: skip
    (short,) = report.shortfalls
    assert (short.kind, short.expected_rows, short.period) == ("partial", 100, datetime(2026, 3, 6))
    shrank = _marks(_daily([100, 101, 80, 79, 81, 80]))  # a region closed three days ago: no longer late
    report = measure({"reads": list(shrank.values())}, {}, clock=clock, last_good_clock=None,
                     rows_now={"reads": 521}, rows_at_last_good={})  # fmt: skip
    assert report.shortfalls == []


def test_a_period_snapshot_is_compared_with_the_last_good_runs_latest_period() -> None:
    months = [date(2026, 1, 1), date(2026, 2, 1)]
    good = _marks(pa.table({"period": [months[0]] * 130}))
    now = _marks(pa.table({"period": [months[0]] * 130 + [months[1]] * 84}))
    report = measure({"payslips": list(now.values())}, {"payslips": list(good.values())},
                     clock=datetime(2026, 3, 1), last_good_clock=datetime(2026, 2, 1),
                     rows_now={"payslips": 214}, rows_at_last_good={"payslips": 130})  # fmt: skip
    assert [(s.kind, s.expected_rows) for s in report.shortfalls] == [("partial", 130)]


def test_a_feed_behind_another_is_late_only_when_the_gap_grew_since_the_last_good_run() -> None:
    targets = _marks(pa.table({"day": DAYS[:5]}))["day"]
    orders_good = _marks(pa.table({"at": [datetime.combine(d, datetime.min.time()) for d in DAYS[:5]]}))["at"]
    orders_now = _marks(pa.table({"at": [datetime.combine(d, datetime.min.time()) for d in DAYS]}))["at"]
    args = {"clock": datetime(2026, 3, 6, 6), "last_good_clock": datetime(2026, 3, 6, 6),
            "rows_now": {"orders": 6, "targets": 5}, "rows_at_last_good": {"orders": 5, "targets": 5}}  # fmt: skip
    grew = measure({"orders": [orders_now], "targets": [targets]},
                   {"orders": [orders_good], "targets": [targets]}, **args)  # fmt: skip
    (short,) = grew.shortfalls
    assert (short.source, short.kind, short.period) == ("targets", "behind", datetime(2026, 3, 6))
    usual = measure({"orders": [orders_now], "targets": [targets]},
                    {"orders": [orders_now], "targets": [targets]}, **args)  # fmt: skip
    assert usual.shortfalls == []  # the targets always end a day before the orders: their usual offset


def test_an_occasional_date_is_not_a_feed_and_never_behind() -> None:
    hires = _marks(pa.table({"hired_on": [date(2019, 5, 2), date(2021, 1, 9), date(2024, 9, 17)]}))["hired_on"]
    assert not is_feed(hires)
    orders = _marks(pa.table({"at": DAYS}))["at"]
    report = measure({"employees": [hires], "orders": [orders]}, {}, clock=datetime(2026, 3, 7),
                     last_good_clock=None, rows_now={"employees": 3, "orders": 6}, rows_at_last_good={})  # fmt: skip
    assert report.shortfalls == []


def test_a_feed_that_fell_a_period_further_behind_the_clock_is_stale_and_an_empty_source_not_landed() -> None:
    hours = [datetime(2026, 3, 1, h) for h in range(6)]
    mark = _marks(pa.table({"ts": hours}))["ts"]
    report = measure({"meter": [mark]}, {"meter": [mark]}, clock=datetime(2026, 3, 1, 9),
                     last_good_clock=datetime(2026, 3, 1, 6), rows_now={"meter": 6, "tariffs": 0},
                     rows_at_last_good={"meter": 6, "tariffs": 4})  # fmt: skip
    assert sorted(s.kind for s in report.shortfalls) == ["not_landed", "stale"]
    assert steps(datetime(2025, 12, 1), datetime(2026, 2, 1), "month") == 2


def test_late_findings_read_the_shortfalls_and_a_freshness_checks_own_bound() -> None:
    hours = [datetime(2026, 3, 1, h) for h in range(6)]
    mark = _marks(pa.table({"ts": hours}))["ts"]
    report = measure({"meter": [mark]}, {}, clock=datetime(2026, 3, 1, 9), last_good_clock=None,
                     rows_now={"meter": 6}, rows_at_last_good={})  # fmt: skip
    checks = parse_checks("checks for out:\n  - freshness(ts) < 2h\n")
    assert declared_hours(checks[0]) == 2.0
    run = {"sql": "SELECT ts, 1 AS n FROM meter", "checks": "", "sources": ["meter"]}
    ev = Evidence({"failed_run": run, "freshness": report.model_dump(mode="json")}, {})
    (finding,) = late_findings(ev, checks)
    assert finding.category == "late_data" and finding.wait_for_data and "over its freshness" in finding.cause
    loose = parse_checks("checks for out:\n  - freshness(ts) < 1d\n")
    assert late_findings(ev, loose) == []  # 4 h old is within the declared day
    assert late_findings(Evidence({"failed_run": run}, {}), checks) == []
    assert FreshnessReport.model_validate(report.model_dump(mode="json")) == report


def test_a_one_period_table_that_moved_in_step_is_behind_and_a_static_date_is_not() -> None:
    targets = _marks(pa.table({"day": [date(2026, 2, 8)] * 12}))["day"]  # one partition, one period
    hours_then = [datetime(2026, 2, 8, h) for h in range(24)]
    hours_now = hours_then + [datetime(2026, 2, 9, h) for h in range(24)]
    then, now = _marks(pa.table({"at": hours_then}))["at"], _marks(pa.table({"at": hours_now}))["at"]
    clock = datetime(2026, 2, 9, 23, 20)
    args = {"clock": clock, "last_good_clock": clock, "rows_now": {"readings": 48, "targets": 12},
            "rows_at_last_good": {"readings": 24, "targets": 12}}  # fmt: skip
    report = measure({"readings": [now], "targets": [targets]}, {"readings": [then], "targets": [targets]}, **args)
    assert [(s.source, s.kind) for s in report.shortfalls] == [("targets", "behind")]
    static = _marks(pa.table({"valid_from": [date(2020, 1, 1)] * 12}))["valid_from"]  # loaded once, years ago
    report = measure({"readings": [now], "targets": [static]}, {"readings": [then], "targets": [static]}, **args)
    assert report.shortfalls == []
