"""Faults injected into an incident's failing run, for real: read errors from the source reader, DuckDB's
memory limit, and a wall-clock limit enforced by running the materialization in a child process."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime

from agentic_assets.materialize.run_log import RunLog, RunRecord, exception_lineage
from agentic_assets.materialize.wap import MaterializationOutcome, materialize, new_run_id
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project


class InjectedReadError(OSError):
    """A transient I/O failure of the object store, as the reader sees it."""


class ReadFaults:
    """`on_read` hook: the first N opens of a source fail. Counted across the runner's own retries."""

    def __init__(self, failures: dict[str, int]) -> None:
        self.failures = dict(failures)
        self.reads: dict[str, int] = {}

    def __call__(self, source: str) -> None:
        self.reads[source] = self.reads.get(source, 0) + 1
        if self.reads[source] <= self.failures.get(source, 0):
            raise InjectedReadError(
                f"IO Error: transient failure reading source '{source}' from the object store "
                f"(read {self.reads[source]}: connection reset by peer)"
            )


def _child(settings_json: str, asset: str, now: datetime | None, memory_mb: int | None, run_id: str, conn) -> None:  # noqa: ANN001
    settings = Settings.model_validate_json(settings_json)
    project = load_project(settings)
    try:
        outcome = materialize(
            project.assets[asset], project, settings, run_id=run_id, now=now, memory_limit_mb=memory_mb
        )
        conn.send(("ok", outcome.model_dump_json()))
    except BaseException as err:  # noqa: BLE001 - sent to the parent as the run's error
        conn.send(("error", f"{type(err).__name__}: {err}"))


def materialize_with_wall_clock(
    settings: Settings, asset: str, *, now: datetime | None, memory_limit_mb: int | None, timeout_s: float
) -> MaterializationOutcome:
    """Materialize in a child process and kill it at the wall-clock limit (DuckDB has no statement timeout).

    A killed run never reaches publish; its run record says why."""
    ctx = multiprocessing.get_context("forkserver")
    parent, child = ctx.Pipe(duplex=False)
    run_id = new_run_id()
    proc = ctx.Process(
        target=_child, args=(settings.model_dump_json(), asset, now, memory_limit_mb, run_id, child), daemon=True
    )
    started = datetime.now(UTC)
    proc.start()
    child.close()
    if parent.poll(timeout_s):
        kind, payload = parent.recv()
        proc.join(5)
        if kind == "ok":
            return MaterializationOutcome.model_validate_json(payload)
        raise RuntimeError(payload)
    proc.kill()
    proc.join(5)
    message = f"TimeoutError: the run exceeded its wall-clock limit of {timeout_s:g} s and was stopped"
    RunLog(settings.state_dir / "runs.db").append(
        RunRecord(
            run_id=run_id,
            asset=asset,
            started_at=started,
            seconds=timeout_s,
            code_version=load_project(settings).assets[asset].code_version,
            status="error",
            error=message,
            error_types=exception_lineage(TimeoutError(message)),
        )
    )
    raise TimeoutError(message)
