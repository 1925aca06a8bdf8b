"""Verify one incident: before/ passes, after/ fails as described, the reference repair passes.

Each step returns a short text for the verification table; any failed step marks the incident bad.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import yaml

from agentic_assets.bench.compare import compare_tables, read_expected_csv
from generator.core import Incident, Source, ts
from generator.engine import (
    TIMED_OUT,
    InjectedReadError,
    RunOutcome,
    first_line,
    is_out_of_memory,
    run_and_check,
    source_files,
)

# A memory fault must hold for any thread count the runner may use on small machines.
MEMORY_THREADS = (1, 2, 4)
# A time-limit fault must hold on a machine twice as fast as this one: after/'s transform alone, at the
# runner's two threads, must still be running at twice the limit (the platform's own overhead only adds).
TIME_MARGIN = 2.0
# ...and the last good run's transform fitted in its limit (it has a small fraction of the rows; on a
# busy machine reading the sources alone can take a second, hence the whole limit, not a share of it).
BEFORE_TIME_SHARE = 1.0


@dataclass
class Verdict:
    id: str
    ok: bool = True
    before: str = ""
    after: str = ""
    reference: str = ""
    wrong: str = "-"
    notes: list[str] = field(default_factory=list)

    def fail(self, step: str, text: str) -> None:
        self.ok = False
        setattr(self, step, text)


def _describe(out: RunOutcome) -> str:
    if out.error:
        return f"error: {out.error}"
    if out.failed_checks:
        return "check fails: " + "; ".join(out.failed_checks)
    return f"pass {out.passed_checks}/{out.passed_checks} ({out.table.num_rows} rows)"


def symptom(inc: Incident, folder: Path) -> str:
    """The failure as first seen on after/: the run's error, or the first failed check."""
    now = ts(inc.now)
    files = source_files(folder, "after")
    faults = inc.faults or {}
    if faults.get("timeout_s"):
        return f"{inc.name} run failed: stopped at its time limit of {faults['timeout_s']:g} s"
    if faults.get("read_failures"):
        try:
            run_and_check(files, inc.sql, inc.name, inc.checks, now, read_failures=faults["read_failures"], reads={})
        except InjectedReadError as err:
            return f"{inc.name} run failed: {first_line(err)}"
    out = run_and_check(files, inc.sql, inc.name, inc.checks, now, memory_limit_mb=faults.get("memory_limit_mb"))
    if out.error:
        return f"{inc.name} run failed: {out.error}"
    if out.failed_checks:
        first = out.failed_checks[0].split(" (got ")[0]
        return f"{inc.name} check failed: {first}"
    return f"{inc.name}: no failure"


def verify(inc: Incident, folder: Path) -> Verdict:
    v = Verdict(inc.id)
    doc = yaml.safe_load((folder / "incident.yaml").read_text(encoding="utf-8"))
    now = ts(doc["now"])
    asset = doc["asset"]
    name, checks = asset["name"], asset["checks"]
    faults = doc.get("faults") or {}
    limit = faults.get("memory_limit_mb")
    time_limit = faults.get("timeout_s")
    if doc["id"] != folder.name or doc["title"] != inc.title or not inc.title:
        v.fail("before", "incident.yaml id or title is off")
        return v
    for key in ("category", "remediation", "root_cause"):
        if key not in doc["expected"]:
            v.fail("before", f"expected.{key} missing")

    # (a) before/: the last good SQL passes every check (under the memory limit, for any thread count)
    before_sql = asset["history"][-1]["sql"] if asset.get("history") else asset["sql"]
    before_files = source_files(folder, "before")
    for threads in MEMORY_THREADS if limit else (1,):
        out = run_and_check(before_files, before_sql, name, checks, now, threads=threads, memory_limit_mb=limit)
        if not out.ok:
            v.fail("before", f"FAIL (threads {threads}): {_describe(out)}")
            break
    else:
        v.before = _describe(out)
        if time_limit and out.seconds > BEFORE_TIME_SHARE * time_limit:
            v.fail("before", f"FAIL: took {out.seconds:.2f} s of its {time_limit:g} s limit")

    # (b) after/: the current SQL fails or a check fails; a transient incident fails only through its faults
    files = source_files(folder, "after")
    if faults.get("read_failures"):
        _verify_transient(v, files, asset["sql"], name, checks, now, faults["read_failures"])
    elif time_limit:
        out = run_and_check(files, asset["sql"], name, checks, now, threads=2, deadline_s=TIME_MARGIN * time_limit)
        if out.error == TIMED_OUT:
            v.after = f"still running at {TIME_MARGIN * time_limit:g} s, past its {time_limit:g} s limit"
        else:
            v.fail("after", f"UNEXPECTED within {TIME_MARGIN * time_limit:g} s: {_describe(out)}")
    elif limit:
        bad = []
        for threads in MEMORY_THREADS:
            out = run_and_check(files, asset["sql"], name, checks, now, threads=threads, memory_limit_mb=limit)
            if not is_out_of_memory(out.error):
                bad.append(f"threads {threads}: {_describe(out)}")
        if bad:
            v.fail("after", "UNEXPECTED: " + "; ".join(bad))
        else:
            v.after = f"out of memory at {limit} MB (threads {', '.join(map(str, MEMORY_THREADS))})"
    else:
        out = run_and_check(files, asset["sql"], name, checks, now)
        if out.ok:
            v.fail("after", "UNEXPECTED: runs and passes")
        else:
            v.after = _describe(out)

    # (c) the reference repair
    _verify_reference(v, inc, folder, files, name, checks, now, limit, time_limit)

    # (d) plausible wrong repairs are told apart from the right one
    expected_csv = folder / "expected" / "output.csv"
    notes = []
    for label, sql in inc.wrong_repairs:
        out = run_and_check(files, sql, name, checks, now)
        why = "error" if out.error else ("check fails" if out.failed_checks else "")
        if not why and expected_csv.exists():
            why = "" if compare_tables(out.table, read_expected_csv(expected_csv)).equal else "other rows"
        if not why:
            v.ok = False
        notes.append(f"{label}: {why or 'NOT REJECTED'}")
    if notes:
        v.wrong = "; ".join(notes)
    return v


def _verify_transient(v: Verdict, files, sql, name, checks, now, read_failures) -> None:  # noqa: ANN001
    data = run_and_check(files, sql, name, checks, now)
    reads: dict[str, int] = {}
    log = []
    for attempt in range(1, 6):
        try:
            run_and_check(files, sql, name, checks, now, read_failures=read_failures, reads=reads)
            log.append(f"{attempt} ok")
            break
        except InjectedReadError:
            log.append(f"{attempt} read error")
    if data.ok and log[0].endswith("read error") and log[-1].endswith("ok"):
        v.after = f"data passes; attempts: {', '.join(log)}"
    else:
        v.fail("after", f"UNEXPECTED: {_describe(data)}; attempts {log}")


def _write_expected(table: pa.Table, folder: Path) -> Path:
    out_dir = folder / "expected"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / "output.csv"
    con = duckdb.connect()
    try:
        con.register("repaired", table)
        con.execute(f"COPY (SELECT * FROM repaired ORDER BY ALL) TO '{path.as_posix()}' (HEADER, DELIMITER ',')")
    finally:
        con.close()
    return path


def _verify_reference(
    v: Verdict, inc: Incident, folder: Path, files, name, checks, now, limit, time_limit=None
) -> None:  # noqa: ANN001, E501
    ref = inc.reference
    checks = ref.checks or checks
    if ref.kind == "escalate":
        v.reference = "escalate: no automatic repair (no expected output)"
        return
    if ref.kind == "arrival":
        # The outcome of waiting: the same SQL on the sources once the late rows have landed (landed/).
        landed = {p.stem: p for p in sorted((folder / "landed").glob("*")) if p.suffix in (".csv", ".parquet")}
        arrived = {**files, **landed}
        out = run_and_check(arrived, inc.sql, name, checks, now)
        if not out.ok:
            v.fail("reference", f"FAIL after arrival: {_describe(out)}")
            return
        path = _write_expected(out.table, folder)
        if not compare_tables(out.table, read_expected_csv(path)).equal:
            v.fail("reference", "FAIL: expected/output.csv does not read back equal")
            return
        v.reference = f"retry once the late rows land (landed/): {_describe(out)}"
        return
    if ref.kind == "limit" and time_limit:
        out = run_and_check(files, inc.sql, name, checks, now, threads=2)
        label = f"same SQL without the time limit ({out.seconds:.1f} s at 2 threads): "
    elif ref.kind == "limit":
        outs = [
            run_and_check(files, inc.sql, name, checks, now, threads=t, memory_limit_mb=2 * limit)
            for t in MEMORY_THREADS
        ]
        bad = [f"threads {t}: {_describe(o)}" for t, o in zip(MEMORY_THREADS, outs, strict=True) if not o.ok]
        if bad:
            v.fail("reference", f"FAIL at {2 * limit} MB: " + "; ".join(bad))
            return
        out = outs[0]
        label = f"same SQL at {2 * limit} MB: "
    elif ref.kind == "retry":
        out = run_and_check(files, inc.sql, name, checks, now)
        label = "retry without faults: "
    else:
        out = run_and_check(files, ref.sql, name, checks, now)
        label = ""
    if not out.ok:
        v.fail("reference", f"FAIL: {_describe(out)}")
        return
    path = _write_expected(out.table, folder)
    diff = compare_tables(out.table, read_expected_csv(path))
    if not diff.equal:
        v.fail("reference", f"FAIL: expected/output.csv does not read back equal: {diff.reason}")
        return
    v.reference = label + _describe(out)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def sources_equal(a: Source, b: Source) -> bool:
    return a.rows == b.rows and a.column_names() == b.column_names()
