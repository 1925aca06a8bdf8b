"""Data quality: failed checks traced to source columns; null keys and invalid values to a dead letter,
duplicated row keys to a dedupe."""

from __future__ import annotations

from typing import Any

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.operators.late_arrival import late_findings
from agentic_assets.repair.planner.operators.unit_change import unit_change_reason
from agentic_assets.repair.planner.signals import (
    computed_outputs,
    failed_check_objects,
    output_origins,
    parse_checks,
    traced_source_columns,
)
from agentic_assets.repair.sql_rewrite import quote, source_aliases
from agentic_assets.repair.types import is_identifier_name

# Distinct share of a column with duplicates above which it is a row key delivered twice (a key repeats only
# when its rows do); an attribute column (a status, a country) has far fewer distinct values than rows.
KEY_DISTINCT_MIN = 0.8


def check_source_columns(
    ev: Evidence, failed_names: list[str], renamed: dict[str, dict[str, str]] | None = None
) -> list[tuple[str, str, Any]]:
    """(source, source column, check) for each failed check whose column traces to a source column.

    With `renamed`, the checks on renamed columns count too (their failure is hidden behind the rename)."""
    out = []
    origins = output_origins(ev.sql) if ev.sql else {}
    aliases = source_aliases(ev.sql, ev.sources) if ev.sql else {}
    failed = failed_check_objects(ev.checks_text, failed_names)
    hidden = [c for c in parse_checks(ev.checks_text) if c not in failed and c.metric == "missing_count"]
    checks = failed + (hidden if renamed else [])
    for check in checks:
        for col in check.columns:
            origin = origins.get(col)
            src_col = origin.column if origin else col
            source = ev.source_of_column(src_col)
            if origin and origin.qualifier and aliases.get(origin.qualifier):
                source = aliases[origin.qualifier]  # a qualified column names its source
            now_cols = ev.diff_of(source).get("columns_now") if source else None
            if source and now_cols and src_col not in now_cols and ev.sql:
                # The column is not the source's own any more: an earlier repair's adapter renames it. Follow
                # the transform's lineage to the column it reads now.
                schemas = {d["source"]: d.get("columns_now") or {} for d in ev.diffs()}
                traced = [(s, c) for s, c in traced_source_columns(ev.sql, col, schemas) if c in schemas.get(s, {})]
                if len(traced) == 1:
                    source, src_col = traced[0]
            if source and renamed and src_col in renamed.get(source, {}):
                out.append((source, renamed[source][src_col], check))
            elif source and check in failed:
                out.append((source, src_col, check))
    return out


def row_key_columns(ev: Evidence) -> dict[str, list[str]]:
    """Identifier columns the transform uses, per source (candidates for a row key)."""
    out: dict[str, list[str]] = {}
    for d in ev.diffs():
        ids = [c for c in d.get("used_by_transform", []) if is_identifier_name(c)]
        if ids:
            out[d["source"]] = ids
    return out


def data_findings(
    ev: Evidence, failed_names: list[str], renamed: dict[str, dict[str, str]] | None = None, *, allow_late: bool = True
) -> list[Finding]:
    out: list[Finding] = []
    checks = failed_check_objects(ev.checks_text, failed_names)
    traced = check_source_columns(ev, failed_names, renamed)
    # Null keys -> dead letter.
    for source, col, check in traced:
        p = ev.profile(source, col)
        if check.metric == "missing_count" and p and p.get("nulls", 0) > 0:
            if any(f.source == source and f.condition == f"{quote(col)} IS NULL" for f in out):
                continue
            out.append(
                Finding(
                    category="data_quality",
                    remediation="dead_letter",
                    cause=f"{p['nulls']} of {p['rows']} rows of {source} ({p['null_rate']:.1%}) arrived with a null "
                    f"{col}; they cannot be attributed",
                    evidence=["failed_run", "column_profiles"],
                    confidence=0.9,
                    source=source,
                    condition=f"{quote(col)} IS NULL",
                    reason=f"missing {col}",
                )
            )
    # Duplicated row keys behind a failed uniqueness check -> dedupe.
    for source, col, check in traced:
        p = ev.profile(source, col)
        if check.metric != "duplicate_count" or not p or not p.get("duplicated_values"):
            continue
        nonnull = p["rows"] - p["nulls"]
        if nonnull and p["distinct"] >= KEY_DISTINCT_MIN * nonnull and is_identifier_name(col):
            out.append(
                Finding(
                    category="data_quality",
                    remediation="dedupe",
                    cause=f"{source} carries {nonnull - p['distinct']} duplicate rows by {col} "
                    f"({p['duplicated_values']} keys occur more than once): a batch was delivered twice",
                    evidence=["column_profiles"],
                    confidence=0.88,
                    source=source,
                    keys=[col],
                )
            )
            break
    # Invalid values -> dead letter, unless the values are in another unit or code set (a guess to convert).
    computed = computed_outputs(ev.sql) if ev.sql else set()
    for source, col, check in traced:
        if check.metric != "invalid_count" or any(f.source == source and f.remediation == "dead_letter" for f in out):
            continue
        if any(c in computed for c in check.columns):
            continue  # the bound is on a value computed from several rows or columns, not on this column's values
        p = ev.profile(source, col)
        if not p:
            continue
        unit = unit_change_reason(p, check.config)
        if unit:
            out.append(
                Finding(
                    category="format_drift",
                    remediation="escalate",
                    cause=f"{source}.{col} {unit}",
                    evidence=["failed_run", "column_profiles"],
                    confidence=0.8,
                    escalate_reason=f"converting {col} would guess a unit, rate or cut-over the sources do not give",
                    source=source,
                    column=col,
                )
            )
            continue
        cond = _invalid_condition(col, check.config)
        if cond:
            out.append(
                Finding(
                    category="data_quality",
                    remediation="dead_letter",
                    cause=f"rows of {source} arrived with invalid {col} values ({check.text})",
                    evidence=["failed_run", "column_profiles"],
                    confidence=0.75,
                    source=source,
                    condition=cond,
                    reason=f"invalid {col}",
                    column=col,
                )
            )
    if out or not allow_late:
        return out
    return late_findings(ev, checks)


def _invalid_condition(col: str, config: dict[str, Any]) -> str | None:
    parts = []
    c = quote(col)
    if "valid min" in config:
        parts.append(f"{c} < {config['valid min']}")
    if "valid max" in config:
        parts.append(f"{c} > {config['valid max']}")
    if "valid values" in config:
        values = ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in config["valid values"])
        parts.append(f"{c} NOT IN ({values})")
    return " OR ".join(parts) or None


# -- regressions ----------------------------------------------------------------------------------------
