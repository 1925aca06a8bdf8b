"""Read-only handles on everything the repair agent may look at.

The agent's tools get an `AssetView`, never settings, stores or connections: the view exposes read
methods only, hands out Arrow tables (immutable) and copies of records, and keeps the objects that can
write (table stores, the run log) private to itself.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

import pyarrow as pa

from agentic_assets.codegen.versioning import body_of
from agentic_assets.materialize.inputs import read_raw
from agentic_assets.materialize.run_log import RunLog, RunRecord
from agentic_assets.repair.code_history import CodeHistory, CodeVersion
from agentic_assets.repair.run_limits import RunLimits, limits_for
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset, Project
from agentic_assets.tables.base import TableVersion
from agentic_assets.tables.registry import store_for


class AssetView:
    """What one asset looks like now and looked like before, for reading only."""

    def __init__(self, settings: Settings, project: Project, asset: str, *, now: datetime | None = None) -> None:
        self.__settings = settings
        self.__project = project
        self.__asset: LoadedAsset = project.assets[asset]
        self.__tables: dict[str, pa.Table] = {}
        self.now = now

    # -- the asset itself ---------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.__asset.name

    @property
    def description(self) -> str:
        return self.__asset.spec.description.strip()

    @property
    def tier(self) -> int:
        return self.__asset.spec.tier

    @property
    def sql(self) -> str | None:
        """The transform without its provenance header."""
        return body_of(self.__asset.sql) if self.__asset.sql is not None else None

    @property
    def code_version(self) -> str | None:
        return self.__asset.code_version

    @property
    def checks_text(self) -> str:
        return self.__asset.checks_text

    @property
    def sources(self) -> list[str]:
        return list(self.__asset.spec.sources)

    @property
    def sink(self) -> str:
        return f"{self.__asset.spec.sink.format}:{self.__asset.spec.sink.table}"

    def downstream(self) -> list[str]:
        return self.__project.downstream_of(self.name)

    def pii_columns(self, source: str | None = None) -> list[str]:
        """Columns flagged PII in the raw contracts (all sources when `source` is None)."""
        raws = self.__project.raw_sources
        names = [source] if source else list(raws)
        return [c.name for n in names if n in raws for c in raws[n].columns if c.pii]

    def declared_schema(self, source: str) -> dict[str, str]:
        return dict(self.__project.schema_of(source))

    def is_raw(self, source: str) -> bool:
        return source in self.__project.raw_sources

    # -- runs and limits ----------------------------------------------------------------------
    @cached_property
    def _runs(self) -> list[RunRecord]:
        return RunLog(self.__settings.state_dir / "runs.db").for_asset(self.name, 200)

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """Newest first (copies)."""
        return [r.model_copy(deep=True) for r in self._runs[:limit]]

    def last_good(self) -> RunRecord | None:
        found = next((r for r in self._runs if r.status == "published"), None)
        return found.model_copy(deep=True) if found else None

    def failed_run(self) -> RunRecord | None:
        """The newest run if it did not publish."""
        newest = self._runs[0] if self._runs else None
        return newest.model_copy(deep=True) if newest and newest.status != "published" else None

    def run_limits(self) -> RunLimits:
        return limits_for(self.__settings, self.name)

    # -- data -----------------------------------------------------------------------------------
    def source_table(self, source: str) -> pa.Table:
        """The source as it is now. Reads here bypass run hooks: a diagnostic read is not a run's read."""
        if source not in self.__tables:
            if source in self.__project.raw_sources:
                data = read_raw(self.__settings, self.__project.raw_sources[source])
                table = data if isinstance(data, pa.Table) else data.to_table()
            else:
                table = store_for(self.__settings, self.__project.assets[source].spec.sink).read()
            self.__tables[source] = table
        return self.__tables[source]

    def source_present(self, source: str) -> bool:
        """Whether the source has landed at all: a raw file that exists, an upstream table with a version."""
        if source in self.__project.raw_sources:
            return (self.__settings.data_dir / self.__project.raw_sources[source].path).exists()
        return store_for(self.__settings, self.__project.assets[source].spec.sink).published_version() is not None

    def source_tables(self) -> dict[str, pa.Table]:
        return {s: self.source_table(s) for s in self.sources}

    # -- the catalog: tables the asset could read but does not -------------------------------------
    def catalog_names(self) -> dict[str, str]:
        """Tables beyond the asset's sources, by name: raw sources ("raw") and other assets' tables
        ("published"). The asset itself and everything downstream of it are left out: reading them would make
        a dependency cycle."""
        downstream: set[str] = set()
        frontier = [self.name]
        while frontier:
            for child in self.__project.downstream_of(frontier.pop()):
                if child not in downstream:
                    downstream.add(child)
                    frontier.append(child)
        mine = {self.name, *self.sources, *downstream}
        out = {n: "raw" for n in self.__project.raw_sources if n not in mine}
        out |= {n: "published" for n in self.__project.assets if n not in mine}
        return dict(sorted(out.items()))

    def catalog_table(self, name: str, max_rows: int | None = None) -> pa.Table:
        """A catalog table as it is now (read-only), or its first `max_rows` rows; KeyError for a name that is
        not in the catalog."""
        if name not in self.catalog_names():
            raise KeyError(f"{name} is not a catalog table of {self.name}")
        if name in self.__tables:
            table = self.__tables[name]
            return table if max_rows is None else table.slice(0, max_rows)
        if name in self.__project.raw_sources:
            data = read_raw(self.__settings, self.__project.raw_sources[name])
            if not isinstance(data, pa.Table) and max_rows is not None:
                return data.head(max_rows)  # a large dataset is not read whole for a probe
            table = data if isinstance(data, pa.Table) else data.to_table()
        else:
            table = store_for(self.__settings, self.__project.assets[name].spec.sink).read()
        self.__tables[name] = table
        return table if max_rows is None else table.slice(0, max_rows)

    def published(self, version: int | None = None) -> pa.Table | None:
        store = store_for(self.__settings, self.__asset.spec.sink)
        if store.published_version() is None:
            return None
        return store.read(version)

    def table_history(self) -> list[TableVersion]:
        return [v.model_copy() for v in store_for(self.__settings, self.__asset.spec.sink).history()]

    # -- code -------------------------------------------------------------------------------------
    def code_versions(self) -> list[CodeVersion]:
        return CodeHistory.for_settings(self.__settings).versions(self.__asset)
