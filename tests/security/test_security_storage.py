"""Memory a job could pin outside its address space: every writable place is sized, the rest is
read-only, and the kernel's cgroup limit counts the job's processes and its tmpfs pages together."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from security_harness import MEMORY_ACROSS_PROCESSES, Attack, table_of

from sandbox_runtime import SandboxLimits
from sandbox_runtime.backends import get_backend
from sandbox_runtime.cgroup import cgroup_parent, memory_limit_bytes

as_root = pytest.mark.skipif(os.geteuid() != 0, reason="sized mounts and cgroups are made by a root host")


def test_dev_shm_and_the_root_are_read_only(attack: Attack) -> None:
    code = """
import os, pyarrow as pa
def transform(inputs):
    seen = {}
    for folder in ("/dev/shm", "/", "/dev", "/opt", "/etc"):
        try:
            with open(os.path.join(folder, "hoard"), "wb") as fh:
                fh.write(b"x" * (64 << 20))
            seen[folder] = "written"
        except OSError as exc:
            seen[folder] = exc.strerror
    return pa.table({"folder": list(seen), "result": list(seen.values())})
"""
    seen = dict(zip(*table_of(attack.python(code)).values(), strict=True))
    assert set(seen.values()) == {"Read-only file system"}, seen


def test_sizes_of_the_writable_places_follow_the_limits(attack: Attack) -> None:
    code = """
import os, pyarrow as pa
def transform(inputs):
    rows = []
    for folder in ("/tmp", "/out"):
        st = os.statvfs(folder)
        rows.append((folder, st.f_blocks * st.f_frsize >> 20, st.f_files))
    return pa.table({"folder": [r[0] for r in rows], "mb": [r[1] for r in rows], "files": [r[2] for r in rows]})
"""
    verdict = attack.python(code, scratch_mb=32, max_output_mb=48, max_files=500)
    seen = table_of(verdict)
    sizes = dict(zip(seen["folder"], zip(seen["mb"], seen["files"], strict=True), strict=True))
    assert sizes["/tmp"][0] == 32
    if os.geteuid() == 0:  # the host mounts both with an inode limit
        assert sizes == {"/tmp": (32, 500), "/out": (48, 500)}


def test_filling_tmp_stops_at_its_size(attack: Attack) -> None:
    code = """
def transform(inputs):
    with open("/tmp/hoard", "wb") as fh:
        for _ in range(1024):
            fh.write(b"x" * (1 << 20))
"""
    verdict = attack.python(code, scratch_mb=32)
    assert verdict.reason == "output_invalid" and "a writable place is full" in verdict.message, verdict
    assert "No space left on device" in verdict.message


@as_root
def test_many_empty_files_stop_at_the_inode_limit(attack: Attack) -> None:
    code = """
import itertools
def transform(inputs):
    for folder in ("/out", "/tmp"):
        for i in itertools.count():
            open(f"{folder}/{i}", "w").close()
"""
    verdict = attack.python(code, max_files=2000, timeout_s=20)
    # Refused by the kernel's inode limit, not ended by the timeout (that verdict would say `timeout`).
    assert verdict.reason == "output_invalid" and "2000 files" in verdict.message, verdict


@as_root
@pytest.mark.parametrize("backend", ["bwrap", pytest.param("gvisor", marks=pytest.mark.slow)])
def test_processes_together_are_held_to_the_cgroup_limit(backend: str, attack: Attack, responsive) -> None:  # noqa: ANN001
    assert cgroup_parent() is not None, "this machine offers a memory cgroup to a root host"
    # The cgroup around the sandbox (around runsc for gVisor) stops them together.
    verdict = responsive(
        lambda: attack.on(backend).python(
            MEMORY_ACROSS_PROCESSES, memory_mb=512, scratch_mb=16, max_output_mb=16, timeout_s=25
        )
    )
    assert verdict.reason == "memory" and "killed by the kernel" in verdict.message, verdict


@as_root
def test_tmpfs_pages_are_charged_to_the_sandbox_cgroup(tmp_path: Path) -> None:
    """What a job leaves in /tmp counts against its cgroup while it runs."""
    limits = SandboxLimits(scratch_mb=96, timeout_s=20)
    sandbox = get_backend("bwrap").start(limits, preload=False)
    assert sandbox.cgroup is not None
    v1 = sandbox.cgroup.version == 1
    usage_file = sandbox.cgroup.path / ("memory.usage_in_bytes" if v1 else "memory.current")
    limit = (sandbox.cgroup.path / ("memory.limit_in_bytes" if v1 else "memory.max")).read_text()
    assert int(limit) == memory_limit_bytes(limits) == (512 + 96 + 256) << 20
    code = (
        "import time\n"
        "def transform(inputs):\n"
        "    with open('/tmp/hoard', 'wb') as fh:\n"
        "        fh.write(b'x' * (80 << 20))\n"
        "    time.sleep(20)\n"
    )
    spec = {"kind": "python", "code": code, "inputs": {}, "output_path": "/out/output.parquet"}
    runner = threading.Thread(target=sandbox.execute, args=(spec, 8), daemon=True)
    runner.start()
    peak = 0
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and peak < 80 << 20:
        peak = max(peak, int(usage_file.read_text()))
        time.sleep(0.05)
    sandbox.kill()
    runner.join(10)
    cgroup_dir = sandbox.cgroup.path
    sandbox.destroy()
    assert peak >= 80 << 20, f"cgroup usage peaked at {peak >> 20} MB"
    from sandbox_runtime.rundir import wait_for_removals

    wait_for_removals()
    assert not cgroup_dir.exists() and not sandbox.rundir.root.exists()
