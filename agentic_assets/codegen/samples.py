"""Sample inputs for a generation: the real sources, capped, so validation runs on what production sees."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from agentic_assets.materialize.inputs import SourceUnavailable, read_raw
from agentic_assets.models.builtin.contracts import ColumnInfo, TableInfo
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset, Project
from agentic_assets.tables.registry import store_for

SAMPLE_ROWS = 50_000
MAX_SAMPLE_VALUES = 30

# Outputs of upstream assets computed during this process (their sandbox runs), by asset name.
SampleCache = dict[str, pa.Table]


def sample_table(asset_or_source: str, project: Project, settings: Settings, cache: SampleCache) -> pa.Table:
    """Up to SAMPLE_ROWS rows of a raw source or of an upstream asset's output."""
    if asset_or_source in project.raw_sources:
        dataset = read_raw(settings, project.raw_sources[asset_or_source])
        return dataset.head(SAMPLE_ROWS)
    upstream = project.assets[asset_or_source]
    store = store_for(settings, upstream.spec.sink)
    if store.published_version() is not None:
        return store.read().slice(0, SAMPLE_ROWS)
    # Not published yet: the sample output of its own sandbox run in this process, if any.
    if asset_or_source in cache:
        return cache[asset_or_source]
    if upstream.sql is None:
        raise SourceUnavailable(
            f"upstream asset '{asset_or_source}' has no published table and no code yet; generate it first"
        )
    # Never published: compute its sample output from its own code, in the sandbox like any candidate.
    from sandbox_runtime import run_sql_on_tables

    inputs = sample_inputs(upstream, project, settings, cache)
    verdict, output = run_sql_on_tables(upstream.sql, inputs, output_name=upstream.name)
    if output is None:
        raise SourceUnavailable(f"upstream asset '{asset_or_source}' does not run on the samples: {verdict.message}")
    cache[asset_or_source] = output
    return output


def sample_inputs(asset: LoadedAsset, project: Project, settings: Settings, cache: SampleCache) -> dict[str, pa.Table]:
    return {name: sample_table(name, project, settings, cache) for name in asset.spec.sources}


def _pii_columns(name: str, project: Project) -> set[str]:
    if name in project.raw_sources:
        return {c.name for c in project.raw_sources[name].columns if c.pii}
    return {c.name for c in project.assets[name].spec.columns if c.pii}


def describe_tables(asset: LoadedAsset, project: Project, tables: dict[str, pa.Table]) -> list[TableInfo]:
    """Schemas with declared types, and distinct values of low-cardinality text columns (never of PII)."""
    out: list[TableInfo] = []
    con = duckdb.connect()
    try:
        for name in asset.spec.sources:
            table = tables[name]
            declared = project.schema_of(name)
            pii = _pii_columns(name, project)
            descriptions = {}
            if name in project.raw_sources:
                descriptions = {c.name: c.description for c in project.raw_sources[name].columns}
            con.register("sample_t", table)
            columns: list[ColumnInfo] = []
            for field in table.schema:
                col_type = declared.get(field.name) or _duck_type(con, field.name)
                info = ColumnInfo(
                    name=field.name, type=col_type, pii=field.name in pii, description=descriptions.get(field.name)
                )
                if info.is_text and not info.pii:
                    quoted = '"' + field.name.replace('"', '""') + '"'
                    rows = con.execute(
                        f"SELECT DISTINCT {quoted} FROM sample_t WHERE {quoted} IS NOT NULL "
                        f"ORDER BY 1 LIMIT {MAX_SAMPLE_VALUES + 1}"
                    ).fetchall()
                    info.distinct = len(rows)
                    if len(rows) <= MAX_SAMPLE_VALUES:
                        info.samples = [str(r[0]) for r in rows]
                columns.append(info)
            unique = []
            for info in columns:
                if info.is_identifier:
                    quoted = '"' + info.name.replace('"', '""') + '"'
                    n, d = con.execute(f"SELECT COUNT(*), COUNT(DISTINCT {quoted}) FROM sample_t").fetchall()[0]
                    if n and n == d:
                        unique.append(info.name)
            con.unregister("sample_t")
            description = project.raw_sources[name].description if name in project.raw_sources else ""
            if name in project.assets:
                description = project.assets[name].spec.description.strip()
            out.append(
                TableInfo(
                    name=name, description=description, columns=columns, rows=table.num_rows, unique_columns=unique
                )
            )
    finally:
        con.close()
    return out


def _duck_type(con: duckdb.DuckDBPyConnection, column: str) -> str:
    quoted = '"' + column.replace('"', '""') + '"'
    rows = con.execute(f"SELECT typeof({quoted}) FROM sample_t LIMIT 1").fetchall()
    return str(rows[0][0]) if rows else "UNKNOWN"
