"""A Dagster sensor that flushes the lineage queue, for deployments where runs execute in short-lived processes.

Each step process delivers its own lineage in the background, but a process that exits abruptly (a forkserver
worker, a killed pod) leaves its last events queued; this sends them within a minute, with DataHub up.
"""

from __future__ import annotations

import dagster as dg

from agentic_assets.lineage.delivery import flush
from agentic_assets.settings import Settings

SENSOR_NAME = "lineage_flush"


def build_lineage_flush_sensor(settings: Settings, interval_seconds: int = 60) -> dg.SensorDefinition:
    @dg.sensor(
        name=SENSOR_NAME,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Send queued lineage to DataHub (or the lineage file).",
    )
    def _flush(context: dg.SensorEvaluationContext) -> dg.SkipReason:
        report = flush(settings, wait=False)
        if report.error:
            context.log.warning(f"lineage delivery to {report.target} failed: {report.error}")
        # A sensor that only does housekeeping never requests runs.
        return dg.SkipReason(
            f"{report.delivered} event(s) sent to {report.target}; {report.pending} queued"
            + (f"; last error: {report.error}" if report.error else "")
        )

    return _flush
