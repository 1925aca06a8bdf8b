"""Reading the evidence: error classes, SodaCL checks, and which source column a check's column comes from."""

from __future__ import annotations

import re
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field

from agentic_assets.repair.failure_signal import FailureSignal
from agentic_assets.repair.sql_rewrite import parse

# Inside DuckDB's BinderException, which column and which kind of binding failed (DuckDB's own messages).
MISSING_COLUMN = re.compile(r'(?:column|Column)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?\s+(?:not found|does not exist)')
AMBIGUOUS = re.compile(r'Ambiguous reference to column name "([A-Za-z_][A-Za-z0-9_]*)"')
REFERENCED = re.compile(r'Referenced column "([A-Za-z_][A-Za-z0-9_]*)"')
SET_OPERATION = re.compile(r"Set operations can only apply to expressions with the same number of result columns")
QUOTED_VALUE = re.compile(r'"([^"]+)"')

ErrorClass = Literal[
    "none", "checks", "io", "missing_source", "memory", "time", "ambiguous", "set_operation", "missing_column",
    "overflow", "conversion", "type_mismatch", "other",
]  # fmt: skip


def error_class(signal: FailureSignal, error: str | None) -> ErrorClass:
    """The planner's class of a failure: the exception family, a DuckDB binder error told apart by kind."""
    family = signal.family
    if family in ("missing_file", "missing_table"):
        return "missing_source"
    if family == "binder":
        text = error or ""
        if AMBIGUOUS.search(text):
            return "ambiguous"
        if SET_OPERATION.search(text):
            return "set_operation"
        if MISSING_COLUMN.search(text) or REFERENCED.search(text):
            return "missing_column"
        return "type_mismatch"  # the other binder failures: an operator or function over changed types
    return family  # type: ignore[return-value]


def literal_filters(sql: str) -> list[tuple[str, list[str]]]:
    """(column, string literals) for every `col = 'x'` or `col IN ('x', ...)` condition of the transform."""
    from sqlglot import exp

    out: list[tuple[str, list[str]]] = []
    tree = parse(sql)
    for node in tree.find_all(exp.EQ, exp.In):
        col = node.this if isinstance(node.this, exp.Column) else None
        if col is None:
            continue
        if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Literal) and node.expression.is_string:
            out.append((col.name, [node.expression.this]))
        elif isinstance(node, exp.In):
            values = [e.this for e in node.expressions if isinstance(e, exp.Literal) and e.is_string]
            if values:
                out.append((col.name, values))
    return out


def missing_columns(error: str) -> list[str]:
    return sorted({*MISSING_COLUMN.findall(error), *REFERENCED.findall(error)})


class Check(BaseModel):
    text: str
    metric: str
    columns: list[str] = Field(default_factory=list)
    config: dict[str, Any] = Field(default_factory=dict)
    threshold: str = ""


_CHECK = re.compile(r"^\s*([a-z_]+)(?:\(([^)]*)\))?\s*(.*)$")


def parse_checks(checks_text: str) -> list[Check]:
    try:
        doc = yaml.safe_load(checks_text) or {}
    except yaml.YAMLError:
        return []
    out: list[Check] = []
    for key, items in doc.items():
        if not str(key).startswith("checks for") or not isinstance(items, list):
            continue
        for item in items:
            text, config = (item, {}) if isinstance(item, str) else next(iter(item.items()))
            m = _CHECK.match(str(text))
            if not m:
                continue
            cols = [c.strip() for c in (m.group(2) or "").split(",") if c.strip()]
            out.append(
                Check(text=str(text), metric=m.group(1), columns=cols, config=config or {}, threshold=m.group(3))
            )
    return out


def failed_check_objects(checks_text: str, failed_names: list[str]) -> list[Check]:
    checks = parse_checks(checks_text)
    norm = [re.sub(r"\s+", "", n) for n in failed_names]
    out = []
    for c in checks:
        key = re.sub(r"\s+", "", c.text)
        if any(key in n or n in key for n in norm):
            out.append(c)
    return out


class Origin(BaseModel):
    """Where an output column comes from in the transform."""

    column: str
    aggregate: str | None = None
    qualifier: str | None = None


def _case_value_column(case: Any) -> Any:
    """The one column a CASE yields in its branches (the others being literals), or None."""
    from sqlglot import exp

    branches = [i.args.get("true") for i in case.args.get("ifs") or []] + [case.args.get("default")]
    columns = {b.name for b in branches if isinstance(b, exp.Column)}
    if len(columns) != 1 or any(b is not None and not isinstance(b, exp.Column | exp.Literal) for b in branches):
        return None
    return next(b for b in branches if isinstance(b, exp.Column))


def output_origins(sql: str) -> dict[str, Origin]:
    """Output column -> the source column it copies or aggregates (outermost SELECT, plain cases only)."""
    from sqlglot import exp

    tree = parse(sql)
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    out: dict[str, Origin] = {}
    if select is None:
        return out
    for projection in select.expressions:
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        while isinstance(inner, exp.Round | exp.Cast | exp.Paren):
            inner = inner.this
        if isinstance(inner, exp.Column):
            out[projection.alias_or_name] = Origin(column=inner.name, qualifier=inner.table or None)
        elif isinstance(inner, exp.Sum | exp.Min | exp.Max | exp.Avg):
            value = _case_value_column(inner.this) if isinstance(inner.this, exp.Case) else inner.this
            if isinstance(value, exp.Column):
                out[projection.alias_or_name] = Origin(
                    column=value.name, aggregate=inner.key, qualifier=value.table or None
                )
    return out


def computed_outputs(sql: str) -> set[str]:
    """Output columns the outermost SELECT computes from other values (a difference, a ratio, a count, a window
    over them) rather than copying or aggregating one source column: a bound on one says nothing of any one
    source value."""
    from sqlglot import exp

    tree = parse(sql)
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    if select is None:
        return set()
    copies = output_origins(sql)
    return {
        p.alias_or_name
        for p in select.expressions
        if p.alias_or_name and p.alias_or_name not in copies and not isinstance(p.unalias(), exp.Star)
    }


def traced_source_columns(sql: str, column: str, schemas: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """(source, column) that an output column is read from, traced through CTEs and subqueries (adapters an
    earlier repair put in front of a source included), by sqlglot's column lineage."""
    from sqlglot import exp
    from sqlglot.lineage import lineage

    try:
        node = lineage(column, sql, schema=schemas, dialect="duckdb")
    except Exception:  # noqa: BLE001 - SQL the lineage cannot follow: no trace
        return []
    out: list[tuple[str, str]] = []
    for n in node.walk():
        if isinstance(n.expression, exp.Table) and n.expression.name in schemas:
            # The lineage normalizes unquoted names to lower case; the source's own spelling is the column.
            name = n.name.split(".")[-1]
            spelled = {c.lower(): c for c in schemas[n.expression.name]}
            pair = (n.expression.name, spelled.get(name.lower(), name))
            if pair not in out:
                out.append(pair)
    return out
