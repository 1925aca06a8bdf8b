"""Rollback: the deploy since the last good run changed the transform, and the old version ran green."""

from __future__ import annotations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.signals import failed_check_objects


def regression_finding(ev: Evidence, failed_names: list[str]) -> Finding | None:
    history = ev.obs.get("code_history") or {}
    if not history.get("changed_since_last_good"):
        return None
    target = history.get("last_good_version")
    if not any(v["version"] == target for v in history.get("versions", [])):
        return None
    removed, added = history.get("conditions_removed", []), history.get("conditions_added", [])
    columns = {c for chk in failed_check_objects(ev.checks_text, failed_names) for c in chk.columns}
    touched = [c for c in [*removed, *added] if any(col in c for col in columns)] or removed or added
    what = f"removed {removed} and added {added}" if (removed or added) else "changed the transform"
    return Finding(
        category="config_regression",
        remediation="rollback",
        cause=f"the deploy of version {history.get('current_version')} since the last good run {what}; "
        f"version {target} ran green",
        evidence=["failed_run", "code_history"],
        confidence=0.9 if touched else 0.75,
        rollback_to=target,
    )


# -- the step policy ------------------------------------------------------------------------------------
