"""Departed entities: a short latest period whose missing rows belong to entities the catalog records as gone
(no longer listed by the dimension that keys them, or closed inside the period after their last row). Waiting
brings nothing: the rows will not come, and whether a volume bound should follow the smaller set of entities
is the asset owner's decision, so the finding escalates rather than retries or rewrites the check."""

from __future__ import annotations

from agentic_assets.repair.freshness import FreshnessReport, Shortfall
from agentic_assets.repair.planner.finding import Finding


def explained(report: FreshnessReport, shortfall: Shortfall) -> bool:
    """The shortfall is a partial latest period that a departure of the same source, column and period explains."""
    return shortfall.kind == "partial" and any(
        d.source == shortfall.source and d.time_column == shortfall.column and d.period == shortfall.period
        for d in report.departures
    )


def departed_findings(report: FreshnessReport) -> list[Finding]:
    """An escalation when every shortfall of the report is a departure the catalog records; else nothing (a
    shortfall left unexplained is still read as late data)."""
    if not report.departures or not report.shortfalls:
        return []
    if not all(explained(report, s) for s in report.shortfalls):
        return []
    details = "; ".join(dict.fromkeys(d.detail for d in report.departures))
    return [
        Finding(
            category="data_quality",
            remediation="escalate",
            cause=f"not late: the latest period is short because entities left the source ({details})",
            evidence=["freshness", "failed_run"],
            confidence=0.75,
            source=report.departures[0].source,
            column=report.departures[0].column,
            escalate_reason="the missing rows will not arrive; whether the checks' bounds should follow the "
            "smaller set of entities is for the asset's owner to decide",
        )
    ]
