"""Late data: a source that stopped short of where its history says it should be (the `freshness` tool's
shortfalls), or a failed freshness check whose source column is older than the bound the check declares."""

from __future__ import annotations

import re

from agentic_assets.repair.freshness import FreshnessReport
from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.operators.ahead_rows import ahead_findings
from agentic_assets.repair.planner.operators.departed_entities import departed_findings
from agentic_assets.repair.planner.signals import Check, output_origins

# SodaCL's freshness bound: `< 1d`, `< 6h`, `< 1d6h`, `< 30m` (days, hours, minutes).
_BOUND = re.compile(r"(\d+)\s*([dhm])")
_HOURS = {"d": 24.0, "h": 1.0, "m": 1 / 60}


def declared_hours(check: Check) -> float | None:
    """The bound a freshness check declares, in hours (the asset owner's own threshold)."""
    parts = _BOUND.findall(check.threshold)
    return sum(int(n) * _HOURS[u] for n, u in parts) if parts else None


def freshness_report(ev: Evidence) -> FreshnessReport | None:
    raw = ev.obs.get("freshness")
    return FreshnessReport.model_validate(raw) if isinstance(raw, dict) else None


def late_findings(ev: Evidence, checks: list[Check]) -> list[Finding]:
    """Late or missing data, read from the freshness measure (and the failed freshness checks' own bounds)."""
    report = freshness_report(ev)
    if report is None:
        return []
    ahead = ahead_findings(ev, report)
    if ahead:
        return ahead  # a short latest period made of rows from the future is bad rows, not late ones
    departed = departed_findings(report)
    if departed:
        return departed  # a short latest period whose entities left the catalog will not fill up
    reasons = [s.detail for s in report.shortfalls]
    origins = output_origins(ev.sql) if ev.sql else {}
    for check in checks:
        bound = declared_hours(check) if check.metric == "freshness" else None
        if bound is None:
            continue
        names = {*check.columns, *(origins[c].column for c in check.columns if c in origins)}
        for col in report.columns:
            if col.column in names and col.lag_hours is not None and col.lag_hours > bound:
                reasons.append(f"{col.source}.{col.column} is {col.lag_hours:.0f} h old, over its {check.text}")
    if not reasons:
        return []
    return [
        Finding(
            category="late_data",
            remediation="retry",
            cause=f"the expected data has not arrived yet ({'; '.join(dict.fromkeys(reasons))})",
            evidence=["freshness", "failed_run"],
            confidence=0.82,
            wait_for_data=True,
        )
    ]
