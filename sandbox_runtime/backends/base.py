"""What every backend shares: the interface, and what a local sandbox must see of the host.

Inside a sandbox the interpreter, the virtualenv and the two project packages the runner needs
appear read-only at their host paths (so the venv's own paths keep working); nothing else of
the host's home or project is visible.
"""

from __future__ import annotations

import os
import secrets
import sys
from abc import ABC, abstractmethod
from functools import cache
from pathlib import Path

from sandbox_runtime.errors import SandboxUnavailable
from sandbox_runtime.models import SandboxLimits
from sandbox_runtime.process import SandboxProcess

# Host uids the sandboxes run as when the host runs as root: one random uid per sandbox, so
# per-user limits (RLIMIT_NPROC) of one job never starve another.
SANDBOX_UID_RANGE = (200_000, 260_000)
RUNNER = Path(__file__).resolve().parent.parent / "runner.py"


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


@cache
def runtime_paths() -> tuple[str, ...]:
    """Host directories the runner needs, outermost first and without duplicates."""
    import asset_checks

    candidates = [
        Path(sys.base_prefix),
        Path(sys.prefix),
        Path(sys.executable).resolve().parent.parent,
        RUNNER.parent,
        Path(asset_checks.__file__).resolve().parent,
    ]
    chosen: list[Path] = []
    for path in sorted({c.resolve() for c in candidates}, key=lambda p: len(p.parts)):
        if path == Path("/usr") or path.is_relative_to("/usr"):
            continue  # /usr is bound as a whole
        if not any(path.is_relative_to(parent) for parent in chosen):
            chosen.append(path)
    # Paths as the venv refers to them (symlinks unresolved) must also exist inside.
    for raw in (Path(sys.prefix), Path(sys.base_prefix)):
        if raw.resolve() != raw and not raw.is_relative_to("/usr"):
            chosen.append(raw)
    return tuple(str(p) for p in chosen)


def interpreter() -> str:
    return sys.executable


def runner_argv(preload: bool) -> list[str]:
    # -I: no environment variables, no user site, no current directory on sys.path.
    return [interpreter(), "-I", str(RUNNER), *(["--preload"] if preload else [])]


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


def reachable_by_others(path: str) -> bool:
    """Whether an unrelated uid can traverse to and read `path` (world x on every ancestor)."""
    current = Path(path)
    try:
        if os.stat(current).st_mode & 0o005 != 0o005:
            return False
        for parent in current.parents:
            if not os.stat(parent).st_mode & 0o001:
                return False
    except OSError:
        return False
    return True


def duckdb_memory_mb(limits: SandboxLimits) -> int:
    # The address-space limit also covers the interpreter, the libraries and thread stacks.
    return max(64, int(limits.memory_mb * 0.5) - 64)
