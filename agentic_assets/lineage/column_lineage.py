"""Column-level lineage of one SELECT, computed with sqlglot against the inputs' declared schemas.

DataHub's own parser (`datahub.sql_parsing.sqlglot_lineage`) finds the tables but loses every column edge with
the sqlglot this project locks (it is written against sqlglot 30.12 and calls `sqlglot.lineage.lineage`
without the `schema` argument that newer releases require), so the same walk is done here directly.
"""

from __future__ import annotations

import logging

import sqlglot
from pydantic import BaseModel
from sqlglot import exp
from sqlglot.lineage import lineage
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope

log = logging.getLogger(__name__)

DIALECT = "duckdb"


class ColumnEdge(BaseModel):
    """`downstream` (an output column) is computed from `upstreams` ((table, column) pairs) by `logic`."""

    downstream: str
    upstreams: list[tuple[str, str]]
    logic: str
    direct_copy: bool


def column_edges(sql: str, schemas: dict[str, dict[str, str]]) -> list[ColumnEdge]:
    """One edge per output column that reads any input column; [] when the SQL cannot be analysed.

    `schemas` maps each table the SQL reads (by the name it uses) to its columns and types.
    """
    try:
        tree = qualify(
            sqlglot.parse_one(sql, dialect=DIALECT),
            schema=schemas,
            dialect=DIALECT,
            identify=False,
            validate_qualify_columns=False,
        )
        scope = build_scope(tree)
        if not isinstance(tree, exp.Query) or scope is None:
            return []
    except Exception as err:  # lineage is a description: a query it cannot read still gets table-level lineage
        log.warning("column lineage skipped: %s", err)
        return []
    edges: list[ColumnEdge] = []
    for select in tree.selects:
        name = select.alias_or_name
        expression = select.this if isinstance(select, exp.Alias) else select
        try:
            node = lineage(name, tree, schema=schemas, dialect=DIALECT, scope=scope, trim_selects=False, copy=False)
        except Exception as err:
            log.warning("no column lineage for %s: %s", name, err)
            continue
        upstreams: set[tuple[str, str]] = set()
        for n in node.walk():
            # Leaves whose source is a real table are input columns; CTEs and subqueries are walked through.
            if not n.downstream and isinstance(n.source, exp.Table) and n.source.name in schemas:
                column = n.expression.name if isinstance(n.expression, exp.Column) else n.name.split(".")[-1]
                upstreams.add((n.source.name, column.strip('"')))
        if upstreams:
            edges.append(
                ColumnEdge(
                    downstream=name,
                    upstreams=sorted(upstreams),
                    logic=expression.sql(dialect=DIALECT),
                    direct_copy=isinstance(expression, exp.Column),
                )
            )
    return edges
