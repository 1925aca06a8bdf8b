"""Run an asset's checks against its published table: the same runner as materialization uses."""

from __future__ import annotations

from datetime import datetime

from agentic_assets.engines.duckdb_engine import locked_connection
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset
from agentic_assets.tables.registry import store_for
from asset_checks.results import CheckSuiteResult
from asset_checks.runner import run_checks


def check_published(asset: LoadedAsset, settings: Settings, now: datetime | None = None) -> CheckSuiteResult:
    store = store_for(settings, asset.spec.sink)
    if store.published_version() is None:
        raise LookupError(
            f"'{asset.name}' has no published table yet ({asset.spec.sink.format} "
            f"{asset.spec.sink.table}); materialize it first"
        )
    con = locked_connection({asset.name: store.read()})
    try:
        return run_checks(con, asset.checks_text, now=now)
    finally:
        con.close()
