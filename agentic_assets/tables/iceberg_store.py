"""Iceberg tables through pyiceberg; write-audit-publish with a branch per run.

A run writes to branch `wap_<run>` (created at the published snapshot), the audit reads that
branch's snapshot, and publishing points `main` at it. Readers of `main` never see staged data.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.table import Table

from agentic_assets.settings import Settings
from agentic_assets.tables.arrow_types import with_plain_types
from agentic_assets.tables.base import PublishConflict, StagedWrite, TableStore, TableVersion, WriteMode
from agentic_assets.tables.merge import merged

_catalogs: dict[tuple[str, str], Catalog] = {}


def catalog_for(settings: Settings) -> Catalog:
    """The project's Iceberg catalog: embedded SQLite by default, any SQLAlchemy URL by setting."""
    key = (settings.iceberg_catalog_name, settings.catalog_uri())
    if key not in _catalogs:
        settings.iceberg_dir.mkdir(parents=True, exist_ok=True)
        _catalogs[key] = SqlCatalog(
            settings.iceberg_catalog_name,
            uri=settings.catalog_uri(),
            warehouse=(settings.iceberg_dir / "warehouse").as_uri(),
        )
    return _catalogs[key]


def _normalize(data: pa.Table) -> pa.Table:
    # Iceberg has one string and one binary type: views and large variants are cast to them.
    return with_plain_types(data, large_too=True)


class IcebergStagedWrite(StagedWrite):
    def __init__(self, store: IcebergStore, branch: str, run_id: str, base_snapshot_id: int) -> None:
        self.store, self.branch, self.run_id = store, branch, run_id
        self.base_snapshot_id = base_snapshot_id

    def _snapshot_id(self) -> int:
        return self.store.table().metadata.refs[self.branch].snapshot_id

    def read(self) -> pa.Table:
        return self.store.table().scan(snapshot_id=self._snapshot_id()).to_arrow()

    def publish(self) -> int:
        table = self.store.table()
        current = table.current_snapshot()
        if current is None or current.snapshot_id != self.base_snapshot_id:
            raise PublishConflict(
                f"{self.store.identifier} was published by another run after this run staged its data; "
                "nothing was published: run it again"
            )
        snapshot_id = table.metadata.refs[self.branch].snapshot_id
        table.manage_snapshots().set_current_snapshot(ref_name=self.branch).remove_branch(self.branch).commit()
        return snapshot_id

    def discard(self) -> None:
        table = self.store.table()
        if self.branch in table.metadata.refs:
            table.manage_snapshots().remove_branch(self.branch).commit()


class IcebergStore(TableStore):
    format = "iceberg"

    def __init__(self, catalog: Catalog, identifier: str) -> None:
        self.catalog = catalog
        self.identifier = identifier
        self.namespace = identifier.split(".")[0]

    def table(self) -> Table:
        return self.catalog.load_table(self.identifier)

    def exists(self) -> bool:
        return self.catalog.table_exists(self.identifier)

    def published_version(self) -> int | None:
        if not self.exists():
            return None
        snapshot = self.table().current_snapshot()
        return snapshot.snapshot_id if snapshot else None

    def read(self, version: int | None = None) -> pa.Table:
        table = self.table()
        if version is None and table.current_snapshot() is None:
            return table.schema().as_arrow().empty_table()
        return table.scan(snapshot_id=version).to_arrow()

    def arrow_schema(self) -> pa.Schema | None:
        return self.table().schema().as_arrow() if self.exists() else None

    def history(self) -> list[TableVersion]:
        if not self.exists():
            return []
        table = self.table()
        versions = []
        for entry in table.history():
            snap = table.snapshot_by_id(entry.snapshot_id)
            summary = snap.summary if snap else None
            props = {k: str(v) for k, v in (summary.additional_properties.items() if summary else [])}
            versions.append(
                TableVersion(
                    version=entry.snapshot_id,
                    timestamp=datetime.fromtimestamp(entry.timestamp_ms / 1000, tz=UTC),
                    operation=str(summary.operation.value) if summary else None,
                    properties=props,
                )
            )
        return versions

    def _ensure(self, schema: pa.Schema) -> Table:
        self.catalog.create_namespace_if_not_exists(self.namespace)
        table = self.catalog.create_table_if_not_exists(self.identifier, schema=schema)
        if table.current_snapshot() is None:
            # A branch needs a snapshot to start from: publish the empty table once.
            table.append(schema.empty_table(), snapshot_properties={"agentic.event": "created"})
            table = self.table()
        missing = [f.name for f in schema if f.name not in table.schema().column_names]
        if missing:
            # New output columns: evolve the schema (additive, visible to readers only as nulls).
            with table.update_schema() as update:
                update.union_by_name(schema)
            table = self.table()
        return table

    def stage(
        self, data: pa.Table, *, mode: WriteMode, merge_keys: list[str], run_id: str, properties: dict[str, str]
    ) -> StagedWrite:
        data = _normalize(data)
        table = self._ensure(data.schema)
        branch = f"wap_{run_id}"
        base_snapshot_id = table.current_snapshot().snapshot_id
        table.manage_snapshots().create_branch(base_snapshot_id, branch).commit()
        table = self.table()
        staged = IcebergStagedWrite(self, branch, run_id, base_snapshot_id)
        props = {**properties, "agentic.run_id": run_id}
        try:
            if mode == "append":
                table.append(data, snapshot_properties=props, branch=branch)
            else:
                if mode == "merge":
                    # pyiceberg's row-wise upsert is slow; the merged table is computed in DuckDB
                    # and written as one overwrite snapshot on the branch.
                    data = merged(self.read().cast(data.schema), data, merge_keys)
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="Delete operation did not match any records")
                    table.overwrite(data, snapshot_properties=props, branch=branch)
        except BaseException:
            staged.discard()
            raise
        return staged


def iceberg_store(settings: Settings, identifier: str) -> IcebergStore:
    return IcebergStore(catalog_for(settings), identifier)


__all__ = ["IcebergStore", "catalog_for", "iceberg_store", "NoSuchTableError"]
