"""A dropped column that was derived from columns the source still has: rebuilt from them.

A feed that stops exporting a computed column (the minutes between two times) still carries what it was computed
from. The candidates are the durations between two time columns of the source now, in each unit (seconds,
minutes, hours, days). Arithmetic between number columns is left out: most number columns of a feed are
identifiers and counts, so it would be a search among meaningless combinations, not a reading of the data.
Nothing tells which duration was meant but the data: every
candidate runs in the sandbox and is held to the last good output, whose rows of unchanged data it must
reproduce (`Evidence.choose(verify=True)`). A derivation that changes most of them, or several that pass and
disagree, escalate like any reading that would guess.
"""

from __future__ import annotations

from itertools import permutations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.sql_rewrite import quote
from agentic_assets.repair.types import duckdb_type, family

# Units a difference of two times is counted in: the calendar's units from a second to a day, the ones a
# duration column is written in.
UNITS = ("second", "minute", "hour", "day")
# Candidates one evaluation may run: each is one sandbox run (a few tenths of a second on a few thousand rows),
# so 16 keep the evaluation within a few seconds, and cover three time columns (two timestamps in four units
# both ways, and a date against each); a source offering more is a search, not a reading, and escalates.
MAX_DERIVATIONS = 16


def derivations(columns_now: dict[str, str], dropped: str) -> list[tuple[str, str]]:
    """(description, SQL expression) of each duration between two time columns of the source now."""
    times = [c for c, t in columns_now.items() if c != dropped and family(t) in ("date", "timestamp")]
    out: list[tuple[str, str]] = []
    for a, b in permutations(times, 2):
        dated = "date" in (family(columns_now[a]), family(columns_now[b]))
        for unit in ("day",) if dated else UNITS:
            out.append((f"{unit}s from {a} to {b}", f"date_diff('{unit}', {quote(a)}, {quote(b)})"))
    return out if len(out) <= MAX_DERIVATIONS else []


def derived_findings(ev: Evidence, finding: Finding) -> list[Finding] | None:
    """Candidate rebuilds of the column an escalation says was dropped without a replacement, chosen by the
    sandbox (or still pending); None when the column is not a number or nothing could rebuild it."""
    if not finding.source or not finding.column:
        return None
    diff = ev.diff_of(finding.source)
    if finding.column not in diff.get("dropped", []):
        return None
    before = (diff.get("dropped_types") or {}).get(finding.column, "")
    if family(before) not in ("integer", "number"):
        return None
    options: list[list[Finding]] = []
    for what, expr in derivations(diff.get("columns_now") or {}, finding.column):
        value = f"CAST({expr} AS {duckdb_type(before)})"
        options.append(
            [
                Finding(
                    category="schema_drift",
                    remediation="code_change",
                    cause=f"{finding.source} no longer exports {finding.column}; it is rebuilt as the {what}, "
                    "which reproduces the last good output",
                    evidence=["schema_diff", "evaluate_candidates"],
                    confidence=0.8,
                    source=finding.source,
                    column=finding.column,
                    adapter=f"SELECT *, {value} AS {quote(finding.column)} FROM {quote(finding.source)}",
                )
            ]
        )
    if not options:
        return None
    return ev.choose(f"derived:{finding.source}.{finding.column}", options, verify=True)
