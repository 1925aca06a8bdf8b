"""The table-store contract shared by Iceberg and Delta: read, stage, publish, discard, history."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, Field

WriteMode = Literal["overwrite", "append", "merge"]


class TableVersion(BaseModel):
    """One published version (Iceberg snapshot / Delta version) of a table."""

    version: int
    timestamp: datetime | None = None
    operation: str | None = None
    properties: dict[str, str] = Field(default_factory=dict)


class PublishConflict(RuntimeError):
    """The published table moved after this run staged its data: the audit no longer applies."""


class StagedWrite(ABC):
    """Data written but not yet visible to readers of the published table."""

    run_id: str

    @abstractmethod
    def read(self) -> pa.Table:
        """The table as it will be once published (the full table, not just the new rows)."""

    @abstractmethod
    def publish(self) -> int:
        """Make the staged data the published table, atomically; return the new version."""

    @abstractmethod
    def discard(self) -> None:
        """Drop the staged data; the published table is untouched."""


class TableStore(ABC):
    """One published table in one format."""

    format: str
    identifier: str

    @abstractmethod
    def exists(self) -> bool: ...

    @abstractmethod
    def published_version(self) -> int | None:
        """The current published version, or None if nothing was ever published."""

    @abstractmethod
    def read(self, version: int | None = None) -> pa.Table: ...

    @abstractmethod
    def arrow_schema(self) -> pa.Schema | None: ...

    @abstractmethod
    def history(self) -> list[TableVersion]: ...

    @abstractmethod
    def stage(
        self, data: pa.Table, *, mode: WriteMode, merge_keys: list[str], run_id: str, properties: dict[str, str]
    ) -> StagedWrite:
        """Write `data` where readers of the published table cannot see it."""
