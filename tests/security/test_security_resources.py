"""Resource attacks: each one ends in a verdict on time, and the host stays responsive."""

from __future__ import annotations

import time
from pathlib import Path

from security_harness import Attack, processes_with, table_of


def test_fork_bomb(attack: Attack, responsive) -> None:  # noqa: ANN001
    code = """
import os
def transform(inputs):
    while True:
        try:
            os.fork()
        except OSError:
            pass
"""
    verdict = responsive(lambda: attack.python(code, timeout_s=4))
    assert not verdict.ok and verdict.reason == "timeout"
    assert verdict.exit_status == -9


def test_memory_bomb(attack: Attack, responsive) -> None:  # noqa: ANN001
    code = """
def transform(inputs):
    hoard = []
    while True:
        hoard.append(bytearray(16 << 20))
"""
    verdict = responsive(lambda: attack.python(code, memory_mb=512))
    assert verdict.reason == "memory" and "512 MB" in verdict.message


def test_duckdb_memory_bomb(attack: Attack) -> None:
    verdict = attack.sql("select list(range(0, 400000000)) as l", memory_mb=512)
    assert verdict.reason == "memory", verdict
    assert "Out of Memory" in verdict.message or "memory" in verdict.message


def test_cpu_loop(attack: Attack, responsive) -> None:  # noqa: ANN001
    code = "def transform(inputs):\n    while True:\n        pass\n"
    verdict = responsive(lambda: attack.python(code, timeout_s=2))
    assert verdict.reason == "timeout" and "2 s" in verdict.message


def test_cpu_time_limit_below_the_wall_clock(attack: Attack) -> None:
    code = "def transform(inputs):\n    while True:\n        pass\n"
    verdict = attack.python(code, timeout_s=10, cpu_s=1)
    assert verdict.reason == "timeout" and "CPU time limit of 1 s" in verdict.message
    # Before the 10 s wall clock; how much sooner depends on how many CPUs the job gets.
    assert verdict.seconds < 10


def test_multi_gigabyte_output_file(attack: Attack) -> None:
    code = """
def transform(inputs):
    chunk = b"x" * (8 << 20)
    with open("/out/output.parquet", "wb") as fh:
        for _ in range(3 * 128):  # 3 GB
            fh.write(chunk)
"""
    verdict = attack.python(code, max_output_mb=32)
    assert verdict.reason == "output_invalid" and "32 MB" in verdict.message


def test_many_output_files_are_capped_in_total(attack: Attack) -> None:
    code = """
def transform(inputs):
    chunk = b"x" * (4 << 20)
    for i in range(1000):  # 4 GB in files each under the per-file limit
        with open(f"/out/part-{i}", "wb") as fh:
            fh.write(chunk)
"""
    verdict = attack.python(code, max_output_mb=32)
    assert verdict.reason == "output_invalid" and "32 MB" in verdict.message


def test_sleep_past_the_timeout(attack: Attack) -> None:
    started = time.perf_counter()
    verdict = attack.python("import time\ndef transform(inputs):\n    time.sleep(600)\n", timeout_s=1.5)
    assert verdict.reason == "timeout" and verdict.exit_status == -9
    assert time.perf_counter() - started < 1.5 + 3


def test_child_that_outlives_the_run(attack: Attack, tmp_path: Path) -> None:
    marker = "31.4159265"
    code = f"""
import os
def transform(inputs):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/usr/bin/sleep", ["sleep", "{marker}"])
        os._exit(0)
    return inputs["data"]
"""
    verdict = attack.python(code)
    assert verdict.ok  # the job itself succeeded ...
    deadline = time.monotonic() + 2
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(marker) == []  # ... but its daemon died with the sandbox


def test_kill_every_process_it_can_see(attack: Attack) -> None:
    code = "import os, signal\ndef transform(inputs):\n    os.kill(-1, signal.SIGKILL)\n    return inputs['data']\n"
    verdict = attack.python(code)
    assert not verdict.ok and verdict.reason in ("killed", "error")
    # the caller (this test process) and the pool are untouched: the next job runs fine
    assert table_of(attack.python("def transform(inputs):\n    return inputs['data']\n"))["id"] == [1, 2, 3]
