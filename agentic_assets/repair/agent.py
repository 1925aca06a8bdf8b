"""The repair agent: a pydantic-ai ReAct loop over read-only tools, ending in proposals that await approval.

The run stops at the first `propose_*` call (deferred tools). The proposals are composed and validated in
the sandbox; a valid set is approved for filing and the agent resumes to write its diagnosis; a rejected
set goes back to the agent once with the verdict. At the 12-call cap it escalates with its partial trace.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic_ai import (
    Agent,
    DeferredToolRequests,
    DeferredToolResults,
    RunContext,
    ToolApproved,
    ToolDenied,
    capture_run_messages,
)
from pydantic_ai.exceptions import AgentRunError, UsageLimitExceeded
from pydantic_ai.messages import ModelMessage
from pydantic_ai.usage import UsageLimits

from agentic_assets.models import build_model, describe_model
from agentic_assets.repair.compose import RepairedAsset, compose
from agentic_assets.repair.contracts import Diagnosis, RepairPlan, TraceStep, Verdict
from agentic_assets.repair.planner.model import DENIED_PREFIX, builtin_repair_model
from agentic_assets.repair.tools import RepairDeps, build_proposal, register_tools
from agentic_assets.repair.trace import build_trace, tool_call_count
from agentic_assets.repair.validation import validate
from agentic_assets.repair.view import AssetView

TOOL_CALLS_LIMIT = 12
CONFIDENT = 0.85
INSTRUCTIONS = """\
You are the first responder for a failed data asset. Work in a ReAct loop: think, call one read-only tool,
read its observation, repeat. Start with `failed_run`, then `schema_diff`; use `column_profiles`,
`failed_checks`, `code_history`, `table_history`, `freshness` (how far each source's time columns reach),
`sample_rows`, `lineage` and `catalog` (tables beyond the asset's sources, with value-overlap probes) as the
evidence requires.
Write each thought with a line `Confidence: <0..1>`.
When you know the cause, call the `propose_*` tools that fix it (they only build proposals; the sandbox
validates them and a person approves them). Keep the transform's meaning: adapt what the sources deliver
now to what the transform expects. Escalate (final result with escalate=true, no proposal) whenever a fix
would have to guess at meaning: an identifier that changed meaning, a unit change, an ambiguous rename.
Then give the final result: category (failure taxonomy), root cause, evidence (tool names), confidence, risk.
"""


def _confidence_streak(ctx: RunContext[RepairDeps]) -> str:
    """Early stop: once the last two thoughts were confident, tell the model to conclude."""
    import re

    values = []
    for message in ctx.messages:
        for part in getattr(message, "parts", []):
            content = getattr(part, "content", None)
            if getattr(part, "part_kind", "") == "text" and isinstance(content, str):
                m = re.search(r"Confidence: ([0-9.]+)", content)
                if m:
                    values.append(float(m.group(1)))
    if len(values) >= 2 and values[-1] >= CONFIDENT and values[-2] >= CONFIDENT:
        return "You have been confident twice in a row: stop investigating and propose (or escalate) now."
    return ""


def build_agent(model_setting: str | None) -> Agent[RepairDeps, Diagnosis | DeferredToolRequests]:
    model = build_model(model_setting, builtin=builtin_repair_model, builtin_name="builtin-repair")
    agent: Agent[RepairDeps, Any] = Agent(
        model,
        deps_type=RepairDeps,
        output_type=[Diagnosis, DeferredToolRequests],
        instructions=INSTRUCTIONS,
        name="repair-agent",
    )
    agent.instructions(_confidence_streak)
    register_tools(agent)
    return agent


@dataclass
class Investigation:
    diagnosis: Diagnosis
    plan: RepairPlan
    verdict: Verdict | None
    repaired: RepairedAsset | None
    output: Any
    trace: list[TraceStep]
    messages: list[ModelMessage]
    tool_calls: int
    seconds_to_proposal: float | None
    prompt: str
    model_id: str
    verdicts: list[tuple[RepairPlan, Verdict]] = field(default_factory=list)

    @property
    def escalated(self) -> bool:
        return self.diagnosis.escalate or not self.plan.proposals


def alert_prompt(view: AssetView, alert: str) -> str:
    return (
        f"Alert: {alert}\n"
        f"Asset: {view.name} (tier {view.tier}), sink {view.sink}, sources {', '.join(view.sources)}.\n"
        f"Purpose: {view.description}\n"
        "Diagnose the failure and propose a fix, or escalate."
    )


def investigate(view: AssetView, alert: str, *, model_setting: str | None = None) -> Investigation:
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    agent = build_agent(model_setting)
    deps = RepairDeps(view=view, alert=alert)
    limits = UsageLimits(tool_calls_limit=TOOL_CALLS_LIMIT)
    prompt = alert_prompt(view, alert)
    model_id = describe_model(model_setting)
    columns = {s: view.source_table(s).column_names for s in view.sources if _readable(view, s)}

    messages: list[ModelMessage] | None = None
    deferred: DeferredToolResults | None = None
    usage = None
    diagnosis: Diagnosis | None = None
    plan, verdict, repaired, output = RepairPlan(), None, None, None
    verdicts: list[tuple[RepairPlan, Verdict]] = []
    seconds_to_proposal = None
    with capture_run_messages() as captured:
        try:
            while diagnosis is None:
                result = agent.run_sync(
                    prompt if messages is None else None,
                    deps=deps,
                    message_history=messages,
                    deferred_tool_results=deferred,
                    usage_limits=limits,
                    usage=usage,
                )
                messages, usage = result.all_messages(), result.usage
                if isinstance(result.output, Diagnosis):
                    diagnosis = result.output
                    break
                requests: DeferredToolRequests = result.output
                plan = RepairPlan(
                    proposals=[build_proposal(c.tool_name, c.args_as_dict(), view) for c in requests.approvals]
                )
                repaired = compose(plan, view.sql or "", view.checks_text, view.run_limits(), columns)
                failed = view.failed_run()
                verdict, output = validate(view, repaired, waiting_for=failed.failed_checks if failed else None)
                verdicts.append((plan, verdict))
                if verdict.ok:
                    seconds_to_proposal = round(time.perf_counter() - clock, 3)
                    answer: dict[str, Any] = {c.tool_call_id: ToolApproved() for c in requests.approvals}
                else:
                    body = DENIED_PREFIX + json.dumps(verdict.model_dump(mode="json", exclude={"sample"}), default=str)
                    answer = {c.tool_call_id: ToolDenied(body) for c in requests.approvals}
                deferred = DeferredToolResults(approvals=answer)
        except UsageLimitExceeded as err:
            messages = list(captured)
            diagnosis = Diagnosis(
                category=["data_quality"],
                root_cause=f"no diagnosis within {TOOL_CALLS_LIMIT} tool calls ({err})",
                evidence=[],
                confidence=0.0,
                risk="high",
                escalate=True,
                escalation_reason="tool-call budget exhausted; the partial trace is attached",
            )
        except AgentRunError as err:
            # A model that answers garbage (unknown tools, invalid arguments past their retries, a server
            # error) ends the investigation; nothing was changed, and a person gets the partial trace.
            messages = list(captured)
            diagnosis = Diagnosis(
                category=["data_quality"],
                root_cause=f"the model failed: {type(err).__name__}: {err}",
                evidence=[],
                confidence=0.0,
                risk="high",
                escalate=True,
                escalation_reason=f"the model {model_id} failed ({type(err).__name__}); the partial trace is attached",
            )
    messages = messages or []
    if diagnosis.escalate or verdict is None or not verdict.ok:
        if not diagnosis.escalate:
            diagnosis = diagnosis.model_copy(
                update={"escalate": True, "escalation_reason": "no proposal passed sandbox validation"}
            )
        plan = RepairPlan() if diagnosis.escalate else plan
    return Investigation(
        diagnosis=diagnosis,
        plan=plan,
        verdict=verdict,
        repaired=repaired if not diagnosis.escalate else None,
        output=output if not diagnosis.escalate else None,
        trace=build_trace(messages, started_at),
        messages=messages,
        tool_calls=tool_call_count(messages),
        seconds_to_proposal=seconds_to_proposal,
        prompt=INSTRUCTIONS + "\n" + prompt,
        model_id=model_id,
        verdicts=verdicts,
    )


def _readable(view: AssetView, source: str) -> bool:
    try:
        view.source_table(source)
        return True
    except Exception:  # noqa: BLE001 - a missing source shows in the agent's own evidence
        return False
