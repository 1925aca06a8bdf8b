"""Read an asset's inputs as Arrow: raw files, or the published tables of upstream assets."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads

from agentic_assets.engines.duckdb_engine import ArrowInput, as_table
from agentic_assets.settings import Settings
from agentic_assets.specs.model import RawSource
from agentic_assets.specs.project import LoadedAsset, Project
from agentic_assets.tables.registry import store_for

# Called before each source is opened; fault injection (incident replay) raises from here.
ReadHook = Callable[[str], None]


class SourceUnavailable(RuntimeError):
    """A source could not be read (missing file, unreadable table)."""


def read_raw(settings: Settings, source: RawSource) -> pads.Dataset | pa.Table:
    path = settings.data_dir / source.path
    if not path.exists():
        raise SourceUnavailable(
            f"raw source '{source.name}' is missing: {path} does not exist "
            "(run `agentic-assets generate-data` or land the file)"
        )
    if source.format == "csv":
        # DuckDB's own type detection, so that a column whose values change shape changes type.
        con = duckdb.connect()
        try:
            return as_table(con.read_csv(str(path)).arrow())
        finally:
            con.close()
    return pads.dataset(str(path), format=source.format)


def read_inputs(
    asset: LoadedAsset, project: Project, settings: Settings, on_read: ReadHook | None = None
) -> dict[str, ArrowInput]:
    inputs: dict[str, ArrowInput] = {}
    for name in asset.spec.sources:
        if on_read is not None:
            on_read(name)
        if name in project.raw_sources:
            inputs[name] = read_raw(settings, project.raw_sources[name])
            continue
        store = store_for(settings, project.assets[name].spec.sink)
        if store.published_version() is None:
            raise SourceUnavailable(f"upstream asset '{name}' has never been published; materialize it first")
        inputs[name] = store.read()
    return inputs


def input_schemas(inputs: dict[str, ArrowInput]) -> dict[str, dict[str, str]]:
    """Column name -> Arrow type, per input: recorded at every run for schema diffs."""
    return {name: {f.name: str(f.type) for f in src.schema} for name, src in inputs.items()}


def schema_dict(schema: pa.Schema) -> dict[str, str]:
    return {f.name: str(f.type) for f in schema}
