"""An isolated workspace for one incident: its own specs, sources.yaml, data folder, catalog and state.

The workspace materializes before/ as the last good run (the last `history` transform when there is one,
then deploys the current transform on top), switches the raw files to after/, and runs the asset the way
production does, with the incident's faults injected. Nothing of the `expected` block is ever written here.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

from agentic_assets.incidents.faults import ReadFaults, materialize_with_wall_clock
from agentic_assets.incidents.model import Incident
from agentic_assets.materialize.run_log import RunLog, RunRecord
from agentic_assets.materialize.wap import MaterializationOutcome, materialize, new_run_id
from agentic_assets.repair.code_history import CodeHistory, code_version_of
from agentic_assets.repair.run_limits import RunLimits, limits_for, set_limits
from agentic_assets.repair.sql_rewrite import parse
from agentic_assets.settings import Settings
from agentic_assets.specs.errors import SpecError
from agentic_assets.specs.loader import load_project
from agentic_assets.sql.analysis import referenced_tables


class IncidentSetupError(RuntimeError):
    """The incident does not replay as FORMAT.md promises (before/ fails, or after/ does not)."""


def _columns(path: Path) -> list[dict[str, str]]:
    con = duckdb.connect()
    try:
        reader = "read_csv" if path.suffix == ".csv" else "read_parquet"
        rows = con.execute(f"DESCRIBE SELECT * FROM {reader}(?)", [str(path)]).fetchall()
        return [{"name": r[0], "type": r[1]} for r in rows]
    finally:
        con.close()


@dataclass
class FailedRun:
    outcome: MaterializationOutcome | None
    error: str | None

    @property
    def failed(self) -> bool:
        return self.error is not None or (self.outcome is not None and not self.outcome.published)


class Workspace:
    def __init__(self, incident: Incident, root: Path, *, sink_format: str = "delta") -> None:
        self.incident = incident
        self.root = Path(root)
        self.sink_format = sink_format
        self.settings = Settings(
            specs_dir=self.root / "specs",
            checks_dir=self.root / "specs",
            data_dir=self.root / "data",
            iceberg_catalog_name=f"incident_{abs(hash(str(self.root))) % 10**8}",
        )

    @property
    def asset(self) -> str:
        return self.incident.asset.name

    @property
    def spec_dir(self) -> Path:
        return self.settings.specs_dir / "incident"

    # -- building -----------------------------------------------------------------------------------
    def build(self) -> Workspace:
        if self.root.exists():
            shutil.rmtree(self.root)
        raw = self.settings.raw_dir
        raw.mkdir(parents=True)
        self.spec_dir.mkdir(parents=True)
        files = self.incident.source_files("before")
        sources = []
        for stem, path in files.items():
            shutil.copy2(path, raw / path.name)
            fmt = "csv" if path.suffix == ".csv" else "parquet"
            sources.append({"name": stem, "path": f"raw/{path.name}", "format": fmt, "columns": _columns(path)})
        (self.settings.specs_dir / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}, sort_keys=False))
        try:
            used = referenced_tables(parse(self.incident.asset.sql))
        except Exception:  # noqa: BLE001 - fall back to every source
            used = []
        names = [s for s in files if s in used] or list(files)
        table = self.asset if self.sink_format == "delta" else f"incidents.{self.asset}"
        spec = {
            "name": self.asset,
            "description": self.incident.asset.description.strip(),
            "tier": 2,
            "sources": names,
            "sink": {"format": self.sink_format, "table": table, "mode": "overwrite"},
            "checks": self.incident.asset.checks,
        }
        (self.spec_dir / f"{self.asset}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
        return self

    def _deploy(self, sql: str) -> None:
        (self.spec_dir / f"{self.asset}.sql").write_text(sql, encoding="utf-8")

    def materialize_before(self) -> MaterializationOutcome:
        """The last good run on before/, then the current transform deployed on top."""
        asset = self.incident.asset
        history = CodeHistory.for_settings(self.settings)
        before_sql = asset.history[-1].sql if asset.history else asset.sql
        for entry in asset.history:
            history.record(self.asset, entry.sql, deployed_at=entry.deployed, note="from the incident's history")
        self._deploy(before_sql)
        project = load_project(self.settings)
        outcome = materialize(project.assets[self.asset], project, self.settings, now=self.incident.now_naive_utc)
        if not outcome.published:
            failed = ", ".join(c.name for c in outcome.checks.failed) if outcome.checks else outcome.error
            raise IncidentSetupError(f"{self.incident.id}: before/ does not pass its checks ({failed})")
        if asset.history or asset.sql != before_sql:
            self._deploy(asset.sql)
            history.record(self.asset, asset.sql, deployed_at=asset.deployed, note="current deploy")
        elif not asset.history:
            history.record(self.asset, asset.sql, deployed_at=asset.deployed, note="current deploy")
        return outcome

    def _land(self, phase: str) -> None:
        """Put `phase`'s files in place of the raw files; a table new in that phase joins the catalog.

        A new table (a mapping table that arrived, the table a column moved to) is declared in
        sources.yaml like every landed table, but it is not a source of the asset until a change adds it."""
        raw = self.settings.raw_dir
        sources_yaml = self.settings.specs_dir / "sources.yaml"
        doc = yaml.safe_load(sources_yaml.read_text(encoding="utf-8")) or {"sources": []}
        declared = {s["name"] for s in doc["sources"]}
        for stem, path in self.incident.source_files(phase).items():
            for old in raw.glob(f"{stem}.*"):
                old.unlink()
            shutil.copy2(path, raw / path.name)
            if stem not in declared:
                fmt = "csv" if path.suffix == ".csv" else "parquet"
                entry = {"name": stem, "path": f"raw/{path.name}", "format": fmt, "columns": _columns(path)}
                doc["sources"].append(entry)
        sources_yaml.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    def land_late_rows(self) -> None:
        """The late rows have landed: the raw files become landed/'s (for late-data incidents)."""
        self._land("landed")

    def switch_to_after(self) -> None:
        self._land("after")
        faults = self.incident.faults
        if faults.memory_limit_mb or faults.timeout_s:
            set_limits(self.settings, self.asset, RunLimits(memory_limit_mb=faults.memory_limit_mb,
                                                            timeout_s=faults.timeout_s))  # fmt: skip

    # -- running ------------------------------------------------------------------------------------
    def run(self, *, faults: bool = True, now: datetime | None = None) -> FailedRun:
        """One production run of the asset on the current raw files, with the faults injected."""
        now = now or self.incident.now_naive_utc
        limits = limits_for(self.settings, self.asset)
        try:
            project = load_project(self.settings)
            if limits.timeout_s:
                outcome = materialize_with_wall_clock(
                    self.settings, self.asset, now=now, memory_limit_mb=limits.memory_limit_mb,
                    timeout_s=limits.timeout_s,
                )  # fmt: skip
            else:
                on_read = ReadFaults(self.incident.faults.read_failures) if faults else None
                outcome = materialize(
                    project.assets[self.asset], project, self.settings, now=now, on_read=on_read,
                    memory_limit_mb=limits.memory_limit_mb,
                )  # fmt: skip
        except SpecError as err:
            # The deploy itself does not validate: the run fails before it starts, and says so in the run log.
            error = f"SpecError: {err.render() if hasattr(err, 'render') else err}"
            sql = (self.spec_dir / f"{self.asset}.sql").read_text(encoding="utf-8")
            RunLog(self.settings.state_dir / "runs.db").append(
                RunRecord(
                    run_id=new_run_id(),
                    asset=self.asset,
                    started_at=datetime.now(UTC),
                    seconds=0.0,
                    code_version=code_version_of(sql),
                    status="error",
                    error=error,
                )
            )
            return FailedRun(outcome=None, error=error)
        except Exception as err:  # noqa: BLE001 - the failure is the point of the incident
            return FailedRun(outcome=None, error=f"{type(err).__name__}: {err}")
        return FailedRun(outcome=outcome, error=None)
