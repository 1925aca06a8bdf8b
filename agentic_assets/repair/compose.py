"""A plan's proposals applied together: the repaired transform, checks and run limits."""

from __future__ import annotations

from pydantic import BaseModel, Field

from agentic_assets.repair.contracts import RepairPlan
from agentic_assets.repair.run_limits import RunLimits
from agentic_assets.repair.sql_rewrite import quote, with_source_adapters


class DeadLetter(BaseModel):
    source: str
    condition: str
    reason: str


class RepairedAsset(BaseModel):
    sql: str
    checks: str
    limits: RunLimits = Field(default_factory=RunLimits)
    dead_letters: list[DeadLetter] = Field(default_factory=list)
    retry_only: bool = False
    waits_for_data: bool = False
    waiting_for: list[str] = Field(default_factory=list, description="checks the late data explains")
    added_sources: list[str] = Field(default_factory=list, description="catalog tables the repair adds as sources")


def valid_rows_select(source: str, columns: list[str], conditions: list[str], keys: list[str]) -> str:
    """The rows of `source` that flow on: not dead-lettered, one per key."""
    distinct = keys == ["*"]
    sql = f"SELECT {'DISTINCT ' if distinct else ''}* FROM {quote(source)}"
    if conditions:
        sql += " WHERE " + " AND ".join(f"NOT COALESCE(({c}), FALSE)" for c in conditions)
    if keys and not distinct:
        order = [quote(c) for c in columns if c not in keys] or [quote(k) for k in keys]
        sql += (
            f" QUALIFY row_number() OVER (PARTITION BY {', '.join(quote(k) for k in keys)} "
            f"ORDER BY {', '.join(order)}) = 1"
        )
    return sql


def dead_letter_select(dl: DeadLetter, error_ts: str) -> str:
    reason = dl.reason.replace("'", "''")
    return (
        f"SELECT *, '{reason}' AS error_reason, TIMESTAMP '{error_ts}' AS error_ts "
        f"FROM {quote(dl.source)} WHERE COALESCE(({dl.condition}), FALSE)"
    )


def compose(
    plan: RepairPlan, base_sql: str, base_checks: str, base_limits: RunLimits, columns: dict[str, list[str]]
) -> RepairedAsset:
    sql, checks, limits = base_sql, base_checks, base_limits.model_copy()
    for p in plan.proposals:
        if p.kind == "rollback" and p.sql:
            sql = p.sql
    for p in plan.proposals:
        if p.kind in ("code_change", "schema_evolution") and p.sql:
            sql = p.sql
        if p.kind == "schema_evolution" and p.checks:
            checks = p.checks
        if p.kind == "resource_increase":
            limits = RunLimits(
                memory_limit_mb=p.memory_limit_mb or limits.memory_limit_mb,
                timeout_s=p.timeout_s or limits.timeout_s,
            )
    conditions: dict[str, list[str]] = {}
    keys: dict[str, list[str]] = {}
    dead_letters = []
    for p in plan.proposals:
        if p.kind == "dead_letter" and p.source and p.condition:
            conditions.setdefault(p.source, []).append(p.condition)
            dead_letters.append(DeadLetter(source=p.source, condition=p.condition, reason=p.reason or "invalid row"))
        if p.kind == "dedupe" and p.source and p.keys:
            keys[p.source] = list(p.keys)
    adapters = {
        s: valid_rows_select(s, columns.get(s, []), conditions.get(s, []), keys.get(s, []))
        for s in {*conditions, *keys}
    }
    if adapters:
        sql = with_source_adapters(sql, adapters, "__valid")
    kinds = {p.kind for p in plan.proposals}
    return RepairedAsset(
        sql=sql,
        checks=checks,
        limits=limits,
        dead_letters=dead_letters,
        retry_only=kinds == {"retry"},
        waits_for_data=any(p.kind == "retry" and p.wait_for_data for p in plan.proposals),
        waiting_for=[c for p in plan.proposals if p.kind == "retry" for c in p.wait_for_checks],
        added_sources=sorted(
            {s for p in plan.proposals if p.kind in ("code_change", "schema_evolution") for s in p.add_sources}
        ),  # fmt: skip
    )
