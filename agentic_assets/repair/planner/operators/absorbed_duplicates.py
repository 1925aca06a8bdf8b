"""Duplicates the transform already absorbs: a source read only through one-row-per-partition selects.

A whole row repeated exactly shares every partition key and ordering value with its twin, so a
`ROW_NUMBER() OVER (PARTITION BY ...)` filtered to its first row, or a `SELECT DISTINCT`, keeps one of the two
whatever the partition. Removing such rows before the transform changes nothing it publishes: they are no cause
of the failure, and a dedupe would be a fix for a fault that is not there.
"""

from __future__ import annotations

from sqlglot import exp

from agentic_assets.repair.sql_rewrite import parse


def absorbs_exact_duplicates(sql: str, source: str) -> bool:
    """Whether every read of `source` in `sql` sits under a select that keeps one row per partition."""
    try:
        tree = parse(sql)
    except Exception:  # noqa: BLE001 - SQL the parser cannot read: no claim that it absorbs anything
        return False
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    reads = [t for t in tree.find_all(exp.Table) if t.name == source and t.name not in ctes]
    if not reads:
        return False
    keeping = _one_row_selects(tree)
    return all(any(id(s) in keeping for s in _enclosing_selects(t)) for t in reads)


def _enclosing_selects(node: exp.Expression) -> list[exp.Select]:
    out = []
    parent = node.parent
    while parent is not None:
        if isinstance(parent, exp.Select):
            out.append(parent)
        parent = parent.parent
    return out


def _one_row_selects(tree: exp.Expression) -> set[int]:
    """ids of the selects whose rows reach the rest of the query one per partition."""
    out: set[int] = set()
    for select in tree.find_all(exp.Select):
        if select.args.get("distinct") is not None:
            out.add(id(select))
            continue
        numbers = {
            p.alias_or_name
            for p in select.expressions
            if isinstance(p, exp.Alias) and isinstance(p.this, exp.Window) and isinstance(p.this.this, exp.RowNumber)
        }
        if not numbers:
            continue
        qualify = select.args.get("qualify")
        if qualify is not None and _keeps_first(qualify.this, numbers):
            out.add(id(select))
            continue
        # The filter on the row number sits in the select that reads this one (a subquery or a CTE).
        outer = _reader_of(select, tree)
        where = outer.args.get("where") if outer is not None else None
        if where is not None and _keeps_first(where.this, numbers):
            out.add(id(select))
    return out


def _reader_of(select: exp.Select, tree: exp.Expression) -> exp.Select | None:
    """The select that reads `select`'s rows: around its subquery, or reading its CTE by name."""
    parent = select.parent
    if isinstance(parent, exp.Subquery):
        readers = _enclosing_selects(parent)
        return readers[0] if readers else None
    if isinstance(parent, exp.CTE):
        name = parent.alias_or_name
        for other in tree.find_all(exp.Select):
            source = other.args.get("from")
            if source is not None and isinstance(source.this, exp.Table) and source.this.name == name:
                return other
    return None


def _keeps_first(condition: exp.Expression, numbers: set[str]) -> bool:
    """Whether a conjunct of `condition` keeps only the first row number (`rn = 1`, `rn <= 1`, `rn < 2`)."""
    for part in condition.flatten() if isinstance(condition, exp.And) else [condition]:
        if not isinstance(part, exp.EQ | exp.LTE | exp.LT):
            continue
        column, literal = part.this, part.expression
        if isinstance(literal, exp.Column) and isinstance(column, exp.Literal):
            column, literal = literal, column
        if not (isinstance(column, exp.Column) and column.name in numbers and isinstance(literal, exp.Literal)):
            continue
        bound = literal.this
        if (isinstance(part, exp.LT) and bound == "2") or (not isinstance(part, exp.LT) and bound == "1"):
            return True
    return False
