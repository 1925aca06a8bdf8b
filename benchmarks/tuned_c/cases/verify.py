"""Verify one incident through the project's own incident harness (`agentic_assets.incidents.Workspace`).

The workspace runs the last good transform on before/ with write-audit-publish and the SodaCL checks at
`now`, switches to after/ with the faults injected and runs the asset as production does; the failure it
sees is the incident's title. The reference repair then runs through the same materialization and its
published rows become expected/output.csv. Resource faults are also checked on the transform alone, so
that they hold on other thread counts and on a faster machine.
"""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads
import yaml

from agentic_assets.bench.compare import compare_tables, read_expected_csv
from agentic_assets.engines.duckdb_engine import as_table, locked_connection
from agentic_assets.incidents import IncidentSetupError, Workspace, load_incident
from agentic_assets.materialize.wap import materialize
from agentic_assets.repair.sql_rewrite import parse
from agentic_assets.specs.loader import load_project
from agentic_assets.sql.analysis import referenced_tables
from agentic_assets.tables.registry import store_for

from .case import Case, write_sources, write_yaml

# A memory fault must hold for any thread count the runner may use on a small machine.
MEMORY_THREADS = (1, 2, 4)
# A time-limit fault must hold on a machine twice as fast as this one: after/'s transform alone, at two
# threads, is still running at twice the limit (the platform's reading and checks only add to it).
TIME_MARGIN = 2.0


@dataclass
class Verdict:
    id: str
    ok: bool = True
    before: str = ""
    after: str = ""
    reference: str = ""

    def fail(self, step: str, text: str) -> Verdict:
        self.ok = False
        setattr(self, step, text)
        return self


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


# The run error as a user first sees it: the engine's own message, without the wrappers of the run path
# (the sandbox's and Python's exception class names).
_WRAPPER = re.compile(r"^(?:\w+(?:Error|Exception): )+(?:the transform failed in the \w+ sandbox \(\w+\): )?")


def symptom(asset: str, error: str | None, failed_checks: list[str]) -> str:
    if error and _out_of_memory(error):
        # The engine's message carries the allocation sizes of the moment, which differ from run to run.
        return f"{asset} run failed: Out of Memory Error"
    if error:
        inner = _WRAPPER.sub("", _first_line(error))
        inner = _WRAPPER.sub("", inner)
        return f"{asset} run failed: {inner.rstrip('!')}"
    return f"{asset} check failed: {failed_checks[0]}"


def _read(path: Path) -> pa.Table | pads.Dataset:
    """A source as the platform's reader hands it to the engine: Parquet as a dataset, CSV as a table."""
    if path.suffix == ".parquet":
        return pads.dataset(str(path), format="parquet")
    con = duckdb.connect()
    try:
        return as_table(con.read_csv(str(path)).arrow())
    finally:
        con.close()


def _inputs(ws: Workspace, phase: str) -> dict[str, pa.Table | pads.Dataset]:
    return {stem: _read(path) for stem, path in ws.incident.source_files(phase).items()}


def _transform(
    sql: str,
    inputs: dict[str, pa.Table | pads.Dataset],
    *,
    threads: int,
    memory_mb: int | None = None,
    deadline_s: float | None = None,
) -> tuple[str | None, float]:
    """The transform alone: (error or None, seconds). Stopped with DuckDB's interrupt at the deadline."""
    con = locked_connection(inputs, memory_limit_mb=memory_mb, threads=threads)
    timer = threading.Timer(deadline_s, con.interrupt) if deadline_s else None
    started = time.perf_counter()
    try:
        if timer:
            timer.start()
        as_table(con.sql(sql).arrow())
        return None, time.perf_counter() - started
    except duckdb.InterruptException:
        return "interrupted", time.perf_counter() - started
    except Exception as err:  # noqa: BLE001 - the engine raises OSError and duckdb.Error subclasses alike
        return f"{type(err).__name__}: {_first_line(str(err))}", time.perf_counter() - started
    finally:
        if timer:
            timer.cancel()
        con.close()


def _out_of_memory(error: str | None) -> bool:
    return bool(error) and "outofmemory" in error.replace(" ", "").lower()


def _set_spec(ws: Workspace, sql: str, checks: str | None) -> None:
    """The repaired asset's spec: the tables its SQL reads as sources (a catalog table may join), its checks."""
    path = ws.spec_dir / f"{ws.asset}.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    catalog = set(ws.incident.source_files("after"))
    spec["sources"] = [t for t in referenced_tables(parse(sql)) if t in catalog] or spec["sources"]
    if checks:
        spec["checks"] = checks
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")


def _run_sql(ws: Workspace, sql: str, checks: str | None, memory_mb: int | None = None) -> tuple[bool, str]:
    _set_spec(ws, sql, checks)
    project = load_project(ws.settings)
    try:
        out = materialize(
            project.assets[ws.asset],
            project,
            ws.settings,
            now=ws.incident.now_naive_utc,
            sql=sql,
            memory_limit_mb=memory_mb,
        )
    except Exception as err:  # noqa: BLE001 - reported in the verification table
        return False, f"error: {_first_line(f'{type(err).__name__}: {err}')}"
    if not out.published:
        return False, "check fails: " + ", ".join(c.name for c in out.checks.failed) if out.checks else out.status
    return True, f"published {out.table_rows} rows"


def _published(ws: Workspace) -> pa.Table:
    spec = load_project(ws.settings).assets[ws.asset].spec
    return store_for(ws.settings, spec.sink).read()


def _write_expected(table: pa.Table, folder: Path) -> str | None:
    path = folder / "expected" / "output.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"threads": 1})
    try:
        con.register("repaired", table)
        con.execute(f"COPY (SELECT * FROM repaired ORDER BY ALL) TO '{path.as_posix()}' (HEADER, DELIMITER ',')")
    finally:
        con.close()
    diff = compare_tables(table, read_expected_csv(path))
    return None if diff.equal else diff.reason


@functools.cache
def _scratch_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="tuned-c-"))
    atexit.register(shutil.rmtree, root, True)
    return root


def build_and_verify(case: Case, out: Path) -> tuple[Verdict, str]:
    """Write the incident folder and verify it; returns the verdict and the title written."""
    folder = out / case.id
    if folder.exists():
        shutil.rmtree(folder)
    write_sources(case, folder)
    write_yaml(case, folder, title="(pending)")
    # The scratch workspace stays until the process ends: the run path delivers lineage in the background.
    scratch = Path(tempfile.mkdtemp(prefix=f"tuned-c-{case.id}-", dir=_scratch_root()))
    verdict, title = _verify(case, folder, scratch)
    write_yaml(case, folder, title=title)
    return verdict, title


def _verify(case: Case, folder: Path, scratch: Path) -> tuple[Verdict, str]:  # noqa: C901, PLR0911, PLR0912
    v = Verdict(case.id)
    ws = Workspace(load_incident(folder), scratch / "ws").build()
    try:
        good = ws.materialize_before()
    except IncidentSetupError as err:
        return v.fail("before", f"FAIL: {err}"), ""
    v.before = f"pass ({good.table_rows} rows)"
    faults = case.faults
    memory, seconds = faults.get("memory_limit_mb"), faults.get("timeout_s")
    ref = case.reference
    if seconds:
        before_sql = case.history[-1][0] if case.history else case.sql
        err, took = _transform(before_sql, _inputs(ws, "before"), threads=2)
        if err or took > seconds:
            return v.fail("before", f"FAIL: the last good transform took {took:.2f} s of {seconds:g} s ({err})"), ""

    if memory:
        before_sql = case.history[-1][0] if case.history else case.sql
        before_inputs = _inputs(ws, "before")
        bad = [t for t in MEMORY_THREADS if _transform(before_sql, before_inputs, threads=t, memory_mb=memory)[0]]
        if bad:
            return v.fail("before", f"FAIL: the last good transform needs more than {memory} MB (threads {bad})"), ""

    ws.switch_to_after()
    failed = ws.run()
    if not failed.failed:
        return v.fail("after", "UNEXPECTED: runs and passes"), ""
    failed_checks = [c.name for c in failed.outcome.checks.failed] if failed.outcome and failed.outcome.checks else []
    title = symptom(case.asset, failed.error, failed_checks)
    v.after = _first_line(failed.error or "check fails: " + ", ".join(failed_checks))[:120]
    after_inputs = _inputs(ws, "after")
    if faults.get("read_failures") and "InjectedReadError" not in (failed.error or ""):
        return v.fail("after", f"UNEXPECTED: not the read fault: {v.after}"), title
    if seconds:
        err, took = _transform(case.sql, after_inputs, threads=2, deadline_s=TIME_MARGIN * seconds)
        if err != "interrupted":
            return v.fail("after", f"UNEXPECTED: transform alone ended in {took:.1f} s ({err})"), title
        v.after = f"stopped at {seconds:g} s; alone still running at {TIME_MARGIN * seconds:g} s"
    if memory:
        bad = [
            t
            for t in MEMORY_THREADS
            if not _out_of_memory(_transform(case.sql, after_inputs, threads=t, memory_mb=memory)[0])
        ]
        if bad or not _out_of_memory(failed.error):
            return v.fail("after", f"UNEXPECTED: not out of memory at {memory} MB (threads {bad})"), title
        v.after = f"out of memory at {memory} MB (threads 1, 2, 4)"

    if case.landed and ref.kind != "wait" and not ref.on_landed:
        # A look-alike of late data: what lands later does not make the run pass.
        ws.land_late_rows()
        waited = ws.run(faults=False)
        if not waited.failed:
            return v.fail("after", "UNEXPECTED: passes once landed/ is in (it is late data)"), title
        v.after += "; still fails once landed/ is in"

    if ref.kind == "escalate":
        v.reference = "escalate: no expected output"
        tables = []
        for sql in ref.readings:
            ok, text = _run_sql(ws, sql, ref.checks)
            if not ok:
                return v.fail("reference", f"FAIL: a reading does not pass: {text}"), title
            tables.append(_published(ws))
        if len(tables) > 1 and compare_tables(tables[0], tables[1]).equal:
            return v.fail("reference", "FAIL: the two readings agree"), title
        if tables:
            v.reference += f"; {len(tables)} readings pass and disagree"
        return v, title
    if ref.kind == "retry":
        rerun = ws.run(faults=False)
        ok, text = not rerun.failed, rerun.error or "re-run without the faults publishes"
    elif ref.kind == "wait":
        ws.land_late_rows()
        rerun = ws.run(faults=False)
        ok, text = not rerun.failed, rerun.error or "re-run once landed/ is in publishes"
    elif ref.kind == "limit" and memory:
        bad = [t for t in MEMORY_THREADS if _transform(case.sql, after_inputs, threads=t, memory_mb=2 * memory)[0]]
        if bad:
            return v.fail("reference", f"FAIL at {2 * memory} MB (threads {bad})"), title
        ok, text = _run_sql(ws, case.sql, None, memory_mb=2 * memory)
    elif ref.kind == "limit":
        ok, text = _run_sql(ws, case.sql, None)
        text = f"without the time limit: {text}"
    else:
        sql = case.history[-1][0] if ref.kind == "rollback" else ref.sql
        if ref.on_landed:
            ws.land_late_rows()
        ok, text = _run_sql(ws, sql, ref.checks)
    if not ok:
        return v.fail("reference", f"FAIL: {text}"), title
    reason = _write_expected(_published(ws), folder)
    if reason:
        return v.fail("reference", f"FAIL: expected/output.csv does not read back equal: {reason}"), title
    v.reference = f"{ref.kind}: {text}"
    return v, title
