"""The in-sandbox runner: runs as a script inside the sandbox, never imported by the host.

Protocol (one job per process, so a sandbox is never reused):
  1. optionally pre-import the heavy modules (`--preload`), then write `ready` on stdout;
  2. read one job as a JSON line on stdin;
  3. run it, write the Parquet output, write one JSON report line on stdout, exit.

Anything the job itself prints goes to stderr: fd 1 is moved aside before job code runs.
The report is advisory: the host re-derives rows and schema from the Parquet file, and for
Python jobs runs the checks in a second, fresh sandbox, because job code can write here too.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
import traceback

EFBIG, ENOSPC, EDQUOT = 27, 28, 122  # file too large; a writable place is full


def _report(channel, payload: dict) -> None:  # noqa: ANN001
    channel.write(json.dumps(payload, default=str) + "\n")
    channel.flush()


# A database opened ahead of time by a warm sandbox: opening one costs 15-30 ms.
_prepared = []


def _open_duckdb():  # noqa: ANN202
    import duckdb

    os.makedirs("/tmp/duckdb", exist_ok=True)
    return duckdb.connect(
        config={
            "temp_directory": "/tmp/duckdb",
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "allow_unsigned_extensions": False,
        }
    )


def _duckdb_connection(job: dict, allowed_paths: list[str]):  # noqa: ANN202
    """A DuckDB that can only touch the job's own files, with its configuration locked."""
    con = _prepared.pop() if _prepared else _open_duckdb()
    con.execute(f"SET memory_limit = '{int(job['duckdb_memory_mb'])}MB'")
    con.execute(f"SET threads = {int(job.get('threads', 2))}")
    for name, path in job["inputs"].items():
        con.execute(f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{path}')")
    # Only the declared files stay reachable once external access is off; then nothing
    # (no SET, no PRAGMA) may change that for the rest of the connection's life.
    con.execute("SET allowed_paths = ?", [allowed_paths])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


# Address space the warm-up adds to the preloaded runner (measured on bubblewrap: 388 MB
# before it, 391 MB after the DuckDB part, 434 MB once soda-core is imported).
WARM_UP_ADDRESS_SPACE_MB = 46


def _room_for(mb: int) -> bool:
    """Whether preloading `mb` more of address space still leaves the job at least as much
    again below its limit: preloading may take at most half of what is left."""
    import resource

    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    if limit == resource.RLIM_INFINITY:
        return True
    with open("/proc/self/status", encoding="ascii") as fh:
        size_kb = next(int(line.split()[1]) for line in fh if line.startswith("VmSize:"))
    return limit - (size_kb << 10) >= 2 * (mb << 20)


def _warm_up() -> None:
    """Take DuckDB once through what every job does — a Parquet view, a query, a Parquet
    write, a SodaCL check — on a throwaway database and file, so that a job does not pay for
    the first run of that code (imports: soda-core alone takes seconds under load; page
    faults in the libraries; lazy initialisation) after it was claimed. Skipped when the
    address-space limit leaves too little room for it: the job then pays those costs itself."""
    if not _room_for(WARM_UP_ADDRESS_SPACE_MB):
        return
    path = "/tmp/warm-up.parquet"
    con = _open_duckdb()
    try:
        # Ten rows: one thread and a small memory limit, well inside any job's address space
        # (DuckDB's defaults size themselves from the host's CPUs and RAM).
        con.execute("SET threads = 1")
        con.execute("SET memory_limit = '32MB'")
        con.sql("select range as a, range::varchar as b from range(10)").to_parquet(path)
        con.execute(f"create view t as select * from read_parquet('{path}')")
        con.sql("select b, count(*) as n, sum(a) as s from t group by all").to_parquet(path + ".out")
        from asset_checks.runner import run_checks

        run_checks(con, "checks for t:\n  - row_count > 0\n  - missing_count(b) = 0\n")
    finally:
        con.close()
        for leftover in (path, path + ".out"):
            with contextlib.suppress(OSError):
                os.unlink(leftover)


def _checks(con, job: dict) -> dict | None:  # noqa: ANN001
    if not job.get("checks"):
        return None
    from datetime import datetime

    from asset_checks.runner import run_checks

    now = datetime.fromisoformat(job["now"]) if job.get("now") else None
    return run_checks(con, job["checks"], now=now).model_dump(mode="json")


def _run_sql(job: dict) -> dict:
    out = job["output_path"]
    # DuckDB writes to tmp_<name> first when the target exists, then renames it.
    scratch = os.path.join(os.path.dirname(out), "tmp_" + os.path.basename(out))
    con = _duckdb_connection(job, [*job["inputs"].values(), out, scratch])
    rel = con.sql(job["code"])
    if rel is None:
        return {"status": "output_invalid", "message": "the SQL returned no result set"}
    rel.to_parquet(out)
    con.close()
    return {"status": "ok", "check_results": _checks_on_output(job)}


def _checks_on_output(job: dict) -> dict | None:
    """Checks on a fresh database: nothing the job created (a shadowing view, a macro) exists."""
    if not job.get("checks"):
        return None
    checked = {**job, "inputs": {job["output_name"]: job["output_path"]}}
    return _checks(_duckdb_connection(checked, [job["output_path"]]), job)


def _run_python(job: dict) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    inputs = {name: pq.read_table(path) for name, path in job["inputs"].items()}
    namespace: dict = {"__name__": "candidate_transform"}
    exec(compile(job["code"], "<candidate>", "exec"), namespace)  # noqa: S102 - that is the job
    transform = namespace.get("transform")
    if not callable(transform):
        return {"status": "error", "message": "the module defines no callable `transform`"}
    result = transform(inputs)
    if isinstance(result, pa.RecordBatchReader):
        result = result.read_all()
    if not isinstance(result, pa.Table):
        return {
            "status": "output_invalid",
            "message": f"transform returned {type(result).__name__}, not a pyarrow.Table",
        }
    pq.write_table(result, job["output_path"])
    return {"status": "ok"}


def _run_checks_only(job: dict) -> dict:
    """Checks of a Python job's output, in a sandbox the job never ran in."""
    con = _duckdb_connection(job, list(job["inputs"].values()))
    return {"status": "ok", "check_results": _checks(con, job)}


def _inline_inputs(job: dict) -> None:
    """Remote backends carry the inputs in the job itself; write them where a local run has them."""
    inline = job.pop("inputs_inline", None) or {}
    if inline:
        import base64

        os.makedirs("/tmp/in", exist_ok=True)
        for name, data in inline.items():
            path = f"/tmp/in/{name}.parquet"
            with open(path, "wb") as fh:
                fh.write(base64.b64decode(data))
            job["inputs"][name] = path


def _encoded(path: str) -> str:
    import base64

    with open(path, "rb") as fh:
        return base64.b64encode(fh.read()).decode()


RUNNERS = {"sql": _run_sql, "python": _run_python, "checks": _run_checks_only}


def _classify(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, MemoryError) or "Out of Memory" in text or "bad_alloc" in text:
        return "memory"
    if isinstance(exc, OSError) and exc.errno in (EFBIG, ENOSPC, EDQUOT):
        return "output_invalid"
    return "error"


def _add_paths(argv: list[str]) -> None:
    """`--path DIR`: folders the host laid out inside (the venv's site-packages, the runner's
    packages); site-packages folders get their .pth files processed as usual."""
    import site

    for index, arg in enumerate(argv[:-1]):
        if arg == "--path":
            site.addsitedir(argv[index + 1])


def _exit_on_cpu_limit() -> None:
    """The runner is the sandbox's pid 1 (one process fewer to start and to reap), and the
    kernel drops a signal with the default action sent to a pid namespace's init: SIGXCPU at
    the soft CPU limit would be ignored. Exit as if killed by it (the host reads 128+N as
    signal N); inside a C call that does not return, the hard limit's SIGKILL a second later
    still ends the job."""
    signal.signal(signal.SIGXCPU, lambda *_: os._exit(128 + signal.SIGXCPU))


def main(argv: list[str]) -> int:
    _exit_on_cpu_limit()
    _add_paths(argv)
    # The report channel is a private copy of stdout; fd 1 becomes stderr for the job.
    report = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if "--preload" in argv:
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401

        _warm_up()  # first: one database at a time, within the address-space limit
        _prepared.append(_open_duckdb())
        _prepared[0].execute("select 1").fetchall()
        _report(report, {"status": "ready"})
    if "--job-file" in argv:
        with open(argv[argv.index("--job-file") + 1], encoding="utf-8") as fh:
            line = fh.read()
    else:
        line = sys.stdin.readline()
    if not line:
        return 3
    job = json.loads(line)
    started = time.perf_counter()
    try:
        _inline_inputs(job)
        result = RUNNERS[job["kind"]](job)
        result["elapsed_s"] = round(time.perf_counter() - started, 6)
        if job.get("emit_output") and result["status"] == "ok" and os.path.exists(job["output_path"]):
            result["output_b64"] = _encoded(job["output_path"])
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a report
        traceback.print_exc()
        result = {"status": _classify(exc), "message": f"{type(exc).__name__}: {exc}"[:2000]}
    _report(report, result)
    sys.stderr.flush()
    # Leave at once: interpreter teardown with DuckDB and Arrow loaded costs tens of ms.
    os._exit(0 if result["status"] == "ok" else 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
