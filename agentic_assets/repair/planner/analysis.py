"""The builtin planner's reasoning: from what the tools returned to findings, or to the next tool to call.

Every rule reads tool observations only (schema diffs, profiles, check results, code history, run errors);
nothing here knows a table, column or incident by name.
"""

from __future__ import annotations

import re
from typing import Any

from agentic_assets.repair.candidates import Evaluation
from agentic_assets.repair.contracts import Category
from agentic_assets.repair.failure_signal import FailureSignal
from agentic_assets.repair.observations import FailedRunReport
from agentic_assets.repair.planner import catalog_repairs, fixes
from agentic_assets.repair.planner.finding import Finding, Step
from agentic_assets.repair.planner.operators import normalise_cast, resource_step, source_arrival
from agentic_assets.repair.planner.signals import (
    AMBIGUOUS,
    QUOTED_VALUE,
    error_class,
    failed_check_objects,
    literal_filters,
    missing_columns,
    output_origins,
    parse_checks,
    traced_source_columns,
)
from agentic_assets.repair.schema_diff import SchemaDiff
from agentic_assets.repair.sql_rewrite import cast_targets, quote, source_aliases, union_by_name
from agentic_assets.repair.types import family, is_identifier_name

RENAME_NAME_MIN = 0.55
RENAME_VALUES_MIN = 0.8
RETYPED_RENAME_MIN = 0.6
KEY_MATCH_MIN = 0.95
REKEYED_MAX = 0.2
CONFIDENT = 0.85
SHIFTED_SHARE = 0.2  # values beyond a valid bound: above this share it is a shifted distribution, not bad rows
THIN_PARTITION = 0.9  # the latest partition below this share of the typical one is still arriving


class Evidence:
    """The observations so far, by tool (the latest call of each; profiles merged)."""

    def __init__(self, observations: dict[str, Any], profiles: dict[str, dict[str, Any]]) -> None:
        self.obs = observations
        self.profiles = profiles
        self.pending: list[tuple[str, list[list[Finding]]]] = []  # candidate sets waiting for the sandbox

    def has(self, tool: str) -> bool:
        return tool in self.obs

    def choose(self, label: str, options: list[list[Finding]]) -> list[Finding]:
        """One of several candidate repairs for one cause: the sandbox's choice once evaluated, else pending.

        A single option needs no evaluation. Several are queued; `next_step` asks `evaluate_candidates` for
        all pending ones in one call, and reads its choice (or its disagreement) back here."""
        if len(options) == 1:
            return options[0]
        evaluation = self.obs.get("evaluate_candidates")
        if evaluation is None:
            self.pending.append((label, options))
            return []
        results = Evaluation.model_validate(evaluation)
        chosen = results.chosen or ""
        if chosen.startswith(f"{label}#"):
            return options[int(chosen.rsplit("#", 1)[1])]
        return [
            Finding(
                category=options[0][0].category,
                remediation="escalate",
                cause=f"no candidate repair of {label} is safe: {results.reason}",
                evidence=["column_profiles", "evaluate_candidates"],
                confidence=0.75,
                escalate_reason=results.reason,
            )
        ]

    @property
    def report(self) -> FailedRunReport:
        """`failed_run` read back into its contract."""
        return FailedRunReport.model_validate(self.obs["failed_run"])

    @property
    def schema(self) -> SchemaDiff:
        """`schema_diff` read back into its contract."""
        return SchemaDiff.model_validate(self.obs.get("schema_diff") or {})

    @property
    def run(self) -> dict[str, Any]:
        return self.obs.get("failed_run") or {}

    @property
    def failed(self) -> dict[str, Any]:
        return self.run.get("failed_run") or {}

    @property
    def sql(self) -> str:
        return self.run.get("sql") or ""

    @property
    def checks_text(self) -> str:
        return self.run.get("checks") or ""

    @property
    def sources(self) -> list[str]:
        return list(self.run.get("sources") or [])

    def diff_of(self, source: str) -> dict[str, Any]:
        for d in (self.obs.get("schema_diff") or {}).get("sources", []):
            if d.get("source") == source:
                return d
        return {}

    def diffs(self) -> list[dict[str, Any]]:
        return list((self.obs.get("schema_diff") or {}).get("sources", []))

    def attempted(self, source: str, column: str) -> bool:
        return column in self.profiles.get(source, {})

    def profile(self, source: str, column: str) -> dict[str, Any] | None:
        p = self.profiles.get(source, {}).get(column)
        return p if p and "error" not in p else None

    def code_changed(self) -> bool:
        good = self.run.get("last_good_run") or {}
        return bool(good.get("code_version")) and good.get("code_version") != self.run.get("current_code_version")

    def source_of_column(self, column: str) -> str | None:
        for d in self.diffs():
            if column in d.get("used_by_transform", []):
                return d["source"]
        return self.sources[0] if len(self.sources) == 1 else None


def _orders(profile: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for fmt, ev in (profile.get("day_order") or {}).items():
        a, b = ev.get("first_above_12", 0), ev.get("second_above_12", 0)
        out[fmt] = "day_first" if a and not b else "month_first" if b and not a else None
    return out


def _date_formats(profile: dict[str, Any]) -> dict[str, int]:
    return {k: v for k, v in (profile.get("formats") or {}).items() if k not in ("text",)}


# -- schema drift ----------------------------------------------------------------------------------------


def rename_findings(ev: Evidence) -> list[Finding]:
    out: list[Finding] = []
    for d in ev.diffs():
        used_dropped = [c for c in d.get("dropped", []) if c in d.get("used_by_transform", [])]
        for dropped in used_dropped:
            cands = [c for c in d.get("rename_candidates", []) if c["dropped"] == dropped and c["type_compatible"]]
            strong = [
                c
                for c in cands
                if c["name_similarity"] >= RENAME_NAME_MIN
                and (c.get("value_overlap") is None or c["value_overlap"] >= RENAME_VALUES_MIN)
            ]
            if len(strong) > 1:
                best = sorted(strong, key=lambda c: (c.get("value_overlap") or 0, c["name_similarity"]), reverse=True)
                top, second = best[0], best[1]
                if (top.get("value_overlap") or 0) - (second.get("value_overlap") or 0) >= 0.3:
                    strong = [top]
            retyped = [
                c for c in d.get("rename_candidates", [])
                if c["dropped"] == dropped and not c["type_compatible"] and c["name_similarity"] >= RETYPED_RENAME_MIN
            ]  # fmt: skip
            if not strong and len(retyped) == 1:
                c = retyped[0]
                profile = ev.profile(d["source"], c["added"])
                if profile is not None and profile.get("epoch_unit"):
                    target = fixes.target_type(d.get("before_types", {}).get(dropped, "timestamp[us]"))
                    expr = fixes.epoch_to_time(c["added"], profile["epoch_unit"], target)
                    out.append(
                        Finding(
                            category="schema_drift",
                            remediation="code_change",
                            cause=f"{d['source']} replaced {dropped} with {c['added']}, which holds "
                            f"{profile['epoch_unit'].replace('_', ' ')}",
                            evidence=["schema_diff", "column_profiles"],
                            confidence=0.85,
                            source=d["source"],
                            adapter=f"SELECT * EXCLUDE ({quote(c['added'])}), {expr} AS {quote(dropped)} "
                            f"FROM {quote(d['source'])}",
                        )
                    )
                    out.append(out[-1].model_copy(update={"category": "format_drift"}))
                    continue
                if profile is None:
                    continue  # profiled next (see rename_profile_needs)
            if len(strong) == 1:
                c = strong[0]
                overlap = c.get("value_overlap")
                why = f"name similarity {c['name_similarity']}"
                if overlap is not None:
                    why += f", {overlap:.0%} of its values were known in {c.get('values_from')}"
                out.append(
                    Finding(
                        category="schema_drift",
                        remediation="code_change",
                        cause=f"{d['source']} renamed {dropped} to {c['added']} ({why}); the transform still "
                        f"reads {dropped}",
                        evidence=["schema_diff"],
                        confidence=0.92 if overlap is not None and overlap >= 0.95 else 0.85,
                        source=d["source"],
                        renames={c["added"]: dropped},
                    )
                )
            elif len(strong) > 1:
                names = ", ".join(c["added"] for c in strong)
                out.append(
                    Finding(
                        category="schema_drift",
                        remediation="escalate",
                        cause=f"{d['source']} dropped {dropped}, which the transform reads; several new columns "
                        f"could replace it ({names})",
                        evidence=["schema_diff"],
                        confidence=0.8,
                        escalate_reason=f"ambiguous rename of {dropped}: choosing among {names} would be a guess",
                    )
                )
            else:
                out.append(
                    Finding(
                        category="schema_drift",
                        remediation="escalate",
                        cause=f"{d['source']} dropped {dropped}, which the transform reads, and no new column "
                        "carries its values",
                        evidence=["schema_diff"],
                        confidence=0.8,
                        escalate_reason=f"{dropped} is gone with no replacement: the asset's meaning must change",
                        source=d["source"],
                        column=dropped,
                    )
                )
    return out


def rename_profile_needs(ev: Evidence) -> dict[str, list[str]]:
    """New columns that replace a dropped one under a different type: their profile decides."""
    need: dict[str, list[str]] = {}
    for d in ev.diffs():
        for c in d.get("rename_candidates", []):
            if (
                c["dropped"] in d.get("used_by_transform", [])
                and not c["type_compatible"]
                and c["name_similarity"] >= RETYPED_RENAME_MIN
                and not ev.attempted(d["source"], c["added"])
            ):
                need.setdefault(d["source"], []).append(c["added"])
    return need


def type_change_findings(ev: Evidence) -> tuple[list[Finding], dict[str, list[str]]]:
    """Findings for retyped columns, and the profiles still needed to decide the others."""
    out: list[Finding] = []
    need: dict[str, list[str]] = {}
    for d in ev.diffs():
        for change in d.get("type_changed", []):
            if not change.get("used_by_transform"):
                continue
            col, source = change["column"], d["source"]
            before, now = change["before"], change["now"]
            castable = change.get("castable_to_before")
            matches = change.get("cast_matches_known")
            ident = is_identifier_name(col)
            fb, fn = family(before), family(now)
            if ident:
                if castable is not None and castable >= 0.999 and (matches is None or matches >= KEY_MATCH_MIN):
                    known = f", {matches:.0%} match {change.get('known_values_from')}" if matches is not None else ""
                    out.append(
                        Finding(
                            category="schema_drift",
                            remediation="code_change",
                            cause=f"{source}.{col} changed type from {before} to {now}; every value casts back to "
                            f"{before}{known}, so the identifier kept its meaning",
                            evidence=["schema_diff"],
                            confidence=0.9 if matches is not None else 0.8,
                            source=source,
                            replaces={col: fixes.cast_back(col, before)},
                        )
                    )
                else:
                    detail = (
                        f"only {castable:.0%} of values cast back to {before}"
                        if castable is not None and castable < 0.999
                        else f"only {matches:.0%} of cast values match {change.get('known_values_from')}"
                    )
                    out.append(
                        Finding(
                            category="schema_drift",
                            remediation="escalate",
                            cause=f"{source}.{col} changed from {before} to {now} and {detail}: the identifier "
                            "appears to have changed meaning",
                            evidence=["schema_diff"],
                            confidence=0.85,
                            escalate_reason=f"a cast of {col} would compile but join wrongly; the new identifiers "
                            "need a mapping only the data owner can give",
                            source=source,
                            column=col,
                        )
                    )
                continue
            profile = ev.profile(source, col)
            if profile is None:
                need.setdefault(source, []).append(col)
                continue
            finding = _representation_finding(source, col, before, now, castable, profile)
            options = normalise_cast.candidates(source, col, before, profile) if finding is None else []
            if finding is not None:
                out.append(finding)
            elif options:
                out += ev.choose(f"{source}.{col}", options)
            elif fb != fn:
                out.append(
                    Finding(
                        category="schema_drift",
                        remediation="escalate",
                        cause=f"{source}.{col} changed type from {before} to {now} in a way no parse explains",
                        evidence=["schema_diff", "column_profiles"],
                        confidence=0.7,
                        escalate_reason=f"converting {col} back would be a guess",
                    )
                )
    return out, need


def _representation_finding(
    source: str, col: str, before: str, now: str, castable: float | None, profile: dict[str, Any]
) -> Finding | None:
    fb = family(before)
    formats = _date_formats(profile)
    target = fixes.target_type(before)
    if fb in ("date", "timestamp") and profile.get("epoch_unit"):
        return Finding(
            category="format_drift",
            remediation="code_change",
            cause=f"{source}.{col} now holds {profile['epoch_unit'].replace('_', ' ')} ({now}) instead of {before}",
            evidence=["schema_diff", "column_profiles"],
            confidence=0.9,
            source=source,
            replaces={col: fixes.epoch_to_time(col, profile["epoch_unit"], target)},
        )
    if fb in ("date", "timestamp") and formats:
        expr = fixes.parse_dates(col, formats, _orders(profile), target)
        if expr is None:
            return _ambiguous_dates(source, col, formats)
        plain = castable is not None and castable >= 0.999
        return Finding(
            category="schema_drift" if plain else "format_drift",
            remediation="code_change",
            cause=f"{source}.{col} arrives as {now} written as {_fmt_list(formats)} instead of {before}",
            evidence=["schema_diff", "column_profiles"],
            confidence=0.88,
            source=source,
            replaces={col: expr},
        )
    if fb in ("integer", "number"):
        numeric = {"integer", "decimal_point", "zero_padded_integer", "number"}
        if set(formats) <= numeric and castable is not None and castable >= 0.999:
            return Finding(
                category="schema_drift",
                remediation="code_change",
                cause=f"{source}.{col} changed type from {before} to {now}; every value casts back",
                evidence=["schema_diff", "column_profiles"],
                confidence=0.85,
                source=source,
                replaces={col: fixes.cast_back(col, before)},
            )
        if set(formats) & {"decimal_comma", "currency", "thousands_comma"} and set(formats) <= (
            numeric | {"decimal_comma", "currency", "thousands_comma"}
        ):
            return Finding(
                category="format_drift",
                remediation="code_change",
                cause=f"{source}.{col} is now text written as {_fmt_list(formats)} instead of {before} numbers",
                evidence=["schema_diff", "column_profiles"],
                confidence=0.88,
                source=source,
                replaces={col: fixes.parse_number(col, target, profile.get("decimal_separator"))},
            )
    return None


def _fmt_list(formats: dict[str, int]) -> str:
    return ", ".join(f"{k.replace('_', ' ')} ({v})" for k, v in sorted(formats.items(), key=lambda kv: -kv[1]))


def _ambiguous_dates(source: str, col: str, formats: dict[str, int]) -> Finding:
    return Finding(
        category="format_drift",
        remediation="escalate",
        cause=f"{source}.{col} mixes date formats ({_fmt_list(formats)}) and no value shows whether the day or "
        "the month comes first",
        evidence=["column_profiles"],
        confidence=0.8,
        escalate_reason=f"parsing {col} would be a guess at the date order",
    )


def text_format_findings(ev: Evidence, columns: list[tuple[str, str]]) -> list[Finding]:
    """Text columns the transform parses (CAST to a date or number) whose written format drifted."""
    out: list[Finding] = []
    for source, col in columns:
        profile = ev.profile(source, col)
        if profile is None:
            continue
        formats = _date_formats(profile)
        date_like = {k for k in formats if k in ("slash_date", "dot_date", "dash_date", "ymd_slash_date",
                                                  "compact_date")}  # fmt: skip
        if date_like:
            expr = fixes.parse_dates(col, formats, _orders(profile), "VARCHAR")
            if expr is None:
                out.append(_ambiguous_dates(source, col, formats))
                continue
            out.append(
                Finding(
                    category="format_drift",
                    remediation="code_change",
                    cause=f"{source}.{col} is now written as {_fmt_list(formats)}; the transform parses only the "
                    "ISO form",
                    evidence=["failed_run", "column_profiles"],
                    confidence=0.9,
                    source=source,
                    replaces={col: expr},
                )
            )
        elif set(formats) & {"decimal_comma", "currency", "thousands_comma"}:
            out.append(
                Finding(
                    category="format_drift",
                    remediation="code_change",
                    cause=f"{source}.{col} is now written as {_fmt_list(formats)}",
                    evidence=["failed_run", "column_profiles"],
                    confidence=0.88,
                    source=source,
                    replaces={
                        col: f"CAST({fixes.parse_number(col, 'DOUBLE', profile.get('decimal_separator'))} AS VARCHAR)"
                    },
                )
            )
        else:
            options = normalise_cast.candidates(source, col, "string", profile, as_text=True)
            if options:
                out += ev.choose(f"{source}.{col}", options)
    return out


def ambiguous_findings(ev: Evidence, error: str) -> list[Finding]:
    out: list[Finding] = []
    for col in AMBIGUOUS.findall(error):
        for d in ev.diffs():
            if col in d.get("added", []):
                out.append(
                    Finding(
                        category="schema_drift",
                        remediation="code_change",
                        cause=f"{d['source']} gained a column {col}, which makes the transform's unqualified {col} "
                        "ambiguous; the transform means the column it read before",
                        evidence=["failed_run", "schema_diff"],
                        confidence=0.88,
                        source=d["source"],
                        adapter=f"SELECT * EXCLUDE ({quote(col)}) FROM {quote(d['source'])}",
                    )
                )
    return out


def set_operation_findings(ev: Evidence) -> list[Finding]:
    """A source read with `*` into a positional set operation gained columns: line the branches up by name."""
    grown = [d for d in ev.diffs() if d.get("added") and not d.get("dropped") and not d.get("type_changed")]
    sql = union_by_name(ev.sql) if ev.sql else None
    if not grown or not sql:
        return []
    added = "; ".join(f"{d['source']} added {', '.join(d['added'])}" for d in grown)
    return [
        Finding(
            category="schema_drift",
            remediation="schema_evolution",
            cause=f"{added}, so the branches of the transform's positional set operation no longer line up; "
            "the output gains the new column(s), empty where a branch does not deliver them",
            evidence=["failed_run", "schema_diff"],
            confidence=0.86,
            sql=sql,
        )
    ]


def key_findings(ev: Evidence) -> list[Finding]:
    """Join keys whose values no longer find their partner: names instead of codes, or a changed meaning."""
    out: list[Finding] = []
    # A key retyped on either side is compared as text by the diff: the cast check covers it instead.
    retyped = {c["column"] for d in ev.diffs() for c in d.get("type_changed", [])}
    for d in ev.diffs():
        for km in d.get("key_matches", []):
            col, partner = km["column"], km["partner"]
            if col in retyped or km.get("matches_partner") is None or km["matches_partner"] >= REKEYED_MAX:
                continue
            other = km.get("matches_other_column")
            if other and km.get("other_column_unique"):
                source = d["source"]
                adapter = (
                    f"SELECT s.* REPLACE (COALESCE(m.{quote(col)}, s.{quote(col)}) AS {quote(col)}) "
                    f"FROM {quote(source)} AS s LEFT JOIN (SELECT DISTINCT {quote(other)}, {quote(col)} "
                    f"FROM {quote(partner)}) AS m ON m.{quote(other)} = s.{quote(col)}"
                )
                out.append(
                    Finding(
                        category="format_drift",
                        remediation="code_change",
                        cause=f"{source}.{col} now holds {partner}.{other} values instead of {partner}.{col} "
                        f"({km['other_column_match']:.0%} of them are {other} values): names instead of codes",
                        evidence=["schema_diff"],
                        confidence=0.86,
                        source=source,
                        adapter=adapter,
                    )
                )
            else:
                out.append(
                    Finding(
                        category="schema_drift",
                        remediation="escalate",
                        cause=f"only {km['matches_partner']:.0%} of {d['source']}.{col} values exist in "
                        f"{partner}.{col}: the identifier now means something else",
                        evidence=["schema_diff"],
                        confidence=0.85,
                        escalate_reason=f"no source maps the new {col} values to the old ones; a join would guess",
                        source=d["source"],
                        column=col,
                    )
                )
    mapped = {f.cause.split(" now holds ")[0].split(".")[-1] for f in out if f.adapter}
    if mapped:
        # One side of the join found its values in another partner column: the reverse view is the same change.
        out = [f for f in out if f.adapter or not any(f" {col} values exist" in f.cause or f".{col} values" in f.cause
                                                       for col in mapped)]  # fmt: skip
    return out


def literal_findings(ev: Evidence) -> list[Finding]:
    """A filter literal that no longer occurs because the column now writes words instead of codes."""
    out: list[Finding] = []
    for col, literals in literal_filters(ev.sql) if ev.sql else []:
        source = ev.source_of_column(col)
        p = ev.profile(source, col) if source else None
        values = [v for v in (p or {}).get("values", []) if isinstance(v, str)]
        if not p or not values or any(lit in values for lit in literals):
            continue
        mapping: dict[str, str] = {}
        for lit in literals:
            hits = [v for v in values if v.upper().startswith(lit.upper()) and v != lit]
            if len(hits) == 1:
                mapping[hits[0]] = lit
        if len(mapping) == len(literals):
            cases = " ".join(f"WHEN '{v}' THEN '{c}'" for v, c in mapping.items())
            out.append(
                Finding(
                    category="format_drift",
                    remediation="code_change",
                    cause=f"{source}.{col} now writes words ({', '.join(sorted(values)[:6])}) instead of the codes the "
                    f"transform filters on ({', '.join(literals)})",
                    evidence=["column_profiles"],
                    confidence=0.8,
                    source=source,
                    replaces={col: f"CASE {quote(col)} {cases} ELSE {quote(col)} END"},
                )
            )
    return out


def duplicate_row_findings(ev: Evidence) -> list[Finding]:
    out = []
    for d in ev.diffs():
        n = d.get("duplicate_rows") or 0
        if n > 0:
            keys = [c for c in d.get("used_by_transform", [])] or []
            out.append(
                Finding(
                    category="data_quality",
                    remediation="dedupe",
                    cause=f"{d['source']} carries {n} rows that repeat another row exactly: a delivery was sent twice",
                    evidence=["schema_diff"],
                    confidence=0.88,
                    source=d["source"],
                    keys=sorted(set(keys)) or ["*"],
                )
            )
    return out


# -- data quality, late data ----------------------------------------------------------------------------


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


def time_columns(ev: Evidence) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in ev.diffs():
        cols = [
            c
            for c in d.get("used_by_transform", [])
            if any(w in c.lower() for w in ("time", "date", "_ts", "day", "month", "week", "period"))
            or c.lower().endswith("_at")
            and not is_identifier_name(c)
        ]
        if cols:
            out[d["source"]] = cols
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
        if nonnull and p["distinct"] >= 0.8 * nonnull and is_identifier_name(col):
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
    for source, col, check in traced:
        if check.metric != "invalid_count" or any(f.source == source and f.remediation == "dead_letter" for f in out):
            continue
        p = ev.profile(source, col)
        if not p:
            continue
        unit = _unit_change(p, check.config)
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
    # Late or missing data: an empty source, a stale time column, a thin latest partition, a lagging source.
    latest: list[tuple[str, str, str, int]] = []
    lagging = []
    thin = []
    for source, cols in time_columns(ev).items():
        for col in cols:
            p = ev.profile(source, col)
            if not p or not p.get("recent_days"):
                continue
            days = sorted(p["recent_days"].items())
            latest.append((source, col, days[-1][0], days[-1][1]))
            if p.get("lag_to_now_hours") is not None:
                lagging.append((source, col, p["lag_to_now_hours"]))
            earlier = [n for _, n in days[:-1]]
            if len(earlier) >= 3 and days[-1][1] < 0.8 * sorted(earlier)[len(earlier) // 2]:
                thin.append(f"{source}.{col} has {days[-1][1]} rows for {days[-1][0]} against about "
                            f"{sorted(earlier)[len(earlier) // 2]} a day before")  # fmt: skip
        for col in cols:
            p = ev.profile(source, col)
            partial = _partial_partition(p) if p else None
            if partial and not any(t.startswith(f"{source}.{col} ") for t in thin):
                thin.append(f"{source}.{col} {partial}")
    freshness = [c for c in checks if c.metric == "freshness"]
    empty = [d["source"] for d in ev.diffs() if d.get("rows_now") == 0]
    behind = []
    if len({day for _, _, day, _ in latest}) > 1:
        newest = max(day for _, _, day, _ in latest)
        behind = [f"{s}.{c} ends {day}, the other sources {newest}" for s, c, day, _ in latest if day < newest]
    stale = freshness and lagging and max(h for _, _, h in lagging) > 24
    if empty or stale or thin or behind:
        if empty:
            where = ", ".join(empty) + " delivered no rows"
        elif stale:
            where = ", ".join(f"{s}.{c} latest {h:.0f} h ago" for s, c, h in lagging)
        else:
            where = "; ".join(thin or behind)
        out.append(
            Finding(
                category="late_data",
                remediation="retry",
                cause=f"the expected data has not arrived yet ({where})",
                evidence=["column_profiles", "schema_diff"],
                confidence=0.82,
                wait_for_data=True,
            )
        )
    return out


def _partial_partition(profile: dict[str, Any]) -> str | None:
    """Why the latest partition of a partition-like column (few values, many rows each) is still arriving."""
    parts = profile.get("partitions") or []
    if len(parts) < 2 or not profile.get("distinct") or profile["rows"] < 5 * profile["distinct"]:
        return None
    earlier = sorted(n for _, n in parts[:-1])
    typical = earlier[len(earlier) // 2]
    value, n = parts[-1]
    if typical >= 5 and n < THIN_PARTITION * typical:
        return f"has {n} rows for its latest value {value} against {typical} for a typical earlier one"
    return None


def _unit_change(profile: dict[str, Any], config: dict[str, Any]) -> str | None:
    """Why the invalid values look like the same quantity in another unit or code set, or None."""
    q = profile.get("quantiles") or []
    if len(q) == 3 and "valid max" in config and q[0] > 0 and q[2] / q[0] >= 300:
        return f"jumped by orders of magnitude (10th percentile {q[0]:g}, 90th {q[2]:g}): a unit change"
    shifted = _shifted_share(profile, config)
    if shifted is not None:
        return (
            f"has {shifted:.0%} of its values outside the valid range, a shift of the whole distribution rather "
            "than a few bad rows: the values are written in another unit, sign or scale"
        )
    allowed = config.get("valid values")
    values = [v for v in profile.get("values", []) if isinstance(v, str)]
    if allowed and values:
        code = re.compile(r"^[A-Z]{3}$")
        others = [v for v in values if v not in allowed]
        if others and all(code.match(str(a)) for a in allowed) and all(code.match(v) for v in others):
            return f"now also holds {', '.join(others)} where only {', '.join(map(str, allowed))} was valid"
    return None


def _shifted_share(profile: dict[str, Any], config: dict[str, Any]) -> float | None:
    """The share of values beyond a numeric valid bound when it is too large for a few bad rows, else None.

    Bad rows are a tail (a sentinel, a handful of negatives); a unit, sign or scale change moves a large part
    of the distribution past the bound, with many distinct values."""
    pct = profile.get("percentiles") or []
    if len(pct) < 2:
        return None
    lo, hi = config.get("valid min"), config.get("valid max")
    outside = [x for x in pct if (isinstance(lo, int | float) and x < lo) or (isinstance(hi, int | float) and x > hi)]
    share = len(outside) / len(pct)
    distinct_outside = len(set(outside))
    if share >= SHIFTED_SHARE and distinct_outside >= 3:
        return share
    return None


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


def regression_finding(ev: Evidence, failed_names: list[str]) -> Finding | None:
    history = ev.obs.get("code_history") or {}
    if not history.get("changed_since_last_good"):
        return None
    target = history.get("last_good_version")
    if not any(v["version"] == target for v in history.get("versions", [])):
        return None
    removed, added = history.get("conditions_removed", []), history.get("conditions_added", [])
    columns = {c for chk in failed_check_objects(ev.checks_text, failed_names) for c in chk.columns}
    touched = [c for c in [*removed, *added] if any(col in c for col in columns)] or removed or added
    what = f"removed {removed} and added {added}" if (removed or added) else "changed the transform"
    return Finding(
        category="config_regression",
        remediation="rollback",
        cause=f"the deploy of version {history.get('current_version')} since the last good run {what}; "
        f"version {target} ran green",
        evidence=["failed_run", "code_history"],
        confidence=0.9 if touched else 0.75,
        rollback_to=target,
    )


# -- the step policy ------------------------------------------------------------------------------------


def next_step(ev: Evidence, confidences: list[float], extra_failed: list[str] | None = None) -> Step:
    if not ev.has("failed_run"):
        return Step(thought="Start from the failure: the run's error, its failed checks, the code version that "
                    "ran and the last good run.", tool="failed_run")  # fmt: skip
    report = ev.report
    failed = ev.failed
    error = failed.get("error") or ""
    signal = report.failed_run.signal if report.failed_run else FailureSignal()
    klass = error_class(signal, error)
    failed_names = list(failed.get("failed_checks") or [])
    if extra_failed:
        # The sandbox verdict of a first proposal showed more failing checks: a second cause.
        failed_names = sorted({*failed_names, *extra_failed})

    if klass == "memory":
        step = resource_step.memory_step(report)
        return Step(thought="The run ran out of memory: the data outgrew the resources.", confidence=0.9,
                    findings=[step])  # fmt: skip
    if klass == "time":
        step = resource_step.time_step(report)
        return Step(thought="The run was stopped at its wall-clock limit: the work outgrew the time it has.",
                    confidence=0.9, findings=[step])  # fmt: skip
    if klass == "conversion" and ev.sql and _numeric_casts_of_numbers(ev.sql, report):
        # A cast between number types fails only when a value does not fit the narrower one.
        klass = "overflow"
    if klass == "overflow" and ev.sql:
        widen = _widenings(ev.sql)
        if widen:
            return Step(
                thought="Values outgrew a type the transform casts to; widen it.",
                confidence=0.85,
                findings=[
                    Finding(
                        category="schema_drift",
                        remediation="schema_evolution",
                        cause=f"source values outgrew the declared type(s) {', '.join(widen)} ({error[:160]})",
                        evidence=["failed_run"],
                        confidence=0.85,
                        widen=widen,
                    )
                ],
            )
    if not ev.has("schema_diff"):
        hint = {
            "io": "The run failed reading or writing; before calling it transient I must see that the sources "
            "read cleanly now and did not change.",
            "missing_column": f"The transform references {', '.join(missing_columns(error)) or 'a column'} that "
            "the source no longer has: compare each source's schema with the last good run.",
            "type_mismatch": "A type error: a source column probably changed type. Compare schemas.",
            "conversion": "A conversion error: values no longer parse. Compare schemas, then profile the values.",
            "overflow": "Values no longer fit a type: compare schemas.",
            "set_operation": "The branches of a set operation no longer have the same columns: compare schemas.",
            "checks": f"The transform ran but checks failed ({'; '.join(failed_names)}). First rule out a "
            "change in the sources' schemas.",
            "missing_source": "A source could not be found: compare what is there with the last good run.",
        }.get(klass, "Compare the sources' schemas with the last good run.")
        return Step(thought=hint, confidence=0.5, tool="schema_diff")

    schema = ev.schema
    schema_changed = any(d.changed for d in schema.sources)
    if not schema_changed:
        late = source_arrival.late_source(schema)
        if late is not None:
            return Step(thought="A source is absent: the upstream delivery has not landed yet.", confidence=0.85,
                        findings=[late])  # fmt: skip
        transient = source_arrival.transient_read(signal, schema, error)
        if transient is not None:
            return Step(thought="Every source reads cleanly now and its schema is unchanged: the I/O error was "
                        "transient.", confidence=0.9, findings=[transient])  # fmt: skip

    findings = rename_findings(ev)
    if klass == "set_operation":
        findings += set_operation_findings(ev)
    if klass == "ambiguous":
        findings += ambiguous_findings(ev, error)
    type_findings, need_profiles = type_change_findings(ev)
    for source, cols in rename_profile_needs(ev).items():
        need_profiles.setdefault(source, []).extend(cols)
    findings += type_findings
    findings += key_findings(ev)
    duplicates = duplicate_row_findings(ev)
    # Source columns renamed by the feed: checks on the old name now read the new one.
    renamed: dict[str, dict[str, str]] = {}
    for f in findings:
        if f.source and f.renames:
            renamed.setdefault(f.source, {}).update({old: new for new, old in f.renames.items()})

    # Text columns the transform casts whose values the error quotes.
    parse_cols: list[tuple[str, str]] = []
    if klass == "conversion" and ev.sql:
        for col, _type in cast_targets(ev.sql):
            source = ev.source_of_column(col)
            if source and not any(col in f.replaces for f in findings):
                parse_cols.append((source, col))
    for source, col in parse_cols:
        if ev.profile(source, col) is None:
            need_profiles.setdefault(source, []).append(col)

    code_changed = ev.code_changed()
    if code_changed and not ev.has("code_history") and not findings:
        return Step(
            thought="The code version that failed is not the one that last ran green: read the code history and "
            "what the deploy changed.",
            confidence=0.6,
            tool="code_history",
        )
    regression_now = regression_finding(ev, failed_names) if not findings else None
    checks_path = klass == "checks" or bool(extra_failed) or (klass in ("other", "none") and not findings)
    # Data-side evidence for failed checks (and, after a rename, for the checks on the renamed columns).
    if regression_now is None and (checks_path or renamed):
        for source, col, _check in check_source_columns(ev, failed_names, renamed):
            if ev.profile(source, col) is None:
                need_profiles.setdefault(source, []).append(col)
        if renamed and not checks_path:
            for source, mapping in renamed.items():
                for old, new in mapping.items():
                    if is_identifier_name(old) and not ev.attempted(source, new):
                        need_profiles.setdefault(source, []).append(new)
        if checks_path and not code_changed:
            for source, cols in row_key_columns(ev).items():
                need_profiles.setdefault(source, []).extend(cols)
            for source, cols in time_columns(ev).items():
                need_profiles.setdefault(source, []).extend(cols)
            for col, _literals in literal_filters(ev.sql) if ev.sql else []:
                source = ev.source_of_column(col)
                if source:
                    need_profiles.setdefault(source, []).append(col)

    need_profiles = {s: sorted({c for c in cols if not ev.attempted(s, c)}) for s, cols in need_profiles.items()}
    need_profiles = {s: c for s, c in need_profiles.items() if c}
    if need_profiles:
        cols = need_profiles
        listing = "; ".join(f"{s}: {', '.join(c)}" for s, c in cols.items())
        return Step(
            thought=f"Profile the columns that could explain the failure ({listing}): nulls, duplicates, formats, "
            "latest timestamps.",
            confidence=max(confidences[-1:] or [0.5]),
            tool="column_profiles",
            args={"columns": cols},
        )

    findings += text_format_findings(ev, parse_cols)
    if code_changed and not ev.has("code_history"):
        return Step(
            thought="The code version that failed is not the one that last ran green: read the code history and "
            "what the deploy changed.",
            confidence=0.6,
            tool="code_history",
        )
    regression = regression_finding(ev, failed_names)
    if regression is not None and not any(f.category in ("schema_drift", "format_drift") for f in findings):
        findings = [f for f in findings if f.category not in ("data_quality",)]
        findings.append(regression)
        findings += duplicates  # a replayed delivery is a cause of its own, whatever the deploy did
    else:
        if checks_path and not findings:
            findings += literal_findings(ev)
        if checks_path or renamed or not findings:
            findings += data_findings(ev, failed_names, renamed, allow_late=not findings and not duplicates)
        for dup in duplicates:
            if not any(f.remediation == "dedupe" and f.source == dup.source for f in findings):
                findings.append(dup)

    findings, ask = catalog_repairs.resolve(ev, findings, failed_names)
    if ask is not None:
        return ask
    if ev.pending:
        return _evaluation_step(ev, findings)
    drift = any(f.category in ("schema_drift", "format_drift") for f in findings)
    if drift and not ev.has("code_history") and not _confident_twice(confidences, findings):
        return Step(
            thought="The sources changed. Before blaming them, confirm that no recent change to the transform "
            "itself is implicated.",
            confidence=max(f.confidence for f in findings),
            tool="code_history",
        )
    if not findings:
        return Step(
            thought="No tool output explains the failure well enough to change anything safely.",
            confidence=0.3,
            findings=[
                Finding(
                    category=_fallback_category(klass),
                    remediation="escalate",
                    cause=f"unexplained failure: {error[:300] or '; '.join(failed_names)}",
                    evidence=[k for k in ev.obs],
                    confidence=0.3,
                    escalate_reason="no diagnosis is supported by the evidence",
                )
            ],
        )
    return Step(
        thought="The evidence is consistent; build the proposals.",
        confidence=min(f.confidence for f in findings),
        findings=findings,
    )


def _evaluation_step(ev: Evidence, findings: list[Finding]) -> Step:
    """Run every pending candidate (with the findings already settled) in the sandbox, in one tool call."""
    from agentic_assets.repair.planner.model import proposal_calls  # the model module imports this one

    candidates = []
    for label, options in ev.pending:
        for i, option in enumerate(options):
            calls = proposal_calls([*findings, *option], ev.sql)
            candidates.append({"name": f"{label}#{i}", "calls": [{"tool": c.tool_name, "args": c.args} for c in calls]})
    labels = ", ".join(label for label, _ in ev.pending)
    return Step(
        thought=f"More than one repair could explain {labels}; run each in the sandbox against the checks and the "
        "last good output and keep the smallest that passes.",
        confidence=0.7,
        tool="evaluate_candidates",
        args={"candidates": candidates},
    )


def _numeric_casts_of_numbers(sql: str, report: FailedRunReport) -> bool:
    """Whether the transform casts a column that was a number at the last good run to a bounded number type."""
    good = report.last_good_run
    types = {c: t for schema in (good.input_schemas.values() if good else []) for c, t in schema.items()}
    bounded = set(_widenings(sql))
    return any(
        family(types.get(col, "")) in ("integer", "number") and target in bounded for col, target in cast_targets(sql)
    )


def _widenings(sql: str) -> dict[str, str]:
    import re

    from sqlglot import exp

    from agentic_assets.repair.sql_rewrite import parse

    out: dict[str, str] = {}
    for cast in parse(sql).find_all(exp.Cast):
        target = cast.to.sql("duckdb").upper()
        m = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", target)
        if m and int(m.group(1)) < 38:
            out[target] = f"DECIMAL(38, {m.group(2)})"
        elif target in ("INT", "INTEGER", "SMALLINT", "TINYINT", "INT4", "INT2"):
            out[target] = "BIGINT"
    return out


def _confident_twice(confidences: list[float], findings: list[Finding]) -> bool:
    now = min(f.confidence for f in findings) if findings else 0.0
    return bool(confidences) and confidences[-1] >= CONFIDENT and now >= CONFIDENT


def _fallback_category(klass: str) -> Category:
    return {
        "io": "transient",
        "missing_source": "late_data",
        "missing_column": "schema_drift",
        "set_operation": "schema_drift",
        "type_mismatch": "schema_drift",
        "overflow": "schema_drift",
        "conversion": "format_drift",
        "checks": "data_quality",
    }.get(klass, "data_quality")  # type: ignore[return-value]


__all__ = ["Evidence", "Finding", "Step", "next_step", "parse_checks", "QUOTED_VALUE"]
