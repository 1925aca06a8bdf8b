"""Static analysis of a transform with sqlglot: does it parse, do its columns exist, what does it output."""

from __future__ import annotations

import re

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

DIALECT = "duckdb"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

Schemas = dict[str, dict[str, str]]


class SqlAnalysis(BaseModel):
    """What static analysis learned about one SELECT."""

    ok: bool
    error: str | None = None
    line: int | None = Field(default=None, description="1-based line of the error in the SQL")
    tables: list[str] = Field(default_factory=list)
    output_schema: dict[str, str] = Field(default_factory=dict)


def _clean(message: str) -> str:
    return _ANSI.sub("", message).strip()


def referenced_tables(expression: exp.Expression) -> list[str]:
    """Tables read by the query, excluding its own CTE names."""
    ctes = {cte.alias_or_name for cte in expression.find_all(exp.CTE)}
    names = {t.name for t in expression.find_all(exp.Table) if t.name and t.name not in ctes}
    return sorted(names)


def analyze_sql(sql: str, schemas: Schemas) -> SqlAnalysis:
    """Parse `sql` (DuckDB dialect), resolve every column against `schemas`, infer the output schema.

    `schemas` maps every table the query may read to its columns and DuckDB types.
    """
    try:
        statements = [s for s in sqlglot.parse(sql, dialect=DIALECT) if s is not None]
    except ParseError as err:
        first = err.errors[0] if err.errors else {}
        return SqlAnalysis(ok=False, error=f"SQL does not parse: {_clean(str(err))}", line=first.get("line"))
    if len(statements) != 1:
        return SqlAnalysis(ok=False, error=f"expected one SELECT statement, found {len(statements)}")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        return SqlAnalysis(ok=False, error=f"the transform must be a SELECT, found {tree.key.upper()}")
    tables = referenced_tables(tree)
    unknown = [t for t in tables if t not in schemas]
    if unknown:
        return SqlAnalysis(
            ok=False,
            tables=tables,
            error=f"reads table(s) not among its sources: {', '.join(unknown)} "
            f"(sources: {', '.join(sorted(schemas)) or 'none'})",
        )
    try:
        qualified = qualify(tree.copy(), schema=schemas, dialect=DIALECT, validate_qualify_columns=True)
        typed = annotate_types(qualified, schema=schemas, dialect=DIALECT)
    except OptimizeError as err:
        message = _clean(str(err))
        match = re.search(r"Line: (\d+)", message)
        return SqlAnalysis(
            ok=False,
            tables=tables,
            error=f"{message} (known columns: {_known_columns(schemas, tables)})",
            line=int(match.group(1)) if match else None,
        )
    except SqlglotError as err:
        return SqlAnalysis(ok=False, tables=tables, error=_clean(str(err)))
    output: dict[str, str] = {}
    for select in typed.selects:
        name = select.alias_or_name
        if not name:
            return SqlAnalysis(ok=False, tables=tables, error=f"output column without a name: {select.sql(DIALECT)}")
        if name in output:
            return SqlAnalysis(ok=False, tables=tables, error=f"output column '{name}' appears twice")
        kind = select.type
        output[name] = "UNKNOWN" if kind is None or kind.is_type(exp.DataType.Type.UNKNOWN) else kind.sql(DIALECT)
    return SqlAnalysis(ok=True, tables=tables, output_schema=output)


def _known_columns(schemas: Schemas, tables: list[str]) -> str:
    return "; ".join(f"{t}: {', '.join(schemas[t])}" for t in tables if t in schemas)


def output_grouping(sql: str) -> list[str] | None:
    """The output columns the outermost SELECT groups by (None when it does not group or cannot be read).

    A grouping expression is matched to the projection that outputs it: by position (GROUP BY 1), by alias,
    or by the same expression; GROUP BY ALL groups by every projection without an aggregate.
    """
    try:
        tree = sqlglot.parse_one(sql, dialect=DIALECT)
    except SqlglotError:
        return None
    if not isinstance(tree, exp.Select):
        return None  # a set operation has no one grouping
    group = tree.args.get("group")
    if group is None:
        return None
    projections = [(s.alias_or_name, s.unalias()) for s in tree.selects]
    if group.args.get("all"):
        names = [n for n, e in projections if n and e.find(exp.AggFunc) is None]
        return names or None
    out: list[str] = []
    for key in group.expressions:
        name = None
        if isinstance(key, exp.Literal) and key.is_int and 0 < int(key.this) <= len(projections):
            name = projections[int(key.this) - 1][0]
        else:
            same = [n for n, e in projections if e == key]
            by_alias = [n for n, _ in projections if isinstance(key, exp.Column) and not key.table and n == key.name]
            name = (same or by_alias or [None])[0]
        if name is None:
            continue  # grouped by something the output does not carry
        if name not in out:
            out.append(name)
    return out or None
