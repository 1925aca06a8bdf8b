"""Approved proposals applied in the background, so the reviewer's decision is recorded and shown at once.

The approval itself is recorded before the reviewer's request returns (`gate.record_approval`); applying it
(promotion, the write-audit-publish re-materialization, the publish recorded in Dagster, the Dagster UI's code
reload) then runs on one worker thread, and the proposal's page follows it phase by phase until it is done.
One thread, because two promotions at once would both rewrite the project's files (sources.yaml).

A review page stopped while applying leaves the proposal approved but not applied; the page says so, and the
Dagster job `apply_proposal` applies it (the approval is checked again there, as here).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from agentic_assets.review_app.config import ReviewConfig
from agentic_assets.settings import Settings

log = logging.getLogger(__name__)
# How long the background reload of the Dagster UI's code location may take (seconds): it restarts the code
# server, which on the loaded 2-core machine took minutes; nobody waits for it, so it is given the time.
RELOAD_TIMEOUT_S = 300.0
# The run id under which Dagster keeps events reported without a run (`report_runless_asset_event`); its
# SQLite shard is created and schema-checked on first use, which cost the first approval a second or more.
RUNLESS_RUN_ID = ""

# What each stage of the re-materialization is called on the page (write-audit-publish's stage names).
STAGE_LABELS = {
    "read": "reading the sources",
    "transform": "running the approved transform",
    "stage": "staging the new table version",
    "audit": "running the checks on the staged table",
    "publish": "publishing",
    "done": "published",
}


class Phase(BaseModel):
    name: str
    label: str
    at_s: float = Field(description="seconds since the reviewer submitted the decision")


class Progress(BaseModel):
    """One approved proposal being applied, as its page shows it."""

    repair_id: str
    approver: str
    submitted_at: datetime
    phases: list[Phase] = Field(default_factory=list)
    done: bool = False
    status: str | None = Field(default=None, description="the repair's status once applied (promoted, failed)")
    error: str | None = None
    recorded_in_dagster: bool = False
    table_version: int | None = None

    def seconds(self, name: str) -> float | None:
        return next((p.at_s for p in self.phases if p.name == name), None)


def _dagster_instance():  # noqa: ANN202
    """The Dagster instance the UI shows (DAGSTER_HOME), to record a publish in; None without one."""
    import os

    if not os.environ.get("DAGSTER_HOME"):
        return None
    import dagster as dg

    return dg.DagsterInstance.get()


class ApplyWorker:
    def __init__(self, settings: Settings, config: ReviewConfig) -> None:
        self.settings, self.config = settings, config
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="apply")
        self._lock = threading.Lock()
        self._progress: dict[str, Progress] = {}
        self._instance = None  # opened once, on the worker thread, and kept: opening one costs seconds

    def progress(self, repair_id: str) -> Progress | None:
        with self._lock:
            found = self._progress.get(repair_id)
            return found.model_copy(deep=True) if found else None

    def _mark(self, progress: Progress, started: float, name: str, label: str) -> None:
        with self._lock:
            progress.phases.append(Phase(name=name, label=label, at_s=round(time.perf_counter() - started, 3)))

    def submit(self, repair_id: str, approver: str, started: float) -> Progress:
        """Apply an approval already recorded; `started` is when the reviewer's request arrived (perf_counter)."""
        progress = Progress(repair_id=repair_id, approver=approver, submitted_at=datetime.now(UTC))
        with self._lock:
            self._progress[repair_id] = progress
        self._mark(progress, started, "decision_recorded", f"approval by {approver} recorded")
        self._pool.submit(self._apply, progress, started)
        return progress

    def warm(self) -> None:
        """Open the Dagster instance and its event log now, on the worker thread, not on the first approval.

        Opening the instance and its event-log databases (each schema-checked on first use) took 6.6 s on an
        idle machine: the first approval waited for it. Only reads: no event is written."""
        self._pool.submit(self._open_instance)

    def _open_instance(self):  # noqa: ANN202
        if self._instance is None:
            self._instance = _dagster_instance()
            if self._instance is not None:
                self._instance.get_asset_keys(limit=1)  # the index shard: materializations, check results
                self._instance.get_records_for_run(RUNLESS_RUN_ID, limit=1)  # the runless events' own shard
        return self._instance

    def _apply(self, progress: Progress, started: float) -> None:
        from agentic_assets.review_app.applying import apply_and_record, reload_code_location, report_to_instance

        self._mark(progress, started, "applying", "applying the proposal")
        try:
            instance = self._open_instance()
            emit = report_to_instance(instance) if instance is not None else None

            def on_stage(_asset: str, stage: str) -> None:
                self._mark(progress, started, stage, STAGE_LABELS.get(stage, stage))

            def on_promoted() -> None:
                self._mark(progress, started, "promoted", "promoted: code frozen and committed, audit recorded")

            applied = apply_and_record(self.settings, progress.repair_id, emit, on_stage, on_promoted)
        except Exception as err:  # noqa: BLE001 - shown on the page; the proposal stays approved, not applied
            log.exception("applying %s failed", progress.repair_id)
            with self._lock:
                progress.done, progress.error = True, f"{type(err).__name__}: {err}"
            return
        if applied.recorded_in_dagster:
            self._mark(progress, started, "recorded_in_dagster", "the publish and its checks recorded in Dagster")
        with self._lock:
            progress.status, progress.error = applied.status, applied.error
            progress.recorded_in_dagster, progress.table_version = applied.recorded_in_dagster, applied.table_version
            progress.done = True
        # After "applied" is shown: the UI shows the new SQL and code version once its code location reloads,
        # which on a loaded machine takes longer than the whole application before it.
        if applied.status == "promoted" and self.config.dagster_url:
            if reload_code_location(self.config.dagster_url, timeout=RELOAD_TIMEOUT_S):
                self._mark(progress, started, "ui_reloaded", "the Dagster UI reloaded the promoted code")
            else:
                self._mark(progress, started, "ui_reload_failed", "the Dagster UI did not confirm its reload")

    def close(self) -> None:
        """Waits for an application under way (a half-applied change is put back by promotion, not here)."""
        self._pool.shutdown(wait=True)
        if self._instance is not None:
            self._instance.dispose()
