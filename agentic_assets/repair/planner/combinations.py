"""Candidates for several causes at once: every combination of one option per pending cause.

Two independent faults (a rename and a format change, a format change and replayed rows, a cast and a residue)
each leave a choice of repairs; a candidate must answer all of them, or the sandbox would judge each repair
against checks the other fault still fails. So the candidates are the product of the pending choices, named
`label#i+label#j`, smallest first, and the sandbox keeps the minimal combination that passes.
"""

from __future__ import annotations

from itertools import product

from agentic_assets.repair.planner.finding import Finding

# Combinations run one sandbox each; 16 keeps one evaluation within a couple of dozen sandbox runs even on a
# loaded machine, and covers two causes with four options each (the most any operator offers).
MAX_COMBINATIONS = 16


def combinations(pending: list[tuple[str, list[list[Finding]]]]) -> list[tuple[str, list[Finding]]]:
    """(name, findings) for each combination of one option per pending label, fewest findings first."""
    if not pending:
        return []
    if len(pending) == 1:
        label, options = pending[0]
        return [(f"{label}#{i}", option) for i, option in enumerate(options)]
    out = []
    for picks in product(*[list(enumerate(options)) for _label, options in pending]):
        name = "+".join(f"{label}#{i}" for (label, _opts), (i, _o) in zip(pending, picks, strict=True))
        out.append((name, [f for _i, option in picks for f in option]))
    out.sort(key=lambda item: len(item[1]))
    return out[:MAX_COMBINATIONS]


def chosen_option(chosen: str, label: str) -> int | None:
    """Which option of `label` the chosen candidate (`label#i`, or a combination of such) holds, or None."""
    for part in chosen.split("+") if chosen else []:
        name, _, index = part.rpartition("#")
        if name == label and index.isdigit():
            return int(index)
    return None
