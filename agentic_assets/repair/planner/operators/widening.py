"""Widening: values outgrew a number type the transform casts to."""

from __future__ import annotations

import re

from agentic_assets.repair.observations import FailedRunReport
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.operators import schema_check
from agentic_assets.repair.sql_rewrite import cast_targets, widen_casts
from agentic_assets.repair.types import family


def numeric_casts_of_numbers(sql: str, report: FailedRunReport) -> bool:
    """Whether the transform casts a column that was a number at the last good run to a bounded number type."""
    good = report.last_good_run
    types = {c: t for schema in (good.input_schemas.values() if good else []) for c, t in schema.items()}
    bounded = set(widenings(sql))
    return any(
        family(types.get(col, "")) in ("integer", "number") and target in bounded for col, target in cast_targets(sql)
    )


def widening_finding(
    sql: str, widen: dict[str, str], report: FailedRunReport, error: str, checks_text: str = ""
) -> Finding:
    """Widen the casts the values outgrew: a schema evolution when an output column widens with them (the
    format's definition), a code change when the wider type stays inside the transform. A schema check that
    lists the widened column's old type evolves with it."""
    cause = f"source values outgrew the declared type(s) {', '.join(widen)} ({error[:160]})"
    schemas = report.last_good_run.input_schemas if report.last_good_run else {}
    before = schema_check.output_columns(sql, schemas) if schemas else None
    after = schema_check.output_columns(widen_casts(sql, widen), schemas) if schemas else None
    if before is not None and after is not None and before == after:
        return Finding(
            category="schema_drift",
            remediation="code_change",
            cause=f"{cause}; the wider type stays inside the transform, the output schema does not change",
            evidence=["failed_run"],
            confidence=0.85,
            sql=widen_casts(sql, widen),
        )
    return Finding(
        category="schema_drift",
        remediation="schema_evolution",
        cause=cause,
        evidence=["failed_run"],
        confidence=0.85,
        widen=widen,
        checks=schema_check.retype(checks_text, before, after) if before and after and checks_text else None,
    )


def widenings(sql: str) -> dict[str, str]:

    from sqlglot import exp

    from agentic_assets.repair.sql_rewrite import parse

    out: dict[str, str] = {}
    for cast in parse(sql).find_all(exp.Cast):
        target = cast.to.sql("duckdb").upper()
        m = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", target)
        if m and int(m.group(1)) < 38:
            out[target] = f"DECIMAL(38, {m.group(2)})"
        elif target in ("INT", "INTEGER", "SMALLINT", "TINYINT", "INT4", "INT2"):
            out[target] = "BIGINT"
    return out
