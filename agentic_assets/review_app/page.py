"""What one proposal's page shows, gathered from the repair record: nothing here changes anything."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.repair.review import code_diff
from agentic_assets.settings import Settings

# Rows of each sample put side by side: enough to see the shape of the data, few enough to read in seconds.
SAMPLE_ROWS = 5


class TraceLine(BaseModel):
    kind: str
    title: str
    text: str


class FailingSide(BaseModel):
    """The current code on the current data: what fails, with a sample of the failing rows when there are some."""

    error: str | None = None
    failed_checks: list[str] = []
    rows: list[dict[str, Any]] = []


class ProposalPage(BaseModel):
    repair: RepairRecord
    diff: str
    trace: list[TraceLine]
    failing: FailingSide
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


def failing_side(settings: Settings, repair: RepairRecord) -> FailingSide:
    """Replay the current code's checks on the current data, read-only, for the left side of the comparison."""
    if repair.status != "awaiting_approval":
        return FailingSide()
    from agentic_assets.repair.checks_replay import replay_checks
    from agentic_assets.repair.project_load import load_for_repair
    from agentic_assets.repair.view import AssetView

    try:
        view = AssetView(settings, load_for_repair(settings), repair.asset)
        replay = replay_checks(view, repair.base_sql)
    except Exception as err:  # noqa: BLE001 - the page still shows everything else
        return FailingSide(error=f"could not replay the current code: {type(err).__name__}: {err}")
    rows = [row for check in replay.failed for row in check.failing_rows_sample][:SAMPLE_ROWS]
    return FailingSide(
        error=replay.transform_error,
        failed_checks=[f"{c.name} (got {c.value})" for c in replay.failed] + replay.scan_errors,
        rows=rows,
    )


def build_page(settings: Settings, repair: RepairRecord) -> ProposalPage:
    return ProposalPage(
        repair=repair,
        diff=code_diff(repair),
        trace=trace_lines(repair),
        failing=failing_side(settings, repair),
        repaired_rows=(repair.verdict.sample if repair.verdict else [])[:SAMPLE_ROWS],
    )
