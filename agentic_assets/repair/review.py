"""What a reviewer sees, in one place: alert, full trace, diagnosis, code diff, sandbox verdict, sample output."""

from __future__ import annotations

import difflib
import json

from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.repair.trace import render_markdown


def code_diff(repair: RepairRecord) -> str:
    if not repair.repaired_sql or not repair.base_sql or repair.repaired_sql.strip() == repair.base_sql.strip():
        return ""
    return "\n".join(
        difflib.unified_diff(
            repair.base_sql.strip().splitlines(),
            repair.repaired_sql.strip().splitlines(),
            "current",
            "proposed",
            lineterm="",
        )
    )


def review_markdown(repair: RepairRecord) -> str:
    d = repair.diagnosis
    lines = [
        f"# Repair {repair.repair_id}: {repair.asset} (tier {repair.tier}) — {repair.status}",
        "",
        f"**Alert:** {repair.alert}",
        "",
        "## Diagnosis",
    ]
    if d is not None:
        lines += [
            f"- category: {', '.join(d.category)}",
            f"- root cause: {d.root_cause}",
            f"- evidence: {', '.join(d.evidence) or '-'}",
            f"- confidence: {d.confidence:.2f}, risk: {d.risk}",
        ]
        if d.escalate:
            lines.append(f"- **escalated**: {d.escalation_reason}")
    lines += ["", "## Proposals"]
    for p in repair.plan.proposals:
        lines.append(f"- `{p.kind}`: {p.summary}")
        if p.add_sources:
            # A change of what the asset reads, shown apart so the reviewer approves it knowingly.
            lines.append(f"  - adds source(s) to the asset: {', '.join(p.add_sources)}")
    if not repair.plan.proposals:
        lines.append("- none (a person must decide)")
    diff = code_diff(repair)
    if diff:
        lines += ["", "## Code diff", "```diff", diff, "```"]
    if repair.verdict is not None:
        v = repair.verdict
        lines += ["", "## Sandbox verdict", v.brief()]
        for c in v.checks:
            lines.append(f"- {c.name}: {c.outcome} ({c.value})")
        if v.dead_letter_rows is not None:
            lines.append(f"- rows to the dead-letter table: {v.dead_letter_rows}")
        if v.sample:
            lines += ["", "Sample of the repaired output:", "```json"]
            lines += [json.dumps(r, default=str) for r in v.sample]
            lines.append("```")
    lines += ["", f"## Reasoning trace ({repair.tool_calls} tool calls)", render_markdown(repair.trace)]
    if repair.approved_by:
        lines += ["", f"Approved by {repair.approved_by} at {repair.approved_at}"]
    return "\n".join(lines)
