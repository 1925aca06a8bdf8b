"""A loaded, validated project: raw sources and asset specs with their SQL and checks resolved."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path

from agentic_assets.specs.model import AssetSpec, RawSource


@dataclass
class LoadedAsset:
    """A spec plus what it points at, read from disk."""

    spec: AssetSpec
    path: Path
    checks_text: str
    checks_path: Path | None
    sql: str | None
    sql_path: Path | None
    # Output columns (name -> DuckDB type, "UNKNOWN" where it cannot be inferred statically).
    output_schema: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def code_version(self) -> str | None:
        if self.sql is None:
            return None
        return hashlib.sha256(self.sql.encode()).hexdigest()[:12]


@dataclass
class Project:
    specs_dir: Path
    raw_sources: dict[str, RawSource]
    assets: dict[str, LoadedAsset]

    def topological_order(self) -> list[str]:
        graph = {name: {s for s in a.spec.sources if s in self.assets} for name, a in self.assets.items()}
        return list(TopologicalSorter(graph).static_order())

    def schema_of(self, table: str) -> dict[str, str]:
        if table in self.raw_sources:
            return {c.name: c.type for c in self.raw_sources[table].columns}
        return dict(self.assets[table].output_schema)

    def downstream_of(self, name: str) -> list[str]:
        return [a for a, la in self.assets.items() if name in la.spec.sources]
