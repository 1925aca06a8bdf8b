"""The catalog step of the planner: when the findings point at a column that vanished, a key that was re-keyed
or a code list that switched, ask the catalog once, then let `catalog_join` and `code_set_mapping` replace the
escalation (or the dead letter) with candidate repairs the sandbox decides between.

The catalog is consulted only on that evidence, so the other incidents pay no tool call for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentic_assets.repair.catalog import CatalogReport
from agentic_assets.repair.planner.finding import Finding, Step
from agentic_assets.repair.planner.operators import catalog_join, code_set_mapping, unmapped_code_switch
from agentic_assets.repair.planner.signals import failed_check_objects, output_origins
from agentic_assets.repair.sql_rewrite import join_columns, join_pairs
from agentic_assets.repair.types import family

if TYPE_CHECKING:
    from agentic_assets.repair.planner.evidence import Evidence

LABEL = "catalog"


def _validity_checks(ev: Evidence, column: str, failed_names: list[str]) -> list[dict]:
    """The configs of failed validity checks on `column` (or on an output column copied from it)."""
    origins = output_origins(ev.sql) if ev.sql else {}
    out = []
    for check in failed_check_objects(ev.checks_text, failed_names):
        if check.metric != "invalid_count":
            continue
        if any(c == column or (origins.get(c) is not None and origins[c].column == column) for c in check.columns):
            out.append(check.config)
    return out


def _valid_values(configs: list[dict]) -> list[str] | None:
    allowed = next((c["valid values"] for c in configs if c.get("valid values")), None)
    return [str(v) for v in allowed] if allowed else None


def _mostly_outside(ev: Evidence, source: str, column: str, allowed: list[str]) -> bool:
    """Whether most of the column's distinct values now are outside its code list: a switch, not bad rows."""
    profile = ev.profile(source, column) or {}
    values = [str(v) for v in profile.get("values") or [v for v, _n in profile.get("top_values") or []]]
    if not values:
        return False
    outside = [v for v in values if v not in allowed]
    return len(outside) / len(values) >= 1 - code_set_mapping.SWITCHED_MAX


def _mapping_targets(
    ev: Evidence, findings: list[Finding], failed_names: list[str], skip: set[tuple[str, str]]
) -> list[code_set_mapping.Target]:
    good = ev.report.last_good_run
    before = good.input_schemas if good else {}
    now = {d.source: d.columns_now for d in ev.schema.sources}
    out: list[code_set_mapping.Target] = []
    for f in findings:
        if f.remediation not in ("escalate", "dead_letter") or not f.source or not f.column:
            continue
        if (f.source, f.column) in skip or family(now.get(f.source, {}).get(f.column, "")) not in ("integer", "text"):
            continue  # gone, or a measure: a code or key is text or an integer
        configs = _validity_checks(ev, f.column, failed_names)
        allowed = _valid_values(configs)
        if allowed is None and any("valid min" in c or "valid max" in c for c in configs):
            continue  # a numeric bound crossed is about magnitudes, not a code set
        if f.remediation == "dead_letter" and (allowed is None or not _mostly_outside(ev, f.source, f.column, allowed)):
            continue  # a dead letter of a few invalid rows stays a dead letter
        out.append(
            code_set_mapping.Target(
                source=f.source,
                column=f.column,
                category="format_drift" if f.category == "data_quality" else f.category,
                before_type=before.get(f.source, {}).get(f.column),
                old_values=allowed,
            )
        )
    if not findings and ev.sql:
        # Nothing explains the failure: a join key whose values all changed may have a map in the catalog.
        # Only keys that join two different sources: a self-join compares a column with itself.
        keys = join_columns(ev.sql)
        shared = {c for c in keys if sum(c in d.columns_now for d in ev.schema.sources) >= 2}
        for d in ev.schema.sources:
            for col in sorted(shared & set(d.used_by_transform)):
                if col in d.columns_now and family(d.columns_now[col]) in ("integer", "text"):
                    out.append(
                        code_set_mapping.Target(
                            source=d.source, column=col, before_type=before.get(d.source, {}).get(col),
                            origin="join_key",
                        )
                    )  # fmt: skip
        # Keys of other names on the two sides: each side is a target whose old values are its partner's.
        now_cols = {d.source: list(d.columns_now) for d in ev.schema.sources}
        kinds = {d.source: d.columns_now for d in ev.schema.sources}
        for a, b in join_pairs(ev.sql, now_cols):
            if a[1] == b[1] or not all(family(kinds[s][c]) in ("integer", "text") for s, c in (a, b)):
                continue
            for (s, c), (ps, pc) in ((a, b), (b, a)):
                out.append(
                    code_set_mapping.Target(
                        source=s, column=c, before_type=before.get(s, {}).get(c), origin="join_key",
                        partner_source=ps, partner_column=pc, group=f"{a[0]}.{a[1]}={b[0]}.{b[1]}",
                    )
                )  # fmt: skip
    return out


def resolve(ev: Evidence, findings: list[Finding], failed_names: list[str]) -> tuple[list[Finding], Step | None]:
    """The findings with catalog repairs in place of what they answer, or the catalog call still needed."""
    if not ev.has("schema_diff"):
        return findings, None
    good = ev.report.last_good_run
    before = good.input_schemas if good else {}
    dropped = {d.source: d.dropped for d in ev.schema.sources}
    joins = catalog_join.targets(findings, dropped, before)
    maps = _mapping_targets(ev, findings, failed_names, {(t.source, t.column) for t in joins})
    if not joins and not maps:
        return findings, None
    if not ev.has("catalog"):
        now = {d.source: d.columns_now for d in ev.schema.sources}
        probes = catalog_join.probes(joins, now) + code_set_mapping.probes(maps)
        what = ", ".join(f"{t.source}.{t.column}" for t in [*joins, *maps])
        return findings, Step(
            thought=f"The evidence points at {what}: a column that moved, a key re-keyed or a code list switched. "
            "Look for a table of the catalog that holds the values.",
            confidence=0.6,
            tool="catalog",
            args={"probes": [p.model_dump(exclude_none=True) for p in probes]},
        )
    report = CatalogReport.model_validate(ev.obs["catalog"])
    out = list(findings)

    def answered(f: Finding, source: str, column: str) -> bool:
        return f.source == source and f.column == column and f.remediation in ("escalate", "dead_letter")

    for t in joins:
        options = catalog_join.candidates(t, report, ev.sources)
        if options:
            out = [f for f in out if not answered(f, t.source, t.column)]
            out += ev.choose(f"{LABEL}:{t.source}.{t.column}", options)
    # Targets on one column name in several sources are one join seen from both sides: one cause, so their
    # mappings are alternatives for the sandbox, never applied together.
    groups: dict[str, list[code_set_mapping.Target]] = {}
    for m in maps:
        if m.origin != "join_key" or code_set_mapping.switched(m, report):
            groups.setdefault(m.group or m.column, []).append(m)
    rows = ev.report.source_rows_now
    for column, members in groups.items():
        # Tie-break between equivalent sides only: the side whose map yields a column of its own name comes first,
        # then the larger source (a reference table is the stable side a feed is matched against).
        members.sort(key=lambda m: (not code_set_mapping.yields_own_name(m, report), -rows.get(m.source, 0)))
        options: list[list[Finding]] = []
        unsafe: list[Finding] = []
        for m in members:
            found, bad = code_set_mapping.candidates(m, report, ev.sources)
            options += found
            unsafe += [bad] if bad is not None else []
        if not options and not unsafe:
            # A switched code list with no mapping anywhere: escalate instead of dead-lettering the new set.
            for m in members:
                letters = [f for f in out if f.remediation == "dead_letter" and answered(f, m.source, m.column)]
                if m.origin == "finding" and m.old_values is not None and letters:
                    out = [f for f in out if f not in letters]
                    out.append(unmapped_code_switch.escalation(m.source, m.column, letters[0]))
            continue
        out = [f for f in out if not any(answered(f, m.source, m.column) for m in members)]
        out += ev.choose(f"{LABEL}:{column}", options) if options else unsafe[:1]
    return out, None
