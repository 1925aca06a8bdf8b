"""The repair agent's contracts: categories, remediation kinds, the diagnosis, proposals and verdicts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

# The failure taxonomy and the remediation kinds of the incident format (shared/incidents/FORMAT.md).
Category = Literal[
    "schema_drift",
    "format_drift",
    "data_quality",
    "late_data",
    "config_regression",
    "resource_exhaustion",
    "transient",
]
Remediation = Literal[
    "code_change",
    "schema_evolution",
    "dead_letter",
    "dedupe",
    "retry",
    "rollback",
    "resource_increase",
    "escalate",
]
ProposalKind = Literal[
    "code_change", "schema_evolution", "dead_letter", "dedupe", "retry", "rollback", "resource_increase"
]
Risk = Literal["low", "medium", "high"]
ProposalStatus = Literal[
    "validated",  # passed the sandbox; waits for a person (tier 2/3)
    "invalid",  # failed the sandbox
    "approved",  # a person (or tier 1 policy) approved it; not applied yet
    "promoted",  # applied and re-materialized, checks green
    "promotion_failed",  # applied, but the re-materialization failed its checks: nothing published
    "rejected",
    "superseded",
]


class Diagnosis(BaseModel):
    """The agent's conclusion: what broke, why, on which evidence, and how sure it is."""

    category: list[Category] = Field(min_length=1, description="one, or several for a multi-cause incident")
    root_cause: str = Field(description="the cause in words, for the reviewer")
    evidence: list[str] = Field(default_factory=list, description="the tool outputs the diagnosis rests on")
    confidence: float = Field(ge=0, le=1)
    risk: Risk = "medium"
    escalate: bool = Field(default=False, description="no safe automatic repair: a person must decide")
    escalation_reason: str | None = None


class Proposal(BaseModel):
    """One remediation, built by a `propose_*` tool; it changes nothing until promoted."""

    kind: ProposalKind
    summary: str
    sql: str | None = Field(default=None, description="the new transform (code_change, schema_evolution, rollback)")
    checks: str | None = Field(default=None, description="new SodaCL (schema_evolution may change the checks)")
    source: str | None = Field(default=None, description="the source table (dead_letter, dedupe)")
    condition: str | None = Field(default=None, description="dead_letter: SQL predicate that marks a bad row")
    reason: str | None = Field(default=None, description="dead_letter: the error_reason written with bad rows")
    keys: list[str] = Field(default_factory=list, description="dedupe: the columns that identify a row")
    rollback_to: str | None = Field(default=None, description="rollback: the code version to return to")
    backoff_s: float | None = Field(default=None, description="retry: wait before re-running")
    wait_for_data: bool = Field(default=False, description="retry: re-run once the late data has arrived")
    wait_for_checks: list[str] = Field(
        default_factory=list, description="retry: checks the late data explains beside the failed run's own"
    )
    memory_limit_mb: int | None = None
    timeout_s: float | None = None
    source_renames: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="source -> {old column: new column}: the raw contract follows the feed"
    )
    add_sources: list[str] = Field(
        default_factory=list, description="catalog tables the new transform reads: they become sources of the asset"
    )


class CheckOutcome(BaseModel):
    name: str
    outcome: str
    value: Any = None


class Verdict(BaseModel):
    """What the sandbox said about the repaired asset on the current source data."""

    ok: bool
    reason: str
    message: str = ""
    checks: list[CheckOutcome] = Field(default_factory=list)
    output_rows: int | None = None
    sample: list[dict[str, Any]] = Field(default_factory=list, description="PII-redacted rows of the output")
    dead_letter_rows: int | None = None
    seconds: float = 0.0
    backend: str = ""
    waits_for_data: bool = Field(default=False, description="ok only once the late data lands (retry)")

    def brief(self) -> str:
        failing = [f"{c.name} (got {c.value})" for c in self.checks if c.outcome not in ("pass", "warn")]
        head = "passed" if self.ok else f"failed: {self.reason}"
        text = f"sandbox {head}; {self.output_rows if self.output_rows is not None else '-'} output rows"
        if failing:
            text += "; failing checks: " + "; ".join(failing)
        if self.message and not self.ok:
            text += f"; {self.message[:400]}"
        return text


class TraceStep(BaseModel):
    """One step of the ReAct loop, as the reviewer reads it."""

    kind: Literal["thought", "tool_call", "observation", "proposal", "verdict", "diagnosis", "note"]
    text: str = ""
    tool: str | None = None
    args: dict[str, Any] | None = None
    digest: str | None = None
    at: float = Field(default=0.0, description="seconds since the repair started")


class RepairPlan(BaseModel):
    """The proposals of one repair, applied together; validated together in the sandbox."""

    proposals: list[Proposal] = Field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return sorted({p.kind for p in self.proposals})


class RepairRecord(BaseModel):
    """One repair of one asset: the alert, the run of the agent, its diagnosis, plan and fate."""

    repair_id: str
    asset: str
    tier: int
    opened_at: datetime
    alert: str
    triggers: list[str] = Field(default_factory=list, description="run ids or check keys that joined this repair")
    model_id: str = "builtin"
    status: Literal[
        "investigating", "awaiting_approval", "waiting_for_data", "promoted", "escalated", "rejected", "failed"
    ] = "investigating"
    wait_until: datetime | None = Field(default=None, description="waiting_for_data: escalate if not green by then")
    diagnosis: Diagnosis | None = None
    plan: RepairPlan = Field(default_factory=RepairPlan)
    verdict: Verdict | None = None
    base_sql: str | None = Field(default=None, description="the transform the proposals were made against")
    repaired_sql: str | None = None
    repaired_checks: str | None = None
    trace: list[TraceStep] = Field(default_factory=list)
    tool_calls: int = 0
    seconds_to_proposal: float | None = None
    seconds_to_green: float | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    decided_note: str | None = None
    error: str | None = None

    @property
    def remediation(self) -> list[str]:
        if self.diagnosis is not None and self.diagnosis.escalate:
            return ["escalate"]
        return self.plan.kinds or ["escalate"]
