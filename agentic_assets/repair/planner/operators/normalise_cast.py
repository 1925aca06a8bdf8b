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
from agentic_assets.repair.sql_rewrite import quote


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
