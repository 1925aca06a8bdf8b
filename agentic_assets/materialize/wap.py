"""Write-audit-publish: compute, stage, run the blocking checks on the staged table, publish if green.

A failed check, an error or a crash at any step leaves the published table exactly as it was:
the staged data lives on an Iceberg branch or a Delta staging table until `publish()`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from agentic_assets.clock import naive_utc
from agentic_assets.codegen.integrity import require_approved
from agentic_assets.engines.choice import engine_for
from agentic_assets.engines.duckdb_engine import locked_connection, run_sql
from agentic_assets.engines.sandboxed import run_sql_sandboxed
from agentic_assets.lineage import record_materialization
from agentic_assets.materialize.inputs import ReadHook, input_schemas, read_inputs, schema_dict
from agentic_assets.materialize.run_log import RunLog, RunRecord, exception_lineage
from agentic_assets.materialize.watermarks import input_watermarks
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset, Project
from agentic_assets.tables.registry import store_for
from asset_checks.results import CheckSuiteResult
from asset_checks.runner import run_checks

Stage = Literal["read", "transform", "stage", "audit", "publish", "done"]
ProgressHook = Callable[[str, Stage], None]


class NoTransformError(RuntimeError):
    """The asset has no SQL yet."""


class MaterializationOutcome(BaseModel):
    asset: str
    run_id: str
    status: Literal["published", "checks_failed", "error"]
    table_format: str
    table: str
    rows_written: int = 0
    table_rows: int = 0
    version_before: int | None = None
    version_after: int | None = None
    checks: CheckSuiteResult | None = None
    seconds: float = 0.0
    input_rows: int = 0
    error: str | None = None
    timings: dict[str, float] = Field(default_factory=dict)
    engine: str = "duckdb"

    @property
    def published(self) -> bool:
        return self.status == "published"


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "_" + uuid.uuid4().hex[:8]


def materialize(
    asset: LoadedAsset,
    project: Project,
    settings: Settings,
    *,
    run_id: str | None = None,
    now: datetime | None = None,
    sql: str | None = None,
    on_progress: ProgressHook | None = None,
    on_read: ReadHook | None = None,
    memory_limit_mb: int | None = None,
    before_publish: Callable[[], None] | None = None,
) -> MaterializationOutcome:
    """Materialize one asset through write-audit-publish and record the run.

    `sql` overrides the asset's frozen SQL (a repair proposal being promoted uses this).
    Errors are raised after the run is recorded; a failed check is returned, not raised.
    """
    run_id = run_id or new_run_id()
    frozen = sql is None  # the asset's own code (not a proposal being promoted) must be the approved code
    sql = sql if sql is not None else asset.sql
    spec = asset.spec
    store = store_for(settings, spec.sink)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    version_before = store.published_version()
    record = RunRecord(
        run_id=run_id,
        asset=spec.name,
        started_at=started,
        seconds=0.0,
        code_version=asset.code_version,
        status="error",
        version_before=version_before,
    )
    outcome = MaterializationOutcome(
        asset=spec.name,
        run_id=run_id,
        status="error",
        table_format=spec.sink.format,
        table=spec.sink.table,
        version_before=version_before,
    )

    def step(name: Stage) -> None:
        timings[name] = time.perf_counter() - clock
        if on_progress:
            on_progress(spec.name, name)

    staged = None
    try:
        if sql is None:
            raise NoTransformError(
                f"asset '{spec.name}' has no transform yet: run `agentic-assets generate {spec.name}`"
            )
        if frozen:
            require_approved(asset, settings)
        step("read")
        inputs = read_inputs(asset, project, settings, on_read=on_read)
        record.input_schemas = input_schemas(inputs)
        record.input_rows = {name: _row_count(t) for name, t in inputs.items()}
        record.input_watermarks = input_watermarks(inputs)
        ran_at = now or started
        record.clock = naive_utc(ran_at)
        outcome.input_rows = sum(record.input_rows.values())
        step("transform")
        outcome.engine = engine_for(spec, settings)
        if outcome.engine == "spark":
            from agentic_assets.engines.spark_runner import run_on_spark  # pyspark loads only when used

            result = run_on_spark(asset, project, settings, sql, inputs)
        elif settings.transform_runner == "sandbox" and memory_limit_mb is None:
            result = run_sql_sandboxed(sql, inputs)
        else:
            result = run_sql(sql, inputs, memory_limit_mb=memory_limit_mb)
        record.output_schema = schema_dict(result.schema)
        outcome.rows_written = record.rows = result.num_rows
        step("stage")
        staged = store.stage(
            result,
            mode=spec.sink.mode,
            merge_keys=spec.sink.merge_keys,
            run_id=run_id,
            properties={"agentic.asset": spec.name, "agentic.code_version": asset.code_version or ""},
        )
        step("audit")
        staged_table = staged.read()
        outcome.table_rows = staged_table.num_rows
        con = locked_connection({spec.name: staged_table})
        try:
            checks = run_checks(con, asset.checks_text, now=now, scan_name=f"{spec.name}-{run_id}")
        finally:
            con.close()
        outcome.checks = checks
        if not checks.passed:
            staged.discard()
            staged = None
            outcome.status = record.status = "checks_failed"
            record.failed_checks = [c.name for c in checks.failed] + checks.errors
            return outcome
        step("publish")
        if before_publish is not None:
            before_publish()
        outcome.version_after = record.version_after = staged.publish()
        staged = None
        outcome.status = record.status = "published"
        step("done")
        return outcome
    except BaseException as err:
        outcome.error = record.error = f"{type(err).__name__}: {err}"
        record.error_types = exception_lineage(err)
        raise
    finally:
        if staged is not None:
            staged.discard()  # anything not published is dropped; the published table is untouched
        outcome.seconds = record.seconds = time.perf_counter() - clock
        outcome.timings = timings
        RunLog(settings.state_dir / "runs.db").append(record)
        # Lineage is queued durably and delivered in the background: it never fails or slows a run.
        record_materialization(outcome, asset, project, settings, sql=None if sql == asset.sql else sql)


def _row_count(source: object) -> int:
    count = getattr(source, "count_rows", None)  # a dataset counts from file metadata
    return int(count()) if callable(count) else int(getattr(source, "num_rows", 0))
