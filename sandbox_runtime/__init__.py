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
    "SandboxJob",
    "SandboxLimits",
    "SandboxStartError",
    "SandboxUnavailable",
    "SandboxVerdict",
    "StaticIssue",
    "WarmPool",
    "default_pool",
    "run_job",
    "run_sql_on_tables",
]
