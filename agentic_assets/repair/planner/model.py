"""The builtin repair model: a deterministic planner behind pydantic-ai's `FunctionModel`.

It drives the same tool loop a hosted model would: each turn it reads the tool returns so far, writes its
thought (with a confidence), and either calls the next tool, calls `propose_*` tools, or returns the
structured diagnosis. A proposal the sandbox rejected comes back as a denied call with the verdict; the
planner revises once, then escalates.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo

from agentic_assets.repair.planner.analysis import Evidence, Finding, Step, next_step
from agentic_assets.repair.planner.fixes import adapter_select
from agentic_assets.repair.sql_rewrite import widen_casts, with_source_adapters

DENIED_PREFIX = "The sandbox rejected this proposal: "
CONFIDENCE = re.compile(r"Confidence: ([0-9.]+)")
MAX_ROUNDS = 2


class _State:
    def __init__(self, messages: list[ModelMessage]) -> None:
        self.observations: dict[str, Any] = {}
        self.profiles: dict[str, dict[str, Any]] = {}
        self.confidences: list[float] = []
        self.rounds: list[list[tuple[str, Any]]] = []  # per propose round: (tool, content)
        for message in messages:
            if isinstance(message, ModelResponse):
                for part in message.parts:
                    if isinstance(part, TextPart):
                        m = CONFIDENCE.search(part.content)
                        if m:
                            self.confidences.append(float(m.group(1)))
            if not isinstance(message, ModelRequest):
                continue
            proposals = [
                p for p in message.parts if isinstance(p, ToolReturnPart) and p.tool_name.startswith("propose_")
            ]
            if proposals:
                # One request answers one response's propose calls: one round.
                self.rounds.append([(p.tool_name, p.content) for p in proposals])
            for part in message.parts:
                if not isinstance(part, ToolReturnPart) or part.tool_name.startswith("propose_"):
                    continue
                if part.tool_name == "column_profiles" and isinstance(part.content, dict):
                    for source, cols in part.content.items():
                        if isinstance(cols, dict):
                            self.profiles.setdefault(source, {}).update(cols)
                self.observations[part.tool_name] = part.content

    def verdict_failures(self) -> list[str]:
        """Failing check names reported by denied proposals (the sandbox verdict)."""
        names: list[str] = []
        for round_ in self.rounds:
            for _tool, content in round_:
                if isinstance(content, str) and content.startswith(DENIED_PREFIX):
                    try:
                        verdict = json.loads(content.removeprefix(DENIED_PREFIX))
                    except json.JSONDecodeError:
                        continue
                    names += [c["name"] for c in verdict.get("checks", []) if c.get("outcome") not in ("pass", "warn")]
        return names

    @property
    def last_round_filed(self) -> bool:
        return bool(self.rounds) and all(isinstance(c, dict) and c.get("status") == "filed" for _, c in self.rounds[-1])


def _thought(step: Step) -> TextPart:
    return TextPart(f"Thought: {step.thought} Confidence: {step.confidence:.2f}")


def proposal_calls(findings: list[Finding], sql: str) -> list[ToolCallPart]:
    """The `propose_*` calls that carry out the findings (code fixes merged into one transform)."""
    calls: list[ToolCallPart] = []
    base = sql
    rollback = next((f for f in findings if f.remediation == "rollback"), None)
    if rollback is not None:
        calls.append(ToolCallPart("propose_rollback", {"version": rollback.rollback_to, "summary": rollback.cause}))
    code = [f for f in findings if f.remediation == "code_change"]
    # A code change that rewrites the transform itself (a widened cast) is the base the adapters read into.
    base = next((f.sql for f in code if f.sql), base)
    if code:
        adapters: dict[str, str] = {}
        renames: dict[str, dict[str, str]] = {}
        by_source: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        whole: dict[str, str] = {f.source: f.adapter for f in code if f.adapter and f.source}
        for f in code:
            if f.adapter or (f.sql and not f.source):
                continue
            assert f.source is not None
            r, x = by_source.setdefault(f.source, ({}, {}))
            r.update(f.renames)
            x.update(f.replaces)
            if f.renames:
                renames.setdefault(f.source, {}).update({old: new for new, old in f.renames.items()})
        for source, (r, x) in by_source.items():
            adapters[source] = adapter_select(source, r, x)
        for source, select in whole.items():
            # A whole adapter (a join through a partner, a dropped collision) comes first; the others read it.
            adapters[source] = (
                select
                if source not in adapters
                else adapters[source].replace(f"FROM {source}", f"FROM ({select}) AS {source}", 1)
            )
        calls.append(
            ToolCallPart(
                "propose_code_change",
                {
                    "sql": with_source_adapters(base, adapters, "__repaired"),
                    "summary": "; ".join(f.cause for f in code),
                    "source_renames": renames or None,
                    "add_sources": sorted({s for f in code for s in f.add_sources}) or None,
                },
            )
        )
    for f in findings:
        if f.remediation == "schema_evolution":
            calls.append(
                ToolCallPart(
                    "propose_schema_evolution",
                    {"sql": f.sql or widen_casts(base, f.widen), "summary": f.cause, "checks": f.checks},
                )
            )
        elif f.remediation == "dead_letter":
            calls.append(
                ToolCallPart(
                    "propose_dead_letter",
                    {"source": f.source, "condition": f.condition, "reason": f.reason, "summary": f.cause},
                )
            )
        elif f.remediation == "dedupe":
            calls.append(ToolCallPart("propose_dedupe", {"source": f.source, "keys": f.keys, "summary": f.cause}))
        elif f.remediation == "retry":
            calls.append(
                ToolCallPart(
                    "propose_retry",
                    {
                        "summary": f.cause,
                        "backoff_s": f.backoff_s or 0.0,
                        "wait_for_data": f.wait_for_data,
                        "wait_for_checks": f.wait_for_checks or None,
                    },  # fmt: skip
                )
            )
        elif f.remediation == "resource_increase":
            calls.append(
                ToolCallPart(
                    "propose_resource_increase",
                    {"summary": f.cause, "memory_limit_mb": f.memory_limit_mb, "timeout_s": f.timeout_s},
                )
            )
    # One retry is enough whatever the causes.
    seen: set[str] = set()
    unique = []
    for c in calls:
        key = c.tool_name if c.tool_name == "propose_retry" else c.tool_name + json.dumps(c.args, sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique


def diagnosis_args(findings: list[Finding], *, escalate_reason: str | None = None) -> dict[str, Any]:
    categories: list[str] = []
    for f in findings:
        if f.category not in categories:
            categories.append(f.category)
    escalations = [f.escalate_reason for f in findings if f.remediation == "escalate"]
    reason = escalate_reason or ("; ".join(r for r in escalations if r) or None)
    evidence: list[str] = []
    for f in findings:
        evidence += [e for e in f.evidence if e not in evidence]
    confidence = min((f.confidence for f in findings), default=0.3)
    risky = any(f.remediation in ("code_change", "schema_evolution", "rollback") for f in findings)
    return {
        "category": categories or ["data_quality"],
        "root_cause": " Also: ".join(f.cause[0].upper() + f.cause[1:] for f in findings) + ".",
        "evidence": evidence,
        "confidence": round(confidence, 2),
        "risk": "high" if reason else ("medium" if risky else "low"),
        "escalate": reason is not None,
        "escalation_reason": reason,
    }


def builtin_repair_model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    state = _State(messages)
    output_tool = info.output_tools[0].name if info.output_tools else "final_result"
    extra = state.verdict_failures()
    ev = Evidence(state.observations, state.profiles)
    if state.last_round_filed:
        step = next_step(ev, state.confidences, extra or None)
        findings = step.findings or []
        return ModelResponse(
            parts=[
                TextPart("Thought: the proposals are validated and filed for approval. Here is my diagnosis."),
                ToolCallPart(output_tool, diagnosis_args(findings)),
            ]
        )
    if len(state.rounds) >= MAX_ROUNDS:
        step = next_step(ev, state.confidences, extra or None)
        return ModelResponse(
            parts=[
                TextPart("Thought: my revised proposal failed the sandbox too; a person must decide."),
                ToolCallPart(
                    output_tool,
                    diagnosis_args(step.findings, escalate_reason="the proposals failed sandbox validation twice"),
                ),
            ]
        )
    step = next_step(ev, state.confidences, extra or None)
    if step.tool is not None:
        return ModelResponse(parts=[_thought(step), ToolCallPart(step.tool, step.args)])
    if any(f.remediation == "escalate" for f in step.findings):
        return ModelResponse(parts=[_thought(step), ToolCallPart(output_tool, diagnosis_args(step.findings))])
    calls = proposal_calls(step.findings, ev.sql)
    if not calls:
        return ModelResponse(
            parts=[_thought(step), ToolCallPart(output_tool, diagnosis_args(step.findings, escalate_reason="no fix"))]
        )
    return ModelResponse(parts=[_thought(step), *calls])
