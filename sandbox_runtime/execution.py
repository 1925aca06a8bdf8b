"""`run_job`: static validation, then one single-use sandbox, then a verdict."""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox_runtime.backends import get_backend
from sandbox_runtime.backends.base import duckdb_memory_mb
from sandbox_runtime.models import SandboxJob, SandboxLimits, SandboxVerdict, StaticIssue
from sandbox_runtime.process import SandboxProcess
from sandbox_runtime.rundir import INSIDE_OUT
from sandbox_runtime.verdict import apply_checks, build_verdict

if TYPE_CHECKING:
    import pyarrow as pa

    from sandbox_runtime.pool import WarmPool


def output_dir() -> Path:
    """Where the output goes when the caller gives no workdir: a new folder the caller owns."""
    return Path(tempfile.mkdtemp(prefix="sandbox-output-"))


def static_issues(job: SandboxJob) -> list[StaticIssue]:
    if job.kind == "sql":
        from sandbox_runtime.static_sql import validate_sql

        return validate_sql(job.code, set(job.inputs))
    from sandbox_runtime.static_python import validate_python

    return validate_python(job.code)


def sandbox_spec(job: SandboxJob, kind: str, inputs: dict[str, str]) -> dict:
    return {
        "kind": kind,
        "code": job.code,
        "inputs": inputs,
        "output_path": f"{INSIDE_OUT}/output.parquet",
        "output_name": job.output_name,
        "checks": job.checks,
        "now": job.now.isoformat() if job.now else None,
        "threads": 2,
        "duckdb_memory_mb": duckdb_memory_mb(job.limits),
    }


def _sandbox(backend_name: str | None, limits: SandboxLimits, pool: WarmPool | None):
    if pool is not None and pool.serves(backend_name, limits):
        return pool.claim()
    return get_backend(backend_name).start(limits, preload=False)


def _run_in(sandbox: SandboxProcess, job: SandboxJob, kind: str, dest: Path | None) -> SandboxVerdict:
    try:
        inputs = {name: sandbox.rundir.add_input(name, path) for name, path in job.inputs.items()}
        outcome = sandbox.execute(sandbox_spec(job, kind, inputs), job.limits.timeout_s)
        try:
            return build_verdict(outcome, sandbox.rundir, job, dest, sandbox.backend)
        except Exception as exc:  # noqa: BLE001 - whatever the job left, the caller gets a verdict
            return SandboxVerdict(
                ok=False, reason="output_invalid", backend=sandbox.backend, exit_status=outcome.exit_status,
                message=f"the host could not judge what the job left: {type(exc).__name__}: {exc}"[:2000],
                stderr_tail=outcome.stderr_tail[-4000:], seconds=round(outcome.seconds, 4),
            )  # fmt: skip
    finally:
        sandbox.destroy()


def run_job(
    job: SandboxJob,
    *,
    backend: str | None = None,
    workdir: Path | None = None,
    pool: WarmPool | None = None,
    skip_static: bool = False,
) -> SandboxVerdict:
    """Validate `job` statically, run it in a fresh sandbox and judge the result.

    `pool`: take an already started sandbox from this warm pool when its backend and limits
    fit the job (otherwise a sandbox is started cold). The output lands in
    `workdir/<output_name>.parquet` (a new temporary directory when `workdir` is None).
    """
    started = time.perf_counter()
    for name, path in job.inputs.items():
        if not Path(path).is_file():
            raise FileNotFoundError(f"input table {name!r}: no file at {path}")
    if not skip_static:
        issues = static_issues(job)
        if issues:
            return SandboxVerdict(
                ok=False,
                reason="static_rejected",
                message="; ".join(i.message for i in issues),
                static_issues=issues,
                backend=backend or (pool.backend_name if pool else "") or "",
                seconds=round(time.perf_counter() - started, 4),
            )
    chosen = get_backend(backend or (pool.backend_name if pool else None))
    dest_dir = Path(workdir) if workdir else output_dir()
    dest = dest_dir / f"{job.output_name}.parquet"
    if getattr(chosen, "remote", False):
        verdict = chosen.run(job, dest)  # type: ignore[attr-defined]
    else:
        sandbox = _sandbox(chosen.name, job.limits, pool)
        verdict = _run_in(sandbox, job, job.kind, dest)
        if verdict.ok and job.kind == "python" and job.checks:
            verdict = _checks_in_fresh_sandbox(verdict, job, chosen.name, pool)
    verdict.seconds = round(time.perf_counter() - started, 4)
    return verdict


def _checks_in_fresh_sandbox(
    verdict: SandboxVerdict, job: SandboxJob, backend: str, pool: WarmPool | None
) -> SandboxVerdict:
    """Python job code shared a process with the runner, so its own check report could be
    forged: the checks run again on its output in a sandbox it never touched."""
    assert verdict.output_path is not None
    checks_job = job.model_copy(update={"inputs": {job.output_name: verdict.output_path}})
    sandbox = _sandbox(backend, job.limits, pool)
    checked = _run_in(sandbox, checks_job, "checks", None)
    if checked.check_results is None:
        verdict.ok, verdict.reason = False, "error" if checked.ok else checked.reason
        verdict.message = f"checks could not run: {checked.message}"
        verdict.stderr_tail = checked.stderr_tail
        return verdict
    apply_checks(verdict, checked.check_results)
    return verdict


def run_sql_on_tables(
    sql: str,
    tables: dict[str, pa.Table],
    *,
    checks: str | None = None,
    output_name: str = "output",
    now: datetime | None = None,
    limits: SandboxLimits | None = None,
    backend: str | None = None,
    pool: WarmPool | None = None,
    skip_static: bool = False,
) -> tuple[SandboxVerdict, pa.Table | None]:
    """Run SQL over in-memory Arrow tables in a sandbox; returns the verdict and the output."""
    import pyarrow.parquet as pq

    from sandbox_runtime.output_check import read_output

    with tempfile.TemporaryDirectory(prefix="sandbox-tables-") as scratch:
        folder = Path(scratch)
        inputs = {}
        for name, table in tables.items():
            inputs[name] = folder / "in" / f"{name}.parquet"
            inputs[name].parent.mkdir(exist_ok=True)
            pq.write_table(table, inputs[name])
        job = SandboxJob(
            kind="sql", code=sql, inputs=inputs, output_name=output_name, checks=checks,
            now=now, limits=limits or SandboxLimits(),
        )  # fmt: skip
        verdict = run_job(job, backend=backend, workdir=folder / "out", pool=pool, skip_static=skip_static)
        output = None
        if verdict.output_path is not None and verdict.output_path.exists():
            output = read_output(verdict.output_path, job.limits)
        verdict.output_path = None  # the temporary folder is gone after this call
    return verdict, output
