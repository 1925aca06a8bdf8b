"""Type change: a source column that changed type, cast back or parsed in its new written form."""

from __future__ import annotations

from typing import Any

from agentic_assets.repair.planner import fixes
from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.operators import normalise_cast, number_format
from agentic_assets.repair.representations import Parse, readings
from agentic_assets.repair.sql_rewrite import cast_targets, quote
from agentic_assets.repair.types import family, is_identifier_name

# An identifier that changed type kept its meaning when nearly all of its cast values are known ids: 0.95
# allows the new ids of the day, while a re-keying leaves far fewer.
KEY_MATCH_MIN = 0.95
NUMERIC = ("integer", "number")


def _orders(profile: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for fmt, ev in (profile.get("day_order") or {}).items():
        a, b = ev.get("first_above_12", 0), ev.get("second_above_12", 0)
        out[fmt] = "day_first" if a and not b else "month_first" if b and not a else None
    return out


def _date_formats(profile: dict[str, Any]) -> dict[str, int]:
    return {k: v for k, v in (profile.get("formats") or {}).items() if k not in ("text",)}


# -- schema drift ----------------------------------------------------------------------------------------


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
            # Every value casts back as is; but a cast to a naive timestamp drops a written UTC offset (DuckDB
            # keeps the wall time), so values with an offset are read by their format instead.
            # Likewise numbers now in scientific notation are a new representation of the same values.
            plain = (
                finding is not None
                and finding.category == "schema_drift"
                and not _has_offset(profile)
                and not any(r.exponent for r in number_format.readings_of(profile))
            )
            if (
                fb in ("date", "timestamp")
                and not plain
                and not profile.get("epoch_unit")
                and (_one_format_reads_all(profile) or profile.get("beside_iso"))
            ):
                # A format verified on every value (offsets, month names, two-digit years) over the written
                # forms' classes, which read a `+01:00` or a `Mar` by their look only; or, beside ISO values,
                # one that reads every other value (the classes would read only the ISO ones).
                finding = None
            numbers = number_format.candidates(source, col, before, profile) if fb in NUMERIC and not plain else []
            if numbers:
                # Numbers written for people: every reading that reads all values, held to the last good output.
                out += ev.choose(f"{source}.{col}", numbers, verify=True)
                continue
            # 0.999: every value casts (the share is rounded to four places), as for the other cast-backs here.
            if fb == "boolean" and castable is not None and castable >= 0.999:
                out.append(_boolean_finding(source, col, before, now))
                continue
            options = normalise_cast.candidates(source, col, before, profile) if finding is None else []
            if finding is None and not options:
                options = normalise_cast.parsed(source, col, before, profile)
            residue = normalise_cast.unreadable_share(profile)
            if finding is not None and finding.remediation == "code_change" and residue > 0 and fb in NUMERIC:
                # A number format that restores most values; the rest hold no number at all.
                out += ev.choose(f"{source}.{col}", normalise_cast.with_residue(finding, source, col, profile, residue))
            elif finding is not None:
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


def _one_format_reads_all(profile: dict[str, Any]) -> bool:
    parses = [Parse.model_validate(p) for p in profile.get("parses") or []]
    return bool(readings(parses, {"date", "timestamp"}))


def _has_offset(profile: dict[str, Any]) -> bool:
    return any("%z" in p.get("format", "") for p in profile.get("parses") or [])


def _boolean_finding(source: str, col: str, before: str, now: str) -> Finding:
    """Truth values now written as words or letters that DuckDB's own boolean cast reads (`Y`/`N`, `yes`/`no`,
    `t`/`f`, `1`/`0`): every value casts back, so the cast is no guess."""
    return Finding(
        category="format_drift",
        remediation="code_change",
        cause=f"{source}.{col} now writes its truth values as {now} text; every value casts back to {before}",
        evidence=["schema_diff", "column_profiles"],
        confidence=0.86,
        source=source,
        replaces={col: f"CAST(lower(trim({quote(col)})) AS BOOLEAN)"},
    )


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
        elif _casts_to_number(ev.sql, col) and (
            numbers := number_format.candidates(source, col, "string", profile, as_text=True)
        ):
            out += ev.choose(f"{source}.{col}", numbers, verify=True)
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
            if not options and _casts_to_time(ev.sql, col):
                options = normalise_cast.parsed(source, col, "string", profile, as_text=True)
            if options:
                out += ev.choose(f"{source}.{col}", options)
    return out


def _casts_to_number(sql: str, col: str) -> bool:
    """Whether the transform casts `col` to a number type (so that its text is read as one)."""
    numbers = ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC", "INT", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT")
    return any(c == col and t.upper().startswith(numbers) for c, t in cast_targets(sql))


def _casts_to_time(sql: str, col: str) -> bool:
    """Whether the transform casts `col` to a date or timestamp (so that its text is read as one)."""
    return any(c == col and t.upper().startswith(("DATE", "TIMESTAMP")) for c, t in cast_targets(sql))
