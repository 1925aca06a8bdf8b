"""Typed results of the diagnostic tools that have no model of their own: the contract between tools and planner.

The tools build these models and hand the model a JSON-ready dump; the planner validates what it reads
back into the same models, so a field that is renamed or retyped breaks loudly on both sides.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from agentic_assets.repair.failure_signal import FailureSignal
from agentic_assets.repair.run_limits import RunLimits


class FailedRunInfo(BaseModel):
    run_id: str
    started_at: str
    status: str
    error: str | None = None
    failed_checks: list[str] = Field(default_factory=list)
    code_version: str | None = None
    seconds: float = 0.0
    signal: FailureSignal = Field(default_factory=FailureSignal, description="the failure's classes, not its words")


class GoodRunInfo(BaseModel):
    run_id: str
    started_at: str
    code_version: str | None = None
    rows: int | None = None
    seconds: float | None = Field(default=None, description="how long the last good run took (a resource step)")
    input_rows: dict[str, int] = Field(default_factory=dict, description="rows per source at the last good run")
    input_schemas: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="source -> column -> Arrow type at the last good run"
    )


class FailedRunReport(BaseModel):
    """`failed_run`: the failure, the last good run, the limits, the transform and its checks."""

    asset: str
    tier: int
    sources: list[str] = Field(default_factory=list)
    source_rows_now: dict[str, int] = Field(default_factory=dict, description="rows each readable source holds now")
    failed_run: FailedRunInfo | None = None
    last_good_run: GoodRunInfo | None = None
    recent_statuses: list[str] = Field(default_factory=list)
    run_limits: RunLimits = Field(default_factory=RunLimits)
    current_code_version: str | None = None
    sql: str | None = None
    checks: str = ""
