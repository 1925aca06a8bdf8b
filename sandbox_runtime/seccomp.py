"""The seccomp filter loaded by bubblewrap: no network sockets, no debugging, no new namespaces.

The namespaces already cut the network off; the filter is the second wall, and it turns
"connection refused" into an immediate, explicit EACCES.
"""

from __future__ import annotations

import errno
import functools
import os
import socket
import tempfile

# Address families a job has no use for (AF_UNIX stays: Python and DuckDB use it locally).
DENIED_SOCKET_FAMILIES = (
    socket.AF_INET,
    socket.AF_INET6,
    socket.AF_PACKET,
    socket.AF_NETLINK,
    getattr(socket, "AF_VSOCK", 40),
    getattr(socket, "AF_BLUETOOTH", 31),
    getattr(socket, "AF_CAN", 29),
    getattr(socket, "AF_ALG", 38),
)
DENIED_SYSCALLS = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "open_by_handle_at",
    "name_to_handle_at",
    "io_uring_setup",
)
CLONE_NEW_FLAGS = 0x7E020000  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET


@functools.cache
def filter_bpf() -> bytes:
    """The compiled BPF program (built once per process)."""
    import pyseccomp as sc

    flt = sc.SyscallFilter(sc.ALLOW)
    deny = sc.ERRNO(errno.EPERM)
    for name in DENIED_SYSCALLS:
        flt.add_rule(deny, name)
    for family in DENIED_SOCKET_FAMILIES:
        flt.add_rule(sc.ERRNO(errno.EACCES), "socket", sc.Arg(0, sc.EQ, family))
    # clone() with any namespace flag is refused; clone3 passes its flags in memory that a
    # filter cannot read, so it reports ENOSYS and the C library falls back to clone().
    for bit in range(32):
        flag = 1 << bit
        if flag & CLONE_NEW_FLAGS:
            flt.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    flt.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    # TIOCSTI pushes characters into a terminal's input queue: never needed, always abused.
    flt.add_rule(deny, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, 0x5412))
    with tempfile.TemporaryFile() as fh:
        flt.export_bpf(fh)
        fh.seek(0)
        return fh.read()


def filter_fd() -> int:
    """A readable, inheritable fd holding the BPF program, for `bwrap --seccomp FD`."""
    fd = os.memfd_create("sandbox-seccomp", 0)
    os.write(fd, filter_bpf())
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
