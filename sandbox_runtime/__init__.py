"""Run untrusted generated code (DuckDB SQL or a Python `transform`) in real isolation.

from sandbox_runtime import SandboxJob, run_job, default_pool
verdict = run_job(SandboxJob(kind="sql", code=sql, inputs={"orders": path}),
                  pool=default_pool())
"""

from sandbox_runtime.errors import SandboxStartError, SandboxUnavailable
from sandbox_runtime.execution import run_job, run_sql_on_tables
from sandbox_runtime.models import (
    ColumnSchema,
    SandboxJob,
    SandboxLimits,
    SandboxVerdict,
    StaticIssue,
)
from sandbox_runtime.pool import WarmPool, default_pool

__all__ = [
    "ColumnSchema",
    "OutputRejected",
    "SandboxJob",
    "SandboxLimits",
    "SandboxStartError",
    "SandboxUnavailable",
    "SandboxVerdict",
    "StaticIssue",
    "WarmPool",
    "default_pool",
    "read_output",
    "run_job",
    "run_sql_on_tables",
]


def __getattr__(name: str):  # noqa: ANN202 - pyarrow loads only when outputs are read
    if name in ("OutputRejected", "read_output"):
        from sandbox_runtime import output_check

        return getattr(output_check, name)
    raise AttributeError(f"module 'sandbox_runtime' has no attribute {name!r}")
