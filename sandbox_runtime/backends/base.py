"""What every backend shares: the interface, and what a local sandbox must see of the host.

Inside a local sandbox the interpreter, the virtualenv and the two project packages the runner
needs appear read-only at neutral paths — /opt/python, /opt/venv, /opt/app — so no path of the
host's checkout, home or run folder shows in `sys.path`, in `/proc/self/maps` or in error
messages. The interpreter is started directly (not through the venv's symlink, which names
its host path) and the runner adds the venv's site-packages itself.
"""

from __future__ import annotations

import os
import secrets
import shutil
import site
import sys
import sysconfig
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sandbox_runtime.cgroup import SandboxCgroup, cgroup_parent
from sandbox_runtime.errors import SandboxUnavailable
from sandbox_runtime.models import SandboxLimits
from sandbox_runtime.process import SandboxProcess
from sandbox_runtime.rundir import RunDir

# Host uids the sandboxes run as when the host runs as root: one random uid per sandbox, so
# per-user limits (RLIMIT_NPROC) of one job never starve another.
SANDBOX_UID_RANGE = (200_000, 260_000)
RUNNER = Path(__file__).resolve().parent.parent / "runner.py"
INSIDE_PYTHON = "/opt/python"
INSIDE_VENV = "/opt/venv"
INSIDE_APP = "/opt/app"


class Backend(ABC):
    name: str

    @abstractmethod
    def unavailable_reason(self) -> str | None:
        """None if the backend can run here, else what is missing and how to install it."""

    def ensure_available(self) -> None:
        reason = self.unavailable_reason()
        if reason:
            raise SandboxUnavailable(f"sandbox backend {self.name!r} is not available: {reason}")

    @abstractmethod
    def start(self, limits: SandboxLimits, *, preload: bool) -> SandboxProcess:
        """Start one sandbox whose runner waits for one job on stdin."""


@dataclass(frozen=True)
class RuntimeLayout:
    """Host folders bound read-only into a local sandbox, and how the runner is started there."""

    mounts: tuple[tuple[str, str], ...]  # (host folder, path inside)
    interpreter: str  # inside
    site_dirs: tuple[str, ...]  # inside, added by the runner
    library_path: str | None  # inside; for an interpreter linked against its own libpython


def _inside(path: Path, host_root: Path, inside_root: str) -> str:
    return str(Path(inside_root) / path.relative_to(host_root))


@cache
def runtime_layout() -> RuntimeLayout:
    import asset_checks

    base = Path(sys.base_prefix).resolve()
    executable = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    if not executable.is_relative_to(base):
        base = executable.parent.parent
    mounts: list[tuple[str, str]] = []
    if base == Path("/usr") or base.is_relative_to("/usr"):
        python_root = str(base)  # a system interpreter: /usr is bound as a whole
    else:
        python_root = INSIDE_PYTHON
        mounts.append((str(base), INSIDE_PYTHON))
    venv = Path(sys.prefix).resolve()
    sites: list[str] = []
    if venv != base:
        mounts.append((str(venv), INSIDE_VENV))
        for folder in dict.fromkeys(site.getsitepackages([sys.prefix])):
            resolved = Path(folder).resolve()
            if resolved.is_relative_to(venv):
                sites.append(_inside(resolved, venv, INSIDE_VENV))
    else:
        purelib = Path(sysconfig.get_paths()["purelib"]).resolve()
        if purelib.is_relative_to(base):
            sites.append(_inside(purelib, base, python_root))
    mounts.append((str(RUNNER.parent), f"{INSIDE_APP}/sandbox_runtime"))
    mounts.append((str(Path(asset_checks.__file__).resolve().parent), f"{INSIDE_APP}/asset_checks"))
    sites.append(INSIDE_APP)
    library_path = None
    libdir = sysconfig.get_config_var("LIBDIR")
    if sysconfig.get_config_var("Py_ENABLE_SHARED") and libdir and Path(libdir).resolve().is_relative_to(base):
        # Its RUNPATH names the host folder, which does not exist inside.
        library_path = _inside(Path(libdir).resolve(), base, python_root)
    return RuntimeLayout(
        mounts=tuple(mounts),
        interpreter=_inside(executable, base, python_root),
        site_dirs=tuple(sites),
        library_path=library_path,
    )


def runner_argv(preload: bool) -> list[str]:
    """-I: no environment variables, no user site, no script folder on sys.path; -S: no site
    import at start-up, the runner adds exactly the venv's site-packages and /opt/app."""
    layout = runtime_layout()
    paths = [arg for folder in layout.site_dirs for arg in ("--path", folder)]
    runner = f"{INSIDE_APP}/sandbox_runtime/{RUNNER.name}"
    return [layout.interpreter, "-I", "-S", runner, *paths, *(["--preload"] if preload else [])]


def local_env() -> dict[str, str]:
    """The environment of a local sandbox: `sandbox_env()` plus where libpython is inside."""
    env = sandbox_env()
    if runtime_layout().library_path:
        env["LD_LIBRARY_PATH"] = runtime_layout().library_path
    return env


def sandbox_env() -> dict[str, str]:
    """The complete environment inside; nothing is inherited from the caller."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        # Under an address-space limit, glibc's per-thread arenas and Arrow's jemalloc
        # reservations alone exceed 512 MB; these keep pyarrow + DuckDB inside it.
        "MALLOC_ARENA_MAX": "1",
        "ARROW_DEFAULT_MEMORY_POOL": "system",
        "ARROW_IO_THREADS": "2",
        "OMP_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "SODA_CONFIG_DIR": "/tmp/soda",
    }


def sandbox_ids() -> tuple[int, int]:
    """The host uid/gid a new sandbox runs as."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    uid = SANDBOX_UID_RANGE[0] + secrets.randbelow(SANDBOX_UID_RANGE[1] - SANDBOX_UID_RANGE[0])
    return uid, uid


def duckdb_memory_mb(limits: SandboxLimits) -> int:
    # The address-space limit also covers the interpreter, the libraries and thread stacks.
    return max(64, int(limits.memory_mb * 0.5) - 64)


def sandbox_cgroup(rundir: RunDir, limits: SandboxLimits, runtime_mb: int = 0) -> SandboxCgroup | None:
    """The sandbox's own memory cgroup, named after its run folder; None where the host may
    not create one (then the rlimits and the sized mounts are the bounds)."""
    if os.geteuid() != 0 or cgroup_parent() is None:
        return None
    return SandboxCgroup(rundir.root.name, limits, runtime_mb)


def join_cgroup(procs: Path, argv: list[str]) -> list[str]:
    """Prefix `argv` so that its first process joins the cgroup before anything allocates."""
    return [shutil.which("sh") or "/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(procs), *argv]
