"""Filesystem and environment attacks: secrets stay out of reach, writes stay in /out."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from security_harness import Attack, table_of

import sandbox_runtime


def test_read_etc_shadow(attack: Attack) -> None:
    verdict = attack.python("def transform(inputs):\n    return open('/etc/shadow').read()\n")
    assert verdict.reason == "error"
    assert "FileNotFoundError" in verdict.message and "/etc/shadow" in verdict.message


def test_read_the_invoking_users_home(attack: Attack) -> None:
    home = os.path.expanduser("~")
    code = f"""
import os, pyarrow as pa
def transform(inputs):
    found = []
    for root, dirs, files in os.walk({home!r}):
        dirs[:] = [d for d in dirs if not os.path.join(root, d).startswith({sys.base_prefix!r})]
        found += [os.path.join(root, f) for f in files]
    return pa.table({{"path": found}})
"""
    seen = table_of(attack.python(code))["path"]
    # Only the interpreter may be under the home (it lives there on some hosts); nothing else.
    assert seen == []


def test_proc_environ_never_shows_the_callers_secrets(attack: Attack, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s3cr3t-token-9f8e7d"
    monkeypatch.setenv("AGENTIC_ASSETS_TEST_SECRET", secret)
    code = """
import os, pyarrow as pa
def transform(inputs):
    texts = [repr(dict(os.environ))]
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    for pid in pids:
        for name in ("environ", "cmdline"):
            try:
                texts.append(open(f"/proc/{pid}/{name}", "rb").read().decode(errors="replace"))
            except OSError as exc:
                texts.append(type(exc).__name__)
    print("\\n".join(texts), file=__import__("sys").stderr)
    return pa.table({"pids": [",".join(pids)], "text": ["\\n".join(texts)]})
"""
    verdict = attack.python(code)
    seen = table_of(verdict)
    assert secret not in seen["text"][0] and secret not in verdict.stderr_tail
    assert "AGENTIC_ASSETS_TEST_SECRET" not in seen["text"][0]
    assert len(seen["pids"][0].split(",")) <= 3  # its own pid namespace: bwrap's init and the job


def test_write_outside_the_output_folder(attack: Attack, tmp_path: Path) -> None:
    project_file = Path(sandbox_runtime.__file__).parent / "pwned.txt"
    read_only = ["/usr/pwned", "/in/pwned", "/pwned", "/etc/pwned", "/dev/shm/pwned", "/dev/pwned",
                 "/opt/app/sandbox_runtime/pwned", "/opt/venv/pwned", "/opt/python/pwned"]  # fmt: skip
    targets = [str(project_file), *read_only, str(tmp_path / "pwned"), f"{sys.prefix}/pwned"]
    code = f"""
import pyarrow as pa
def transform(inputs):
    results = []
    for target in {targets!r}:
        try:
            open(target, "w").write("owned")
            results.append("written")
        except OSError as exc:
            results.append(type(exc).__name__)
    return pa.table({{"target": {targets!r}, "result": results}})
"""
    seen = dict(zip(*table_of(attack.python(code)).values(), strict=True))
    for target in targets:
        assert not Path(target).exists(), f"{target} appeared on the host"
    for target in read_only:
        assert seen[target] == "OSError", (target, seen[target])  # read-only file system
    # host paths of the checkout and the venv do not exist inside at all
    assert seen[str(project_file)] == seen[f"{sys.prefix}/pwned"] == "FileNotFoundError"


def test_symlink_in_the_output_pointing_at_a_host_file(attack: Attack, tmp_path: Path) -> None:
    host_secret = tmp_path / "host-secret.txt"
    host_secret.write_text("host-only", encoding="utf-8")
    code = f"""
import os
def transform(inputs):
    os.symlink({str(host_secret)!r}, "/out/output.parquet")
    os.symlink("/etc/shadow", "/out/shadow")
    os._exit(0)
"""
    verdict = attack.python(code)
    assert verdict.reason in ("error", "output_invalid") and not verdict.ok
    assert verdict.output_path is None
    assert host_secret.read_text(encoding="utf-8") == "host-only"


def test_symlinked_output_is_refused_even_with_a_forged_report(attack: Attack, tmp_path: Path) -> None:
    host_secret = tmp_path / "host-secret.txt"
    host_secret.write_text("host-only", encoding="utf-8")
    code = f"""
import json, os
def transform(inputs):
    os.symlink({str(host_secret)!r}, "/out/output.parquet")
    os.write(3, (json.dumps({{"status": "ok"}}) + "\\n").encode())
    os._exit(0)
"""
    verdict = attack.python(code)
    assert verdict.reason == "output_invalid" and "not a regular file" in verdict.message
    assert "symlinks removed: output.parquet" in verdict.message
    assert host_secret.read_text(encoding="utf-8") == "host-only"
