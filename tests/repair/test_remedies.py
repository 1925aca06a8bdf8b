"""Real remedies: a transient failure re-runs under a retry policy; late data is waited for, then re-run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from agentic_assets.materialize.wap import materialize
from agentic_assets.repair.freshness import freshness
from agentic_assets.repair.gate import approve
from agentic_assets.repair.late_data import data_landed, feed_wait, poll_waiting
from agentic_assets.repair.retry import retry_policy, with_backoff
from agentic_assets.repair.service import start_repair
from agentic_assets.repair.store import RepairStore
from agentic_assets.repair.view import AssetView
from agentic_assets.specs.loader import load_project
from agentic_assets.tables.registry import store_for

from .project import land, write_project


class FlakyStore(ConnectionResetError):
    pass


def test_io_failures_are_retried_with_exponential_backoff_and_others_are_not() -> None:
    calls, waits = [], []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise FlakyStore("peer went away")
        return "ok"

    assert with_backoff(flaky, retry_policy(1.0), sleep=waits.append) == "ok"
    assert len(calls) == 3 and len(waits) == 2 and waits[1] > waits[0]  # exponential: ~1 s, then ~3 s

    def broken() -> str:
        raise ValueError("bad SQL")

    with pytest.raises(ValueError):
        with_backoff(broken, retry_policy(1.0), sleep=waits.append)
    assert len(waits) == 2  # not retried


def _feed(n: int = 120) -> pa.Table:
    start = dt.datetime(2026, 3, 1)
    return pa.table({
        "transaction_id": [f"T{i}" for i in range(n)],
        "amount": [float(i % 17) for i in range(n)],
        "event_time": [start + dt.timedelta(hours=i) for i in range(n)],
    })  # fmt: skip


def _materialize(settings):  # noqa: ANN001, ANN202
    project = load_project(settings)
    try:
        return materialize(project.assets["daily_totals"], project, settings)
    except Exception:  # noqa: BLE001 - the failing run is recorded in the run log
        return None


@pytest.mark.slow
def test_late_data_waits_for_the_source_then_reruns_green(tmp_path: Path) -> None:
    settings = write_project(
        tmp_path,
        source=_feed(),
        sql="SELECT CAST(event_time AS DATE) AS day, SUM(amount) AS total FROM transactions GROUP BY 1",
        checks="checks for daily_totals:\n  - row_count > 0\n",
    )
    assert _materialize(settings).published
    raw = settings.data_dir / "raw" / "transactions.parquet"
    raw.unlink()  # the next delivery has not landed
    assert _materialize(settings) is None
    repair = start_repair(settings, "daily_totals")
    assert repair.plan.kinds == ["retry"] and repair.diagnosis.category == ["late_data"], repair.diagnosis
    repair = approve(settings, repair.repair_id, "alice")
    assert repair.status == "waiting_for_data"  # nothing is promoted while nothing has landed
    assert [o.status for o in poll_waiting(settings)] == ["waiting_for_data"]
    land(settings, _feed(240))
    assert [o.status for o in poll_waiting(settings)] == ["promoted"]
    assert RepairStore.for_settings(settings).get(repair.repair_id).status == "promoted"
    project = load_project(settings)
    out = store_for(settings, project.assets["daily_totals"].spec.sink).read()
    assert out.num_rows == 10  # 240 hourly rows: the ten days of the new delivery


@pytest.mark.slow
def test_late_data_that_never_lands_escalates_at_the_deadline(tmp_path: Path) -> None:
    settings = write_project(
        tmp_path, source=_feed(), sql="SELECT COUNT(*) AS n FROM transactions",
        checks="checks for daily_totals:\n  - row_count > 0\n",
    )  # fmt: skip
    assert _materialize(settings).published
    (settings.data_dir / "raw" / "transactions.parquet").unlink()
    _materialize(settings)
    repair = approve(settings, start_repair(settings, "daily_totals").repair_id, "alice")
    assert repair.status == "waiting_for_data" and repair.wait_until is not None
    late = repair.wait_until + dt.timedelta(minutes=1)
    assert [o.status for o in poll_waiting(settings, now=late)] == ["escalated"]


def _daily_feed(rows_per_day: list[int]) -> pa.Table:
    days = [dt.datetime(2026, 3, 1) + dt.timedelta(days=i) for i in range(len(rows_per_day))]
    stamps = [d for d, n in zip(days, rows_per_day, strict=True) for _ in range(n)]
    n = len(stamps)
    return pa.table({"transaction_id": [f"T{i}" for i in range(n)], "amount": [1.0] * n, "event_time": stamps})


@pytest.mark.slow
def test_a_partly_landed_day_has_not_landed_although_the_checks_pass(tmp_path: Path) -> None:
    settings = write_project(
        tmp_path, source=_daily_feed([50] * 6), sql="SELECT COUNT(*) AS n FROM transactions",
        checks="checks for daily_totals:\n  - row_count > 0\n",
    )  # fmt: skip
    clock = dt.datetime(2026, 3, 7, 6)
    assert materialize(load_project(settings).assets["daily_totals"], load_project(settings), settings,
                       now=clock).published  # fmt: skip
    land(settings, _daily_feed([50] * 6 + [12]))  # the seventh day: 12 of its 50 rows so far
    assert not data_landed(settings, "daily_totals", now=clock)  # row_count > 0 passes; the day is short
    report = freshness(AssetView(settings, load_project(settings), "daily_totals", now=clock))
    assert [s.kind for s in report.shortfalls] == ["partial"] and feed_wait(report) == dt.timedelta(days=1)
    land(settings, _daily_feed([50] * 7))
    assert data_landed(settings, "daily_totals", now=clock)
