"""Calendar windows stated in words, over the time column: 'in 2025', 'during March 2026', 'between
March and May 2026' (both months whole), 'before the 15th' (the day of the month), 'the last 7 days of
data' (the 7 calendar days ending on the latest date the source holds).

A window relative to today ('the last 7 days') or a month without its year is refused: the rows
would change with the day the code runs, or the year is a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agentic_assets.models.builtin.nl_sql.clauses import MONTHS, Ticket
from agentic_assets.models.builtin.nl_sql.words import ident
from agentic_assets.models.builtin.schema_match import ColumnRef

ColumnSql = Callable[[ColumnRef], str]
_MONTH = "(" + "|".join(MONTHS) + ")"
_YEAR = r"((?:19|20)\d{2})"
# (pattern over the ticket's words, what it states); the longest statements first
PATTERNS: list[tuple[str, str]] = [
    (rf"\b(?:between|from) {_MONTH}(?: {_YEAR})? (?:and|to|through|until) {_MONTH} {_YEAR}\b", "months"),
    (rf"\b(?:between|from) {_MONTH} (?:and|to|through|until) {_MONTH}\b", "months_no_year"),
    (rf"\b(?:in|during|for|of|throughout) {_MONTH} {_YEAR}\b", "month"),
    (rf"\b(?:in|during|for|throughout) {_MONTH}\b", "month_no_year"),
    (rf"\b(?:in|during|for|throughout|of) (?:the year )?{_YEAR}\b", "year"),
    (
        r"\b(on or before|on or after|before|after|until|from|since) the (\d{1,2}) (?:st|nd|rd|th)"
        r"(?: (?:day )?of (?:the|each|every|a) month)?\b",
        "day_of_month",
    ),
    (
        r"\b(?:(?:over|in|within|during|from|for) )?(?:the )?(?:last|latest|final) (\d+) days? (?:of|in) "
        r"(?:the )?(?:data|source|table|rows)\b"
        r"(?:(?: ,)? (?:counted|counting|measured) back from the (?:latest|last) (?:date|day)"
        r"(?: present| in the data)?)?",
        "last_days",
    ),
    (r"\b(?:the )?(?:last|past|previous) (\d+) days?\b", "relative"),
    (r"\b(?:year|month|quarter|week)[ -]to[ -]date\b|\b(?:ytd|mtd|qtd|today|yesterday|tomorrow)\b", "relative"),
    (r"\b(?:this|last|current|previous|past|next) (?:week|month|quarter|year)\b", "relative"),
]
DAY_OPS = {"on or before": "<=", "on or after": ">=", "before": "<", "after": ">", "until": "<=", "from": ">=",
           "since": ">="}  # fmt: skip


def _first(year: int, month: int) -> str:
    return f"TIMESTAMP '{year:04d}-{month:02d}-01'"


def _after(year: int, month: int) -> str:
    return _first(year + (month == 12), month % 12 + 1)


def _defines_a_year(text: str, m: re.Match) -> bool:
    """'the fiscal year starts in April': the month a year starts in, not a window."""
    return bool(re.search(r"\b(starts?|begins?|starting|beginning|runs?)$", text[: m.start()].rstrip()))


def period_tokens(t: Ticket) -> set[int]:
    """The positions the windows span ('the last 7 days of data' is a window, not the latest row)."""
    text = " ".join(t.words)
    out: set[int] = set()
    for pattern, _ in PATTERNS:
        for m in re.finditer(pattern, text):
            if _defines_a_year(text, m):
                continue
            start = len(text[: m.start()].split())
            out.update(range(start, start + len(m.group(0).split())))
    return out


def period_filters(
    t: Ticket, col: ColumnSql, time_ref: ColumnRef | None, main: str, skip: set[int] = frozenset()
) -> list[str]:
    """SQL conditions for the calendar windows the words state; ValueError when one cannot be written."""
    text = " ".join(t.words)
    out: list[str] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in PATTERNS:
        for m in re.finditer(pattern, text):
            if any(a < m.end() and m.start() < b for a, b in taken) or _defines_a_year(text, m):
                continue
            taken.append((m.start(), m.end()))
            if len(text[: m.start()].split()) in skip:
                continue  # a window of the other stage ('... then keep rows in 2026')
            if time_ref is None:
                raise ValueError(f"'{m.group(0)}' is a window, but there is no single time column")
            start = len(text[: m.start()].split())
            t.use(*range(start, start + len(m.group(0).split())))
            # 'whose placed_at falls in 2026': the time column named just before is the window's
            t.use(*[k for k in range(max(0, start - 4), start) if t.words[k] == time_ref.name])
            out.append(_condition(kind, m, col(time_ref), time_ref, main))
            if kind == "last_days":
                # 'Recent activity per channel.': the title restates the window
                t.use(*[k for k in range(t.title_end()) if t.words[k] == "recent"])
    return out


def _condition(kind: str, m: re.Match, ts: str, ref: ColumnRef, main: str) -> str:
    g = m.groups()
    if kind == "months":
        first, year1, last, year2 = MONTHS.index(g[0]) + 1, g[1], MONTHS.index(g[2]) + 1, int(g[3])
        y1 = int(year1) if year1 else (year2 if first <= last else year2 - 1)
        return f"{ts} >= {_first(y1, first)} AND {ts} < {_after(year2, last)}"
    if kind == "month":
        month, year = MONTHS.index(g[0]) + 1, int(g[1])
        return f"{ts} >= {_first(year, month)} AND {ts} < {_after(year, month)}"
    if kind == "year":
        year = int(g[0])
        if re.search(r"(?:quarter|half|month|week|day|q[1-4]|h[12]) of$", m.string[: m.end()].rsplit(" ", 1)[0]):
            lead = " ".join(m.string[: m.start()].split()[-3:])
            raise ValueError(f"cannot tell the window '{lead} {m.group(0)}'")
        return f"{ts} >= {_first(year, 1)} AND {ts} < {_first(year + 1, 1)}"
    if kind == "day_of_month":
        return f"day({ts}) {DAY_OPS[g[0]]} {int(g[1])}"
    if kind == "last_days":
        latest = f"(SELECT MAX(CAST({ident(ref.name)} AS DATE)) FROM {ident(main)})"
        return f"CAST({ts} AS DATE) > {latest} - {int(g[0])}"
    if kind == "relative":
        raise ValueError(f"'{m.group(0)}' depends on the day the code runs; say 'of data' or give the dates")
    raise ValueError(f"'{m.group(0)}' names months without their year")
