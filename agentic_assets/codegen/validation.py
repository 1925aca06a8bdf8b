"""Static validation of a candidate, with messages written for the model that has to fix it."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agentic_assets.codegen.context import CodegenDeps
from agentic_assets.sql.analysis import analyze_sql
from sandbox_runtime.static_sql import validate_sql

# DECIMAL(p, s) narrower than this loses amounts above ten million or so (p=10: 99,999,999.99).
MIN_DECIMAL_PRECISION = 18
_NARROW = re.compile(r"\b(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)", re.IGNORECASE)
_FLOAT_CAST = re.compile(r"\bCAST\s*\([^()]*\bAS\s+(?:FLOAT|REAL|FLOAT4)\b", re.IGNORECASE)


class ValidationResult(BaseModel):
    errors: list[str] = Field(default_factory=list)
    output_schema: dict[str, str] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_candidate(sql: str, deps: CodegenDeps) -> ValidationResult:
    """Every reason the SQL may not run as this asset's transform, each stated exactly."""
    errors: list[str] = []
    for issue in validate_sql(sql, set(deps.schemas)):
        errors.append(f"static rule {issue.rule}: {issue.message}")
    if errors:
        return ValidationResult(errors=errors)
    analysis = analyze_sql(sql, deps.schemas)
    if not analysis.ok:
        return ValidationResult(errors=[analysis.error or "the SQL does not analyze"])
    out = analysis.output_schema
    for m in _NARROW.finditer(sql):
        if int(m.group(1)) < MIN_DECIMAL_PRECISION:
            errors.append(
                f"precision: {m.group(0)} silently loses large amounts; keep the source's decimal type "
                f"(at least DECIMAL({MIN_DECIMAL_PRECISION},2)) or do not cast"
            )
    if _FLOAT_CAST.search(sql):
        errors.append("precision: casting to FLOAT/REAL loses exact amounts; keep the decimal type")
    declared = deps.declared_columns
    if declared:
        missing = [c for c in declared if c not in out]
        extra = [c for c in out if c not in declared]
        if missing:
            errors.append(
                f"declared column(s) missing from the output: {', '.join(missing)} (output: {', '.join(out)})"
            )
        if extra:
            errors.append(
                f"output column(s) not declared in the spec: {', '.join(extra)} (declared: {', '.join(declared)})"
            )
    absent = [c for c in deps.check_columns if c not in out]
    if absent:
        errors.append(
            f"the checks use column(s) the output lacks: {', '.join(absent)} (output: {', '.join(out) or 'none'})"
        )
    return ValidationResult(errors=errors, output_schema=out)
