"""Drain the queue to a target, in order; in the foreground (`lineage flush`) or on a background thread.

Background delivery is what keeps a materialization from ever waiting on DataHub: the run only enqueues, a
daemon thread sends. At interpreter exit the thread gets a few seconds to finish; whatever is left stays queued
for the next run or `agentic-assets lineage flush`.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import BaseModel

from agentic_assets.lineage.queue import QUEUE_FILE, LineageQueue
from agentic_assets.settings import Settings

log = logging.getLogger(__name__)

EXIT_BUDGET_S = 10.0
BATCH = 20


class FlushReport(BaseModel):
    target: str
    delivered: int = 0
    mcps: int = 0
    pending: int = 0
    unreadable: int = 0  # events that could not be turned into proposals: kept, with their error, not retried here
    error: str | None = None
    busy: bool = False  # another process was delivering; it will send what is queued

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def _delivery_lock(settings: Settings, wait: bool) -> Iterator[bool]:
    """One deliverer per queue at a time, so proposals reach DataHub in the order they were recorded."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.state_dir / (QUEUE_FILE + ".lock"), "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def flush(settings: Settings, to: str | None = None, *, wait: bool = True) -> FlushReport:
    """Send every queued event to the target (`to`, else the configured one); stop at the first send error."""
    from agentic_assets.lineage.mcps import event_mcps
    from agentic_assets.lineage.targets import resolve_target

    target = resolve_target(settings, to)
    queue = LineageQueue.for_settings(settings)
    report = FlushReport(target=target.describe())
    with _delivery_lock(settings, wait) as held:
        if not held:
            report.busy = True
            report.pending = len(queue)
            return report
        bad: set[int] = set()
        while True:
            batch = [q for q in queue.peek(BATCH + len(bad)) if q.seq not in bad][:BATCH]
            if not batch:
                break
            for item in batch:
                try:
                    mcps = event_mcps(item.event)
                except Exception as err:  # a bug for one event must not hold back the others
                    log.exception("lineage event %s cannot be described to DataHub", item.seq)
                    queue.failed([item.seq], f"build: {type(err).__name__}: {err}")
                    bad.add(item.seq)
                    continue
                try:
                    target.send(mcps)
                except Exception as err:
                    report.error = f"{type(err).__name__}: {err}"
                    queue.failed([item.seq], report.error)
                    report.pending = len(queue)
                    report.unreadable = len(bad)
                    return report
                queue.ack([item.seq])
                report.delivered += 1
                report.mcps += len(mcps)
    report.pending = len(queue)
    report.unreadable = len(bad)
    return report


class _Background:
    """One daemon thread per queue that keeps flushing while new events are announced."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}
        self._dirty: dict[str, Settings] = {}
        self._registered = False

    def kick(self, settings: Settings) -> None:
        key = str(settings.state_dir)
        with self._lock:
            self._dirty[key] = settings
            running = self._threads.get(key)
            if running is not None and running.is_alive():
                return
            thread = threading.Thread(target=self._run, args=(key,), name=f"lineage-delivery:{key}", daemon=True)
            self._threads[key] = thread
            if not self._registered:
                atexit.register(self.wait, EXIT_BUDGET_S)
                self._registered = True
        thread.start()

    def _run(self, key: str) -> None:
        busy_retries = 25  # about five seconds of waiting on another deliverer, then leave it to them
        while True:
            with self._lock:
                settings = self._dirty.pop(key, None)
                if settings is None:
                    self._threads.pop(key, None)
                    return
            try:
                report = flush(settings, wait=False)
                if report.busy and busy_retries > 0:
                    # Another process holds the queue; try again shortly so our own events are not stranded.
                    busy_retries -= 1
                    time.sleep(0.2)
                    with self._lock:
                        self._dirty.setdefault(key, settings)
                elif report.error:
                    log.warning(
                        "lineage not delivered to %s (%s); %d event(s) queued, run `agentic-assets lineage flush`",
                        report.target,
                        report.error,
                        report.pending,
                    )
            except Exception:
                log.exception("lineage delivery failed; events stay queued")

    def wait(self, timeout: float = EXIT_BUDGET_S) -> bool:
        """Wait for background deliveries (at most `timeout` seconds in all); True when none is running."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                threads = [t for t in self._threads.values() if t.is_alive()]
            if not threads:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            threads[0].join(min(remaining, 0.5))


background = _Background()
