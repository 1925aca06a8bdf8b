"""Privilege attacks: no capabilities, no host root, no new namespaces, no debugging."""

from __future__ import annotations

import os

from security_harness import Attack, table_of


def test_no_capabilities_no_host_root_and_seccomp_on(attack: Attack) -> None:
    code = """
import pyarrow as pa
def transform(inputs):
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
    keys = ["CapEff", "CapPrm", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"]
    values = [status[k].strip() for k in keys]
    keys.append("uid_map")
    values.append(" ".join(open("/proc/self/uid_map").read().split()))
    return pa.table({"key": keys, "value": values})
"""
    seen = dict(zip(*table_of(attack.python(code)).values(), strict=True))
    for cap in ("CapEff", "CapPrm", "CapBnd", "CapAmb"):
        assert int(seen[cap], 16) == 0, seen
    assert seen["NoNewPrivs"] == "1" and seen["Seccomp"] == "2"
    inside, _, count = seen["uid_map"].split()
    assert count == "1" and inside != "0"  # one unprivileged uid; no root inside either
    if os.geteuid() == 0:
        assert int(inside) >= 200_000  # the random host uid setpriv dropped to


def test_new_namespaces_ptrace_and_mount_are_refused(attack: Attack) -> None:
    code = """
import ctypes, os, pyarrow as pa
libc = ctypes.CDLL(None, use_errno=True)
def attempt(fn, *args):
    result = fn(*args)
    return "ok" if result == 0 else os.strerror(ctypes.get_errno())
def transform(inputs):
    seen = {
        "unshare_user": attempt(libc.unshare, 0x10000000),
        "unshare_net": attempt(libc.unshare, 0x40000000),
        "ptrace_attach_1": attempt(libc.ptrace, 16, 1, None, None),
        "mount_tmpfs": attempt(libc.mount, b"none", b"/tmp", b"tmpfs", 0, None),
        "chroot": attempt(libc.chroot, b"/tmp"),
    }
    return pa.table({"k": list(seen), "v": list(seen.values())})
"""
    seen = dict(zip(*table_of(attack.python(code)).values(), strict=True))
    assert all(value != "ok" for value in seen.values()), seen
    assert seen["unshare_user"] == "Operation not permitted"


def test_setuid_to_root_fails(attack: Attack) -> None:
    verdict = attack.python("import os\ndef transform(inputs):\n    os.setuid(0)\n    return inputs['data']\n")
    assert verdict.reason == "error"
    assert "PermissionError" in verdict.message or "Invalid argument" in verdict.message  # uid 0 is unmapped


def test_host_processes_are_invisible(attack: Attack) -> None:
    host_pid = os.getpid()
    code = """
import os, pyarrow as pa
def transform(inputs):
    pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    return pa.table({"pid": pids, "mine": [p == os.getpid() for p in pids]})
"""
    seen = table_of(attack.python(code))
    assert len(seen["pid"]) <= 3 and max(seen["pid"]) < 10
    assert host_pid not in seen["pid"] or host_pid < 10
