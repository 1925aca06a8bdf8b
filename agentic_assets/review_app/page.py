"""What one proposal's page shows, gathered from the repair record: nothing here changes anything."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.repair.review import code_diff
from agentic_assets.review_app.failing_preview import SAMPLE_ROWS, FailingSide, failing_preview
from agentic_assets.settings import Settings


class TraceLine(BaseModel):
    kind: str
    title: str
    text: str


class ProposalPage(BaseModel):
    repair: RepairRecord
    diff: str
    trace: list[TraceLine]
    failing: FailingSide
    failing_cached: bool = False
    repaired_rows: list[dict[str, Any]]

    @property
    def columns(self) -> list[str]:
        return list(self.repaired_rows[0]) if self.repaired_rows else []


def trace_lines(repair: RepairRecord) -> list[TraceLine]:
    lines, n = [], 0
    for step in repair.trace:
        if step.kind in ("tool_call", "proposal"):
            n += 1
            args = json.dumps(step.args, default=str) if step.args else ""
            lines.append(TraceLine(kind="action", title=f"Action {n}: {step.tool}", text=args))
        elif step.kind == "thought":
            lines.append(TraceLine(kind="thought", title=f"Thought ({step.at:.2f} s)", text=step.text))
        elif step.kind in ("observation", "verdict"):
            title = "Observation" if step.kind == "observation" else "Sandbox verdict"
            lines.append(TraceLine(kind=step.kind, title=f"{title}: {step.tool}", text=step.text))
        else:
            lines.append(TraceLine(kind=step.kind, title=step.kind.capitalize(), text=step.text))
    return lines


def build_page(settings: Settings, repair: RepairRecord) -> ProposalPage:
    preview = failing_preview(settings, repair)
    return ProposalPage(
        repair=repair,
        diff=code_diff(repair),
        trace=trace_lines(repair),
        failing=preview.failing,
        failing_cached=preview.cached,
        repaired_rows=(repair.verdict.sample if repair.verdict else [])[:SAMPLE_ROWS],
    )
