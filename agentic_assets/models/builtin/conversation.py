"""Reading a pydantic-ai conversation from inside a `FunctionModel`, and answering in it.

The built-in planners see exactly what a hosted model sees (messages, tool definitions, output tools)
and answer the same way (tool calls, then a call of an output tool), so the agent loop is identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo


def _request_parts(messages: list[ModelMessage]) -> Iterator[Any]:
    for message in messages:
        if isinstance(message, ModelRequest):
            yield from message.parts


def user_texts(messages: list[ModelMessage]) -> list[str]:
    """Every user prompt, oldest first."""
    out = []
    for part in _request_parts(messages):
        if isinstance(part, UserPromptPart):
            out.append(part.content if isinstance(part.content, str) else " ".join(map(str, part.content)))
    return out


def tool_return(messages: list[ModelMessage], tool_name: str) -> Any | None:
    """The latest successful result of a function tool, if it was called."""
    found = None
    for part in _request_parts(messages):
        if isinstance(part, ToolReturnPart) and part.tool_name == tool_name and _outcome(part) != "retried":
            found = part.content
    return found


def _outcome(part: Any) -> str | None:
    return getattr(part, "outcome", None)


def retry_feedback(messages: list[ModelMessage]) -> list[str]:
    """The errors sent back to the model (output validator `ModelRetry`, tool retries), oldest first."""
    out: list[str] = []
    for part in _request_parts(messages):
        if isinstance(part, RetryPromptPart):
            out.append(part.content if isinstance(part.content, str) else str(part.content))
        elif isinstance(part, ToolReturnPart) and _outcome(part) == "retried":
            out.append(str(part.content))
    return out


def last_request_is_retry(messages: list[ModelMessage]) -> bool:
    last = messages[-1] if messages else None
    if not isinstance(last, ModelRequest):
        return False
    return any(
        isinstance(p, RetryPromptPart) or (isinstance(p, ToolReturnPart) and _outcome(p) == "retried")
        for p in last.parts
    )


def call_tools(*calls: tuple[str, dict[str, Any]]) -> ModelResponse:
    return ModelResponse(parts=[ToolCallPart(name, args) for name, args in calls])


def answer(info: AgentInfo, output: str, args: dict[str, Any]) -> ModelResponse:
    """Call the output tool for the output type named `output` (e.g. 'GeneratedSql')."""
    names = [t.name for t in info.output_tools]
    match = next((n for n in names if n == output or n.endswith("_" + output)), None)
    if match is None:
        if len(names) == 1:
            match = names[0]
        elif info.allow_text_output:
            return ModelResponse(parts=[TextPart(str(args))])
        else:
            raise ValueError(f"no output tool for {output!r} among {names}")
    return ModelResponse(parts=[ToolCallPart(match, args)])
