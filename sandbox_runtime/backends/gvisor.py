"""The stronger local backend: gVisor's `runsc run` with a curated OCI bundle.

The job's system calls are served by gVisor's user-space kernel, not the host's. The root
filesystem is an empty read-only directory; only /usr, the interpreter, the venv and the two
project packages (read-only, at /opt/python, /opt/venv, /opt/app), /in (read-only), /tmp and
/out (writable, the host's sized tmpfs mounts as for bubblewrap) are mounted; /dev/shm is a
read-only empty folder. Never `runsc do`: it exposes the host filesystem. CPU-time rlimits are
not enforced inside gVisor (measured), so the wall-clock timeout outside is what stops a busy
loop; after a kill the container is removed with `runsc delete --force`.

Memory: this runsc has no flag of its own for it (no `--total-memory`), and configuring its
own cgroup crashes it, so it runs with `--ignore-cgroups` inside a memory cgroup the host makes
(cgroup.py) and joins before exec'ing runsc: the sentry, the gofer and the ptrace stubs inherit
it, the kernel counts every page of the job and of gVisor together and kills the sandbox at
the limit. Where no such cgroup can be made the backend is unavailable and says why, rather
than running a job whose memory nothing bounds.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from functools import cache
from pathlib import Path

from sandbox_runtime.backends.base import (
    Backend,
    join_cgroup,
    local_env,
    runner_argv,
    runtime_layout,
    sandbox_cgroup,
    sandbox_ids,
)
from sandbox_runtime.cgroup import cgroup_parent
from sandbox_runtime.errors import SandboxUnavailable
from sandbox_runtime.models import SandboxLimits
from sandbox_runtime.process import SandboxProcess
from sandbox_runtime.rundir import INSIDE_IN, INSIDE_OUT, RunDir

INSTALL_HINT = "install gVisor (`apt-get install -y runsc`)"
# What runsc's own processes (the `run` supervisor, the sentry kernel, the gofer file server)
# may hold beside the job, added to the job's limits in the cgroup around them. Measured here:
# the whole cgroup peaked at 45 MB for a trivial SQL job and 73 MB for a 1,000,000-row
# aggregation (runsc, sentry, gofer and the job's Python with DuckDB together); 128 MB leaves
# room for the sentry's page tables and file cache growing with a job's inputs, and stays far
# below what a job must not pin (one more address-space limit's worth).
RUNTIME_MB = 128


@cache
def _runsc() -> str | None:
    return shutil.which("runsc")


def _state_root() -> str:
    root = Path(tempfile.gettempdir()) / "agentic-sandbox-runsc"
    root.mkdir(mode=0o700, exist_ok=True)
    return str(root)


def _global_flags() -> list[str]:
    return [
        f"--root={_state_root()}",
        "--platform=ptrace",
        "--network=none",
        # A pids cgroup limit crashes this runsc; limits are rlimits and the wall clock.
        "--ignore-cgroups",
    ]


def _bind(host: str, inside: str, *, writable: bool = False) -> dict:
    return {
        "destination": inside,
        "type": "bind",
        "source": host,
        "options": ["rbind", "rw" if writable else "ro", "nosuid", "nodev"],
    }


def _empty(rundir: RunDir) -> Path:
    folder = rundir.stage / ".empty"
    folder.mkdir(exist_ok=True)
    return folder


def oci_config(rundir: RunDir, rootfs: Path, limits: SandboxLimits, *, preload: bool, uid: int, gid: int) -> dict:
    mb = 1 << 20
    if rundir.sized:
        scratch = _bind(str(rundir.scratch), "/tmp", writable=True)
    else:
        options = ["nosuid", "nodev", f"size={limits.scratch_mb}m", f"nr_inodes={limits.max_files}"]
        scratch = {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": options}
    mounts = [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        scratch,
        # runsc gives /dev/shm a tmpfs of its own, sized only by the sandbox's memory: an
        # empty, read-only folder instead.
        _bind(str(_empty(rundir)), "/dev/shm"),
        _bind("/usr", "/usr"),
        *(_bind(rundir.read_only_view(host), inside) for host, inside in runtime_layout().mounts),
        _bind(str(rundir.inputs), INSIDE_IN),
        _bind(str(rundir.outputs), INSIDE_OUT, writable=True),
    ]
    for mount in mounts:
        (rootfs / mount["destination"].lstrip("/")).mkdir(parents=True, exist_ok=True)
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        host = Path("/") / name
        if host.is_symlink() and not (rootfs / name).exists():
            os.symlink(os.readlink(host), rootfs / name)

    def rlimit(kind: str, value: int) -> dict:
        return {"type": kind, "hard": value, "soft": value}

    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": uid, "gid": gid},
            "args": runner_argv(preload),
            "env": [f"{k}={v}" for k, v in local_env().items()],
            "cwd": "/tmp",
            "capabilities": {k: [] for k in ("bounding", "effective", "inheritable", "permitted", "ambient")},
            "rlimits": [
                rlimit("RLIMIT_AS", limits.memory_mb * mb),
                rlimit("RLIMIT_CPU", limits.effective_cpu_s),
                rlimit("RLIMIT_NOFILE", limits.open_files),
                rlimit("RLIMIT_FSIZE", limits.max_output_mb * mb),
                rlimit("RLIMIT_NPROC", limits.processes),
                rlimit("RLIMIT_CORE", 0),
            ],
            "noNewPrivileges": True,
        },
        "root": {"path": str(rootfs), "readonly": True},
        "hostname": "sandbox",
        "mounts": mounts,
        "linux": {
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
            "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"],
        },
    }


class GvisorBackend(Backend):
    name = "gvisor"

    def unavailable_reason(self) -> str | None:
        if not _runsc():
            return f"`runsc` not found; {INSTALL_HINT}"
        if os.geteuid() != 0:
            return "runsc needs root to create its sandbox here; run as root or use the bwrap backend"
        if cgroup_parent() is None:
            # Inside gVisor, RLIMIT_AS holds per process only and tmpfs pages belong to none:
            # without a cgroup around runsc a job's memory would be unbounded.
            return (
                "no writable memory cgroup here, and gVisor bounds a job's memory only through one "
                "around runsc (this runsc crashes configuring its own, so it runs with "
                "--ignore-cgroups); delegate one in $AGENTIC_ASSETS_SANDBOX_CGROUP or use the bwrap backend"
            )
        return None

    def start(self, limits: SandboxLimits, *, preload: bool) -> SandboxProcess:
        self.ensure_available()
        uid, gid = sandbox_ids()
        rundir = RunDir(uid, gid, limits=limits)
        container = f"agentic-{uuid.uuid4().hex[:16]}"
        bundle = rundir.root / "bundle"
        rootfs = bundle / "rootfs"
        try:
            rootfs.mkdir(parents=True)
            config = oci_config(rundir, rootfs, limits, preload=preload, uid=uid, gid=gid)
            (bundle / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
        except BaseException:
            rundir.remove()
            raise
        cgroup = None
        try:
            # runsc leaves cgroups alone (--ignore-cgroups) and its sentry and gofer inherit
            # this one: the kernel counts the job's memory (the sentry's memory file), its
            # tmpfs pages and gVisor's own, and kills the sandbox at the limit.
            cgroup = sandbox_cgroup(rundir, limits, RUNTIME_MB)
            if cgroup is None:
                raise SandboxUnavailable(f"sandbox backend 'gvisor' is not available: {self.unavailable_reason()}")
        except BaseException:
            rundir.remove()
            raise
        argv = join_cgroup(cgroup.procs, [_runsc(), *_global_flags(), "run", "--bundle", str(bundle), container])

        def runsc(*args: str) -> None:
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                subprocess.run([_runsc(), *_global_flags(), *args], capture_output=True, timeout=30, env={})

        def kill(_proc: object = None) -> None:
            # SIGKILL to every process first: `delete --force` alone waits seconds for a busy job.
            runsc("kill", "--all", container, "KILL")
            runsc("delete", "--force", container)

        return SandboxProcess(
            backend=self.name,
            argv=argv,
            rundir=rundir,
            max_output_bytes=limits.max_output_mb << 20,
            max_output_files=limits.max_files,
            kill=kill,
            cgroup=cgroup,
            on_destroy=lambda: runsc("delete", "--force", container),
        )
