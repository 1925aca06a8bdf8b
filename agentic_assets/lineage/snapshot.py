"""Describe the project, or one finished materialization, as lineage contracts (no DataHub import: cheap)."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from agentic_assets.lineage.model import (
    AssetLineage,
    CheckFacts,
    CheckOutcomeFacts,
    Column,
    DatasetFacts,
    LineageEvent,
    RunFacts,
)
from agentic_assets.lineage.naming import CODE_LOCATION, raw_source_ref, sink_location, sink_ref
from agentic_assets.lineage.provenance import CodeProvenance
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset, Project
from asset_checks.sodacl import check_definitions

if TYPE_CHECKING:
    from agentic_assets.materialize.wap import MaterializationOutcome


def dataset_facts(key: str, project: Project, settings: Settings) -> DatasetFacts:
    """A raw source or an asset's output table, by the name the specs use."""
    if key in project.raw_sources:
        src = project.raw_sources[key]
        return DatasetFacts(
            key=key,
            ref=raw_source_ref(src, settings),
            kind="raw",
            description=src.description,
            columns=[Column(name=c.name, type=c.type, pii=c.pii, description=c.description) for c in src.columns],
            location=os.path.abspath(settings.data_dir / src.path),
            file_format=src.format,
        )
    asset = project.assets[key]
    declared = {c.name: c for c in asset.spec.columns}
    columns = [
        Column(
            name=name,
            type=typ,
            pii=declared[name].pii if name in declared else False,
            description=declared[name].description if name in declared else None,
        )
        for name, typ in asset.output_schema.items()
    ]
    return DatasetFacts(
        key=key,
        ref=sink_ref(asset.spec.sink, settings),
        kind="asset",
        description=asset.spec.description.strip(),
        columns=columns,
        location=sink_location(asset.spec.sink, settings),
        file_format=asset.spec.sink.format,
    )


def _code_version(sql: str | None) -> str | None:
    # The same rule as LoadedAsset.code_version, for SQL that overrides the frozen file (a repair being promoted).
    return None if sql is None else hashlib.sha256(sql.encode()).hexdigest()[:12]


def asset_lineage(asset: LoadedAsset, project: Project, settings: Settings, sql: str | None = None) -> AssetLineage:
    """The asset's job as DataHub should show it; `sql` is the SQL actually run when it was not the frozen file."""
    spec = asset.spec
    code = sql if sql is not None else asset.sql
    try:
        checks = [
            CheckFacts(soda_name=d.soda_name, dagster_name=d.dagster_name, line=d.line)
            for d in check_definitions(asset.checks_text, spec.name)
        ]
    except Exception:  # unreadable SodaCL must not cost the asset its lineage
        checks = []
    return AssetLineage(
        name=spec.name,
        description=spec.description.strip(),
        owner=spec.owner,
        tier=spec.tier,
        sql=code,
        sql_file=str(asset.sql_path.name) if asset.sql_path and sql is None else None,
        code_version=_code_version(code) if sql is not None else asset.code_version,
        spec_hash=spec.fingerprint(),
        provenance=CodeProvenance.from_sql(code),
        write_mode=spec.sink.mode,
        inputs=[dataset_facts(s, project, settings) for s in spec.sources],
        output=dataset_facts(spec.name, project, settings),
        checks=checks,
    )


def project_event(project: Project, settings: Settings) -> LineageEvent:
    """Every raw source and every asset."""
    return LineageEvent(
        kind="project",
        code_location=CODE_LOCATION,
        raw_sources=[dataset_facts(name, project, settings) for name in project.raw_sources],
        assets=[asset_lineage(project.assets[name], project, settings) for name in project.topological_order()],
    )


def run_facts(outcome: MaterializationOutcome, ended_at: datetime | None = None) -> RunFacts:
    ended = ended_at or datetime.now(UTC)
    suite = outcome.checks
    return RunFacts(
        run_id=outcome.run_id,
        status=outcome.status,
        started_at=ended - timedelta(seconds=outcome.seconds),
        ended_at=ended,
        rows_written=outcome.rows_written,
        table_rows=outcome.table_rows,
        version_before=outcome.version_before,
        version_after=outcome.version_after,
        error=outcome.error,
        checks=[
            CheckOutcomeFacts(
                name=r.name,
                column=r.column,
                outcome=r.outcome,
                value=r.value,
                definition=r.definition,
                failing_rows_count=r.failing_rows_count,
            )
            for r in (suite.results if suite else [])
        ],
        scan_errors=list(suite.errors) if suite else [],
    )


def materialization_event(
    outcome: MaterializationOutcome,
    asset: LoadedAsset,
    project: Project,
    settings: Settings,
    sql: str | None = None,
) -> LineageEvent:
    """One run of one asset, with the asset's job as it was when it ran."""
    lineage = asset_lineage(asset, project, settings, sql=sql)
    return LineageEvent(
        kind="materialization",
        code_location=CODE_LOCATION,
        raw_sources=[d for d in lineage.inputs if d.kind == "raw"],
        assets=[lineage],
        run=run_facts(outcome),
    )
