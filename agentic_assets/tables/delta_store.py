"""Delta tables through delta-rs; write-audit-publish with a staging table per run.

A run computes the table as it will be after the write (overwrite, append or merge applied, in DuckDB)
and writes it to a staging Delta table beside the published one; the audit reads that staged version.
Publishing overwrites the published table with exactly that staged version, in one Delta commit whose
read version is the version the run staged from: if another run committed in between, delta-rs
refuses the commit (no retry, no rebase) and nothing is published. Readers see all of it or none.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError

from agentic_assets.settings import Settings
from agentic_assets.tables.arrow_types import with_plain_types
from agentic_assets.tables.base import PublishConflict, StagedWrite, TableStore, TableVersion, WriteMode
from agentic_assets.tables.merge import merged

STAGING_DIR = "_staging"
# The staging table is written once: its first version is the one the audit reads and publish copies.
STAGED_VERSION = 0


def _normalize(data: pa.Table) -> pa.Table:
    # delta-rs writes string/binary views as large types; plain ones keep the schema stable.
    return with_plain_types(data, large_too=False)


class DeltaStagedWrite(StagedWrite):
    def __init__(
        self, store: DeltaStore, staging_path: Path, base_version: int | None, run_id: str, properties: dict[str, str]
    ) -> None:
        self.store, self.staging_path, self.base_version = store, staging_path, base_version
        self.run_id, self.properties = run_id, properties

    def read(self) -> pa.Table:
        return DeltaTable(str(self.staging_path), version=STAGED_VERSION).to_pyarrow_table()

    def publish(self) -> int:
        """Overwrite the published table with the staged version, if it is still at `base_version`."""
        staged = self.read()
        commit = CommitProperties(
            custom_metadata={**self.properties, "agentic.run_id": self.run_id},
            # No retries: a retried commit would be rebased onto a version the audit never saw.
            max_commit_retries=0,
        )
        try:
            if self.base_version is None:
                write_deltalake(str(self.store.path), staged, mode="error", commit_properties=commit)
            else:
                # The read version of the commit is the staged-from version: the precondition of the publish.
                expected = DeltaTable(str(self.store.path), version=self.base_version)
                write_deltalake(expected, staged, mode="overwrite", schema_mode="overwrite", commit_properties=commit)
        except (CommitFailedError, DeltaError) as err:
            current = self.store.published_version()
            if current == self.base_version:
                raise  # not a conflict: the table did not move
            raise PublishConflict(
                f"{self.store.identifier} was published by another run (now at version {current}) after this run "
                f"staged its data from version {self.base_version}; nothing was published: run it again"
            ) from err
        self.discard()
        return (self.base_version + 1) if self.base_version is not None else 0

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
        base_version = self.published_version()
        if base_version is None or mode == "overwrite":
            result = data
        else:
            current = self.read(base_version)  # the version the publish will require to still be current
            if mode == "append":
                result = pa.concat_tables([current, data], promote_options="default")
            else:
                result = merged(current, data, merge_keys)
        staging_path = self.root / STAGING_DIR / self.identifier / run_id
        shutil.rmtree(staging_path, ignore_errors=True)
        staging_path.parent.mkdir(parents=True, exist_ok=True)
        write_deltalake(str(staging_path), result, mode="error")
        return DeltaStagedWrite(self, staging_path, base_version, run_id, properties)


def delta_store(settings: Settings, name: str) -> DeltaStore:
    return DeltaStore(settings.delta_dir, name)
