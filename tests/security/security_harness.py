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

# A job that reports where it runs from: every place a host path could show through.
LOOK_AROUND = """
import os, sys, pyarrow as pa
def transform(inputs):
    seen = {
        "sys.path": "\\n".join(sys.path),
        "executable": sys.executable,
        "prefix": sys.prefix + " " + sys.base_prefix,
        "maps": open("/proc/self/maps").read(),
        "mountinfo": open("/proc/self/mountinfo").read(),
        "mounts": open("/proc/self/mounts").read(),
        "environ": open("/proc/self/environ").read(),
        "cwd": os.getcwd(),
        "modules": "\\n".join(str(getattr(m, "__file__", "")) for m in list(sys.modules.values())),
        "in": "\\n".join(os.path.realpath(os.path.join("/in", n)) for n in os.listdir("/in")),
    }
    return pa.table({"where": list(seen), "text": list(seen.values())})
"""

# Eight processes of 150 MB each: one by one below a 512 MB address-space limit, together (1.2 GB) not.
MEMORY_ACROSS_PROCESSES = """
import os, time
def transform(inputs):
    children = []
    for _ in range(8):
        pid = os.fork()
        if pid == 0:
            hoard = bytearray(150 << 20)
            time.sleep(3)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    return next(iter(inputs.values()))
"""


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
    backend: str | None = None  # None: the default backend (bubblewrap)

    def python(self, code: str, **limits: float) -> SandboxVerdict:
        return self._run(SandboxJob(kind="python", code=code, inputs={"data": self.data}, limits=_limits(limits)))

    def sql(self, sql: str, **limits: float) -> SandboxVerdict:
        return self._run(SandboxJob(kind="sql", code=sql, inputs={"data": self.data}, limits=_limits(limits)))

    def on(self, backend: str) -> Attack:
        """The same attack on another backend; fails when that backend is not installed."""
        if backend == "gvisor" and shutil.which("runsc") is None:
            pytest.fail("gVisor is not installed: run `apt-get install -y runsc` (make test does)")
        return Attack(self.data, backend)

    def _run(self, job: SandboxJob) -> SandboxVerdict:
        started = time.perf_counter()
        verdict = run_job(job, backend=self.backend, skip_static=True)
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
