"""The lineage contracts: what is known about datasets, an asset's job and one run, with no DataHub types.

These are what the durable queue stores, so a materialization can record its lineage in a millisecond without
importing the DataHub SDK; DataHub aspects are built from them later, at delivery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from agentic_assets.lineage.provenance import CodeProvenance

ENV = "PROD"


class DatasetRef(BaseModel):
    """A dataset as DataHub names it: platform, name, optional platform instance."""

    platform: Literal["iceberg", "delta-lake", "file"]
    name: str
    platform_instance: str | None = None


class Column(BaseModel):
    name: str
    type: str = Field(description="the DuckDB type; UNKNOWN where static inference could not tell")
    pii: bool = False
    description: str | None = None


class DatasetFacts(BaseModel):
    """One table or file: its DataHub name and its schema."""

    key: str = Field(description="the name the SQL and the specs use: a raw source or an asset")
    ref: DatasetRef
    kind: Literal["raw", "asset"]
    description: str = ""
    columns: list[Column] = Field(default_factory=list)
    location: str = Field(default="", description="file path, Delta path or Iceberg identifier")
    file_format: str | None = None


class CheckFacts(BaseModel):
    """One SodaCL check of an asset, as a DataHub assertion."""

    soda_name: str
    dagster_name: str
    line: str


class AssetLineage(BaseModel):
    """Everything DataHub is told about one asset: its job, its SQL, its inputs and its output."""

    name: str
    description: str
    owner: str | None = None
    tier: int
    sql: str | None
    sql_file: str | None = None
    code_version: str | None
    spec_hash: str
    provenance: CodeProvenance = Field(default_factory=CodeProvenance)
    write_mode: str
    inputs: list[DatasetFacts]
    output: DatasetFacts
    checks: list[CheckFacts] = Field(default_factory=list)


class CheckOutcomeFacts(BaseModel):
    name: str
    column: str | None = None
    outcome: Literal["pass", "warn", "fail", "error"]
    value: float | int | str | None = None
    definition: str = ""
    failing_rows_count: int | None = None


class RunFacts(BaseModel):
    """One materialization as DataHub sees it: a DataProcessInstance and its assertion results."""

    run_id: str
    status: Literal["published", "checks_failed", "error"]
    started_at: datetime
    ended_at: datetime
    rows_written: int = 0
    table_rows: int = 0
    version_before: int | None = None
    version_after: int | None = None
    error: str | None = None
    checks: list[CheckOutcomeFacts] = Field(default_factory=list)
    scan_errors: list[str] = Field(default_factory=list)


class LineageEvent(BaseModel):
    """One unit of the queue: a set of assets (and, for a materialization, its run) to describe to DataHub."""

    kind: Literal["project", "materialization"]
    code_location: str
    assets: list[AssetLineage] = Field(default_factory=list)
    raw_sources: list[DatasetFacts] = Field(default_factory=list)
    run: RunFacts | None = None
