"""A code list switched and nothing maps it back: a question for a person, not rows to set aside.

The catalog step asks for a mapping only when most of a code column's distinct values now lie outside the
code list its check allows (`catalog_repairs._mostly_outside`): the column speaks another value set, not a
few bad values. When the catalog holds no table linking the two sets, a dead letter would discard every row
written in the new set, which is data, not bad rows, and any translation would be a guess at meaning.
"""

from __future__ import annotations

from agentic_assets.repair.planner.finding import Finding


def escalation(source: str, column: str, dead_letter: Finding) -> Finding:
    """The escalation that replaces the dead letter of a switched code column without a mapping."""
    return Finding(
        category="format_drift",
        remediation="escalate",
        cause=f"{source}.{column} now writes most of its values outside its code list and no table of the catalog "
        f"maps the new values to the old ones (instead of: {dead_letter.cause})",
        evidence=[*dead_letter.evidence, "catalog"],
        confidence=0.8,
        source=source,
        column=column,
        escalate_reason=f"the rows written in {column}'s new value set are data; translating them would be a guess "
        "and dead-lettering them would drop them",
    )
