"""Replay one incident through the production repair path and report what the agent did.

Workspace -> last good run on before/ -> after/ with faults -> the failing run -> the same `run_repair`
the sensor calls -> the sandbox-validated proposal. The repaired rows (from the sandbox) are written to
`output.parquet` beside the workspace; nothing here reads `expected`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow.parquet as pq
from pydantic import BaseModel

from agentic_assets.incidents.model import load_incident
from agentic_assets.incidents.workspace import Workspace
from agentic_assets.repair.compose import RepairedAsset
from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.repair.service import run_repair
from agentic_assets.repair.trace import render_markdown


class ReplayResult(BaseModel):
    id: str
    category: str | list[str] | None = None
    remediation: str | list[str] | None = None
    escalated: bool = False
    tool_calls: int = 0
    seconds_to_proposal: float | None = None
    sandbox_ok: bool = False
    output: Path | None = None
    trace: Path | None = None
    failure: str | None = None
    repair: RepairRecord | None = None
    error: str | None = None
    # A retry is judged on its outcome: the asset re-run (once landed/'s late rows are in, for late data),
    # whether it published, and the rows of its published table.
    outcome_published: bool | None = None
    outcome_output: Path | None = None
    outcome_error: str | None = None


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else sorted(values)


def replay(folder: Path, workdir: Path, *, model: str | None = None, sink_format: str = "delta") -> ReplayResult:
    incident = load_incident(folder)
    ws = Workspace(incident, Path(workdir) / "workspace", sink_format=sink_format).build()
    result = ReplayResult(id=incident.id)
    ws.materialize_before()
    ws.switch_to_after()
    failed = ws.run()
    result.failure = failed.error or (failed.outcome.status if failed.outcome else None)
    if not failed.failed:
        result.error = "after/ did not fail: nothing to repair"
        return result
    clock = time.perf_counter()
    repair, inv = run_repair(
        ws.settings, ws.asset, trigger="incident:" + incident.id, alert=incident.title,
        now=incident.now_naive_utc, model=model,
    )  # fmt: skip
    result.repair = repair
    result.escalated = repair.status == "escalated"
    result.category = _one_or_list(list(repair.diagnosis.category)) if repair.diagnosis else None
    result.remediation = _one_or_list(repair.remediation)
    result.tool_calls = repair.tool_calls
    if repair.seconds_to_proposal is not None:
        # From the failure (the repair path starting) to the validated proposal.
        result.seconds_to_proposal = round(repair.seconds_to_proposal + (time.perf_counter() - clock) * 0, 3)
    result.sandbox_ok = bool(repair.verdict and repair.verdict.ok and not result.escalated)
    Path(workdir).mkdir(parents=True, exist_ok=True)
    trace = Path(workdir) / "trace.md"
    trace.write_text(f"# {incident.id}\n\n{repair.alert}\n\n{render_markdown(repair.trace)}\n", encoding="utf-8")
    result.trace = trace
    if inv is not None and inv.output is not None and result.sandbox_ok:
        out = Path(workdir) / "output.parquet"
        pq.write_table(inv.output, out)
        result.output = out
    if "retry" in as_list(result.remediation) and not result.escalated:
        _retry_outcome(ws, incident, result, Path(workdir), inv.repaired if inv is not None else None)
    return result


def as_list(value: str | list[str] | None) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _retry_outcome(ws: Workspace, incident, result: ReplayResult, workdir: Path,  # noqa: ANN001
                   repaired: RepairedAsset | None) -> None:  # fmt: skip
    """After a retry: the late rows land (if the incident has landed/), the asset runs again as the
    re-materialization would, without the injected faults, and its published table is the outcome.

    A retry beside a code change that still awaits approval is judged on the change: the repaired asset
    runs in the sandbox on the landed sources, as the re-materialization after approval would run it."""
    from agentic_assets.specs.loader import load_project
    from agentic_assets.tables.registry import store_for

    if incident.has_landed:
        ws.land_late_rows()
    repair = result.repair
    if repaired is not None and not repaired.retry_only and repair is not None and repair.status != "promoted":
        _repaired_outcome(ws, incident, result, workdir, repaired)
        return
    rerun = ws.run(faults=False)
    result.outcome_published = not rerun.failed
    result.outcome_error = rerun.error or (None if not rerun.failed else "the re-run did not publish")
    if result.outcome_published:
        spec = load_project(ws.settings).assets[ws.asset].spec
        out = workdir / "outcome.parquet"
        pq.write_table(store_for(ws.settings, spec.sink).read(), out)
        result.outcome_output = out


def _repaired_outcome(ws: Workspace, incident, result: ReplayResult, workdir: Path,  # noqa: ANN001
                      repaired: RepairedAsset) -> None:  # fmt: skip
    from agentic_assets.repair.project_load import load_for_repair
    from agentic_assets.repair.validation import validate
    from agentic_assets.repair.view import AssetView

    view = AssetView(ws.settings, load_for_repair(ws.settings), ws.asset, now=incident.now_naive_utc)
    verdict, output = validate(view, repaired, now=incident.now_naive_utc)
    result.outcome_published = bool(verdict.ok and not verdict.waits_for_data and output is not None)
    result.outcome_error = None if result.outcome_published else (verdict.message or verdict.reason)
    if result.outcome_published:
        out = workdir / "outcome.parquet"
        pq.write_table(output, out)
        result.outcome_output = out
