"""One memory cgroup per sandbox, below the host process's own, where the host may create it.

Address-space rlimits hold per process, and tmpfs pages belong to no process at all; the
memory cgroup counts both — every process of the job together, and every page it wrote into
a tmpfs — and the kernel's OOM killer ends the job at the limit. The limit is what the job may
legitimately pin: its memory plus every writable tmpfs filled to its size.

Found, in this order: $AGENTIC_ASSETS_SANDBOX_CGROUP (a delegated cgroup folder, v1 memory or
v2 with the memory controller enabled for children); the process's own cgroup in the v1 memory
hierarchy; its own v2 cgroup when that already hands the memory controller to children.
Without one, the sandbox runs with its rlimits and sized mounts only (`cgroup_parent()` is
None and `agentic-assets sandbox backends` says so).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from sandbox_runtime.models import SandboxLimits

CGROUP_ENV = "AGENTIC_ASSETS_SANDBOX_CGROUP"
PREFIX = "agentic-sandbox-"
# A sandbox's first process joins its cgroup milliseconds after the cgroup is made; one that
# has been empty for a minute belongs to no sandbox that is still starting.
ORPHAN_AGE_S = 60.0


def memory_limit_bytes(limits: SandboxLimits, runtime_mb: int = 0) -> int:
    """The job's memory plus /tmp and /out filled to their sizes, plus what the sandbox's own
    runtime needs beside the job (`runtime_mb`: gVisor's kernel and file server)."""
    return (limits.memory_mb + limits.scratch_mb + limits.max_output_mb + runtime_mb) << 20


def _mounts() -> list[tuple[str, str, str]]:
    """(mount point, filesystem type, super options) of every cgroup mount."""
    found = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines():
            left, _, right = line.partition(" - ")
            fields, tail = left.split(" "), right.split(" ")
            if len(fields) > 4 and len(tail) > 2 and tail[0] in ("cgroup", "cgroup2"):
                found.append((fields[4], tail[0], tail[2]))
    return found


def _own_paths() -> dict[str, str]:
    """Controller ('' for v2) -> this process's cgroup path."""
    paths = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text(encoding="utf-8").splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                paths[name] = path
    return paths


def _usable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


@cache
def cgroup_parent() -> tuple[Path, int] | None:
    """(folder the sandboxes' cgroups are created in, cgroup version) or None."""
    configured = os.environ.get(CGROUP_ENV)
    if configured:
        folder = Path(configured)
        version = 2 if (folder / "cgroup.controllers").exists() else 1
        return (folder, version) if _usable(folder) else None
    own = _own_paths()
    for point, kind, options in _mounts():
        if kind == "cgroup" and "memory" in options.split(",") and "memory" in own:
            folder = Path(point) / own["memory"].lstrip("/")
            if _usable(folder) and (folder / "memory.limit_in_bytes").exists():
                return folder, 1
    for point, kind, _ in _mounts():
        if kind == "cgroup2" and "" in own:
            folder = Path(point) / own[""].lstrip("/")
            with contextlib.suppress(OSError):
                if "memory" in (folder / "cgroup.subtree_control").read_text().split() and _usable(folder):
                    return folder, 2
    return None


class SandboxCgroup:
    """A memory cgroup for one sandbox; processes join it by writing their pid to `procs`."""

    def __init__(self, name: str, limits: SandboxLimits, runtime_mb: int = 0) -> None:
        parent = cgroup_parent()
        if parent is None:
            raise OSError("no writable memory cgroup")
        folder, self.version = parent
        self.path = folder / name
        self.path.mkdir()
        self.limit_bytes = memory_limit_bytes(limits, runtime_mb)
        limit = str(self.limit_bytes)
        try:
            if self.version == 1:
                (self.path / "memory.limit_in_bytes").write_text(limit)
                # Swap as well, when the kernel accounts it: the limit is on memory plus swap.
                with contextlib.suppress(OSError):
                    (self.path / "memory.memsw.limit_in_bytes").write_text(limit)
            else:
                (self.path / "memory.max").write_text(limit)
                with contextlib.suppress(OSError):
                    (self.path / "memory.swap.max").write_text("0")
        except OSError:
            self.remove()
            raise
        self.procs = self.path / "cgroup.procs"

    def peak_bytes(self) -> int | None:
        """The highest memory use the kernel recorded for this cgroup (v2 kernels before 5.19
        keep none)."""
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        with contextlib.suppress(OSError, ValueError):
            return int((self.path / name).read_text())
        return None

    def oom_kills(self) -> int:
        """How many processes the kernel killed at this cgroup's limit."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        with contextlib.suppress(OSError, ValueError):
            for line in (self.path / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        return 0

    def remove(self) -> None:
        remove_cgroup(self.path)


def remove_cgroup(path: Path) -> None:
    """rmdir once its last process has gone (exit is asynchronous: retry for a moment)."""
    for _ in range(50):
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.01)


def sweep(name: str) -> None:
    """Remove the cgroup named after a run folder (its own sandbox's, or one left behind)."""
    parent = cgroup_parent()
    if parent is not None and name.startswith(PREFIX) and (parent[0] / name).is_dir():
        remove_cgroup(parent[0] / name)


def sweep_orphans(live: Iterable[str]) -> None:
    """Remove empty sandbox cgroups whose run folder is gone (its removal came too early, while
    the processes were still exiting), except those of `live` run folders."""
    parent = cgroup_parent()
    if parent is None:
        return
    keep = set(live)
    with contextlib.suppress(OSError), os.scandir(parent[0]) as entries:
        for entry in entries:
            if not entry.name.startswith(PREFIX) or entry.name in keep or not entry.is_dir():
                continue
            with contextlib.suppress(OSError):
                if time.time() - entry.stat().st_mtime > ORPHAN_AGE_S:
                    os.rmdir(entry.path)  # refused while it has processes
