"""The built-in model's side of the codegen conversation: ask for the schemas, plan, answer or refuse."""

from __future__ import annotations

from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models.function import AgentInfo

from agentic_assets.codegen.prompt import description_from_prompt
from agentic_assets.models.builtin.contracts import PlanRefusal, SqlRequest, TableInfo
from agentic_assets.models.builtin.conversation import (
    answer,
    call_tools,
    last_request_is_retry,
    retry_feedback,
    tool_return,
    user_texts,
)
from agentic_assets.models.builtin.nl_sql import REFUSAL, plan_sql

SOURCES_TOOL = "describe_sources"
CONTRACT_TOOL = "describe_output_contract"
SANDBOX_FEEDBACK = "The sandbox run failed"


def codegen_builtin(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """Deterministic: the same conversation always gets the same answer."""
    texts = user_texts(messages)
    if last_request_is_retry(messages):
        # The planner has one reading of the words; if it is invalid, say so instead of guessing.
        error = retry_feedback(messages)[-1]
        return answer(info, "CannotGenerate", {"reason": f"{REFUSAL} My SQL was rejected: {error}"})
    if texts and texts[-1].startswith(SANDBOX_FEEDBACK):
        return answer(info, "CannotGenerate", {"reason": f"{REFUSAL} {texts[-1]}"})
    sources = tool_return(messages, SOURCES_TOOL)
    contract = tool_return(messages, CONTRACT_TOOL)
    if sources is None or contract is None:
        tools = {t.name for t in info.function_tools}
        wanted = [(n, {}) for n in (SOURCES_TOOL, CONTRACT_TOOL) if n in tools]
        if len(wanted) < 2:
            return answer(info, "CannotGenerate", {"reason": f"{REFUSAL} The source schemas are not available."})
        return call_tools(*wanted)
    description = next((d for d in (description_from_prompt(t) for t in texts) if d), None)
    if not description:
        return answer(info, "CannotGenerate", {"reason": f"{REFUSAL} No description found in the request."})
    request = SqlRequest(
        description=description,
        tables=[TableInfo.model_validate(t) for t in sources],
        output_columns=contract.get("declared_columns", []),
        check_columns=contract.get("check_columns", []),
        unique_keys=contract.get("unique_keys", []),
    )
    plan = plan_sql(request)
    if isinstance(plan, PlanRefusal):
        return answer(info, "CannotGenerate", {"reason": plan.reason})
    return answer(info, "GeneratedSql", plan.model_dump())
