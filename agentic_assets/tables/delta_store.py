"""Delta tables through delta-rs; write-audit-publish with a staging table per run.

A run writes the table as it would be after the write (overwrite, append or merge applied) to a
staging Delta table beside the published one; the audit reads it; publishing commits the real
operation to the published table in one Delta commit, so readers see all of it or none of it.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, write_deltalake

from agentic_assets.settings import Settings
from agentic_assets.tables.arrow_types import with_plain_types
from agentic_assets.tables.base import PublishConflict, StagedWrite, TableStore, TableVersion, WriteMode
from agentic_assets.tables.merge import merged

STAGING_DIR = "_staging"


def _normalize(data: pa.Table) -> pa.Table:
    # delta-rs writes string/binary views as large types; plain ones keep the schema stable.
    return with_plain_types(data, large_too=False)


class DeltaStagedWrite(StagedWrite):
    def __init__(
        self,
        store: DeltaStore,
        staging_path: Path,
        data: pa.Table,
        mode: WriteMode,
        merge_keys: list[str],
        run_id: str,
        properties: dict[str, str],
    ) -> None:
        self.store, self.staging_path, self.data = store, staging_path, data
        self.mode, self.merge_keys, self.run_id, self.properties = mode, merge_keys, run_id, properties
        self.base_version = store.published_version()

    def read(self) -> pa.Table:
        return DeltaTable(str(self.staging_path)).to_pyarrow_table()

    def publish(self) -> int:
        path = str(self.store.path)
        if self.store.published_version() != self.base_version:
            raise PublishConflict(
                f"{self.store.identifier} was published by another run after this run staged its data; "
                "nothing was published: run it again"
            )
        commit = CommitProperties(custom_metadata={**self.properties, "agentic.run_id": self.run_id})
        if not self.store.exists():
            write_deltalake(path, self.data, mode="error", commit_properties=commit)
        elif self.mode == "overwrite":
            write_deltalake(path, self.data, mode="overwrite", schema_mode="overwrite", commit_properties=commit)
        elif self.mode == "append":
            write_deltalake(path, self.data, mode="append", schema_mode="merge", commit_properties=commit)
        else:
            predicate = " AND ".join(f"t.{k} = s.{k}" for k in self.merge_keys)
            (
                DeltaTable(path)
                .merge(
                    self.data,
                    predicate=predicate,
                    source_alias="s",
                    target_alias="t",
                    merge_schema=True,
                    commit_properties=commit,
                )
                .when_matched_update_all()
                .when_not_matched_insert_all()
                .execute()
            )
        self.discard()
        return DeltaTable(path).version()

    def discard(self) -> None:
        shutil.rmtree(self.staging_path, ignore_errors=True)


class DeltaStore(TableStore):
    format = "delta"

    def __init__(self, root: Path, name: str) -> None:
        self.identifier = name
        self.root = root
        self.path = root / name

    def exists(self) -> bool:
        return DeltaTable.is_deltatable(str(self.path))

    def published_version(self) -> int | None:
        return DeltaTable(str(self.path)).version() if self.exists() else None

    def read(self, version: int | None = None) -> pa.Table:
        return DeltaTable(str(self.path), version=version).to_pyarrow_table()

    def arrow_schema(self) -> pa.Schema | None:
        if not self.exists():
            return None
        return pa.schema(DeltaTable(str(self.path)).schema())

    def history(self) -> list[TableVersion]:
        if not self.exists():
            return []
        versions = []
        for entry in DeltaTable(str(self.path)).history():
            ts = entry.get("timestamp")
            props = {k: str(v) for k, v in entry.items() if k.startswith("agentic.")}
            versions.append(
                TableVersion(
                    version=int(entry["version"]),
                    timestamp=datetime.fromtimestamp(ts / 1000, tz=UTC) if ts else None,
                    operation=entry.get("operation"),
                    properties=props,
                )
            )
        return sorted(versions, key=lambda v: v.version)

    def stage(
        self, data: pa.Table, *, mode: WriteMode, merge_keys: list[str], run_id: str, properties: dict[str, str]
    ) -> StagedWrite:
        data = _normalize(data)
        if not self.exists() or mode == "overwrite":
            result = data
        elif mode == "append":
            result = pa.concat_tables([self.read(), data], promote_options="default")
        else:
            result = merged(self.read(), data, merge_keys)
        staging_path = self.root / STAGING_DIR / self.identifier / run_id
        shutil.rmtree(staging_path, ignore_errors=True)
        staging_path.parent.mkdir(parents=True, exist_ok=True)
        write_deltalake(str(staging_path), result, mode="overwrite")
        return DeltaStagedWrite(self, staging_path, data, mode, merge_keys, run_id, properties)


def delta_store(settings: Settings, name: str) -> DeltaStore:
    return DeltaStore(settings.delta_dir, name)
