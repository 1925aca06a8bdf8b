"""SQL surgery for repairs, with sqlglot: read what a transform uses, and put adapters in front of its sources.

An adapter is a CTE that presents a source as the transform expects it (a renamed column under its old
name, a retyped column cast back, a new date format parsed back, duplicates or bad rows removed), so the
transform's own logic is kept word for word.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

DIALECT = "duckdb"


def parse(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read=DIALECT)


def _cte_names(tree: exp.Expression) -> set[str]:
    return {cte.alias_or_name for cte in tree.find_all(exp.CTE)}


def source_aliases(sql: str, sources: list[str]) -> dict[str, str]:
    """alias (or name) -> source table, for every reference to a source."""
    tree = parse(sql)
    ctes = _cte_names(tree)
    out: dict[str, str] = {}
    for t in tree.find_all(exp.Table):
        if t.name in sources and t.name not in ctes:
            out[t.alias_or_name] = t.name
            out[t.name] = t.name
    return out


def columns_used(sql: str, schemas: dict[str, set[str]]) -> dict[str, set[str]]:
    """Source -> the columns of it that the transform names (by qualifier, else by which source has it)."""
    tree = parse(sql)
    aliases = source_aliases(sql, list(schemas))
    used: dict[str, set[str]] = {s: set() for s in schemas}
    for col in tree.find_all(exp.Column):
        name = col.name
        if not name:
            continue
        if col.table and col.table in aliases:
            used[aliases[col.table]].add(name)
            continue
        for source, cols in schemas.items():
            if name in cols:
                used[source].add(name)
    # A bare `*` in a select list reads every column; COUNT(*) reads none.
    star = any(isinstance(e, exp.Star) for sel in tree.find_all(exp.Select) for e in sel.expressions)
    if star:
        for source, cols in schemas.items():
            used[source] |= cols
    return used


def direct_projections(sql: str) -> dict[str, str]:
    """Output column -> the source column it is a plain copy of (outermost SELECT only)."""
    tree = parse(sql)
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    out: dict[str, str] = {}
    if select is None:
        return out
    for projection in select.expressions:
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(inner, exp.Column):
            out[projection.alias_or_name] = inner.name
    return out


def join_columns(sql: str) -> set[str]:
    """Columns compared in JOIN ... ON conditions or named in JOIN ... USING."""
    tree = parse(sql)
    out: set[str] = set()
    for join in tree.find_all(exp.Join):
        on = join.args.get("on")
        if on is not None:
            out |= {c.name for c in on.find_all(exp.Column)}
        for using in join.args.get("using") or []:
            out.add(using.name if hasattr(using, "name") else str(using))
    # `x IN (SELECT x FROM other)` compares keys across sources too.
    for node in tree.find_all(exp.In):
        if node.args.get("query") is not None and isinstance(node.this, exp.Column):
            out.add(node.this.name)
    return out


def join_pairs(sql: str, columns: dict[str, list[str]]) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """((source, column), (source, column)) for every JOIN ... ON equality between columns of two sources
    (qualifiers resolved through the sources' aliases, a bare column by the one source that has it)."""
    tree = parse(sql)
    aliases = source_aliases(sql, list(columns))

    def side(col: exp.Column) -> tuple[str, str] | None:
        if col.table:
            source = aliases.get(col.table)
            return (source, col.name) if source and col.name in columns.get(source, []) else None
        having = [s for s, cols in columns.items() if col.name in cols]
        return (having[0], col.name) if len(having) == 1 else None

    out: list[tuple[tuple[str, str], tuple[str, str]]] = []
    for join in tree.find_all(exp.Join):
        on = join.args.get("on")
        for eq in on.find_all(exp.EQ) if on is not None else []:
            if not (isinstance(eq.this, exp.Column) and isinstance(eq.expression, exp.Column)):
                continue
            a, b = side(eq.this), side(eq.expression)
            if a and b and a[0] != b[0] and (a, b) not in out and (b, a) not in out:
                out.append((a, b))
    return out


def cast_targets(sql: str) -> list[tuple[str, str]]:
    """(column, type) for every CAST/TRY_CAST of a plain column in the transform."""
    tree = parse(sql)
    out = []
    for cast in tree.find_all(exp.Cast):
        if isinstance(cast.this, exp.Column):
            out.append((cast.this.name, cast.to.sql(DIALECT).upper()))
    return out


def conjuncts(sql: str) -> list[str]:
    """Every AND-ed condition of WHERE, HAVING and JOIN ... ON clauses, normalized."""
    tree = parse(sql)
    out: list[str] = []
    for clause in [*tree.find_all(exp.Where), *tree.find_all(exp.Having)]:
        out.extend(_flat_and(clause.this))
    for join in tree.find_all(exp.Join):
        on = join.args.get("on")
        if on is not None:
            out.extend(_flat_and(on))
    return out


def _flat_and(node: exp.Expression) -> list[str]:
    parts = list(node.flatten()) if isinstance(node, exp.And) else [node]
    return [p.sql(DIALECT) for p in parts]


def with_source_adapters(sql: str, adapters: dict[str, str], suffix: str) -> str:
    """Put `adapters` (source -> SELECT over that source) in front of `sql` and point its references at them."""
    if not adapters:
        return sql
    tree = parse(sql)
    ctes = _cte_names(tree)
    for table in list(tree.find_all(exp.Table)):
        if table.name in adapters and table.name not in ctes:
            alias = table.alias_or_name
            replacement = exp.to_table(f"{table.name}{suffix}")
            replacement.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
            table.replace(replacement)
    new_ctes = [
        exp.CTE(this=parse(body), alias=exp.TableAlias(this=exp.to_identifier(f"{source}{suffix}")))
        for source, body in adapters.items()
    ]
    existing = tree.args.get("with_") or tree.args.get("with")
    if existing is not None:
        existing.set("expressions", [*new_ctes, *existing.expressions])
    else:
        tree.set("with_" if "with_" in tree.arg_types else "with", exp.With(expressions=new_ctes))
    return tree.sql(dialect=DIALECT, pretty=True)


def quote(name: str) -> str:
    return exp.to_identifier(name).sql(DIALECT)


def widen_casts(sql: str, widenings: dict[str, str]) -> str:
    """Replace CAST target types (e.g. DECIMAL(10,2) -> DECIMAL(38,2)) throughout the transform."""
    tree = parse(sql)
    for cast in tree.find_all(exp.Cast):
        target = cast.to.sql(DIALECT).upper()
        if target in widenings:
            cast.set("to", exp.DataType.build(widenings[target], dialect=DIALECT))
    return tree.sql(dialect=DIALECT, pretty=True)


def union_by_name(sql: str) -> str | None:
    """The transform with each positional UNION over `SELECT *` branches matched by name, or None if there is none."""
    tree = parse(sql)
    changed = False
    for node in tree.find_all(exp.Union):
        branches = [node.left, node.right]
        stars = [
            b for b in branches if isinstance(b, exp.Select) and any(isinstance(e, exp.Star) for e in b.expressions)
        ]
        if stars and not node.args.get("by_name"):
            node.set("by_name", True)
            changed = True
    return tree.sql("duckdb") if changed else None
