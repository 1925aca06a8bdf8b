"""Run folders of a host process that was killed are swept when a pool starts."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox_runtime import WarmPool
from sandbox_runtime.mounts import mount_points_under

LEAVE_A_SANDBOX = textwrap.dedent(
    """
    import time
    from sandbox_runtime import SandboxLimits
    from sandbox_runtime.backends import get_backend

    sandbox = get_backend("bwrap").start(SandboxLimits(), preload=False)
    for i in range(50):
        (sandbox.rundir.inputs / f"part-{i}.parquet").write_bytes(b"x" * 1024)
    print(sandbox.rundir.root, flush=True)
    time.sleep(120)
    """
)


@pytest.fixture
def tmp_root() -> Iterator[Path]:
    """A temporary folder the sandbox uid may traverse, as the system's temporary folder is."""
    folder = Path(tempfile.mkdtemp(prefix="sweep-test-"))
    os.chmod(folder, 0o711)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_killed_hosts_run_folder_is_swept_when_a_pool_starts(tmp_root: Path) -> None:
    tmp_path = tmp_root
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    host = subprocess.Popen([sys.executable, "-c", LEAVE_A_SANDBOX], stdout=subprocess.PIPE, text=True, env=env)
    try:
        left = Path(host.stdout.readline().strip())
    finally:
        host.send_signal(signal.SIGKILL)
        host.wait(10)
    assert left.is_dir() and left.parent == tmp_path
    if os.geteuid() == 0:
        assert mount_points_under(left)  # its sized /out and /tmp outlived it

    live = tmp_path / "agentic-sandbox-live"  # a folder whose host is alive stays
    live.mkdir()
    lock = os.open(live / ".owner", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        saved, tempfile.tempdir = tempfile.tempdir, str(tmp_path)
        try:
            with WarmPool(size=1) as pool:
                assert pool.wait_until_full(60), pool.last_error
        finally:
            tempfile.tempdir = saved
        assert not left.exists()
        assert mount_points_under(left) == []
        assert live.is_dir()
    finally:
        os.close(lock)


@pytest.mark.skipif(os.geteuid() != 0, reason="sandbox cgroups are made by a root host")
def test_an_empty_cgroup_without_a_run_folder_is_swept(tmp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sandbox_runtime import cgroup
    from sandbox_runtime.rundir import sweep_stale

    parent = cgroup.cgroup_parent()
    assert parent is not None, "this machine offers a memory cgroup to a root host"
    orphan = parent[0] / f"{cgroup.PREFIX}orphan-{os.getpid()}"
    orphan.mkdir()
    try:
        sweep_stale(tmp_root)
        assert orphan.is_dir()  # too young: it may belong to a sandbox that is starting
        monkeypatch.setattr(cgroup, "ORPHAN_AGE_S", -1.0)
        sweep_stale(tmp_root)
        assert not orphan.exists()
    finally:
        if orphan.exists():
            orphan.rmdir()
