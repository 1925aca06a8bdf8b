"""Run a transform in the sandbox's warm pool instead of in-process: one single-use sandbox per run.

Inputs go in as Parquet (a raw Parquet file is bound as it is; other inputs are written once to a
private folder), the output comes back as Parquet. The default; AGENTIC_TRANSFORM_RUNNER=in-process
runs the frozen SQL in the locked embedded DuckDB instead.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from agentic_assets.engines.duckdb_engine import ArrowInput, as_table


class SandboxedTransformError(RuntimeError):
    """The transform did not produce a valid output in the sandbox; the verdict says why."""


def _parquet_file(source: ArrowInput) -> Path | None:
    files = getattr(source, "files", None) if isinstance(source, pads.FileSystemDataset) else None
    if files and len(files) == 1 and files[0].endswith(".parquet"):
        return Path(files[0])
    return None


def run_sql_sandboxed(sql: str, inputs: dict[str, ArrowInput], *, timeout_s: int = 600) -> pa.Table:
    from sandbox_runtime import SandboxJob, default_pool, run_job
    from sandbox_runtime.output_check import read_output

    with tempfile.TemporaryDirectory(prefix="agentic-transform-") as tmp:
        paths: dict[str, Path] = {}
        for name, source in inputs.items():
            path = _parquet_file(source)
            if path is None:
                path = Path(tmp) / f"{name}.parquet"
                table = source.to_table() if isinstance(source, pads.Dataset) else as_table(source)
                pq.write_table(table, path)
            paths[name] = path
        pool = default_pool()
        # The pool's rlimits (so a warm sandbox fits the job), with this job's own wall clock.
        limits = pool.limits.model_copy(update={"timeout_s": timeout_s})
        job = SandboxJob(kind="sql", code=sql, inputs=paths, limits=limits)
        verdict = run_job(job, pool=pool, workdir=Path(tmp) / "out")
        if not verdict.ok or verdict.output_path is None:
            raise SandboxedTransformError(
                f"the transform failed in the {verdict.backend} sandbox ({verdict.reason}): {verdict.message}"
                + (f"\n{verdict.stderr_tail}" if verdict.stderr_tail else "")
            )
        # Within the job's limits: a small Parquet file can decode to far more than it weighs.
        return read_output(verdict.output_path, limits)
