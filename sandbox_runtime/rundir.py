"""The private directory of one sandbox on the host: `in/` (read-only inside), `out/` (the only
writable place the job sees) and `stage/` (mount points for the interpreter, see bwrap.py).

The output is untrusted: it is taken without following symlinks, as a regular file only,
and size-checked before the host reads a byte of it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

INSIDE_IN = "/in"
INSIDE_OUT = "/out"

# Deleting a run directory costs ~20 ms on slow disks: it happens after the verdict, in the
# background. `wait_for_removals` (called at exit and by WarmPool.close) waits for it.
_remover = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-rundir-remover")
_pending: set[Future] = set()


def wait_for_removals() -> None:
    for future in list(_pending):
        future.result()


atexit.register(wait_for_removals)


class RunDir:
    def __init__(self, uid: int, gid: int, *, prefix: str = "agentic-sandbox-") -> None:
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        self.uid, self.gid = uid, gid
        self.inputs = self.root / "in"
        self.outputs = self.root / "out"
        self.stage = self.root / "stage"
        for folder in (self.inputs, self.outputs, self.stage):
            folder.mkdir()
        os.chmod(self.inputs, 0o755)
        if os.geteuid() == 0:
            # The sandbox uid must reach in/ and out/ through the root directory, and own out/.
            os.chown(self.root, uid, gid)
            os.chown(self.outputs, uid, gid)
        os.chmod(self.root, 0o700)
        os.chmod(self.outputs, 0o700)

    def add_input(self, name: str, source: Path) -> str:
        """Copy one Parquet input in; returns its path inside the sandbox."""
        target = self.inputs / f"{name}.parquet"
        info = os.stat(source)
        try:
            # A hard link costs nothing; it is only taken for files anyone may read already,
            # and the sandbox sees in/ read-only. Anything else is copied.
            if not info.st_mode & 0o004 or info.st_dev != os.stat(self.inputs).st_dev:
                raise OSError("copy instead")
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
            os.chmod(target, 0o644)
        return f"{INSIDE_IN}/{target.name}"

    def output_bytes(self) -> int:
        """Bytes the job has written so far (symlinks and directories are not followed)."""
        total = 0
        stack = [self.outputs]
        while stack:
            try:
                entries = list(os.scandir(stack.pop()))
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
                except OSError:
                    continue
        return total

    def remove_symlinks(self) -> list[str]:
        removed = []
        for dirpath, dirnames, filenames in os.walk(self.outputs, followlinks=False):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                if os.path.islink(path):
                    os.unlink(path)
                    removed.append(os.path.relpath(path, self.outputs))
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
        shutil.rmtree(self.root, ignore_errors=True)

    def remove_later(self) -> None:
        try:
            future = _remover.submit(self.remove)
        except RuntimeError:  # the interpreter is shutting down: no more background work
            self.remove()
            return
        _pending.add(future)
        future.add_done_callback(_pending.discard)
