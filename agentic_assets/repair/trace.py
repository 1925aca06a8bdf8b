"""The reasoning trace, rebuilt from the agent's messages: every thought, tool call and observation, in order."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart, ToolReturnPart

from agentic_assets.repair.contracts import TraceStep

OBSERVATION_CHARS = 1200


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= OBSERVATION_CHARS else text[:OBSERVATION_CHARS] + " ..."


def build_trace(messages: list[ModelMessage], started: datetime, output_tool: str = "final_result") -> list[TraceStep]:
    steps: list[TraceStep] = []

    def at(ts: datetime | None) -> float:
        return round((ts - started).total_seconds(), 3) if ts else 0.0

    for message in messages:
        if isinstance(message, ModelResponse):
            for part in message.parts:
                if isinstance(part, TextPart) and part.content.strip():
                    steps.append(TraceStep(kind="thought", text=part.content.strip(), at=at(message.timestamp)))
                elif isinstance(part, ToolCallPart):
                    args = part.args_as_dict()
                    if part.tool_name == output_tool:
                        steps.append(TraceStep(kind="diagnosis", args=args, text=args.get("root_cause", ""),
                                               at=at(message.timestamp)))  # fmt: skip
                    else:
                        kind = "proposal" if part.tool_name.startswith("propose_") else "tool_call"
                        steps.append(TraceStep(kind=kind, tool=part.tool_name, args=args, at=at(message.timestamp)))
        elif isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, ToolReturnPart) and part.tool_name != output_tool:
                    kind = "verdict" if part.tool_name.startswith("propose_") else "observation"
                    steps.append(
                        TraceStep(
                            kind=kind,
                            tool=part.tool_name,
                            text=_short(part.content),
                            digest=digest(part.content),
                            at=at(part.timestamp),
                        )
                    )
    return steps


def tool_call_count(messages: list[ModelMessage], output_tool: str = "final_result") -> int:
    """Tool calls that ran (or were answered): a call refused by the cap is not counted."""
    return sum(
        1
        for m in messages
        if isinstance(m, ModelRequest)
        for p in m.parts
        if isinstance(p, ToolReturnPart) and p.tool_name != output_tool
    )


def render_markdown(steps: list[TraceStep]) -> str:
    lines = []
    n = 0
    for s in steps:
        if s.kind == "thought":
            lines.append(f"- **Thought** ({s.at:.2f}s): {s.text.removeprefix('Thought: ')}")
        elif s.kind in ("tool_call", "proposal"):
            n += 1
            args = json.dumps(s.args, default=str) if s.args else ""
            if len(args) > 300:
                args = args[:300] + " ..."
            lines.append(f"- **Action {n}**: `{s.tool}({args})`")
        elif s.kind == "observation":
            lines.append(f"- **Observation** `{s.tool}` (digest {s.digest}): {s.text[:400]}")
        elif s.kind == "verdict":
            lines.append(f"- **Sandbox / approval** `{s.tool}`: {s.text[:400]}")
        elif s.kind == "diagnosis":
            lines.append(f"- **Diagnosis**: {s.text}")
        else:
            lines.append(f"- {s.text}")
    return "\n".join(lines)
