"""The private directory of one sandbox on the host: `in/` (read-only inside), `out/` (the
job's output folder), `scratch/` (its /tmp) and `stage/` (mount points for the interpreter,
see bwrap.py).

As root, `out/` and `scratch/` are tmpfs mounts sized from the job's limits (bytes and inodes,
enforced by the kernel), and `in/` is a tmpfs of its own the host copies the inputs into, so
that no mount inside the sandbox names a folder of the host (a bind of a folder on the host's
disk shows its host path in /proc/self/mountinfo). Elsewhere `out/` is a plain folder the
host measures while the job runs, and `in/` a plain folder whose bind does show its path.
The output is untrusted: it is taken without following symlinks, as a regular file only, and
size-checked before the host reads a byte of it; the host never recurses into the tree
the job left (tree.py) and removes the whole folder after the verdict.

A run folder carries a lock its host process holds while it lives: `sweep_stale` (called when
a pool starts) removes the folders, mounts and cgroups of hosts that were killed.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import shutil
import stat
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from sandbox_runtime import cgroup, mounts
from sandbox_runtime.models import SandboxLimits
from sandbox_runtime.tree import TreeScan, remove_tree, scan_tree

INSIDE_IN = "/in"
INSIDE_OUT = "/out"
PREFIX = cgroup.PREFIX
OWNER_LOCK = ".owner"

# Deleting a run directory costs ~20 ms on slow disks: it happens after the verdict, in the
# background. `wait_for_removals` (called at exit and by WarmPool.close) waits for it.
_remover = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-rundir-remover")
_pending: set[Future] = set()


def wait_for_removals() -> None:
    for future in list(_pending):
        future.result()


atexit.register(wait_for_removals)


def _discard(root: Path) -> None:
    """Detach every mount below `root`, then delete the folder and its cgroup."""
    for point in mounts.mount_points_under(root):
        mounts.detach(point)
    remove_tree(root)
    cgroup.sweep(root.name)


def sweep_stale(folder: Path | None = None) -> list[Path]:
    """Remove run folders whose host process is gone (its lock is free); returns them."""
    folder = Path(folder or tempfile.gettempdir())
    swept = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        candidates = [Path(e.path) for e in entries if e.name.startswith(PREFIX) and e.is_dir(follow_symlinks=False)]
    for root in candidates:
        try:
            fd = os.open(root / OWNER_LOCK, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue  # not a run folder, or one still being created
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # its host is alive
        finally:
            os.close(fd)
        _discard(root)
        swept.append(root)
    cgroup.sweep_orphans(live=[c.name for c in candidates if c not in swept])
    return swept


class RunDir:
    def __init__(self, uid: int, gid: int, *, prefix: str = PREFIX, limits: SandboxLimits | None = None) -> None:
        """`limits`: mount out/ and scratch/ as tmpfs of those sizes (only as root)."""
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        self.uid, self.gid = uid, gid
        self.inputs = self.root / "in"
        self.outputs = self.root / "out"
        self.scratch = self.root / "scratch"
        self.stage = self.root / "stage"
        # Held until this process removes the folder or dies; then sweep_stale may take it.
        self._lock = os.open(self.root / OWNER_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self.sized = False
        try:
            for folder in (self.inputs, self.outputs, self.scratch, self.stage):
                folder.mkdir()
            os.chmod(self.inputs, 0o755)
            if os.geteuid() == 0:
                # The sandbox uid must reach in/ and out/ through the root directory, and own out/.
                os.chown(self.root, uid, gid)
                os.chown(self.outputs, uid, gid)
                os.chown(self.scratch, uid, gid)
            os.chmod(self.root, 0o700)
            os.chmod(self.outputs, 0o700)
            os.chmod(self.scratch, 0o700)
            if limits is not None and mounts.can_mount():
                for target, size_mb in ((self.outputs, limits.max_output_mb), (self.scratch, limits.scratch_mb)):
                    mounts.mount_tmpfs(target, size_bytes=size_mb << 20, inodes=limits.max_files, uid=uid, gid=gid)
                # Read-only inside and written by the host alone: the inputs' sizes bound it.
                mounts.mount_tmpfs(self.inputs, size_bytes=None, inodes=None, uid=0, gid=0, mode=0o755, huge=True)
                self.sized = True
        except BaseException:
            self.remove()
            raise

    def read_only_view(self, host: str) -> str:
        """A read-only overlay of a host folder inside the run folder (as root; see mounts.py),
        or the folder itself where the host cannot mount."""
        if not mounts.can_mount():
            return host
        empty = self.stage / ".empty"
        empty.mkdir(exist_ok=True)
        target = self.stage / str(len(list(self.stage.iterdir())))
        target.mkdir()
        mounts.mount_overlay_ro(target, Path(host), empty)
        return str(target)

    def add_input(self, name: str, source: Path) -> str:
        """Copy one Parquet input in; returns its path inside the sandbox."""
        target = self.inputs / f"{name}.parquet"
        info = os.stat(source)
        try:
            # A hard link costs nothing; it is only taken for files anyone may read already,
            # and the sandbox sees in/ read-only. Anything else is copied, as is everything
            # when in/ is the run's own tmpfs (another filesystem: the kernel copies in one
            # sendfile call).
            if not info.st_mode & 0o004 or info.st_dev != os.stat(self.inputs).st_dev:
                raise OSError("copy instead")
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
            os.chmod(target, 0o644)
        return f"{INSIDE_IN}/{target.name}"

    def scan_outputs(self, max_entries: int) -> TreeScan:
        """Entries, bytes and symlinks in out/, never following links, at most `max_entries`."""
        return scan_tree(self.outputs, max_entries)

    def remove_symlinks(self, max_entries: int) -> list[str]:
        """Remove the symlinks among the first `max_entries` entries of out/ (the host takes
        only out/output.parquet, never through a link; this names them in the verdict)."""
        removed = []
        with contextlib.suppress(OSError), os.scandir(self.outputs) as entries:
            for count, entry in enumerate(entries):
                if count >= max_entries:
                    break
                if entry.is_symlink():
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        removed.append(entry.name)
        return removed

    def take_output(self, name: str, dest: Path, max_bytes: int) -> tuple[Path | None, str]:
        """Move out/<name> to `dest` if it is a regular file within the size limit."""
        source = self.outputs / name
        try:
            fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            return None, "the job wrote no output file"
        except OSError as exc:
            return None, f"the output is not a regular file ({exc.strerror})"
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None, "the output is not a regular file"
            if info.st_size > max_bytes:
                return None, f"the output is {info.st_size} bytes, over the {max_bytes} limit"
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.is_symlink():
                dest.unlink()
            with os.fdopen(os.dup(fd), "rb") as src, open(dest, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            return dest, ""
        finally:
            os.close(fd)

    def remove(self) -> None:
        _discard(self.root)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def remove_later(self) -> None:
        try:
            future = _remover.submit(self.remove)
        except RuntimeError:  # the interpreter is shutting down: no more background work
            self.remove()
            return
        _pending.add(future)
        future.add_done_callback(_pending.discard)
