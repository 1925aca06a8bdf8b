"""Failures are classified by the classes of what they raised, never by the words of a message."""

from __future__ import annotations

import duckdb
import pytest

from agentic_assets.materialize.run_log import exception_lineage
from agentic_assets.repair.failure_signal import classify


class StoreHiccup(ConnectionResetError):
    """A project-defined I/O error whose name and message say nothing about I/O."""


def _raised(sql: str, **config: str) -> BaseException:
    con = duckdb.connect(config=dict(config))
    con.execute("CREATE TABLE t AS SELECT range AS id, 'x' || range AS s FROM range(1000)")
    with pytest.raises(duckdb.Error) as info:
        con.execute(sql).fetchall()
    return info.value


def test_a_subclass_of_oserror_is_io_whatever_it_says() -> None:
    err = StoreHiccup("the bucket said no")
    signal = classify(f"{type(err).__name__}: {err}", "error", exception_lineage(err))
    assert signal.family == "io"
    assert signal.exception_types[0].endswith("StoreHiccup")


def test_the_cause_chain_counts() -> None:
    try:
        try:
            raise MemoryError
        except MemoryError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert classify("RuntimeError: wrapped", "error", exception_lineage(outer)).family == "memory"


def test_real_duckdb_errors_map_by_class() -> None:
    cases = {
        "SELECT missing FROM t": "binder",
        "SELECT CAST(s AS INTEGER) FROM t": "conversion",
        "SELECT CAST(id * 1000 AS TINYINT) FROM t": "overflow",
        "SELECT * FROM nowhere": "missing_table",
    }
    for sql, family in cases.items():
        err = _raised(sql)
        text = f"{type(err).__name__}: {err}"
        assert classify(text, "error", exception_lineage(err)).family == family, sql
        # Written as text only (a sandbox or child process sent it back): the class name still resolves.
        assert classify(f"SandboxedTransformError: the transform failed: {text}", "error").family == family, sql


def test_duckdb_out_of_memory_is_memory() -> None:
    err = _raised("SELECT s, COUNT(*) FROM (SELECT range::VARCHAR AS s FROM range(3000000)) GROUP BY s ORDER BY s",
                  memory_limit="20MB", threads="1")  # fmt: skip
    assert classify(f"{type(err).__name__}: {err}", "error", exception_lineage(err)).family == "memory"


def test_unknown_classes_and_checks() -> None:
    assert classify("SourceGone: no such thing", "error").family == "other"
    assert classify(None, "checks_failed").family == "checks"
    assert classify("TimeoutError: stopped", "error").family == "time"


def test_a_run_that_used_its_whole_time_limit_is_a_time_failure_whatever_was_raised() -> None:
    # A killed child closes its pipe: the parent sees an I/O error, or no exception class at all.
    assert classify("BrokenPipeError: the pipe closed", "error", seconds=5.0, timeout_s=5.0).family == "time"
    assert classify(None, "error", seconds=30.2, timeout_s=30.0).reached_time_limit
    # The same error well inside the limit is what it says it is.
    assert classify("BrokenPipeError: the pipe closed", "error", seconds=0.4, timeout_s=5.0).family == "io"
    # Checks that failed after a long run are checks; memory stays memory.
    assert classify(None, "checks_failed", seconds=5.0, timeout_s=5.0).family == "checks"
    assert classify("MemoryError: no room", "error", seconds=5.0, timeout_s=5.0).family == "memory"


def test_engine_and_orchestrator_deadline_classes_are_time() -> None:
    for text in (
        "TimeoutExpired: Command 'x' timed out",
        "DagsterExecutionInterruptedError: interrupted",
        "InterruptException: INTERRUPT Error: Interrupted!",
    ):
        assert classify(text, "error").family == "time", text
