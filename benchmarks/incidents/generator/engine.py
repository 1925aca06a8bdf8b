"""Run an incident's SQL the way the platform does: sources read as Arrow, a locked DuckDB, SodaCL checks.

CSV sources go through DuckDB's type detection and Parquet keeps its types, as in production. A
memory-limited run uses DuckDB's memory_limit with a temp directory, so operators that can spill do.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from asset_checks.runner import run_checks_on_arrow


class InjectedReadError(OSError):
    """A simulated transient read failure of one source."""


@dataclass
class RunOutcome:
    table: pa.Table | None
    error: str | None
    failed_checks: list[str]
    passed_checks: int
    seconds: float = 0.0  # the transform's wall-clock time, reads included

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failed_checks


def source_files(folder: Path, phase: str) -> dict[str, Path]:
    """Table name -> file for a run on before/ or after/ (after/ falls back to before/)."""
    files = {p.stem: p for p in sorted((folder / "before").iterdir()) if p.suffix in (".csv", ".parquet")}
    if phase == "after" and (folder / "after").is_dir():
        for p in sorted((folder / "after").iterdir()):
            if p.suffix in (".csv", ".parquet"):
                files[p.stem] = p
    return files


def read_source(path: Path) -> pa.Table:
    if path.suffix == ".csv":
        con = duckdb.connect()
        try:
            result = con.read_csv(str(path)).arrow()
            return result.read_all() if isinstance(result, pa.RecordBatchReader) else result
        finally:
            con.close()
    return pq.read_table(path)


def run_sql(
    files: dict[str, Path],
    sql: str,
    *,
    threads: int = 1,
    memory_limit_mb: int | None = None,
    read_failures: dict[str, int] | None = None,
    reads: dict[str, int] | None = None,
    deadline_s: float | None = None,
) -> pa.Table:
    """Read the sources, register them by name and run sql; raises what DuckDB (or a fault) raises.

    With `deadline_s` the query is interrupted when it runs longer (duckdb.InterruptException)."""
    inputs = {}
    for stem, path in files.items():
        if read_failures and reads is not None:
            reads[stem] = reads.get(stem, 0) + 1
            if reads[stem] <= read_failures.get(stem, 0):
                raise InjectedReadError(
                    f"IO Error: could not read source '{stem}': connection reset by peer (attempt {reads[stem]})"
                )
        inputs[stem] = read_source(path)
    with tempfile.TemporaryDirectory(prefix="incident-spill-") as spill:
        config: dict[str, object] = {
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "threads": threads,
            "temp_directory": spill,
        }
        if memory_limit_mb:
            config["memory_limit"] = f"{memory_limit_mb}MB"
        con = duckdb.connect(config=config)
        try:
            for name, table in inputs.items():
                con.register(name, table)
            timer = threading.Timer(deadline_s, con.interrupt) if deadline_s else None
            if timer:
                timer.start()
            try:
                result = con.sql(sql).arrow()
                return result.read_all() if isinstance(result, pa.RecordBatchReader) else result
            finally:
                if timer:
                    timer.cancel()
        finally:
            con.close()


def check(table: pa.Table, name: str, checks: str, now: dt.datetime) -> tuple[list[str], int]:
    """(names of failed checks, number passed) for the asset's SodaCL checks on its output."""
    suite = run_checks_on_arrow(table, name, checks, now=now)
    failed = [f"{r.name} (got {r.value})" if r.value is not None else r.name for r in suite.failed]
    failed += [f"scan error: {e}" for e in suite.errors]
    return failed, sum(r.passed for r in suite.results)


def run_and_check(files: dict[str, Path], sql: str, name: str, checks: str, now: dt.datetime, **kw) -> RunOutcome:
    started = time.perf_counter()
    try:
        table = run_sql(files, sql, **kw)
    except InjectedReadError:
        raise
    except duckdb.InterruptException:
        return RunOutcome(None, TIMED_OUT, [], 0, time.perf_counter() - started)
    except Exception as err:  # noqa: BLE001 - any engine error is the outcome being measured
        return RunOutcome(None, first_line(err), [], 0, time.perf_counter() - started)
    seconds = time.perf_counter() - started
    failed, passed = check(table, name, checks, now)
    return RunOutcome(table, None, failed, passed, seconds)


TIMED_OUT = "interrupted at its deadline"


def first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    # Allocation sizes differ between runs; the symptom does not.
    text = re.sub(r"(Out of Memory Error: [^(]*?) of size .*", r"\1", text)
    return text


def is_out_of_memory(error: str | None) -> bool:
    return bool(error) and "Out of Memory" in error
