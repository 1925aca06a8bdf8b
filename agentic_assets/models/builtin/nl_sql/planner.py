"""The planner: one class composed of the concerns, and the dispatch to a family."""

from __future__ import annotations

import re

from agentic_assets.models.builtin.contracts import PlanRefusal, SqlPlan, SqlRequest
from agentic_assets.models.builtin.nl_sql.clauses import MONTHS
from agentic_assets.models.builtin.nl_sql.dead_letter import DeadLetterMixin
from agentic_assets.models.builtin.nl_sql.filters import FiltersMixin
from agentic_assets.models.builtin.nl_sql.grain import GrainMixin
from agentic_assets.models.builtin.nl_sql.joins import JoinsMixin
from agentic_assets.models.builtin.nl_sql.layout import LayoutMixin
from agentic_assets.models.builtin.nl_sql.measures import MeasuresMixin
from agentic_assets.models.builtin.nl_sql.pivot import PivotMixin
from agentic_assets.models.builtin.nl_sql.windows import WindowsMixin
from agentic_assets.models.builtin.nl_sql.words import (
    REFUSAL,
    UNSUPPORTED,
    CannotPlan,
    select_item,
)


class Planner(
    GrainMixin, MeasuresMixin, FiltersMixin, JoinsMixin, LayoutMixin, PivotMixin, WindowsMixin, DeadLetterMixin
):
    # ---- entry -----------------------------------------------------------------------------------------
    def plan(self) -> SqlPlan:
        unsupported = sorted({w for w in self.words if w in UNSUPPORTED})
        if unsupported:
            raise CannotPlan(f"the request needs {', '.join(repr(w) for w in unsupported)}, which I do not map")
        self._consume_table_mentions()
        text = " ".join(self.words)
        if re.search(r"\bdead[ -]?letter|\binvalid rows?\b|\brejected rows?\b|\bvalid rows?\b|\bonly valid\b", text):
            return self._dead_letter()
        if re.search(r"\b(deduplicate[sd]?|dedupe[sd]?|de-duplicate[sd]?|duplicates?)\b", text) or re.search(
            r"\b(latest|most recent|newest|last|earliest|first|oldest)\b.*\b(per|for each|by)\b", text
        ):
            dedupe = self._dedupe()
            if dedupe is not None:
                return dedupe
        if re.search(r"\btop \d+\b|\b\d+ (largest|biggest|highest|smallest|lowest)\b", text):
            return self._top_n()
        return self._select()

    # ---- families -------------------------------------------------------------------------------------
    def _select(self) -> SqlPlan:
        pivot = self._pivot_spec()
        keys = self._group_keys()
        measures = self._measures()
        if pivot is not None:
            return self._pivot(pivot, keys, measures)
        extra_cols = self._joined_columns()
        conds = self._filters()
        having = [c for c in conds if c.having]
        where = [c for c in conds if not c.having]
        if measures or (keys and having):
            if not measures:
                measures = [self._count_rows(self.main, len(self.toks))]
            outs = sorted(keys, key=lambda o: o.pos) + sorted(measures, key=lambda o: o.pos)
            self._rename_to_contract(outs)
            select = ",\n    ".join(select_item(o.expr, o.name) for o in outs)
            sql = f"SELECT\n    {select}\n{self._from_clause(self._left_join_wanted())}"
            if where:
                sql += "\nWHERE " + "\n  AND ".join(str(c.sql_of) for c in where)
            if keys:
                sql += "\nGROUP BY " + ", ".join(o.expr for o in keys)
            if having:
                sql += "\nHAVING " + " AND ".join(str(c.sql_of) for c in having)
            what = self._describe_agg(keys, measures, where)
            return self._finish(sql, outs, what)
        if keys:
            raise CannotPlan("found grouping keys but no measure (sum, count, average, minimum, maximum) to compute")
        if not where and not extra_cols:
            raise CannotPlan("found no aggregation, filter, join, deduplication, top-N, pivot or dead-letter split")
        outs = self._row_columns(extra_cols)
        self._rename_to_contract(outs)
        select = ",\n    ".join(select_item(o.expr, o.name) for o in outs)
        sql = f"SELECT\n    {select}\n{self._from_clause(self._left_join_wanted())}"
        if where:
            sql += "\nWHERE " + "\n  AND ".join(str(c.sql_of) for c in where)
        what = f"Rows of {self.main}"
        if extra_cols:
            what += f" with {', '.join(o.name for o in extra_cols)} from the joined source"
        if where:
            what += f", kept when {' and '.join(c.reason for c in where)}"
        return self._finish(sql, outs, what + ".")


# Words of rules the phrase planner has no reader for; a request using them goes to the ticket planner.
PHRASE_PLANNER_UNHANDLED = {
    "round", "rounded", "decimal", "decimals", "sort", "sorted", "tie", "ties", "rank",
    "row_number", "between", "weekend", "weekday", "weekdays", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "unknown", "left", "inclusive", "descending", "ascending", "label",
    "labelled", "iso", "integer", "exactly", "positive", "zero", "reject", "rejected", "otherwise",
    "days", "fiscal", "st", "nd", "rd", "th", *MONTHS,
}  # fmt: skip


def sentence_count(description: str) -> int:
    return len([s for s in re.split(r"(?<=\.)\s+", description.strip()) if s.strip()])


def plan_sql(request: SqlRequest) -> SqlPlan | PlanRefusal:
    """Plan one SELECT for `request`, or refuse with the reason.

    A one-sentence request goes to the phrase planner (`Planner`), then to the ticket planner; a
    request of several sentences (a ticket naming its columns, rules and tie-breaks) only to the
    ticket planner, which refuses when a word that carries meaning was not used.
    """
    from agentic_assets.models.builtin.nl_sql.ticket import plan_ticket

    first: CannotPlan | None = None
    words = set(re.findall(r"[a-z_]+", request.description.lower()))  # '15th' gives 'th'
    ordered = re.search(r"\border(ed)? by\b", request.description.lower())
    if sentence_count(request.description) == 1 and not words & PHRASE_PLANNER_UNHANDLED and not ordered:
        try:
            plan = Planner(request).plan()
            if _contradicts(plan.sql):
                raise CannotPlan(f"the conditions contradict each other on {_contradicts(plan.sql)}")
            misnamed = _misnamed(plan.sql)
            if misnamed:
                raise CannotPlan(f"{misnamed} is named for another aggregate than the words give")
            return plan
        except CannotPlan as err:
            first = err
    try:
        return plan_ticket(request)
    except CannotPlan as err:
        return PlanRefusal(reason=f"{REFUSAL} {first or err}")


def _contradicts(sql: str) -> str | None:
    """A column of the WHERE clause kept at a value and off it: two readings that cannot both hold."""
    from agentic_assets.models.builtin.nl_sql.ticket_filters import contradiction

    m = re.search(r"\bWHERE\b(.*?)(?:\bGROUP BY\b|\bORDER BY\b|\bQUALIFY\b|\bHAVING\b|$)", sql, re.S)
    if m is None:
        return None
    conds = [c.strip() for c in re.split(r"\bAND\b", m.group(1)) if c.strip()]
    return contradiction(conds)


def _misnamed(sql: str) -> str | None:
    """An output named for one aggregate ('avg_price') that holds another (SUM): a misreading."""
    from agentic_assets.models.builtin.nl_sql.ticket_measures import name_aggregate

    for line in sql.splitlines():
        m = re.search(r"\b(SUM|AVG|MIN|MAX|COUNT)\(.*\bAS (\w+),?$", line.strip())
        if (
            m
            and name_aggregate(m.group(2)) in ("AVG", "MIN", "MAX", "COUNT")
            and name_aggregate(m.group(2)) != m.group(1)
        ):
            return m.group(2)
    return None
