"""Rows stamped ahead of the clock: a time column the transform reads reaches past the run's clock, where at
the last good run it stayed behind its clock. The latest period then looks short (a few rows in a period that
has not begun), but nothing is late: those rows carry a wrong time (a device clock that jumped). They go to a
dead letter, named by their own values: they lie after another time column of the same rows that is behind
the clock (a trip that starts after it was uploaded). Without such a column, no condition names them without
the clock itself, and a person decides."""

from __future__ import annotations

from agentic_assets.repair.freshness import FreshnessReport
from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding


def ahead_findings(ev: Evidence, report: FreshnessReport) -> list[Finding]:
    out: list[Finding] = []
    for ahead in report.ahead:
        if ahead.column not in ev.diff_of(ahead.source).get("used_by_transform", []):
            continue  # a column the asset does not read changes nothing it computes
        cause = (
            f"{ahead.rows} rows of {ahead.source} are stamped {ahead.column} after the clock "
            f"({report.clock:%Y-%m-%d %H:%M}), which the column never reached past at the last good run"
        )
        if ahead.condition is None:
            out.append(
                Finding(
                    category="data_quality",
                    remediation="escalate",
                    cause=cause,
                    evidence=["freshness"],
                    confidence=0.7,
                    source=ahead.source,
                    column=ahead.column,
                    escalate_reason=f"no other time column of {ahead.source} tells those rows apart without the "
                    "clock itself",
                )
            )
            continue
        out.append(
            Finding(
                category="data_quality",
                remediation="dead_letter",
                cause=f"{cause}: they lie after their own {ahead.before}, so their time is wrong, not late",
                evidence=["freshness", "failed_run"],
                confidence=0.8,
                source=ahead.source,
                column=ahead.column,
                condition=ahead.condition,
                reason=f"{ahead.column} after {ahead.before}",
            )
        )
    return out
