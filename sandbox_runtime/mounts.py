"""Mounts the host makes in a run folder (root only), detached when the folder is removed.

- sized tmpfs: the job's /out and /tmp with a byte and an inode limit the kernel enforces;
  the host reads /out after the sandbox is gone and then detaches it in one system call,
  however many files the job left in it;
- the inputs' tmpfs (`/in`, read-only inside, written by the host only): a tmpfs is its own
  filesystem, so its line in /proc/self/mountinfo has the root `/`; a bind of a folder on
  the host's disk would show that folder's host path;
- read-only overlays of host folders (the interpreter, the venv, the inputs): an overlay is
  a filesystem of its own, so inside the sandbox /proc/self/mountinfo shows `/` as its root
  and its layers as `/proc/self/fd/N` — a bind mount would show the host folder's path. The
  overlay reads its layers with the mounter's (root's) rights, so folders the sandbox uid
  could not reach (an interpreter under /root) need no further staging.

`mount(2)` through libc rather than the `mount` program: a sandbox starts in tens of
milliseconds and a process per mount would be a noticeable part of that.
"""

from __future__ import annotations

import ctypes
import os
from functools import cache
from pathlib import Path

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MNT_DETACH = 2


@cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def can_mount() -> bool:
    return os.geteuid() == 0


def mount_tmpfs(
    target: Path,
    *,
    size_bytes: int | None,
    inodes: int | None,
    uid: int,
    gid: int,
    mode: int = 0o700,
    huge: bool = False,
) -> None:
    """A tmpfs of `size_bytes` with at most `inodes` files and folders, owned by uid:gid
    (None: the kernel's default, for a tmpfs only the host writes). `huge`: 2 MB pages where
    a file fills them (copying an 8 MB input in took half the time), if the kernel has them."""
    options = f"mode={mode:o},uid={uid},gid={gid}"
    if size_bytes is not None:
        options += f",size={size_bytes}"
    if inodes is not None:
        options += f",nr_inodes={inodes}"
    flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
    # A kernel without transparent huge pages for tmpfs refuses the option: mount without it.
    for extra in ([",huge=within_size"] if huge else []) + [""]:
        if _libc().mount(b"tmpfs", os.fsencode(target), b"tmpfs", flags, (options + extra).encode()) == 0:
            return
    errno = ctypes.get_errno()
    raise OSError(errno, f"mounting a tmpfs on {target}: {os.strerror(errno)}")


def mount_overlay_ro(target: Path, lower: Path, empty: Path) -> None:
    """`lower` read-only at `target`; `empty` (an empty folder) is the second layer a
    read-only overlay needs. Layers are named by descriptor, never by host path."""
    fds = [os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC) for path in (lower, empty)]
    try:
        options = "lowerdir=" + ":".join(f"/proc/self/fd/{fd}" for fd in fds)
        flags = MS_RDONLY | MS_NOSUID | MS_NODEV
        if _libc().mount(b"overlay", os.fsencode(target), b"overlay", flags, options.encode()) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"mounting an overlay of {lower} on {target}: {os.strerror(errno)}")
    finally:
        for fd in fds:
            os.close(fd)


def detach(target: Path) -> bool:
    """Lazily unmount `target` (its files are freed once nothing uses them); False if it was
    not a mount point."""
    return _libc().umount2(os.fsencode(target), MNT_DETACH) == 0


def mount_points_under(folder: Path) -> list[Path]:
    """Mount points of this mount namespace below `folder`, deepest first."""
    found = []
    prefix = str(folder).rstrip("/") + "/"
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    for line in lines:
        fields = line.split(" ")
        if len(fields) > 4:
            point = fields[4].encode().decode("unicode_escape")  # octal escapes such as \040
            if point.startswith(prefix):
                found.append(Path(point))
    return sorted(found, key=lambda p: len(p.parts), reverse=True)
