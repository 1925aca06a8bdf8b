"""Walking and removing folder trees a job made, without trusting their shape.

A job can leave a chain of directories thousands of levels deep (deeper than Python's
recursion limit and longer than PATH_MAX), millions of entries, or symlinks anywhere. So the
host never recurses and never builds a full path: it descends by directory file descriptors
(`dir_fd`, `O_NOFOLLOW`), keeps one descriptor open at a time, climbs back through `..`, and
stops a scan after a bounded number of entries. Removal is the same walk, without a bound.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass
class TreeScan:
    """What a bounded scan saw; `truncated` when it stopped at `max_entries`."""

    entries: int = 0
    bytes: int = 0
    symlinks: list[str] = field(default_factory=list)
    truncated: bool = False


def _walk(root: Path, visit: Callable[[int, os.DirEntry], bool], on_leave: Callable[[int, str], None]) -> bool:
    """Depth-first over `root` by descriptors. `visit(dir_fd, entry)` is called for every
    entry (return False to stop); `on_leave(parent_fd, name)` after a subfolder is done.
    Returns False when stopped early or when `root` is not a folder."""
    try:
        fd = os.open(root, _DIR_FLAGS)
    except OSError:
        return False
    names: list[str] = []  # the path below root, one name per level
    pending: list[list[str]] = []  # per level: subfolders still to enter
    try:
        subfolders: list[str] | None = None
        while True:
            if subfolders is None:
                subfolders = []
                try:
                    with os.scandir(fd) as entries:
                        for entry in entries:
                            if not visit(fd, entry):
                                return False
                            with contextlib.suppress(OSError):
                                if entry.is_dir(follow_symlinks=False):
                                    subfolders.append(entry.name)
                except OSError:
                    pass  # unreadable: treated as empty
                pending.append(subfolders)
            if pending[-1]:
                name = pending[-1].pop()
                try:
                    child = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except OSError:
                    continue
                os.close(fd)
                fd, subfolders = child, None
                names.append(name)
                continue
            pending.pop()
            if not names:
                return True
            parent = os.open("..", _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd, subfolders = parent, []
            on_leave(fd, names.pop())
    finally:
        os.close(fd)


def scan_tree(root: Path, max_entries: int) -> TreeScan:
    """Count entries and allocated bytes below `root` and list its symlinks (relative names
    of at most one level, since full paths may be too long), stopping after `max_entries`."""
    scan = TreeScan()

    def visit(_fd: int, entry: os.DirEntry) -> bool:
        scan.entries += 1
        if scan.entries > max_entries:
            scan.truncated = True
            return False
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            return True
        if stat.S_ISLNK(info.st_mode):
            scan.symlinks.append(entry.name)
        elif stat.S_ISREG(info.st_mode):
            scan.bytes += info.st_blocks * 512
        return True

    _walk(root, visit, lambda _fd, _name: None)
    return scan


def remove_tree(root: Path) -> None:
    """Delete `root` and everything below it, however deep or wide; links are removed, never
    followed. Missing `root` is fine; errors on single entries are skipped."""
    try:
        info = os.lstat(root)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(info.st_mode):
        with contextlib.suppress(OSError):
            os.unlink(root)
        return

    def visit(fd: int, entry: os.DirEntry) -> bool:
        with contextlib.suppress(OSError):
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.name, dir_fd=fd)
            elif os.geteuid() != 0:
                # A job running as this uid may have locked its folders (mode 000); root
                # needs no permission bits, anyone else takes them back first.
                os.chmod(entry.name, 0o700, dir_fd=fd)
        return True

    def leave(parent_fd: int, name: str) -> None:
        with contextlib.suppress(OSError):
            os.rmdir(name, dir_fd=parent_fd)

    _walk(root, visit, leave)
    with contextlib.suppress(OSError):
        os.rmdir(root)
