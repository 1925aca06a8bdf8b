"""The codegen agent: typed deps, read-only tools, a structured answer, and a validator that retries."""

from __future__ import annotations

from typing import Any

from pydantic_ai import Agent, ModelRetry, RunContext

from agentic_assets.codegen.context import CodegenDeps
from agentic_assets.codegen.contracts import CannotGenerate, GeneratedSql
from agentic_assets.codegen.prompt import INSTRUCTIONS
from agentic_assets.codegen.validation import validate_candidate

# Validation errors sent back before the run fails.
MAX_RETRIES = 3

codegen_agent: Agent[CodegenDeps, GeneratedSql | CannotGenerate] = Agent(
    output_type=[GeneratedSql, CannotGenerate],  # type: ignore[arg-type]
    deps_type=CodegenDeps,
    instructions=INSTRUCTIONS,
    retries=MAX_RETRIES,
    name="codegen",
    defer_model_check=True,
)


@codegen_agent.tool
def describe_sources(ctx: RunContext[CodegenDeps]) -> list[dict[str, Any]]:
    """The sources: every column with its DuckDB type, and the distinct values of low-cardinality
    text columns in the sample data (PII columns never show values)."""
    return [t.model_dump(exclude_none=True) for t in ctx.deps.tables]


@codegen_agent.tool
def describe_output_contract(ctx: RunContext[CodegenDeps]) -> dict[str, Any]:
    """What the output must satisfy: declared columns, the columns the checks use, the columns the
    checks require to be unique together, and the SodaCL checks themselves."""
    return {
        "declared_columns": ctx.deps.declared_columns,
        "check_columns": ctx.deps.check_columns,
        "unique_keys": ctx.deps.unique_keys,
        "checks": ctx.deps.checks_text,
    }


@codegen_agent.output_validator
def check_sql(ctx: RunContext[CodegenDeps], output: GeneratedSql | CannotGenerate) -> GeneratedSql | CannotGenerate:
    """Static rules, columns against the sources, output columns against the spec and its checks."""
    if isinstance(output, CannotGenerate):
        return output
    result = validate_candidate(output.sql, ctx.deps)
    if not result.ok:
        raise ModelRetry("The SQL is not valid for this asset:\n- " + "\n- ".join(result.errors))
    # The columns are what the SQL produces, whatever the model listed.
    return output.model_copy(update={"columns": list(result.output_schema)})
