"""The resource step is derived from the measured run and the input's growth, not a fixed factor."""

from __future__ import annotations

import math

from agentic_assets.repair.failure_signal import FailureSignal
from agentic_assets.repair.observations import FailedRunInfo, FailedRunReport, GoodRunInfo
from agentic_assets.repair.planner.operators.resource_step import TIME_HEADROOM, input_growth, memory_step, time_step
from agentic_assets.repair.run_limits import RunLimits


def _report(timeout_s: float | None, good_seconds: float, rows_before: int, rows_now: int) -> FailedRunReport:
    return FailedRunReport(
        asset="a",
        tier=1,
        sources=["s"],
        source_rows_now={"s": rows_now},
        failed_run=FailedRunInfo(run_id="r2", started_at="", status="error", signal=FailureSignal(family="time")),
        last_good_run=GoodRunInfo(run_id="r1", started_at="", seconds=good_seconds, input_rows={"s": rows_before}),
        run_limits=RunLimits(timeout_s=timeout_s, memory_limit_mb=256),
    )


def test_time_limit_follows_the_projected_run_time() -> None:
    # 2 s for 1,000 rows, 10,000 rows now: about 20 s of work against a 5 s limit.
    report = _report(5, 2.0, 1_000, 10_000)
    assert input_growth(report) == 10
    assert time_step(report).timeout_s == math.ceil(20 * TIME_HEADROOM)
    # The same data, a run that got slower: at least the limit it already exceeded, with headroom.
    assert time_step(_report(5, 2.0, 1_000, 1_000)).timeout_s == math.ceil(5 * TIME_HEADROOM)
    # A bigger growth gives a bigger step: the step is not a constant factor of the limit.
    assert time_step(_report(5, 2.0, 1_000, 40_000)).timeout_s > time_step(report).timeout_s


def test_memory_step_scales_with_growth_and_keeps_the_time_limit() -> None:
    same = memory_step(_report(30, 1.0, 1_000, 1_000))
    grown = memory_step(_report(30, 1.0, 1_000, 3_000))
    assert grown.memory_limit_mb > same.memory_limit_mb > 256
    assert same.timeout_s == 30 and same.category == "resource_exhaustion"


def test_time_candidates_project_linear_and_quadratic_work() -> None:
    from agentic_assets.repair.planner.operators.resource_step import time_candidates

    # 0.1 s for 1,000 rows, 25,000 rows now against a 2 s limit: 2.5 s if the work is linear, 62.5 s if a join
    # of the growing source with itself makes it quadratic. Both are offered, the smaller first.
    linear, quadratic = time_candidates(_report(2, 0.1, 1_000, 25_000))
    assert linear.timeout_s == math.ceil(2.5 * TIME_HEADROOM)
    assert quadratic.timeout_s == math.ceil(62.5 * TIME_HEADROOM)
    # No growth: one candidate, over the limit already exceeded.
    (only,) = time_candidates(_report(2, 0.1, 1_000, 1_000))
    assert only.timeout_s == math.ceil(2 * TIME_HEADROOM)
