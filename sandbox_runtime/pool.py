"""The warm pool: sandboxes started ahead of time, each with Python, DuckDB and pyarrow already
imported and waiting for one job. A claimed sandbox leaves the pool for good (it runs one job
and is destroyed); a background thread starts replacements.

Materializations and agents share one pool per process: `run_job(job, pool=default_pool())`.
A pool that starts first sweeps the run folders (with their mounts and cgroups) that a killed
host process left behind.
A job whose limits differ from the pool's (memory, open files, output size, processes) gets a
cold sandbox instead, since rlimits are fixed when a sandbox starts; the wall-clock timeout
is always the job's own.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time

from sandbox_runtime.backends import get_backend
from sandbox_runtime.errors import SandboxStartError
from sandbox_runtime.models import SandboxLimits
from sandbox_runtime.process import SandboxProcess
from sandbox_runtime.rundir import sweep_stale, wait_for_removals

POOL_SIZE_ENV = "AGENTIC_ASSETS_SANDBOX_POOL_SIZE"
READY_TIMEOUT_S = 60.0


class WarmPool:
    def __init__(
        self,
        size: int = 2,
        backend: str | None = None,
        limits: SandboxLimits | None = None,
        *,
        start: bool = True,
    ) -> None:
        if size < 1:
            raise ValueError("a warm pool needs at least one sandbox")
        self.size = size
        self.limits = limits or SandboxLimits()
        self._backend = get_backend(backend)
        self.backend_name = self._backend.name
        if getattr(self._backend, "remote", False):
            raise ValueError(f"backend {self.backend_name!r} keeps its own warm pool")
        self._ready: list[SandboxProcess] = []
        self._starting = 0
        self._closed = False
        self._cond = threading.Condition()
        self.last_error: str | None = None
        self._filler = threading.Thread(target=self._fill, name="sandbox-pool", daemon=True)
        self._filler_started = False
        if start:
            self._start_filler()

    # -- the interface ------------------------------------------------------------------------

    def serves(self, backend: str | None, limits: SandboxLimits) -> bool:
        return (backend in (None, self.backend_name)) and limits.start_key == self.limits.start_key

    def claim(self, timeout_s: float = READY_TIMEOUT_S) -> SandboxProcess:
        """A ready sandbox, removed from the pool; waits for one if the pool is drained."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            if not self._filler_started and not self._closed:
                self._start_filler()
            while True:
                if self._closed:
                    raise RuntimeError("the warm pool is closed")
                while self._ready:
                    sandbox = self._ready.pop(0)
                    self._cond.notify_all()
                    if sandbox.alive():
                        return sandbox
                    sandbox.destroy()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SandboxStartError(
                        f"no warm sandbox within {timeout_s:g} s: {self.last_error or 'slow start'}"
                    )
                self._cond.wait(remaining)

    def run(self, job, **kwargs):  # noqa: ANN001, ANN003, ANN201 - see run_job
        from sandbox_runtime.execution import run_job

        return run_job(job, pool=self, **kwargs)

    def wait_until_full(self, timeout_s: float = READY_TIMEOUT_S) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while len(self._ready) < self.size and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return len(self._ready) >= self.size

    @property
    def ready_count(self) -> int:
        with self._cond:
            return len(self._ready)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            ready, self._ready = self._ready, []
            self._cond.notify_all()
        for sandbox in ready:
            sandbox.destroy()
        if self._filler.is_alive():
            self._filler.join(READY_TIMEOUT_S)
        wait_for_removals()

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the background filler ----------------------------------------------------------------

    def _start_filler(self) -> None:
        self._filler_started = True
        self._filler.start()

    def _fill(self) -> None:
        # In the background: a killed host may have left thousands of files on a slow disk.
        sweep_stale()
        failures = 0
        while True:
            with self._cond:
                while not self._closed and len(self._ready) + self._starting >= self.size:
                    self._cond.wait()
                if self._closed:
                    return
                self._starting += 1
            sandbox = None
            try:
                sandbox = self._backend.start(self.limits, preload=True)
                sandbox.wait_ready(READY_TIMEOUT_S)
                failures = 0
            except Exception as exc:  # noqa: BLE001 - reported through claim()
                sandbox = None
                failures += 1
                self.last_error = str(exc)
            with self._cond:
                self._starting -= 1
                if sandbox is not None and not self._closed:
                    self._ready.append(sandbox)
                    sandbox = None
                self._cond.notify_all()
            if sandbox is not None:
                sandbox.destroy()
            if failures:
                time.sleep(min(5.0, 0.1 * 2**failures))


_default: WarmPool | None = None
_default_lock = threading.Lock()


def default_pool() -> WarmPool:
    """The process-wide pool (size from $AGENTIC_ASSETS_SANDBOX_POOL_SIZE, default 2), created
    on first use and closed at exit."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = WarmPool(size=int(os.environ.get(POOL_SIZE_ENV, "2")))
            atexit.register(_close_default)
        return _default


def _close_default() -> None:
    with contextlib.suppress(Exception):
        if _default is not None:
            _default.close()
