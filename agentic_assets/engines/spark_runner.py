"""An asset's transform on Spark, behind its parity check: what materialization and promotion call."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from agentic_assets.engines.choice import engine_for
from agentic_assets.engines.duckdb_engine import ArrowInput
from agentic_assets.engines.parity import ParityLog, ParityReport, require_parity
from agentic_assets.engines.spark_engine import run_sql_spark
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset, Project
from agentic_assets.tables.delta_store import DeltaStore
from agentic_assets.tables.registry import store_for

if TYPE_CHECKING:
    from dagster_deltalake import DeltaTableResource


def parity_log(settings: Settings) -> ParityLog:
    return ParityLog(settings.state_dir / "spark_parity.db")


def delta_table_resource(store: DeltaStore, version: int | None) -> DeltaTableResource:
    """A published Delta table as dagster-deltalake's resource, pinned to the version this run reads."""
    from dagster_deltalake import DeltaTableResource, LocalConfig  # imports Dagster's IO-manager machinery

    return DeltaTableResource(url=str(store.path), storage_options=LocalConfig(), version=version)


def spark_inputs(
    asset: LoadedAsset, project: Project, settings: Settings, inputs: dict[str, ArrowInput]
) -> dict[str, object]:
    """The run's inputs for Spark: raw files as they are, upstream Delta tables through DeltaTableResource."""
    bound: dict[str, object] = dict(inputs)
    for name in asset.spec.sources:
        upstream = project.assets.get(name)
        if upstream is None:
            continue
        store = store_for(settings, upstream.spec.sink)
        if isinstance(store, DeltaStore):
            bound[name] = delta_table_resource(store, store.published_version()).load()
    return bound


def run_on_spark(
    asset: LoadedAsset, project: Project, settings: Settings, sql: str, inputs: dict[str, ArrowInput]
) -> pa.Table:
    """Check parity (once per code version), then run `sql` on Spark; DuckDB's schema for the result."""
    from agentic_assets.engines.spark_session import spark_session  # starts the JVM on first use

    session = spark_session(settings)
    require_parity(session, sql, inputs, asset=asset.name, log=parity_log(settings))
    return run_sql_spark(session, sql, spark_inputs(asset, project, settings, inputs))


def check_fix_on_spark(settings: Settings, project: Project, asset_name: str) -> ParityReport | None:
    """For promotion: an approved fix of an asset that runs on Spark must pass the parity check first.

    Returns None for an asset on DuckDB; raises SparkParityError (with the constructs named) on a mismatch.
    The repair's own validation stays on DuckDB samples in the sandbox; this adds Spark's side.
    """
    from agentic_assets.engines.spark_session import spark_session
    from agentic_assets.materialize.inputs import read_inputs

    asset = project.assets[asset_name]
    if engine_for(asset.spec, settings) != "spark" or asset.sql is None:
        return None
    inputs = read_inputs(asset, project, settings)
    return require_parity(spark_session(settings), asset.sql, inputs, asset=asset_name, log=parity_log(settings))
