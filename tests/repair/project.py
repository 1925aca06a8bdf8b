"""A small, real project for repair tests: one raw source, one asset, its checks, a Delta or Iceberg sink."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from agentic_assets.definitions import build_definitions
from agentic_assets.repair.sensors import REPAIR_SENSOR
from agentic_assets.settings import Settings


def write_project(
    root: Path,
    *,
    source: pa.Table,
    sql: str,
    checks: str,
    asset: str = "daily_totals",
    tier: int = 2,
    sink: str = "delta",
    columns: list[dict] | None = None,
) -> Settings:
    specs, data = root / "specs", root / "data"
    (specs / "bank").mkdir(parents=True)
    (data / "raw").mkdir(parents=True)
    pq.write_table(source, data / "raw" / "transactions.parquet")
    cols = columns or [{"name": f.name, "type": _duck(f.type)} for f in source.schema]
    (specs / "sources.yaml").write_text(
        yaml.safe_dump({"sources": [{"name": "transactions", "path": "raw/transactions.parquet", "columns": cols}]})
    )
    table = asset if sink == "delta" else f"bank.{asset}"
    spec = {
        "name": asset,
        "description": "Daily totals of card transactions for the test.",
        "tier": tier,
        "sources": ["transactions"],
        "sink": {"format": sink, "table": table, "mode": "overwrite"},
        "checks": checks,
    }
    (specs / "bank" / f"{asset}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    (specs / "bank" / f"{asset}.sql").write_text(sql)
    return Settings(specs_dir=specs, checks_dir=specs, data_dir=data, iceberg_catalog_name=f"t{abs(hash(root))}")


def _duck(t: pa.DataType) -> str:
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_floating(t):
        return "DOUBLE"
    if pa.types.is_timestamp(t):
        return "TIMESTAMP"
    if pa.types.is_date(t):
        return "DATE"
    return "VARCHAR"


def land(settings: Settings, table: pa.Table) -> None:
    """A new delivery of the feed."""
    pq.write_table(table, settings.data_dir / "raw" / "transactions.parquet")


def definitions(settings: Settings) -> dg.Definitions:
    """The code location's own definitions: they carry the repair sensor and its job."""
    return build_definitions(settings)


def materialize(settings: Settings, instance: dg.DagsterInstance, asset: str = "daily_totals"):  # noqa: ANN201
    defs = build_definitions(settings)
    target = [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]
    return dg.materialize(target, instance=instance, raise_on_error=False, selection=[asset])


def sensor_requests(settings: Settings, instance: dg.DagsterInstance, run_result) -> list[dg.RunRequest]:  # noqa: ANN001
    """Evaluate the repair sensor on a failed run, as the daemon would."""
    defs = definitions(settings)
    sensor = defs.resolve_sensor_def(REPAIR_SENSOR)
    failure = next(e for e in run_result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    run = instance.get_run_by_id(run_result.run_id)
    context = dg.build_run_status_sensor_context(
        sensor_name=REPAIR_SENSOR, dagster_event=failure, dagster_instance=instance, dagster_run=run
    ).for_run_failure()
    return list(sensor(context) or [])


def run_repair_job(settings: Settings, instance: dg.DagsterInstance, request: dg.RunRequest) -> str:
    defs = definitions(settings)
    job = defs.resolve_job_def("agentic_repair")
    result = job.execute_in_process(run_config=request.run_config, instance=instance)
    assert result.success
    return result.output_for_node("repair_asset")
