"""Rows stamped ahead of the clock: bad rows named by their own values, not a partly landed period."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agentic_assets.materialize.watermarks import watermarks_of
from agentic_assets.repair.freshness import FreshnessReport, ahead_columns, ahead_of_clock, measure

from .incident_kit import run, write_incident

CLOCK = datetime(2026, 3, 5, 6, 0)
STATIONS = ["s1", "s2", "s3", "s4", "s5"]


def _trips(days: int = 4, ahead: int = 0) -> pa.Table:
    """Ten trips a day per station (started, then uploaded half an hour later), and `ahead` trips of one
    station whose start jumped a day forward, past the clock, while their upload did not."""
    rows = []
    for d in range(days):
        for k in range(50):
            start = datetime(2026, 3, 1) + timedelta(days=d, minutes=10 + 25 * k)
            rows.append((STATIONS[k % 5], start, start + timedelta(minutes=30)))
    for k in range(ahead):
        start = datetime(2026, 3, 4, 14) + timedelta(minutes=20 * k)
        rows.append(("s3", start + timedelta(days=1), start + timedelta(minutes=30)))
    station, started, uploaded = zip(*rows, strict=True)
    return pa.table({"station": list(station), "started_at": list(started), "uploaded_at": list(uploaded)})


def _report(now: pa.Table, good: pa.Table) -> FreshnessReport:
    return measure(
        {"trips": watermarks_of(now)},
        {"trips": watermarks_of(good)},
        clock=CLOCK,
        last_good_clock=CLOCK,
        rows_now={"trips": now.num_rows},
        rows_at_last_good={"trips": good.num_rows},
    )


def test_rows_past_the_clock_are_named_by_the_time_column_they_lie_after() -> None:
    now, good = _trips(ahead=3), _trips()
    report = _report(now, good)
    assert [c.column for c in ahead_columns(report)] == ["started_at"]
    (found,) = ahead_of_clock(now, "trips", report)
    assert (found.rows, found.before, found.rows_after_before) == (3, "uploaded_at", 3)
    assert found.condition is not None and "uploaded_at" in found.condition


def test_a_column_that_was_ahead_of_its_clock_before_is_a_schedule_not_a_fault() -> None:
    shifted = _trips().set_column(1, "started_at", pa.array([t + timedelta(days=2) for t in
                                                             _trips().column("started_at").to_pylist()]))  # fmt: skip
    assert ahead_columns(_report(shifted, shifted)) == []


def _incident(tmp_path: Path) -> Path:
    return write_incident(
        tmp_path / "incidents",
        name="latest-day-trips",
        sql="WITH latest AS (SELECT MAX(CAST(started_at AS DATE)) AS d FROM trips)\n"
        "SELECT station, COUNT(*) AS trips FROM trips JOIN latest ON CAST(started_at AS DATE) = latest.d\n"
        "GROUP BY station",
        checks="checks for latest_day_trips:\n  - row_count >= 5\n",
        before={"trips": _trips()},
        after={"trips": _trips(ahead=3)},
        now=f"{CLOCK:%Y-%m-%dT%H:%M:%S}Z",
    )


@pytest.mark.slow
def test_a_short_latest_day_made_of_rows_from_the_future_is_dead_lettered(tmp_path: Path) -> None:
    result = run(_incident(tmp_path), tmp_path / "work")
    assert (result.category, result.remediation) == ("data_quality", "dead_letter"), result.repair
    assert result.sandbox_ok
    out = pq.read_table(result.output).to_pylist() if result.output else []
    assert sorted((r["station"], r["trips"]) for r in out) == [(s, 10) for s in STATIONS]
