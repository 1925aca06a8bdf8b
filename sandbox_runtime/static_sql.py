"""Static validation of candidate DuckDB SQL, before anything runs.

The rules: exactly one statement, and it is a query (SELECT, WITH ... SELECT, or set
operations of those); it reads only the declared input tables (its own CTE names are fine);
no DDL/DML or session commands anywhere; no table functions except pure generators; no
function that reads files or the network. Each issue says what and where, so a code
generator can fix it on the next try.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from sandbox_runtime.models import StaticIssue

DIALECT = "duckdb"
QUERY_TYPES = (exp.Select, exp.Union, exp.Intersect, exp.Except)
# Whole-node types that never belong in a transform, wherever they appear.
FORBIDDEN_NODES: dict[type[exp.Expression], str] = {
    exp.Insert: "INSERT",
    exp.Update: "UPDATE",
    exp.Delete: "DELETE",
    exp.Merge: "MERGE",
    exp.Create: "CREATE",
    exp.Drop: "DROP",
    exp.Alter: "ALTER",
    exp.TruncateTable: "TRUNCATE",
    exp.Copy: "COPY",
    exp.Attach: "ATTACH",
    exp.Detach: "DETACH",
    exp.Install: "INSTALL",
    exp.Pragma: "PRAGMA",
    exp.Set: "SET",
    exp.Use: "USE",
    exp.Command: "a command",
    exp.Describe: "DESCRIBE",
    exp.Summarize: "SUMMARIZE",
    exp.Transaction: "a transaction statement",
    exp.Commit: "COMMIT",
    exp.Rollback: "ROLLBACK",
    exp.Cache: "CACHE",
    exp.LoadData: "LOAD",
}
# Table functions that only generate values; every other table function is refused.
ALLOWED_TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}
# Functions (in any position) that read files, the network, the environment or the catalog
# of other databases.
FORBIDDEN_FUNCTION = re.compile(
    r"^(read_\w+|\w+_scan|glob|sniff_csv|parquet_\w+|query|query_table|getenv|"
    r"iceberg_\w+|delta_\w+|sqlite_\w+|postgres_\w+|mysql_\w+|http\w*|load_\w+|"
    r"duckdb_secrets|which_secret|duckdb_extensions|install_\w+|"
    r"current_setting|set_\w+|system)$",
    re.IGNORECASE,
)


def _where(sql: str, node: exp.Expression | None) -> tuple[int | None, int | None, str | None]:
    """Line, column (1-based) and source text of `node`, where sqlglot recorded them."""
    if node is None:
        return None, None, None
    spans = [c.meta for c in node.walk() if "start" in (getattr(c, "meta", None) or {})]
    if spans:
        start = min(span["start"] for span in spans)
        end = max(span.get("end", span["start"]) for span in spans)
        line = sql.count("\n", 0, start) + 1
        column = start - (sql.rfind("\n", 0, start) + 1) + 1
        return line, column, sql[start : end + 1]
    return None, None, None


def _issue(sql: str, rule: str, text: str, node: exp.Expression | None = None) -> StaticIssue:
    line, column, snippet = _where(sql, node)
    prefix = f"line {line}: " if line else ""
    return StaticIssue(rule=rule, message=prefix + text, line=line, column=column, snippet=snippet)


def _function_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return type(node).__name__.lower()


def _declared(allowed_tables: set[str]) -> str:
    return ", ".join(sorted(allowed_tables)) or "(none)"


def validate_sql(sql: str, allowed_tables: set[str]) -> list[StaticIssue]:
    """Every reason `sql` may not run; an empty list means it passed."""
    try:
        statements = [s for s in sqlglot.parse(sql, dialect=DIALECT) if s is not None]
    except (ParseError, TokenError) as exc:
        errors = getattr(exc, "errors", None) or [{}]
        first = errors[0]
        line, column = first.get("line"), first.get("col")
        where = f"line {line}, column {column}: " if line else ""
        detail = first.get("description") or str(exc)
        return [
            StaticIssue(
                rule="syntax",
                message=f"{where}DuckDB SQL does not parse: {detail}",
                line=line,
                column=column,
                snippet=first.get("highlight"),
            )
        ]
    if not statements:
        return [StaticIssue(rule="one_select", message="the SQL is empty; write one SELECT")]
    if len(statements) > 1:
        return [
            _issue(
                sql,
                "one_select",
                f"found {len(statements)} statements; write exactly one SELECT (use WITH for intermediate steps)",
                statements[1],
            )
        ]
    tree = statements[0]
    issues: list[StaticIssue] = []
    if not isinstance(tree, QUERY_TYPES):
        kind = FORBIDDEN_NODES.get(type(tree)) or type(tree).__name__.upper()
        if isinstance(tree, exp.Command):
            kind = str(tree.this).upper()
        issues.append(
            _issue(sql, "one_select", f"the statement is {kind}; only a SELECT (optionally WITH ...) is allowed", tree)
        )
    ctes = {str(cte.alias_or_name).lower() for cte in tree.find_all(exp.CTE)}
    allowed = {t.lower() for t in allowed_tables}
    for node in tree.walk():
        kind = FORBIDDEN_NODES.get(type(node))
        if kind and node is not tree:
            issues.append(_issue(sql, "forbidden_statement", f"{kind} is not allowed inside a query", node))
        if isinstance(node, exp.Table):
            issues.extend(_check_table(sql, node, allowed, ctes, allowed_tables))
        elif isinstance(node, exp.Func):
            name = _function_name(node)
            if FORBIDDEN_FUNCTION.match(name):
                issues.append(
                    _issue(
                        sql,
                        "forbidden_function",
                        f"function {name}() reads files, the network or the environment; "
                        f"read only the declared tables: {_declared(allowed_tables)}",
                        node,
                    )
                )
    return _dedupe(issues)


def _check_table(sql: str, node: exp.Table, allowed: set[str], ctes: set[str], declared: set[str]) -> list[StaticIssue]:
    source = node.this
    if isinstance(source, exp.Func) or (source is not None and not isinstance(source, exp.Identifier)):
        name = _function_name(source)
        if name in ALLOWED_TABLE_FUNCTIONS or isinstance(source, exp.GenerateSeries):
            return []
        if FORBIDDEN_FUNCTION.match(name):
            return []  # reported once, as a forbidden function
        return [
            _issue(
                sql,
                "table_function",
                f"table function {name}() is not allowed; read only the declared tables: {_declared(declared)}",
                node,
            )
        ]
    name = str(node.name)
    qualifier = ".".join(p for p in (node.catalog, node.db) if p)
    if qualifier:
        return [
            _issue(
                sql,
                "undeclared_table",
                f"table '{qualifier}.{name}' is qualified; refer to the declared inputs by bare name: "
                f"{_declared(declared)}",
                node,
            )
        ]
    if name.lower() in allowed or name.lower() in ctes:
        return []
    looks_like_path = "/" in name or "." in name or ":" in name
    hint = " (a quoted file path reads a file)" if looks_like_path else ""
    return [
        _issue(
            sql,
            "undeclared_table",
            f"table '{name}' is not a declared input{hint}; declared: {_declared(declared)}",
            node,
        )
    ]


def _dedupe(issues: list[StaticIssue]) -> list[StaticIssue]:
    seen: set[tuple] = set()
    unique = []
    for issue in issues:
        key = (issue.rule, issue.message)
        if key not in seen:
            seen.add(key)
            unique.append(issue)
    return unique
