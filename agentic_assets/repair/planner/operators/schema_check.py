"""Schema evolution of a check: a source legitimately gained a column and an exact schema check now fails.

A transform that passes every column through (`SELECT *`) hands a new source column on to its output, and a
SodaCL `schema` check that lists the exact columns (`when mismatching columns`) fails on it. When the
output as the transform computes it now is exactly the listed columns, with their listed types, plus the
columns the sources gained, nothing the check guards has changed: the check evolves to list the new columns
too. A gained column the check forbids, or any listed column that went missing or changed type, is not this
case and is left to the other operators (or to a person).
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import yaml

from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.schema_diff import SchemaDiff
from agentic_assets.repair.sql_rewrite import quote
from agentic_assets.repair.types import duckdb_type

EXACT = "when mismatching columns"


def output_columns(sql: str, schemas: dict[str, dict[str, str]]) -> dict[str, str] | None:
    """Output column -> DuckDB type of `sql` over empty tables with the sources' current schemas, or None."""
    con = duckdb.connect()
    try:
        for source, columns in schemas.items():
            cols = ", ".join(f"{quote(c)} {duckdb_type(t)}" for c, t in columns.items())
            con.execute(f"CREATE TABLE {quote(source)} ({cols})")
        rows = con.execute(f"DESCRIBE {sql}").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return {str(r[0]): str(r[1]).lower() for r in rows}


def _same_type(listed: str, actual: str) -> bool:
    return listed.strip().lower().replace(" ", "") == actual.replace(" ", "")


def _schema_fails(doc: dict) -> Iterator[dict]:
    """The `fail` block of every SodaCL schema check in a checks document, as the document's own dicts (so that
    an edit to one is an edit of the document)."""
    for key, items in doc.items():
        if not str(key).startswith("checks for") or not isinstance(items, list):
            continue
        for item in items:
            spec = item.get("schema") if isinstance(item, dict) else None
            fail = spec.get("fail") if isinstance(spec, dict) else None
            if isinstance(fail, dict):
                yield fail


def evolve(checks_text: str, sql: str, schema: SchemaDiff, failed_names: list[str]) -> Finding | None:
    """The schema-evolution finding that lists the gained columns in the exact schema check, or None."""
    if not any("schema" in n.lower() for n in failed_names):
        return None
    gained = {c: d.source for d in schema.sources for c in d.added}
    if not gained or any(d.dropped or d.type_changed for d in schema.sources):
        return None
    try:
        doc = yaml.safe_load(checks_text) or {}
    except yaml.YAMLError:
        return None
    now = output_columns(sql, {d.source: dict(d.columns_now) for d in schema.sources})
    if not now:
        return None
    evolved_any: list[str] = []
    for fail in _schema_fails(doc):
        forbidden = fail.get("when forbidden column present") or []
        if any(c in forbidden for c in gained):
            return None  # the check forbids what arrived: a decision, not an evolution
        listed = fail.get(EXACT)
        if not isinstance(listed, dict):
            continue
        extra = {c: t for c, t in now.items() if c not in listed}
        complete = all(c in now and _same_type(str(t), now[c]) for c, t in listed.items())
        if not extra or not complete or not set(extra) <= set(gained):
            continue
        listed.update(extra)
        evolved_any += sorted(extra)
    if not evolved_any:
        return None
    names = ", ".join(f"{gained[c]}.{c}" for c in evolved_any)
    return Finding(
        category="schema_drift",
        remediation="schema_evolution",
        cause=f"the sources gained {names}; the transform passes every column through, so the output gained "
        "them and the exact schema check fails on columns it did not know; every column it lists is there with "
        "its type, so the check evolves to list the new ones",
        evidence=["failed_run", "schema_diff"],
        confidence=0.88,
        sql=sql,
        checks=yaml.safe_dump(doc, sort_keys=False),
    )


def retype(checks_text: str, before: dict[str, str], after: dict[str, str]) -> str | None:
    """The checks with every schema check's listed type of an output column that widened (listed as it was,
    `before`, and now `after`) set to its new type; None when no schema check lists such a column."""
    changed = {c: t for c, t in after.items() if c in before and not _same_type(before[c], t)}
    if not changed:
        return None
    try:
        doc = yaml.safe_load(checks_text) or {}
    except yaml.YAMLError:
        return None
    retyped = False
    for fail in _schema_fails(doc):
        for listing in fail.values():
            if not isinstance(listing, dict):
                continue
            for col, listed in listing.items():
                if col in changed and _same_type(str(listed), before[col]):
                    listing[col] = changed[col]
                    retyped = True
    return yaml.safe_dump(doc, sort_keys=False) if retyped else None
