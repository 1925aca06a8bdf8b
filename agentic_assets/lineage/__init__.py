"""Lineage to DataHub: datasets, jobs, column-level lineage, the SQL and who wrote it, every run and check.

Importing this package turns DataHub's usage statistics off before anything imports `datahub`, and imports
nothing heavy: a materialization that records its lineage pays for one SQLite insert.
"""

from agentic_assets.lineage.telemetry import disable_datahub_telemetry

disable_datahub_telemetry()

from agentic_assets.lineage.delivery import FlushReport, flush  # noqa: E402
from agentic_assets.lineage.emit import EmitReport, emit_all  # noqa: E402
from agentic_assets.lineage.provenance import CodeProvenance, job_properties  # noqa: E402
from agentic_assets.lineage.queue import LineageQueue, QueueStatus  # noqa: E402
from agentic_assets.lineage.record import record_materialization  # noqa: E402
from agentic_assets.settings import Settings  # noqa: E402


def wait_for_delivery(timeout: float = 10.0) -> bool:
    """Wait for background deliveries started by `record_materialization`; True when none is running."""
    from agentic_assets.lineage.delivery import background

    return background.wait(timeout)


def status(settings: Settings) -> QueueStatus:
    """The queue's state: pending events, the last error, how many were delivered."""
    return LineageQueue.for_settings(settings).status()


__all__ = [
    "CodeProvenance",
    "EmitReport",
    "FlushReport",
    "QueueStatus",
    "emit_all",
    "flush",
    "job_properties",
    "record_materialization",
    "status",
    "wait_for_delivery",
]
