"""The left side of a proposal's page: the current code's checks replayed on the current data, computed once.

Replaying runs the transform and a Soda scan, which on a loaded machine took seconds of a reviewer's time on
every page load. The replay is kept per proposal under a key made of everything it depends on (the code the
proposal was made against, the asset's current code and checks, the state of each source), so it is computed
once, when the proposal is filed, and again only when one of those changes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.settings import Settings
from agentic_assets.state_db import StateDb

# Rows of each sample put side by side: enough to see the shape of the data, few enough to read in seconds.
SAMPLE_ROWS = 5


class FailingSide(BaseModel):
    """The current code on the current data: what fails, with a sample of the failing rows when there are some."""

    error: str | None = None
    failed_checks: list[str] = Field(default_factory=list)
    rows: list[dict[str, Any]] = Field(default_factory=list)
    replayed_at: datetime | None = Field(default=None, description="when; time-dependent checks are as of then")


class Preview(BaseModel):
    failing: FailingSide
    cached: bool = Field(default=False, description="read from the cache rather than replayed for this request")


class PreviewCache(StateDb):
    ddl = "CREATE TABLE IF NOT EXISTS previews (repair_id TEXT PRIMARY KEY, key TEXT, failing TEXT)"

    @classmethod
    def for_settings(cls, settings: Settings) -> PreviewCache:
        return cls(settings.state_dir / "review_previews.db")

    def get(self, repair_id: str, key: str) -> FailingSide | None:
        with self.reading() as con:
            row = con.execute("SELECT key, failing FROM previews WHERE repair_id = ?", (repair_id,)).fetchone()
        if row is None or row[0] != key:
            return None
        return FailingSide.model_validate_json(row[1])

    def latest(self, repair_id: str) -> FailingSide | None:
        """The replay last kept for the proposal, whatever has changed since."""
        with self.reading() as con:
            row = con.execute("SELECT failing FROM previews WHERE repair_id = ?", (repair_id,)).fetchone()
        return FailingSide.model_validate_json(row[0]) if row else None

    def put(self, repair_id: str, key: str, failing: FailingSide) -> None:
        with self.transaction() as con:
            con.execute(
                "INSERT INTO previews (repair_id, key, failing) VALUES (?, ?, ?) "
                "ON CONFLICT(repair_id) DO UPDATE SET key = excluded.key, failing = excluded.failing",
                (repair_id, key, failing.model_dump_json()),
            )


def _source_state(settings: Settings, project, source: str) -> object:  # noqa: ANN001
    """What identifies a source's data without reading it: file sizes and times, or a table's version."""
    from agentic_assets.tables.registry import store_for

    if source in project.raw_sources:
        path = settings.data_dir / project.raw_sources[source].path
        if not path.exists():
            return None
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        return [(str(p.relative_to(path.parent)), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    if source in project.assets:
        return store_for(settings, project.assets[source].spec.sink).published_version()
    return None


def preview_key(settings: Settings, project, repair: RepairRecord) -> str:  # noqa: ANN001
    """The proposal, the code it replays, the asset's current code and checks, and the state of its sources."""
    asset = project.assets[repair.asset]
    parts = {
        "repair_id": repair.repair_id,
        "base_sql": repair.base_sql or "",
        "code_version": asset.code_version or "",
        "checks": asset.checks_text,
        "sources": {s: _source_state(settings, project, s) for s in asset.spec.sources},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def replay_failing(settings: Settings, project, repair: RepairRecord) -> FailingSide:  # noqa: ANN001
    """Replay the code the proposal was made against on the current data, read-only."""
    from agentic_assets.repair.checks_replay import replay_checks
    from agentic_assets.repair.view import AssetView

    replayed_at = datetime.now(UTC)
    replay = replay_checks(AssetView(settings, project, repair.asset), repair.base_sql)
    rows = [row for check in replay.failed for row in check.failing_rows_sample][:SAMPLE_ROWS]
    return FailingSide(
        error=replay.transform_error,
        failed_checks=[f"{c.name} (got {c.value})" for c in replay.failed] + replay.scan_errors,
        rows=rows,
        replayed_at=replayed_at,
    )


def failing_preview(settings: Settings, repair: RepairRecord) -> Preview:
    """The kept replay when nothing it depends on has changed; otherwise replayed now and kept.

    Once the proposal is decided, the replay the reviewer decided on is shown and nothing is replayed: while
    the approved change is applied, its files and tables are being rewritten."""
    if repair.status != "awaiting_approval" or repair.approved_by:
        kept = PreviewCache.for_settings(settings).latest(repair.repair_id)
        return Preview(failing=kept or FailingSide(), cached=kept is not None)
    from agentic_assets.repair.project_load import load_for_repair

    try:
        project = load_for_repair(settings)
        key = preview_key(settings, project, repair)
    except Exception as err:  # noqa: BLE001 - a project that no longer loads is shown, not raised
        return Preview(failing=FailingSide(error=f"could not load the project: {type(err).__name__}: {err}"))
    cache = PreviewCache.for_settings(settings)
    found = cache.get(repair.repair_id, key)
    if found is not None:
        return Preview(failing=found, cached=True)
    try:
        failing = replay_failing(settings, project, repair)
    except Exception as err:  # noqa: BLE001 - the page still shows everything else; not kept, so retried
        return Preview(failing=FailingSide(error=f"could not replay the current code: {type(err).__name__}: {err}"))
    cache.put(repair.repair_id, key, failing)
    return Preview(failing=failing)
