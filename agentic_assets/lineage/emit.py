"""Emit the whole project's lineage now: every raw source, every asset's dataset, job, SQL and checks."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from agentic_assets.lineage.delivery import flush
from agentic_assets.lineage.queue import LineageQueue
from agentic_assets.lineage.snapshot import project_event
from agentic_assets.settings import Settings
from agentic_assets.specs.project import Project


class EmitReport(BaseModel):
    target: str
    mcps: int = 0
    pending: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def emit_all(project: Project, settings: Settings, target: str | Path | None = None) -> EmitReport:
    """Describe the whole project to DataHub.

    No `target`: through the durable queue to the configured target (DATAHUB_GMS_URL, else the lineage file),
    together with any runs still queued; if DataHub is down the event waits for `lineage flush`.
    A `target` (URL or file path): sent there directly, bypassing the queue; an error is reported, not queued.
    """
    event = project_event(project, settings)
    if target is None:
        LineageQueue.for_settings(settings).put(event)
        report = flush(settings)
        return EmitReport(target=report.target, mcps=report.mcps, pending=report.pending, error=report.error)

    from agentic_assets.lineage.mcps import event_mcps
    from agentic_assets.lineage.targets import resolve_target

    sink = resolve_target(settings, str(target))
    mcps = event_mcps(event)
    try:
        sink.send(mcps)
    except Exception as err:
        return EmitReport(target=sink.describe(), mcps=0, error=f"{type(err).__name__}: {err}")
    return EmitReport(target=sink.describe(), mcps=len(mcps))
