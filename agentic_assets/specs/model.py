"""The asset spec: what a data engineer writes, as a pydantic contract."""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

IDENTIFIER = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    # Unknown keys are errors: a typo in a spec must not be silently ignored.
    model_config = ConfigDict(extra="forbid")


class ColumnSpec(Strict):
    name: str
    type: str | None = None
    description: str | None = None
    pii: bool = False


class SinkSpec(Strict):
    """Where the asset is published."""

    format: Literal["iceberg", "delta"]
    table: str = Field(description="iceberg: namespace.table; delta: a table name under the delta root")
    mode: Literal["overwrite", "append", "merge"] = "overwrite"
    merge_keys: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> SinkSpec:
        if self.mode == "merge" and not self.merge_keys:
            raise ValueError("mode 'merge' needs merge_keys (the columns that identify a row)")
        if self.mode != "merge" and self.merge_keys:
            raise ValueError(f"merge_keys only apply to mode 'merge', not '{self.mode}'")
        if self.format == "iceberg" and self.table.count(".") != 1:
            raise ValueError(f"an Iceberg table is 'namespace.table', got '{self.table}'")
        if self.format == "delta" and not all(part for part in self.table.split("/")):
            raise ValueError(f"a Delta table name must be a relative path, got '{self.table}'")
        return self

    @property
    def key(self) -> str:
        """What two assets may not share."""
        return f"{self.format}:{self.table}"


class AssetSpec(Strict):
    """One asset: its purpose in words, its inputs, its sink, its checks, its risk tier and transform."""

    name: str = Field(pattern=IDENTIFIER)
    description: str = Field(min_length=10)
    group: str | None = Field(default=None, pattern=IDENTIFIER)
    owner: str | None = None
    tier: Literal[1, 2, 3] = 2
    sources: list[str] = Field(min_length=1)
    sink: SinkSpec
    checks: str = Field(description="inline SodaCL, or a .yml file under asset_checks/ or beside the spec")
    sql: str | None = Field(default=None, description="the transform, DuckDB SQL, inline")
    sql_file: str | None = Field(default=None, description="the transform in a file beside the spec")
    columns: list[ColumnSpec] = Field(default_factory=list)
    # Where the frozen SQL runs; unset follows the deployment's setting (AGENTIC_ENGINE, default duckdb).
    # Not part of the fingerprint: the same DuckDB SQL is transpiled for Spark, so the code stays fresh.
    engine: Literal["duckdb", "spark"] | None = Field(
        default=None, description="duckdb (embedded) or spark (transpiled, after a parity check)"
    )

    @field_validator("sources")
    @classmethod
    def _unique_sources(cls, sources: list[str]) -> list[str]:
        dupes = sorted({s for s in sources if sources.count(s) > 1})
        if dupes:
            raise ValueError(f"sources listed twice: {', '.join(dupes)}")
        return sources

    @model_validator(mode="after")
    def _one_transform(self) -> AssetSpec:
        if self.sql and self.sql_file:
            raise ValueError("give either sql or sql_file, not both")
        return self

    def fingerprint(self) -> str:
        """Hash of what the transform is generated from; a change makes generated code stale."""
        basis = self.model_dump(include={"description", "sources", "sink", "checks", "columns"})
        return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


class RawColumn(Strict):
    name: str
    type: str = Field(description="a DuckDB type, e.g. VARCHAR, BIGINT, DECIMAL(18,2), TIMESTAMP")
    pii: bool = False
    description: str | None = None


class RawSource(Strict):
    """A raw table that lands from outside (files), declared with its schema as a contract."""

    name: str = Field(pattern=IDENTIFIER)
    path: str = Field(description="relative to the data folder, e.g. raw/transactions.parquet")
    format: Literal["parquet", "csv"] = "parquet"
    description: str = ""
    columns: list[RawColumn] = Field(min_length=1)


class SourcesFile(Strict):
    sources: list[RawSource]
