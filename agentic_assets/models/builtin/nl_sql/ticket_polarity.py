"""Whether a condition named in a ticket keeps its rows or drops them.

'Keep rows whose channel is online' keeps, 'exclude pending transactions' and 'rows whose amount is
negative are dropped' drop, and 'anything that is not settled is dropped' keeps the settled rows: a
negation beside the condition and a dropping verb around it cancel out. The verb is an active one
before the condition in its clause ('exclude X', 'keep X') or a passive one after it in its clause
('X are dropped', 'X are kept'); an active verb after the condition governs what follows it, not it.
"""

from __future__ import annotations

from agentic_assets.models.builtin.nl_sql.clauses import Ticket

# words that negate the condition they stand beside ('status is not pending', 'neither ... nor')
LOCAL_NEGATORS = {"not", "neither", "nor", "outside", "non", "never"}
# before the condition: 'exclude X', 'excluding X', 'X except Y', 'drop X', 'ignoring X'
ACTIVE_DROP = {"exclude", "excludes", "excluding", "except", "drop", "drops", "dropping", "ignore", "ignoring"}
ACTIVE_KEEP = {"keep", "keeps", "keeping", "only", "include", "including", "retain", "select", "filter"}
# after the condition: 'X are dropped', 'X are left out', 'X only', 'X are kept'
PASSIVE_DROP = {"dropped", "excluded", "ignored", "rejected"}
PASSIVE_KEEP = {"kept", "included", "retained", "only", "selected"}
OUT_VERBS = {"left", "fall", "falls", "fell", "drop", "dropped", "leave"}
# a new predicate starts here: an aggregate or grouping word ends the reach of a verb before it
PREDICATE_STARTS = {"sum", "count", "average", "per", "then", "group", "grouped", "order", "ordered", "output"}


def drops(t: Ticket, start: int, end: int, mark: bool = True) -> bool:
    """True when the condition at tokens [start, end) names rows to drop (before any local negation)."""
    _, e = t.clause_span(max(start, end - 1))
    for k in range(end, e):
        w = t.words[k]
        if w in PASSIVE_DROP or (w == "out" and t.word(k - 1) in OUT_VERBS):
            if mark:
                t.use(k, k - 1 if w == "out" else k)
            return True
        if w in PASSIVE_KEEP:
            if mark:
                t.use(k)
            return False
        if w in ACTIVE_DROP | ACTIVE_KEEP | PREDICATE_STARTS:
            break
    cs, _ = t.clause_span(start)
    for k in range(start - 1, cs - 1, -1):
        w = t.words[k]
        if w in ACTIVE_DROP:
            if mark:
                t.use(k)
            return True
        if w in ACTIVE_KEEP or w in PREDICATE_STARTS:
            if mark and w in ACTIVE_KEEP:
                t.use(k)
            return False
    return False


def negated_beside(t: Ticket, start: int, window: int = 6) -> list[int]:
    """Positions of negators in the `window` words before `start`, within its clause."""
    cs, _ = t.clause_span(start)
    return [k for k in range(max(cs, start - window), start) if t.words[k] in LOCAL_NEGATORS]


def excluded(t: Ticket, start: int, end: int, local: bool) -> bool:
    """Drop the rows of the condition: a dropping verb or a local negation, not both."""
    return drops(t, start, end) != local
