"""What the codegen agent answers, and what one generation reports: pydantic contracts."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class GeneratedSql(BaseModel):
    """The agent's answer when it can write the transform."""

    sql: str = Field(description="one DuckDB SELECT over the sources, no DDL or DML, no comments needed")
    explanation: str = Field(description="one paragraph: what the query does, in words")
    columns: list[str] = Field(description="the output columns, in order")
    assumptions: list[str] = Field(default_factory=list, description="every interpretation you had to make")


class CannotGenerate(BaseModel):
    """The agent's answer when it cannot write the transform with confidence."""

    reason: str = Field(description="what could not be mapped, and why")


class SandboxSummary(BaseModel):
    """The parts of a sandbox verdict worth keeping with the code."""

    ok: bool
    reason: str
    message: str
    output_rows: int | None = None
    checks_passed: int = 0
    checks_total: int = 0
    seconds: float = 0.0
    backend: str = ""
    failed_checks: list[str] = Field(default_factory=list)


class Attempt(BaseModel):
    """One candidate: what the model wrote and how validation and the sandbox judged it."""

    variant: int = 0
    model_id: str
    prompt_sha256: str
    output: GeneratedSql | None = None
    refusal: str | None = None
    validation_errors: list[list[str]] = Field(default_factory=list, description="errors sent back, per retry")
    sandbox: SandboxSummary | None = None
    output_schema: dict[str, str] = Field(default_factory=dict)
    retries: int = 0
    requests: int = 0
    tokens: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.output is not None and self.sandbox is not None and self.sandbox.ok

    def rank(self) -> tuple[Any, ...]:
        """Best first: checks passed, then fewest assumptions, then lowest cost."""
        passed = self.sandbox.checks_passed if self.sandbox else -1
        assumptions = len(self.output.assumptions) if self.output else 99
        return (-int(self.ok), -passed, assumptions, self.tokens, self.seconds)


CodeState = Literal["fresh", "stale", "missing", "hand-written", "modified"]


class CodeStatus(BaseModel):
    asset: str
    tier: int
    state: CodeState
    spec_fingerprint: str
    frozen_fingerprint: str | None = None
    model: str | None = None
    approver: str | None = None
    frozen_at: str | None = None
    pending: bool = Field(default=False, description="a validated candidate awaits approval")
    verified_by: str = Field(default="", description="where the approval was found: audit, git or header only")
    reason: str = Field(default="", description="why the code is modified")
