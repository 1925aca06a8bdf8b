"""Dedupe: rows delivered twice, whole rows repeated exactly."""

from __future__ import annotations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.operators.absorbed_duplicates import absorbs_exact_duplicates


def duplicate_row_findings(ev: Evidence) -> list[Finding]:
    out = []
    for d in ev.diffs():
        n = d.get("duplicate_rows") or 0
        # Rows the transform already keeps one of cannot have failed it (see absorbed_duplicates).
        if n > 0 and not (ev.sql and absorbs_exact_duplicates(ev.sql, d["source"])):
            now = d.get("columns_now") or {}
            # A column the transform reads that the source no longer has (dropped) cannot key the dedupe.
            keys = [c for c in d.get("used_by_transform", []) if not now or c in now]
            out.append(
                Finding(
                    category="data_quality",
                    remediation="dedupe",
                    cause=f"{d['source']} carries {n} rows that repeat another row exactly: a delivery was sent twice",
                    evidence=["schema_diff"],
                    confidence=0.88,
                    source=d["source"],
                    keys=sorted(set(keys)) or ["*"],
                )
            )
    return out


# -- data quality, late data ----------------------------------------------------------------------------
