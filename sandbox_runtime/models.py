"""The sandbox contracts: a job goes in, a verdict comes out."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from asset_checks.results import CheckSuiteResult

JobKind = Literal["sql", "python"]
VerdictReason = Literal[
    "ok",
    "static_rejected",
    "error",
    "timeout",
    "memory",
    "killed",
    "checks_failed",
    "output_invalid",
]
BackendName = Literal["bwrap", "gvisor", "k8s"]

# Table names become file names inside the sandbox and SQL identifiers: keep them boring.
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class SandboxLimits(BaseModel):
    """Resource limits of one sandbox run; enforced by the kernel (rlimits), not by the job."""

    model_config = {"frozen": True}

    memory_mb: int = Field(default=512, ge=128, le=65536, description="address-space limit")
    timeout_s: float = Field(default=30, gt=0, le=3600, description="wall clock, claim to verdict")
    cpu_s: int | None = Field(default=None, ge=1, description="CPU seconds; defaults to timeout_s")
    open_files: int = Field(default=256, ge=32, le=65536)
    max_output_mb: int = Field(default=256, ge=1, le=65536, description="largest output file")
    processes: int = Field(default=64, ge=8, le=4096, description="processes and threads")
    # Writable places inside: /tmp is a tmpfs of `scratch_mb`, /out one of `max_output_mb`
    # (where the host can mount them), each with at most `max_files` inodes; everything else
    # is read-only. 4096 files and folders leave room for DuckDB's spill files and partitioned
    # writes while keeping the kernel memory of empty files small (about 1 KB per inode).
    scratch_mb: int = Field(default=64, ge=16, le=65536, description="tmpfs /tmp")
    max_files: int = Field(default=4096, ge=64, le=1_000_000, description="inodes per writable place")
    # What the host agrees to load from one output, checked on the footer and again while
    # reading it batch by batch: a small file can declare (or decode to) far more.
    max_output_rows: int = Field(default=100_000_000, ge=1, description="rows of the output")
    max_output_decoded_mb: int = Field(
        default=2048, ge=1, le=1 << 20, description="output size once decoded into Arrow memory"
    )

    @property
    def effective_cpu_s(self) -> int:
        return self.cpu_s or max(1, int(self.timeout_s + 0.999))

    @property
    def start_key(self) -> tuple:
        """The limits fixed when a sandbox starts (rlimits, mount sizes): a warm sandbox serves
        only jobs whose start key matches."""
        return (self.memory_mb, self.open_files, self.max_output_mb, self.processes, self.scratch_mb, self.max_files)


class SandboxJob(BaseModel):
    """Candidate code plus the Parquet inputs it may read (the dict key is the table name)."""

    kind: JobKind
    code: str
    inputs: dict[str, Path] = Field(default_factory=dict)
    output_name: str = "output"
    checks: str | None = Field(default=None, description="SodaCL; `checks for <output_name>`")
    now: datetime | None = None
    limits: SandboxLimits = Field(default_factory=SandboxLimits)

    @field_validator("inputs")
    @classmethod
    def _input_names(cls, value: dict[str, Path]) -> dict[str, Path]:
        for name in value:
            if not TABLE_NAME.match(name):
                raise ValueError(f"input table name {name!r} is not a plain identifier")
        return value

    @field_validator("output_name")
    @classmethod
    def _output_name(cls, value: str) -> str:
        if not TABLE_NAME.match(value):
            raise ValueError(f"output name {value!r} is not a plain identifier")
        return value


class StaticIssue(BaseModel):
    """One reason static validation refuses candidate code."""

    rule: str
    message: str
    line: int | None = None
    column: int | None = None
    snippet: str | None = None

    def __str__(self) -> str:
        return self.message


class ColumnSchema(BaseModel):
    name: str
    type: str


class SandboxVerdict(BaseModel):
    """What happened to one job; `ok` is true only if the code ran, the output is valid and
    every check passed."""

    ok: bool
    reason: VerdictReason
    message: str = ""
    exit_status: int | None = Field(default=None, description="negative: killed by that signal")
    stderr_tail: str = ""
    output_rows: int | None = None
    output_schema: list[ColumnSchema] | None = None
    check_results: CheckSuiteResult | None = None
    static_issues: list[StaticIssue] = Field(default_factory=list)
    seconds: float = 0.0
    run_seconds: float | None = Field(default=None, description="the job's own run time inside (advisory)")
    backend: str = ""
    output_path: Path | None = None
