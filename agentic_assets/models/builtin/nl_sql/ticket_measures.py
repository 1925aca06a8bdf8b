"""Measures of a ticket: which aggregate an output column is, read from the words around its name.

'Sum amount into settled_amount and count the rows into txn_count', 'settled_spend (the sum of
amount of their settled transactions)', 'the average amount rounded to 2 decimals as avg_amount',
'the smallest and the largest positive amount as min_amount and max_amount'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentic_assets.models.builtin.nl_sql.clauses import Ticket
from agentic_assets.models.builtin.schema_match import ColumnRef
from agentic_assets.models.builtin.text import name_tokens

AGGREGATES = {
    "sum": "SUM", "summed": "SUM", "total": "SUM", "totals": "SUM", "sums": "SUM", "count": "COUNT",
    "number": "COUNT", "many": "COUNT", "counts": "COUNT", "average": "AVG", "avg": "AVG", "mean": "AVG",
    "averages": "AVG", "smallest": "MIN", "minimum": "MIN", "min": "MIN", "lowest": "MIN", "earliest": "MIN",
    "largest": "MAX", "maximum": "MAX", "max": "MAX", "highest": "MAX", "latest": "MAX", "median": "MEDIAN",
}  # fmt: skip
# the median of an even count stated as the mean of the two middle values: the continuous median
CONTINUOUS_MEDIAN = (
    r"\beven (?:number|count) of \w+,? (?:take |use |it is |is )?(?:the )?(?:average|mean) of the (?:2|two) middle"
    r" (?:values|ones|rows|amounts)\b"
)
# superlatives of time: with no column after them they pick the time column ('the most recent one')
TIME_SUPERLATIVES = {"latest", "earliest", "recent"}
NAME_PREFIXES = {
    "median": "MEDIAN",
    "total": "SUM",
    "sum": "SUM",
    "avg": "AVG",
    "average": "AVG",
    "min": "MIN",
    "max": "MAX",
}


@dataclass
class Measure:
    name: str
    agg: str
    column: ColumnRef | None  # None: COUNT(*)
    distinct: bool = False
    round_to: int | None = None
    divide_by: int | None = None  # 'in thousands', 'divided by 1000'

    def sql(self, col) -> str:  # noqa: ANN001
        if self.agg == "COUNT" and self.column is None:
            expr = "COUNT(*)"
        elif self.distinct:
            expr = f"COUNT(DISTINCT {col(self.column)})"
        else:
            expr = f"{self.agg}({col(self.column)})"
        if self.divide_by is not None:
            expr = f"{expr} / {self.divide_by}"
        return f"ROUND({expr}, {self.round_to})" if self.round_to is not None else expr


def rounding_in(t: Ticket, start: int, end: int) -> int | None:
    """'rounded to 2 decimals', 'rounded to 1 decimal place', 'to whole units', 'no decimals'."""
    text = " ".join(t.words[start:end])
    # 'rounded to 2 decimals', '2 decimal places', '2 dp'
    m = re.search(r"round(?:ed)? to (\d+) (?:decimals?(?: places?)?|dp)\b", text) or re.search(
        r"(\d+) (?:decimals?(?: places?)?|dp)\b", text
    )
    digits = int(m.group(1)) if m else None
    if m is None and re.search(r"whole units|no decimals|whole numbers", text):
        digits = 0
    if digits is None:
        return None
    for i in range(start, end):
        if t.words[i] in (
            "rounded",
            "round",
            "decimal",
            "decimals",
            "places",
            "place",
            "whole",
            "units",
            "no",
            "to",
            "dp",
        ):
            t.use(i)
        if t.toks[i].is_number and int(float(t.words[i])) == digits:
            t.use(i)
    return digits


def read_measure(
    t: Ticket, name: str, mention: int | None, boundaries: list[int], default: ColumnRef | None
) -> Measure | None:
    """The aggregate that output `name` is; None when the words do not say."""
    if mention is None:
        return _from_name(name, default)
    s, e = t.sentence_span(mention)
    # 'as min_amount and max_amount': names sharing one phrase take its aggregates in order
    group_pos = 0
    end = mention
    while t.word(end - 1) == "and" and (end - 2) in boundaries:
        group_pos += 1
        end -= 2
    prev = max([b for b in boundaries if b < end] + [s - 1]) + 1
    if t.word(prev) == "(" and ")" in t.words[prev:end]:
        prev = t.words.index(")", prev) + 1  # the parenthesis after the previous name defines that name
    before = list(range(prev, end))
    nxt = min([b for b in boundaries if b > mention] + [e])
    after = list(range(mention + 1, nxt))
    wider = list(range(s, end))

    def aggs_in(span: list[int]) -> list[int]:
        return [
            i
            for i in span
            if (t.words[i] in AGGREGATES or (t.words[i] == "recent" and t.word(i - 1) == "most"))
            and not _is_filler(t, i)
            and not _ranks(t, i)
            and i not in t.used
        ]

    # 'sum amount as total_amount' defines before the name; 'revenue, the total settled amount' after it
    defined_before = t.word(mention - 1) in ("as", "into", "column", "called", "named")
    order = [before, wider, after] if defined_before else [before, after, wider]
    segment: list[int] = []
    aggs: list[int] = []
    for span in order:
        aggs = aggs_in(span)
        if aggs:
            segment = span
            break
    if not aggs or not segment:
        return _from_name(name, default)
    i = aggs[min(group_pos, len(aggs) - 1)]
    agg = AGGREGATES.get(t.words[i], "MAX")  # 'most recent' is the latest
    t.use(i, *([i - 1] if t.words[i] == "recent" else []))
    if t.word(i + 1) == "of":
        t.use(i + 1)
    cols = [(k, ref) for k, ref in t.columns_in(segment[0], segment[-1] + 1) if k > i or agg == "COUNT"]
    if not cols and t.word(i - 1) in ("is", "are", "gets", "get"):
        # 'the amount is summed into day_total': the passive names its column before the aggregate
        cols = [(k, ref) for k, ref in t.columns_in(segment[0], i)]
    distinct = agg == "COUNT" and "distinct" in t.words[segment[0] : segment[-1] + 1]
    column = None
    if distinct:
        d = t.words.index("distinct", segment[0])
        after = [(k, r) for k, r in cols if k > d]
        if (not after or after[0][0] > d + 2) and t.toks[d + 1 : d + 2] and t.toks[d + 1].is_word:
            # 'how many distinct customers': the identifier of that entity
            ent = t.cat.entity_column(t.words[d + 1])
            if ent is not None:
                after = [(d + 1, ent)]
        if not after:
            return None
        k, column = after[0]
        t.use(k, t.words.index("distinct", segment[0]))
    elif agg == "COUNT":
        column = None
        for k in segment:
            if t.words[k] in ("rows", "row", "transactions", "them", "how", "there"):
                t.use(k)
    else:
        numeric = [
            (k, r) for k, r in cols if (r.column.is_numeric and not r.column.is_identifier) or agg in ("MIN", "MAX")
        ]
        if numeric:
            k, column = numeric[0]
            t.use(k)
            if t.word(k + 1) in ("over", "across"):
                t.use(k + 1)  # 'the sum of amount over settled transactions': the rows the filters keep
        elif t.words[i] in TIME_SUPERLATIVES:
            # 'the time of their most recent online transaction', 'the latest one': the time column
            # of the facts' source: the one whose measure is the default (transactions, not customers)
            source = t.cat.by_name[default.table] if default is not None else t.cat.main
            times = [c for c in source.columns if c.is_time]
            if len(times) != 1:
                return None
            column = ColumnRef(source.name, times[0])
        else:
            column = default
        if column is None:
            return None
    round_to = rounding_in(t, min(segment[0], i), max(segment[-1] + 1, mention))
    if round_to is None and mention is not None:
        # 'avg_amount is the average amount rounded to 2 decimals' / '..., rounded to 2 decimal places, as x'
        round_to = rounding_in(t, mention, min(t.clause_span(mention)[1] + 8, e))
    if agg == "MEDIAN" and re.search(r"\b(?:lower|higher|smaller|larger) of the (?:2|two) middle\b", " ".join(t.words)):
        return None  # a discrete median: not the one this planner writes
    divide_by = scale_in(t, s, e)
    if divide_by == -1:
        return None
    return Measure(name=name, agg=agg, column=column, distinct=distinct, round_to=round_to, divide_by=divide_by)


# 'expressed in thousands', 'in millions': the unit a measure is shown in
UNITS = {"thousands": 1000, "millions": 1_000_000}


def scale_in(t: Ticket, start: int, end: int) -> int | None:
    """The divisor a sentence states for its measure ('in thousands', 'the sum divided by 1000'); -1 when
    it states two that disagree."""
    found: dict[int, list[int]] = {}
    for i in range(start, end):
        w = t.words[i]
        if w in UNITS and t.word(i - 1) == "in":
            found.setdefault(UNITS[w], []).extend([i - 1, i] + ([i - 2] if t.word(i - 2) == "expressed" else []))
        if w == "divided" and t.word(i + 1) == "by" and t.toks[i + 2 : i + 3] and t.toks[i + 2].is_number:
            n = float(t.words[i + 2])
            if n > 0 and n == int(n):
                found.setdefault(int(n), []).extend([i, i + 1, i + 2])
    if not found:
        return None
    if len(found) > 1:
        return -1
    ((divisor, positions),) = found.items()
    t.use(*positions)
    return divisor


def free_aggregate(t: Ticket, i: int) -> bool:
    """An aggregate word no reader has placed that is an aggregate here (not 'a number', not 'the
    highest total', not 'the latest row')."""
    w = t.words[i]
    if w not in AGGREGATES or i in t.used or _is_filler(t, i) or _ranks(t, i):
        return False
    # a superlative alone ('the highest', 'latest event_time') orders or picks rows; only a plain
    # aggregate word describes a measure without a name
    return AGGREGATES[w] in ("SUM", "COUNT", "AVG", "MEDIAN")


def name_aggregate(name: str) -> str | None:
    """The aggregate an output name spells ('avg_amount', 'txn_count', 'total_spend'), if any."""
    parts = name_tokens(name)
    if parts[-1] == "count" or parts[0] in ("count", "num", "n"):
        return "COUNT"
    return NAME_PREFIXES.get(parts[0])


def _is_filler(t: Ticket, i: int) -> bool:
    """'the number 1 to 3' and 'a number' are not counts; 'latest' next to a time column orders rows."""
    return t.words[i] == "number" and t.word(i + 1) not in ("of",)


def _ranks(t: Ticket, i: int) -> bool:
    """'the largest summed amount', 'the highest total': a superlative before another aggregate orders
    the groups by that aggregate; it is not an aggregate of its own."""
    return AGGREGATES.get(t.words[i]) in ("MIN", "MAX") and AGGREGATES.get(t.word(i + 1)) in ("SUM", "COUNT", "AVG")


def _from_name(name: str, default: ColumnRef | None) -> Measure | None:
    parts = name_tokens(name)
    if parts[-1] == "count" or parts[0] in ("count", "num", "n"):
        return Measure(name=name, agg="COUNT", column=None)
    agg = NAME_PREFIXES.get(parts[0])
    if agg and default is not None:
        return Measure(name=name, agg=agg, column=default)
    return None


def use_median_convention(t: Ticket) -> None:
    """'with an even number of rows take the average of the two middle values': how a median is taken,
    which is the median this planner writes (DuckDB's MEDIAN)."""
    if "median" not in t.words:
        return
    text = " ".join(t.words)
    for m in re.finditer(CONTINUOUS_MEDIAN, text):
        a = len(text[: m.start()].split())
        t.use(*range(t.clause_span(a)[0], a + len(m.group(0).split())))
