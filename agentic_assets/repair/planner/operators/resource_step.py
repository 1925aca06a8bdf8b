"""Resource step: a run that ran out of memory or time gets a limit derived from what was measured.

The last good run's duration and input rows, the failed run's limit and the rows the sources hold now give
the projection: the work of a scan-and-aggregate transform grows with its input, so the time (and memory)
the run needs now is the last good figure scaled by the input's growth, and never less than the limit the
failed run already exceeded.
"""

from __future__ import annotations

import math

from agentic_assets.repair.observations import FailedRunReport
from agentic_assets.repair.planner.finding import Finding

# Headroom over the projection: run times on a shared machine vary by about a third from run to run, and the
# projection is linear while joins and sorts grow a little faster than their input; 1.5 covers both.
TIME_HEADROOM = 1.5

# A run stopped at its memory limit does not show its peak (DuckDB fails the allocation that crosses it), so
# memory cannot be projected from a measurement: it steps geometrically over the growth-scaled limit, and a
# factor of two is the step that finds a sufficient limit in the fewest sandbox-validated tries.
MEMORY_HEADROOM = 2.0
DEFAULT_TIMEOUT_S = 60.0  # the runner's own default when an asset has no limit on record
DEFAULT_MEMORY_MB = 1024


def input_growth(report: FailedRunReport) -> float | None:
    """Rows now over rows at the last good run (summed over the sources both know), or None if unknown."""
    good = report.last_good_run
    if good is None or not good.input_rows or not report.source_rows_now:
        return None
    shared = [s for s in good.input_rows if s in report.source_rows_now]
    before = sum(good.input_rows[s] for s in shared)
    if not shared or before <= 0:
        return None
    return sum(report.source_rows_now[s] for s in shared) / before


# How the work of a transform grows with its input: linearly for scans, aggregates and lookups into a fixed
# table, quadratically for a join of a growing source with itself or another growing source. Each gives a
# projection; the sandbox runs both limits and the smaller that suffices is kept.
WORK_EXPONENTS = (1.0, 2.0)


def time_candidates(report: FailedRunReport) -> list[Finding]:
    """One time step per way the work may grow (distinct limits only), smallest first."""
    growth = input_growth(report)
    steps = [time_step(report, exponent) for exponent in WORK_EXPONENTS if exponent == 1.0 or (growth or 1) > 1]
    out: list[Finding] = []
    for step in steps:
        if all(step.timeout_s != s.timeout_s for s in out):
            out.append(step)
    return out


def time_step(report: FailedRunReport, exponent: float = 1.0) -> Finding:
    limit = float(report.run_limits.timeout_s or DEFAULT_TIMEOUT_S)
    growth = input_growth(report)
    good = report.last_good_run
    projected = good.seconds * growth**exponent if good and good.seconds and growth else None
    need = max(limit, projected or 0.0) * TIME_HEADROOM
    basis = (
        f"the last good run took {good.seconds:g} s and the input grew {growth:.2f}x, so about {projected:.2f} s "
        f"for work that grows {'linearly' if exponent == 1.0 else f'to the power {exponent:g}'}"
        if projected is not None and good is not None and good.seconds is not None and growth is not None
        else "no earlier measurement scales it"
    )
    return Finding(
        category="resource_exhaustion",
        remediation="resource_increase",
        cause=f"the run exceeded its wall-clock limit of {limit:g} s ({basis}); the new limit is {need:.0f} s",
        evidence=["failed_run"],
        confidence=0.9,
        timeout_s=float(math.ceil(need)),
        memory_limit_mb=report.run_limits.memory_limit_mb,
    )


def memory_step(report: FailedRunReport) -> Finding:
    limit = int(report.run_limits.memory_limit_mb or DEFAULT_MEMORY_MB)
    growth = max(1.0, input_growth(report) or 1.0)
    need = int(math.ceil(limit * growth * MEMORY_HEADROOM))
    error = (report.failed_run.error if report.failed_run else "") or ""
    return Finding(
        category="resource_exhaustion",
        remediation="resource_increase",
        cause=f"the run exceeded its memory limit of {limit} MB with an input {growth:.2f}x the last good run's "
        f"({error[:160]}); the new limit is {need} MB",
        evidence=["failed_run"],
        confidence=0.9,
        memory_limit_mb=need,
        timeout_s=report.run_limits.timeout_s,
    )
