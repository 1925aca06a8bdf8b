"""Filter literals: a code the transform filters on that the column now writes as a word."""

from __future__ import annotations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.signals import literal_filters
from agentic_assets.repair.sql_rewrite import quote


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
            hits = [v for v in values if v != lit and _abbreviates(lit, v)]
            if len(hits) == 1:
                mapping[hits[0]] = lit
        # Every literal abbreviates exactly one word and no word is claimed twice: a one-to-one reading.
        if len(mapping) == len(literals) == len(set(mapping.values())):
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


def _abbreviates(code: str, word: str) -> bool:
    """Whether `code` is an abbreviation of `word`: it starts the word, and the rest of its letters follow in
    the word's order (`CNL` of `Cancelled`, `P` of `Pending`), case aside."""
    c, w = code.lower(), word.lower()
    if not c or not w.startswith(c[0]) or len(c) >= len(w):
        return False
    it = iter(w[1:])
    return all(ch in it for ch in c[1:])
