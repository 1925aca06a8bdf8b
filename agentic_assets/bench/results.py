"""The contracts of a benchmark run: what the repair path answered, what was expected, results.json."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from pydantic import BaseModel, Field

from agentic_assets.repair.contracts import Category, Remediation

# One failure category or remediation kind, or a list of them for a multi-cause incident.
Labels = str | list[str]

# The taxonomy of the incident format, defined once beside the repair contracts.
CATEGORIES: tuple[str, ...] = get_args(Category)
REMEDIATIONS: tuple[str, ...] = get_args(Remediation)


class AgentAnswer(BaseModel):
    """What the repair path produced for one replayed incident, before any scoring."""

    category: Labels | None = None
    remediation: Labels | None = None
    escalated: bool = False
    tool_calls: int | None = None
    seconds_to_proposal: float | None = None
    sandbox_ok: bool | None = Field(default=None, description="the repaired asset passed its checks on after/")
    output: Path | None = Field(default=None, description="the rows the repaired asset produced from after/")
    trace: Path | None = Field(default=None, description="the reasoning trace, as markdown")
    error: str | None = Field(default=None, description="the replay could not complete")
    outcome_published: bool | None = Field(
        default=None, description="after a retry (and the late rows landing): the asset re-ran and published"
    )
    outcome_output: Path | None = Field(default=None, description="the published rows after that re-run")


class Expected(BaseModel):
    """An incident's `expected` block and its expected rows: read by the scorer only."""

    category: Labels
    remediation: Labels
    root_cause: str = ""
    output_csv: Path | None = None
    landed: bool = Field(default=False, description="the incident has landed/: its late rows arrive after the answer")


class IncidentResult(BaseModel):
    """One incident in results.json."""

    id: str
    category: Labels | None = None
    remediation: Labels | None = None
    escalated: bool = False
    tool_calls: int | None = None
    seconds_to_proposal: float | None = None
    sandbox_ok: bool | None = None
    output: str | None = Field(default=None, description="'<id>/output.parquet', relative to the results folder")
    outcome_published: bool | None = None
    diagnosis_correct: bool = False
    proposal_correct: bool = False
    error: str | None = None
    # For the per-category report (written after scoring, never shown to the agent).
    expected_category: Labels | None = None
    expected_remediation: Labels | None = None
    score_detail: str = ""


class Summary(BaseModel):
    incidents: int
    diagnostic_accuracy: float
    proposal_correctness: float
    mean_tool_calls: float | None
    p50_seconds_to_proposal: float | None
    p95_seconds_to_proposal: float | None


class BenchResults(BaseModel):
    """OUT/results.json."""

    model: str
    incidents: list[IncidentResult]
    summary: Summary
    # The split (a folder of incidents reported on its own: the tuned set, the held-out set, the examples).
    split: str | None = None
