"""A narrow cast that arrived with a deploy: a value no longer fits a type the transform casts to, and that cast
is new in the version deployed since the last good run (the code history's `casts_added`). The values did not
outgrow anything the asset used to do; the deploy narrowed it, and the version that ran green does not cast
there at all, so the repair is the rollback, not a wider type that would keep the deploy's untested change."""

from __future__ import annotations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.operators.regression import regression_finding


def deployed_cast_finding(ev: Evidence, targets: dict[str, str]) -> Finding | None:
    """The rollback when a cast to one of the overflowing `targets` types is new in the current version."""
    history = ev.obs.get("code_history") or {}
    added = [c for c in history.get("casts_added", []) if c.rsplit(" AS ", 1)[-1].upper() in targets]
    if not added:
        return None
    rollback = regression_finding(ev, [])
    if rollback is None:
        return None
    return rollback.model_copy(
        update={
            "cause": f"the deploy of version {history.get('current_version')} added {', '.join(added)}, too narrow "
            f"for the values the source holds; version {rollback.rollback_to} ran green without that cast",
            "confidence": 0.9,
        }
    )
