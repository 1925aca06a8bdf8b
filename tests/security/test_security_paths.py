"""No host path of the checkout, the venv, the interpreter or the home shows inside: the runtime
is mounted at /opt/python, /opt/venv and /opt/app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from security_harness import LOOK_AROUND, Attack, table_of

import sandbox_runtime


def _host_paths() -> dict[str, str]:
    checkout = Path(sandbox_runtime.__file__).resolve().parent.parent
    return {
        "checkout": str(checkout),
        "venv": str(Path(sys.prefix).resolve()),
        "interpreter": str(Path(sys.base_prefix).resolve()),
        "home": os.path.expanduser("~"),
    }


def test_no_host_path_inside(attack: Attack) -> None:
    seen = dict(zip(*table_of(attack.python(LOOK_AROUND)).values(), strict=True))
    assert seen["executable"].startswith(("/opt/python/", "/usr/"))
    assert "/opt/venv/lib" in seen["sys.path"] and "/opt/app" in seen["sys.path"].split("\n")
    leaks = [
        (kind, where)
        for kind, host in _host_paths().items()
        for where, text in seen.items()
        if host not in ("/", "/usr") and not host.startswith("/usr/") and host in text
    ]
    assert leaks == []


def test_the_host_run_folder_is_hidden_from_the_runtime_mounts(attack: Attack) -> None:
    seen = dict(zip(*table_of(attack.python(LOOK_AROUND)).values(), strict=True))
    rows = {line.split(" ")[4]: line for line in seen["mountinfo"].splitlines()}
    for inside in (
        "/opt/python",
        "/opt/venv",
        "/opt/app/sandbox_runtime",
        "/opt/app/asset_checks",
        "/tmp",
        "/out",
        "/in",
    ):
        if os.geteuid() == 0:  # overlays and tmpfs mounts of the host's own: root "/", no source path
            assert rows[inside].split(" ")[3] == "/", rows[inside]
    assert "agentic-sandbox-" not in seen["maps"] + seen["sys.path"] + seen["environ"]
