"""Normalise, then cast: text that carries the old numbers inside a constant code, unit or sign.

When every number a column now writes sits between the same prefix and suffix (`EUR 12.50`, `12.5 kg`,
`#1042`), stripping that one spelling restores each value without choosing between meanings. Several
spellings (`kg` and `lb`, `EUR` and `USD`) are different meanings: that is a unit or currency change and
is left to escalate. Values that are not numbers at all after the strip are the residue: the operator
offers the cast alone and the cast with a dead letter of the residue, and the sandbox decides.
"""

from __future__ import annotations

from agentic_assets.repair.planner import fixes
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.profiling import Affixes
from agentic_assets.repair.representations import Parse, readings
from agentic_assets.repair.sql_rewrite import quote
from agentic_assets.repair.types import family


def normalised_number(col: str, target: str, separator: str | None) -> str:
    return fixes.parse_number(col, target, separator)


def candidates(source: str, col: str, before: str, profile: dict, *, as_text: bool = False) -> list[list[Finding]]:
    """Candidate repairs (each a list of findings applied together), smallest first; [] when none is safe."""
    raw = profile.get("affixes")
    if not raw:
        return []
    affixes = Affixes.model_validate(raw)
    if not affixes.constant:
        return []
    target = "DOUBLE" if as_text else fixes.target_type(before)
    if target not in ("DOUBLE", "BIGINT", "INTEGER") and not target.startswith(("DECIMAL", "INT", "SMALL", "TINY")):
        return []
    number = normalised_number(col, target, profile.get("decimal_separator"))
    # The transform that casts the text itself gets the plain number, still as text.
    expr = f"CAST({number} AS VARCHAR)" if as_text else number
    written = " ... ".join(filter(None, [next(iter(affixes.prefixes), ""), next(iter(affixes.suffixes), "")]))
    cast = Finding(
        category="format_drift",
        remediation="code_change",
        cause=f"{source}.{col} now writes its numbers inside constant text ({written!r}); stripping it restores "
        f"them as {before}",
        evidence=["schema_diff", "column_profiles"],
        confidence=0.86,
        source=source,
        replaces={col: expr},
    )
    if affixes.numeric_share < 1:
        return with_residue(cast, source, col, profile, 1 - affixes.numeric_share)
    return [[cast]]


def with_residue(cast: Finding, source: str, col: str, profile: dict, share: float) -> list[list[Finding]]:
    """The cast alone, and the cast beside a dead letter of the values that hold no number.

    The cast alone fails on the residue (it is not a TRY), so the sandbox keeps it only when the residue is
    not in the rows the asset reads; otherwise the two-change candidate is the smallest that passes."""
    check = normalised_number(col, "DOUBLE", profile.get("decimal_separator"))
    residue = Finding(
        category="data_quality",
        remediation="dead_letter",
        cause=f"{share:.0%} of the distinct {source}.{col} values hold no number at all",
        evidence=["column_profiles"],
        confidence=0.8,
        source=source,
        condition=f"{quote(col)} IS NOT NULL AND TRY({check}) IS NULL",
        reason=f"{col} holds no number",
    )
    return [[cast], [cast, residue]]


def unreadable_share(profile: dict) -> float:
    """The share of distinct values written in no recognised format (the profile's `text` format)."""
    formats = profile.get("formats") or {}
    total = sum(formats.values())
    return formats.get("text", 0) / total if total else 0.0


# Units an ISO 8601 duration may have been written in before, as seconds per unit: the sandbox compares each
# reading with the last good output and keeps the one that agrees (or escalates when none can be told apart).
DURATION_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600}


def _beside_iso(source: str, col: str, before: str, profile: dict, *, as_text: bool) -> list[list[Finding]]:
    """A column fed in two forms: ISO values kept as they are, the others read by the one format that reads
    them all (several meanings escalate, like a single form that reads two ways)."""
    groups = readings([Parse.model_validate(p) for p in profile.get("beside_iso") or []], {"date", "timestamp"})
    if not groups:
        return []
    names = ", ".join(g[0].format for g in groups.values())
    if len(groups) > 1:
        return _reads_two_ways(source, col, "ISO and in a second form", names)
    fmt = next(iter(groups.values()))[0]
    q = quote(col)
    other = f"try_strptime(trim({q}), '{fmt.format}')"
    if as_text:
        iso = "%Y-%m-%d" if fmt.kind == "date" else "%Y-%m-%d %H:%M:%S"
        expr = f"CASE WHEN TRY_CAST({q} AS TIMESTAMP) IS NOT NULL THEN {q} ELSE strftime({other}, '{iso}') END"
    else:
        expr = f"CAST(COALESCE(TRY_CAST({q} AS TIMESTAMP), {other}) AS {fixes.target_type(before)})"
    return [[Finding(
        category="format_drift",
        remediation="code_change",
        cause=f"{source}.{col} is written in two forms: ISO, and {fmt.format!r} since, which reads every other "
        "value; both are read as the same dates",
        evidence=["column_profiles"],
        confidence=0.85,
        source=source,
        replaces={col: expr},
    )]]  # fmt: skip


def _reads_two_ways(source: str, col: str, written: str, names: str) -> list[list[Finding]]:
    """Formats that each read every value but disagree on what they mean: reading it would be a guess."""
    return [[Finding(
        category="format_drift",
        remediation="escalate",
        cause=f"{source}.{col} is written in {written} that reads two ways ({names})",
        evidence=["column_profiles"],
        confidence=0.8,
        escalate_reason=f"parsing {col} would be a guess between {names}",
    )]]  # fmt: skip


def parsed(source: str, col: str, before: str, profile: dict, *, as_text: bool = False) -> list[list[Finding]]:
    """Candidates from the formats that read every value (`profile.parses`), or [] when none does.

    One meaning (every full reading agrees) is a code change; several are an ambiguity to escalate."""
    parses = [Parse.model_validate(p) for p in profile.get("parses") or []]
    fb = family(before) if not as_text else "date"
    q = quote(col)
    if fb in ("date", "timestamp"):
        groups = readings(parses, {"date", "timestamp"})
        if not groups:
            return _beside_iso(source, col, before, profile, as_text=as_text)
        if len(groups) > 1:
            return _reads_two_ways(source, col, "a format", ", ".join(g[0].format for g in groups.values()))
        fmt = next(iter(groups.values()))[0]
        value = f"strptime({q}, '{fmt.format}')"
        if "%z" in fmt.format:
            # An offset reads as a moment: written as UTC wall time, as the naive timestamps of the transform
            # are; DuckDB reads `Z` only as a literal, so it is spelled as the offset it is.
            value = f"timezone('UTC', strptime(regexp_replace({q}, 'Z$', '+00:00'), '{fmt.format}'))"
        if as_text:
            iso = "%Y-%m-%d" if fmt.kind == "date" else "%Y-%m-%d %H:%M:%S"
            expr = f"strftime({value}, '{iso}')"
        else:
            expr = f"CAST({value} AS {fixes.target_type(before)})"
        return [[Finding(
            category="format_drift",
            remediation="code_change",
            cause=f"{source}.{col} is now written as {fmt.format!r}, which reads every value; the transform "
            f"expects {before}",
            evidence=["schema_diff", "column_profiles"],
            confidence=0.86,
            source=source,
            replaces={col: expr},
        )]]  # fmt: skip
    if fb in ("integer", "number") and any(p.kind == "duration" for p in parses):
        pattern = r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
        parts = [f"COALESCE(TRY_CAST(regexp_extract({q}, '{pattern}', {i}) AS DOUBLE), 0)" for i in range(1, 5)]
        seconds = f"({parts[0]} * 86400 + {parts[1]} * 3600 + {parts[2]} * 60 + {parts[3]})"
        target = fixes.target_type(before)
        return [
            [
                Finding(
                    category="format_drift",
                    remediation="code_change",
                    cause=f"{source}.{col} is now written as ISO 8601 durations; read as {unit}",
                    evidence=["schema_diff", "column_profiles"],
                    confidence=0.8,
                    source=source,
                    replaces={col: f"CAST({seconds} / {per} AS {target})"},
                )
            ]  # fmt: skip
            for unit, per in DURATION_UNITS.items()
        ]
    return []
