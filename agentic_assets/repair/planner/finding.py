"""What the planner concludes: a finding (a cause with the fix that answers it), or the next step to take."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agentic_assets.repair.contracts import Category, Remediation


class Finding(BaseModel):
    category: Category
    remediation: Remediation
    cause: str
    evidence: list[str] = Field(default_factory=list)
    confidence: float = 0.8
    escalate_reason: str | None = None
    source: str | None = None
    column: str | None = Field(default=None, description="the source column the finding is about")
    renames: dict[str, str] = Field(default_factory=dict, description="new column -> old column")
    replaces: dict[str, str] = Field(default_factory=dict, description="column -> expression")
    condition: str | None = None
    reason: str | None = None
    keys: list[str] = Field(default_factory=list)
    rollback_to: str | None = None
    wait_for_data: bool = False
    wait_for_checks: list[str] = Field(default_factory=list, description="checks the late data explains")
    backoff_s: float | None = None
    memory_limit_mb: int | None = None
    timeout_s: float | None = None
    widen: dict[str, str] = Field(default_factory=dict)
    adapter: str | None = Field(default=None, description="a whole SELECT presenting the source as it was")
    sql: str | None = Field(default=None, description="schema evolution: the whole new transform")
    checks: str | None = Field(default=None, description="schema evolution: the whole evolved checks")
    add_sources: list[str] = Field(default_factory=list, description="catalog tables the fix reads as new sources")


class Step(BaseModel):
    """What to do next: call a tool, or conclude with findings."""

    thought: str
    confidence: float = 0.0
    tool: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
