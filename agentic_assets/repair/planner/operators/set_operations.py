"""Set operations and name collisions: a source that gained columns the transform reads by position or
without a qualifier."""

from __future__ import annotations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.signals import AMBIGUOUS
from agentic_assets.repair.sql_rewrite import quote, union_by_name


def ambiguous_findings(ev: Evidence, error: str) -> list[Finding]:
    out: list[Finding] = []
    for col in AMBIGUOUS.findall(error):
        for d in ev.diffs():
            if col in d.get("added", []):
                out.append(
                    Finding(
                        category="schema_drift",
                        remediation="code_change",
                        cause=f"{d['source']} gained a column {col}, which makes the transform's unqualified {col} "
                        "ambiguous; the transform means the column it read before",
                        evidence=["failed_run", "schema_diff"],
                        confidence=0.88,
                        source=d["source"],
                        adapter=f"SELECT * EXCLUDE ({quote(col)}) FROM {quote(d['source'])}",
                    )
                )
    return out


def set_operation_findings(ev: Evidence) -> list[Finding]:
    """A source read with `*` into a positional set operation gained columns: line the branches up by name."""
    grown = [d for d in ev.diffs() if d.get("added") and not d.get("dropped") and not d.get("type_changed")]
    sql = union_by_name(ev.sql) if ev.sql else None
    if not grown or not sql:
        return []
    added = "; ".join(f"{d['source']} added {', '.join(d['added'])}" for d in grown)
    return [
        Finding(
            category="schema_drift",
            remediation="schema_evolution",
            cause=f"{added}, so the branches of the transform's positional set operation no longer line up; "
            "the output gains the new column(s), empty where a branch does not deliver them",
            evidence=["failed_run", "schema_diff"],
            confidence=0.86,
            sql=sql,
        )
    ]
