"""Translate through a mapping table: a key or code column switched value set, and the catalog maps it back.

The evidence is the catalog tool's link between two columns of one table: one holds the values the column
writes now, the other the values it had (its last good values, or the code list its check allows). Before
the mapping is used, its identity is checked on the values seen: every new value must map to one old value
(no fan-out), no two new values may map to the same old one (no collision: that would merge what the source
now tells apart), it must translate nearly all of them and land on the old set. A mapping that fails a bound
is not safe and escalates. The repair is an adapter in front of the source that LEFT JOINs the table and
writes the old value in place of the new one (a value the table does not know passes unchanged, so the
asset's checks still see it).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agentic_assets.repair.catalog import CatalogReport, Link, ValueProbe
from agentic_assets.repair.contracts import Category
from agentic_assets.repair.planner import fixes
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.sql_rewrite import quote

# Share of the distinct values seen now that the mapping translates. The table must explain the switch: a
# reference table of another domain can overlap a code list by chance, and every value it leaves out would
# keep a code the asset does not know; more than one in ten untranslated is not the table of this switch.
MAP_COVERAGE_MIN = 0.9
# Share of the translated values that are among the old ones (the last good values, or the check's code
# list): the same one-in-ten allowance, on the other side of the mapping.
MAP_LANDS_MIN = 0.9
# Share of the values now that the column already had at the last good run, at most: the change must be a
# switch of value set (old values gone, new ones in). At half or more the column still speaks its old set
# (new members beside the old, or a few bad values), and translating it would rewrite values that are right.
SWITCHED_MAX = 0.5


class Target(BaseModel):
    source: str
    column: str
    category: Category = "schema_drift"
    before_type: str | None = None
    old_values: list[str] | None = None  # the check's code list, when that is what the old set is
    origin: Literal["finding", "join_key"] = "finding"
    # A join key compared with a column of another name: its old value set is its partner's values now.
    partner_source: str | None = None
    partner_column: str | None = None
    group: str | None = Field(default=None, description="targets that are one cause seen from two sides")


def old_label(t: Target) -> str:
    return f"{t.source}.{t.column}@old"


def new_label(t: Target) -> str:
    return f"{t.source}.{t.column}@now"


def probes(ts: list[Target]) -> list[ValueProbe]:
    out = []
    for t in ts:
        if t.partner_source and t.partner_column:
            out.append(ValueProbe(label=old_label(t), source=t.partner_source, column=t.partner_column))
            out.append(ValueProbe(label=new_label(t), source=t.source, column=t.column,
                                  partner_source=t.partner_source, partner_column=t.partner_column))  # fmt: skip
            continue
        if t.old_values is not None:
            out.append(ValueProbe(label=old_label(t), values=t.old_values))
        else:
            out.append(ValueProbe(label=old_label(t), source=t.source, column=t.column, at="last_good"))
        out.append(ValueProbe(label=new_label(t), source=t.source, column=t.column))
    return out


def switched(t: Target, report: CatalogReport) -> bool:
    """Whether the probes show a switch of value set (needed for targets no other rule flagged)."""
    now = next((p for p in report.probes if p.label == new_label(t)), None)
    return now is not None and now.known_share is not None and now.known_share < SWITCHED_MAX


def _links(t: Target, report: CatalogReport) -> list[Link]:
    found = [lk for lk in report.links if lk.from_label == new_label(t) and lk.to_label == old_label(t)]
    return sorted(found, key=lambda lk: lk.to_column != t.column)


def yields_own_name(t: Target, report: CatalogReport) -> bool:
    """Whether a mapping for `t` writes a column of the target's own name (a map `new_k -> k` for `k`)."""
    return any(lk.to_column == t.column for lk in _links(t, report))


def unsafe(link: Link) -> str | None:
    """Why the mapping cannot be used as it is, or None."""
    if link.fanout:
        return f"{link.fanout} value(s) map to more than one {link.to_column}: choosing one would be a guess"
    if link.collisions:
        return f"{link.collisions} {link.to_column} value(s) are reached from several values: not one-to-one"
    # Values already in the old set (rows written before the switch) pass the adapter unchanged, so the bound
    # holds on the values the switch brought, unless the table would also rewrite one of the old values.
    covered = link.covered
    if link.covered_new is not None and not link.rewrites_old:
        covered = max(covered, link.covered_new)
    if covered < MAP_COVERAGE_MIN:
        return f"it translates only {covered:.0%} of the values seen now"
    if link.lands_in_to < MAP_LANDS_MIN:
        return f"only {link.lands_in_to:.0%} of what it yields are old values"
    return None


def mapping_adapter(source: str, column: str, link: Link, cast: str) -> str:
    s, m = quote(source), quote(link.table)
    c, f, g = quote(column), quote(link.from_column), quote(link.to_column)
    return (
        f"SELECT s.* REPLACE (COALESCE(CAST(m.{g} AS {cast}), TRY_CAST(s.{c} AS {cast})) AS {c}) "
        f"FROM {s} AS s LEFT JOIN (SELECT DISTINCT {f}, {g} FROM {m}) AS m "
        f"ON CAST(m.{f} AS VARCHAR) = CAST(s.{c} AS VARCHAR)"
    )


def candidates(t: Target, report: CatalogReport, sources: list[str]) -> tuple[list[list[Finding]], Finding | None]:
    """(candidate repairs, an escalation when the only mappings found are unsafe)."""
    links = _links(t, report)
    if not links:
        return [], None
    safe = [lk for lk in links if unsafe(lk) is None]
    if not safe:
        why = "; ".join(f"{lk.table}.{lk.from_column} -> {lk.to_column}: {unsafe(lk)}" for lk in links)
        return [], Finding(
            category=t.category,
            remediation="escalate",
            cause=f"{t.source}.{t.column} switched to another value set and the catalog's mapping is not safe ({why})",
            evidence=["catalog"],
            confidence=0.8,
            source=t.source,
            column=t.column,
            escalate_reason=f"translating {t.column} through an unsafe mapping would be a guess",
        )
    cast = fixes.target_type(t.before_type) if t.before_type else "VARCHAR"
    out = []
    for lk in safe:
        added = [lk.table] if lk.table not in sources else []
        out.append(
            [
                Finding(
                    category=t.category,
                    remediation="code_change",
                    cause=f"{t.source}.{t.column} now writes other values ({lk.from_column} of the catalog table "
                    f"{lk.table}); {lk.table} maps {lk.covered:.0%} of them one-to-one to {lk.to_column}, the values "
                    f"it had: translate them back" + (f" (adds the source {lk.table})" if added else ""),
                    evidence=["schema_diff", "catalog"],
                    confidence=0.86,
                    source=t.source,
                    column=t.column,
                    adapter=mapping_adapter(t.source, t.column, lk, cast),
                    add_sources=added,
                )
            ]
        )
    return out, None
