"""Attack harness (its fixtures are registered in conftest.py): every attack runs with static
validation skipped, so the isolation itself is what stops it. Each attack must come back
with a verdict within its timeout plus a margin."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sandbox_runtime import SandboxJob, SandboxLimits, SandboxVerdict, run_job

VERDICT_MARGIN_S = 3.0


@pytest.fixture(scope="session", autouse=True)
def bwrap_installed() -> None:
    if shutil.which("bwrap") is None:
        pytest.fail("bubblewrap is not installed: run `apt-get install -y bubblewrap` (make test does)")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"id": [1, 2, 3], "note": ["a", "b", "c"]}), path)
    return path


@pytest.fixture(autouse=True)
def outputs_in_tmp_path(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """run_job without a workdir makes a folder the caller owns; in tests, pytest owns it."""
    from sandbox_runtime import execution

    monkeypatch.setattr(execution, "output_dir", lambda: tmp_path_factory.mktemp("sandbox-output"))


@dataclass
class Attack:
    data: Path

    def python(self, code: str, **limits: float) -> SandboxVerdict:
        return self._run(SandboxJob(kind="python", code=code, inputs={"data": self.data}, limits=_limits(limits)))

    def sql(self, sql: str, **limits: float) -> SandboxVerdict:
        return self._run(SandboxJob(kind="sql", code=sql, inputs={"data": self.data}, limits=_limits(limits)))

    @staticmethod
    def _run(job: SandboxJob) -> SandboxVerdict:
        started = time.perf_counter()
        verdict = run_job(job, skip_static=True)
        elapsed = time.perf_counter() - started
        assert elapsed < job.limits.timeout_s + VERDICT_MARGIN_S, f"verdict took {elapsed:.1f} s"
        return verdict


def _limits(values: dict) -> SandboxLimits:
    return SandboxLimits(**{"timeout_s": 20, **values})


@pytest.fixture
def attack(data: Path) -> Attack:
    return Attack(data)


def table_of(verdict: SandboxVerdict) -> dict[str, list]:
    assert verdict.ok and verdict.output_path is not None, verdict
    return pq.read_table(verdict.output_path).to_pydict()


@dataclass
class Listener:
    """A TCP listener on 127.0.0.1 that records every connection and byte it receives."""

    port: int = 0
    connections: int = 0
    received: bytes = b""
    _sock: socket.socket = field(default_factory=lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.settimeout(1)
            with contextlib.suppress(OSError):
                self.received += conn.recv(65536)
            conn.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    server._sock.bind(("127.0.0.1", 0))
    server._sock.listen(16)
    server.port = server._sock.getsockname()[1]
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield server
    server._sock.close()


@pytest.fixture
def responsive() -> Callable[[Callable[[], SandboxVerdict]], SandboxVerdict]:
    """Run an attack while the host keeps starting processes; none may take over a second."""

    def check(run: Callable[[], SandboxVerdict]) -> SandboxVerdict:
        latencies: list[float] = []
        done = threading.Event()

        def probe() -> None:
            while not done.is_set():
                started = time.perf_counter()
                subprocess.run(["true"], check=True)
                latencies.append(time.perf_counter() - started)
                time.sleep(0.05)

        thread = threading.Thread(target=probe, daemon=True)
        thread.start()
        try:
            verdict = run()
        finally:
            done.set()
            thread.join()
        assert latencies and max(latencies) < 1.0, f"host stalled: {max(latencies):.2f} s"
        return verdict

    return check


def processes_with(marker: str) -> list[int]:
    """Host pids whose command line contains `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found
