"""Join a catalog table: a column the transform reads vanished from a source, and the catalog holds it.

The evidence is the catalog tool's probes: the values the vanished column had at the last good run are
found in a column of a catalog table (the dimension it moved to, a map beside a re-keyed source), and one
of the columns the source still has finds its values in a key of that table. The repair puts an adapter in
front of the source that LEFT JOINs the table by that key and brings the column back under its old name, so
the transform's own logic is kept word for word; the table becomes a source of the asset. Several tables
that could do it are candidates for the sandbox, which keeps them only if they agree.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlglot import exp

from agentic_assets.repair.catalog import CatalogReport, ProbeHit, ValueProbe
from agentic_assets.repair.planner import fixes
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.sql_rewrite import DIALECT
from agentic_assets.repair.types import family, is_identifier_name

# Share of a source's key values the catalog key holds. The LEFT JOIN gives every unmatched row a NULL for
# the moved column; more than one row key in twenty without a partner is not the table the column moved to
# (a table of another scope that shares some keys), and would change what the asset reports.
KEY_COVERAGE_MIN = 0.95
# Share of the vanished column's last good values the catalog column holds: the same evidence a rename needs
# of its new column (the analysis' RENAME_VALUES_MIN), since the column must mean what it meant.
MOVED_VALUES_MIN = 0.8
PROBED_FAMILIES = ("integer", "text")  # key-like columns; measures, times and flags are not join keys


class Target(BaseModel):
    source: str
    column: str
    before_type: str | None = None


def old_label(t: Target) -> str:
    return f"{t.source}.{t.column}@last_good"


def now_label(source: str, column: str) -> str:
    return f"{source}.{column}"


def targets(findings: list[Finding], dropped: dict[str, list[str]], before: dict[str, dict[str, str]]) -> list[Target]:
    """Escalations about a column that vanished from its source (`dropped`: source -> columns gone now)."""
    out = []
    for f in findings:
        if f.remediation == "escalate" and f.source and f.column and f.column in dropped.get(f.source, []):
            out.append(Target(source=f.source, column=f.column, before_type=before.get(f.source, {}).get(f.column)))
    return out


def probes(ts: list[Target], columns_now: dict[str, dict[str, str]]) -> list[ValueProbe]:
    """What to ask the catalog: each vanished column's last good values, and each key-like column left."""
    out = [ValueProbe(label=old_label(t), source=t.source, column=t.column, at="last_good") for t in ts]
    for source in sorted({t.source for t in ts}):
        # Identifier-named columns first: the tool answers a bounded number of probes.
        cols = sorted(columns_now.get(source, {}).items(), key=lambda kv: not is_identifier_name(kv[0]))
        for col, kind in cols:
            if family(kind) in PROBED_FAMILIES:
                out.append(ValueProbe(label=now_label(source, col), source=source, column=col))
    return out


def join_adapter(
    source: str, table: str, source_key: str, table_key: str, value: str, name: str, cast: str | None
) -> str:
    """SELECT over `source` with `table.value` LEFT JOINed by key (compared as text, as the probe compared them)."""
    picked: exp.Expression = exp.column(value, table="m", quoted=True)
    if cast:
        picked = exp.Cast(this=picked, to=exp.DataType.build(cast, dialect=DIALECT))
    lookup = (
        exp.select(exp.column(table_key, quoted=True), exp.column(value, quoted=True))
        .distinct()
        .from_(exp.to_table(table, quoted=True))
    )
    on = exp.EQ(
        this=exp.Cast(this=exp.column(table_key, table="m", quoted=True), to=exp.DataType.build("VARCHAR")),
        expression=exp.Cast(this=exp.column(source_key, table="s", quoted=True), to=exp.DataType.build("VARCHAR")),
    )
    select = (
        exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("s")), exp.alias_(picked, name, quoted=True))
        .from_(exp.alias_(exp.to_table(source, quoted=True), "s", table=True))
        .join(exp.alias_(exp.Subquery(this=lookup), "m", table=True), on=on, join_type="left")
    )
    return select.sql(dialect=DIALECT)


def candidates(t: Target, report: CatalogReport, sources: list[str]) -> list[list[Finding]]:
    """One candidate per (catalog column holding the values, key that finds the source's rows)."""
    probe = {p.label: p for p in report.probes}
    old = probe.get(old_label(t))
    columns = {tbl.name: {c.name: c.type for c in tbl.columns} for tbl in report.tables}
    holders: list[tuple[str, str, float | None]] = []
    if old is not None and old.values:
        holders = [(h.table, h.column, h.share) for h in old.hits if h.share >= MOVED_VALUES_MIN]
    else:
        # Nothing records the old values (not in the output, in no other source): the same name is the evidence.
        holders = [(name, t.column, None) for name, cols in columns.items() if t.column in cols]
    out: list[list[Finding]] = []
    for table, value, share in holders:
        keys: list[tuple[str, ProbeHit]] = []
        for p in report.probes:
            if not p.label.startswith(f"{t.source}.") or p.label == old_label(t):
                continue
            for h in p.hits:
                if h.table == table and h.column != value and h.unique and h.share >= KEY_COVERAGE_MIN:
                    keys.append((p.label.split(".", 1)[1], h))
        for source_key, hit in keys:
            before = t.before_type
            now = columns[table].get(value, "")
            cast = fixes.target_type(before) if before and family(before) != family(now) else None
            added = [table] if table not in sources else []
            known = f"{share:.0%} of the values it had at the last good run" if share is not None else "its name"
            out.append(
                [
                    Finding(
                        category="schema_drift",
                        remediation="code_change",
                        cause=f"{t.source} no longer carries {t.column}; the catalog table {table} holds it as "
                        f"{value} ({known}), keyed by {hit.column}, which finds {hit.share:.0%} of "
                        f"{t.source}.{source_key}: join it" + (f" (adds the source {table})" if added else ""),
                        evidence=["schema_diff", "catalog"],
                        confidence=0.86 if share is not None else 0.8,
                        source=t.source,
                        column=t.column,
                        adapter=join_adapter(t.source, table, source_key, hit.column, value, t.column, cast),
                        add_sources=added,
                    )
                ]
            )
    return out
