"""The ticket planner: precise, several-sentence descriptions that name their columns, to one SELECT.

It reads the output columns (declared, or listed after 'output'), decides what each one is — a
source column, a time grain, an aggregate, a pivot cell, a band, a window position, a default-filled
joined column or a dead-letter reason — and the row set (filters, joins, windows, order), then
renders one query. Anything that carries meaning and was not used gets a refusal naming the words.
"""

from __future__ import annotations

import re

from agentic_assets.models.builtin.contracts import SqlPlan, SqlRequest
from agentic_assets.models.builtin.nl_sql import ticket_filters as tf
from agentic_assets.models.builtin.nl_sql.ticket_bands import BandsMixin
from agentic_assets.models.builtin.nl_sql.ticket_dead_letter import DeadLetterMixin
from agentic_assets.models.builtin.nl_sql.ticket_grain import (
    AGGREGATE_PARTS,
    AGGREGATE_WORDS,
    grain_expr,
    grain_in_words,
    grain_of,
    stated_grains,
)
from agentic_assets.models.builtin.nl_sql.ticket_joins import JoinsMixin
from agentic_assets.models.builtin.nl_sql.ticket_layout import LayoutMixin
from agentic_assets.models.builtin.nl_sql.ticket_measures import (
    AGGREGATES,
    CONTINUOUS_MEDIAN,
    free_aggregate,
    name_aggregate,
    read_measure,
    rounding_in,
    use_median_convention,
)
from agentic_assets.models.builtin.nl_sql.ticket_periods import period_filters
from agentic_assets.models.builtin.nl_sql.ticket_pivot import PivotMixin
from agentic_assets.models.builtin.nl_sql.ticket_ranking import RankingMixin
from agentic_assets.models.builtin.nl_sql.ticket_stages import collapses_copies, order_is_stated, second_stage_start
from agentic_assets.models.builtin.nl_sql.words import UNSUPPORTED, CannotPlan
from agentic_assets.models.builtin.schema_match import ColumnRef
from agentic_assets.models.builtin.text import name_tokens, singular

# 'share' is unsupported as a proportion ('share of wallet'), not as a verb ('equal amounts share a place').
# 'median' is the continuous median (the mean of the two middle values of an even count), DuckDB's MEDIAN.
TICKET_UNSUPPORTED = (UNSUPPORTED - {"rank", "ranking", "share", "median"}) | {"canonical", "interesting", "explain"}
# The words of a sentence that only renames a source column ('the customer's country goes into x').
RENAME_WORDS = {
    "the", "a", "an", "goes", "go", "into", "as", "is", "are", "in", "column", "called", "named", "renamed",
    "copied", "stored", "shown", "put", "its", "their", "of", "from", "taken", "output", "return", "with", "and",
}  # fmt: skip
# the words that lead into a name being defined ('sum amount as total_amount', 'goes into x')
DEFINING = ("as", "into", "column", "called", "named")
# the words after which a key is what the rows are grouped (or partitioned) by
GROUPING_WORDS = ("per", "each", "every")
GROUPING_VERBS = ("group", "grouped", "split", "down", "partitioned", "partition")
# the words that open the list of output columns ('Output a, b and c.', 'Return a and b.')
LIST_LEADS = ("output", "return", "returns")
# a period's number within a larger one, by output name: (grain, DuckDB function, its range). The day of
# the week is left out: which day is 1 (Sunday, Monday) is a convention the words must state.
PARTS_OF: dict[tuple[str, ...], tuple[str, str, tuple[int, int]]] = {
    ("hour", "of", "day"): ("hour", "hour", (0, 23)),
    ("day", "of", "month"): ("day", "day", (1, 31)),
    ("day", "of", "year"): ("day", "dayofyear", (1, 366)),
    ("month", "of", "year"): ("month", "month", (1, 12)),
    ("quarter", "of", "year"): ("quarter", "quarter", (1, 4)),
}
# prepositions that place an occasion in time ('for the monthly review', 'at the weekly meeting')
OCCASION_LEADS = ("for", "at", "in", "during", "before", "after", "to", "from", "ahead")
# the words that lead a listing of output names anywhere ('Columns channel, avg_amount', 'Give a and b')
LIST_WORDS = {*LIST_LEADS, "columns", "column", "fields", "give", "keep", "show", "list", "include", "output"}
ALL_COLUMNS = r"\b(every|all)( the)? (column|columns)\b|\bevery \w+ column\b|\ball \w+ columns\b|\bkeep all columns\b"


def plan_ticket(request: SqlRequest) -> SqlPlan:
    return TicketPlanner(request).plan()


class TicketPlanner(JoinsMixin, BandsMixin, PivotMixin, RankingMixin, DeadLetterMixin, LayoutMixin):
    """The concerns composed; this class reads the output columns and decides what each one holds."""

    def output_names(self) -> list[str]:
        if self.req.output_columns:
            self.t.use(*self.name_spans(list(self.req.output_columns)))
            return list(self.req.output_columns)
        m = re.search(ALL_COLUMNS, self.text)
        names: list[str] = []
        if m:
            names = [c.name for c in self.req.tables[0].columns]
            self.t.use(*range(len(self.t.words[: len(self.text[: m.start()].split())]), len(self.t.words)))
            self._unuse_all_but_phrase(m)
        k = self.t.find("output")
        if k is not None and not m:
            i = k + 1
            while i < len(self.t.toks) and self.t.words[i] not in (".", ";"):
                if self.t.column_at(i) is not None or re.fullmatch(r"[a-z]+_[a-z_]+", self.t.words[i]):
                    names.append(self.t.words[i])
                    self.t.use(i)
                elif self.t.words[i] in ("and", ",", "only", "the", "plus"):
                    self.t.use(i)
                i += 1
            self.t.use(k)
        return names

    def name_spans(self, names: list[str]) -> list[int]:
        """Where declared output names are placed as names: their defining occurrences ('... as x', 'into
        x'), the list after 'output', or else the first occurrence. Any other occurrence of the word is
        a reference some reader must place (a grouping, a filter, a tie rule), or it is refused."""
        listed = set(self._output_list()) | set(self._name_runs(names))
        self.listed = listed
        out: list[int] = []
        for name in names:
            found = [i for i, w in enumerate(self.t.words) if w == name]
            own = [i for i in found if i in listed or self.t.word(i - 1) in DEFINING]
            out += own or found[:1]
        return out + [i for i in listed if self.t.words[i] in ("and", ",", "only", "the", "plus")]

    def _name_runs(self, names: list[str]) -> list[int]:
        """'with transaction_id, channel and country in the output': a run of at least three declared names
        joined only by commas and 'and' lists the output, wherever it stands. Two names joined by 'and'
        may be a grouping ('per channel and country'), so they are not a listing on their own."""
        declared = set(names)
        out: list[int] = []
        i = 0
        while i < len(self.t.words):
            if self.t.words[i] not in declared:
                i += 1
                continue
            k, run = i, [i]
            while True:
                # 'day (a DATE), channel': a parenthesis after a listed name says its type
                if self.t.word(k + 1) == "(" and ")" in self.t.words[k + 1 : k + 6]:
                    close = self.t.words.index(")", k + 1)
                    if self.t.word(close + 1) in (",", "and") and self.t.word(close + 2) in declared:
                        run += list(range(k + 1, close + 1))
                        k = close
                if self.t.word(k + 1) in (",", "and") and self.t.word(k + 2) in declared:
                    run += [k + 1, k + 2]
                    k += 2
                elif self.t.word(k + 1) == "," and self.t.word(k + 2) == "and" and self.t.word(k + 3) in declared:
                    run += [k + 1, k + 2, k + 3]
                    k += 3
                else:
                    break
            count = len([j for j in run if self.t.words[j] in declared])
            lead = i - 1
            while self.t.word(lead) in (":", "the", "only") or (
                self.t.word(lead) in ("columns", "column") and self.t.word(lead - 1) in LIST_WORDS
            ):
                lead -= 1
            # 'the other columns are country and total_amount'
            if self.t.word(lead) in ("are", "is") and self.t.word(lead - 1) in ("columns", "column"):
                lead -= 1
            # a sentence of names alone ('customer_id, category_count.') lists them
            s, e = self.t.sentence_span(i)
            alone = s == i and e == k + 1
            # two names are a listing when a listing word leads them ('Columns channel, avg_amount')
            if count >= 3 or alone or (count == 2 and (self.t.word(lead) in LIST_WORDS or self.t.word(i - 1) == ":")):
                out += run
                out += list(range(lead, i)) if self.t.word(lead) in LIST_WORDS else []
                if self.t.word(lead) in ("columns", "column") and self.t.word(lead - 1) == "other":
                    out += [lead - 1, lead - 2] if self.t.word(lead - 2) == "the" else [lead - 1]
            i = k + 1
        return out

    def _output_list(self) -> list[int]:
        """The positions of 'output a, b and c' up to the end of its sentence."""
        k = next((i for i, w in enumerate(self.t.words) if w in LIST_LEADS), None)
        if k is None:
            return []
        end = self.t.sentence_span(k)[1]
        return list(range(k, end))

    def _unuse_all_but_phrase(self, m: re.Match) -> None:
        start = len(self.text[: m.start()].split())
        end = len(self.text[: m.end()].split())
        self.t.used = {i for i in self.t.used if i < start or i >= end} | set(range(start, end))
        self.t.used -= set(range(end, len(self.t.words)))
        # the source named after 'every column of <source>' belongs to the phrase
        for i in range(end, min(end + 3, len(self.t.words))):
            if self.t.words[i] in ("of", "unchanged") or self.t.words[i] in {t.name for t in self.req.tables}:
                self.t.use(i)

    # ---- entry -------------------------------------------------------------------------------------
    def plan(self) -> SqlPlan:
        bad = sorted({w for w in self.t.words if w in TICKET_UNSUPPORTED})
        if "median" in self.t.words and not re.search(CONTINUOUS_MEDIAN, self.text):
            # a median of an even count is the mean of the two middle values or one of them: the words must say
            bad = sorted({*bad, "median"})
        if bad or re.search(r"\bshare of\b|\bpercentage\b", self.text):
            words = bad or ["share of"]
            raise CannotPlan(f"the request needs {', '.join(repr(w) for w in words)}, which I do not map")
        self.t.consume_inclusions()
        use_median_convention(self.t)
        for i, w in enumerate(self.t.words):
            if w in {t.name for t in self.req.tables}:
                self.t.use(i)
        names = self.output_names()
        self.use_join_words()
        self.use_inner_join_restatements()
        reason = next((n for n in names if "reason" in name_tokens(n)), None)
        if reason is None:
            reason = next((w for w in self.t.words if re.fullmatch(r"[a-z_]*reason", w)), None)
        if reason and re.search(r"\breject|\bdead[ -]letter|\bquarantin", self.text):
            return self._rejected(names, reason)
        return self._rows_or_aggregate(names)

    def filters(self, skip: set[int] = frozenset()) -> list[str]:  # type: ignore[assignment]
        t = self.t
        time = self.time_column()
        measures = [c for c in self.req.tables[0].columns if c.is_measure]
        default = ColumnRef(self.main, measures[0]) if len(measures) == 1 else None
        skip = set(skip) | self.cell_tokens
        try:
            conds = tf.column_comparisons(t, self.col) if len(self.req.tables) > 1 else []
            conds += tf.membership_filters(t, self.col, self.used_tables)
            conds += tf.date_filters(t, self.col, time)
            if not tf.explicit_dates(t):
                conds += period_filters(t, self.col, time, self.main, set(skip))
            conds += tf.weekday_filters(t, self.col, time)
            conds += tf.comparison_filters(t, self.col, default, set(skip))
            conds += tf.null_filters(t, self.col, set(skip))
            conds += tf.value_filters(t, self.col, set(skip))
        except ValueError as err:
            raise CannotPlan(str(err)) from err
        contradiction = tf.contradiction(conds)
        if contradiction:
            raise CannotPlan(f"the conditions contradict each other on {contradiction}; say which one holds")
        return conds

    # ---- one output column -------------------------------------------------------------------------
    def define(self, name: str, boundaries: list[int], default_measure: ColumnRef | None) -> tuple[str, str]:
        """(kind, sql) of output column `name`: kind is 'key', 'measure' or 'row'."""
        mentions = self.mentions(name)
        mention = mentions[0] if mentions else None
        if name in getattr(self, "anchors", {}):
            mention = self.anchors[name]
        ref = self.t.cat.exact(name)
        if ref is not None:
            # a source column, unless the words make it an aggregate ('the latest event_time as last_seen');
            # the occurrence that names it (the customer's full_name) is where it is placed
            placed = any(i in self.t.used for i in mentions)
            qualified = mention is not None and self.t.cat.is_table_entity(singular(self.t.word(mention - 1)))
            if mention is not None and (qualified or not placed):
                self.t.use(mention)
            return "key", self.col(self._qualified(ref, mention))
        spelled = self._spelled_column(name)
        if spelled is not None:
            if mention is not None:
                self.t.use(mention)
            return "key", self.col(spelled)
        if set(name_tokens(name)) & {"rank", "position", "rn", "row_number"}:
            return "unknown", ""  # a window's position column, filled by the window
        time = self.time_column()
        part = PARTS_OF.get(tuple(w for w in name_tokens(name) if w != "the"))
        if part is not None and time is not None:
            return "key", self._part_of(name, time, part)
        grain = grain_of(name)
        if grain and time is None and len(self.time_candidates()) > 1:
            raise self.no_time_column(f"the grain {name}")
        if grain and time is not None:
            return "key", self._grain(name, time, mention, grain)
        if time is not None and mention is not None and not set(name_tokens(name)) & AGGREGATE_PARTS:
            # 'rolled up to the quarter of placed_at in period': a grain, before any aggregate word around it
            grain = grain_in_words(self.t, mention, time.name, set(self.req.output_columns) - {name})
            if grain:
                return "key", self._grain(name, time, mention, grain)
        measure = read_measure(self.t, name, mention, boundaries, default_measure)
        said = name_aggregate(name)
        if measure is not None and said in ("AVG", "MIN", "MAX", "COUNT") and said != measure.agg:
            # 'avg_spend' read as a sum: the words and the name disagree (an aggregate of aggregates, or a
            # misread); a wrong table is worse than a refusal
            raise CannotPlan(f"{name} is named as {said.lower()} but the words read as {measure.agg.lower()}")
        if measure is not None and measure.round_to is None and name in getattr(self, "anchors", {}):
            # 'Round to 2 decimals, call it median_amount': the sentence that names it may round it
            for i in mentions:
                measure.round_to = (
                    measure.round_to if measure.round_to is not None else rounding_in(self.t, *self.t.sentence_span(i))
                )
        if measure is not None:
            if measure.column is not None:
                self.t.use(*[i for i in range(len(self.t.words)) if self.t.words[i] == measure.column.name][:1])
            return "measure", measure.sql(self.col)
        renamed = self._renamed(name, mention)
        if renamed is not None:
            return "key", self.col(renamed)
        return "unknown", ""

    def _unnamed_measures(self, names: list[str]) -> dict[str, int]:
        """'Average transaction amount per channel, rounded to 2 decimal places. Columns channel,
        avg_amount.': a measure described in a sentence that names no new column, and an output named
        only in a listing. When the new names listed only are as many as such sentences, each takes the
        sentence of its turn; its defining position is the end of the aggregate's clause. A name that
        says its own aggregate ('avg_', '_count') must agree with the sentence's, or nothing is bound."""
        t = self.t
        listed = getattr(self, "listed", set())
        # the new names a sentence may define besides a measure: grains ('with month as a DATE') do not count
        new_names = {n for n in self.req.output_columns if t.cat.exact(n) is None and grain_of(n) is None}
        unnamed = [
            n
            for n in names
            if t.cat.exact(n) is None
            and grain_of(n) is None
            and not set(name_tokens(n)) & {"rank", "position", "rn", "row_number", "reason"}
            and all(i in listed or self._named_after(i) for i in self.mentions(n))
        ]
        if not unnamed:
            return {}
        anchors: list[tuple[int, int]] = []  # (aggregate word, where its description ends)
        i = 0
        while i < len(t.toks):
            s, e = t.sentence_span(i)
            names_here = [k for k in range(s, e) if t.words[k] in new_names and k not in listed]
            hits = [k for k in range(s, e) if free_aggregate(t, k)]
            if hits and not names_here:
                # 'Weekly count and sum of the valid transactions': aggregates joined by 'and' are several
                # measures of one sentence; the last one's description runs to the sentence's end
                group = [hits[0]]
                while t.word(group[-1] + 1) == "and" and group[-1] + 2 in hits:
                    group.append(group[-1] + 2)
                for n, k in enumerate(group):
                    anchors.append((k, group[n + 1] - 1 if n + 1 < len(group) else e))
            i = e + 1
        if len(anchors) != len(unnamed):
            return {}
        out: dict[str, int] = {}
        for name, (k, end) in zip(unnamed, anchors, strict=True):
            said = name_aggregate(name)
            if said is not None and said != AGGREGATES[t.words[k]]:
                return {}
            out[name] = end
        return out

    def _part_of(self, name: str, time: ColumnRef, part: tuple[str, str, tuple[int, int]]) -> str:
        """'hour_of_day', 'month_of_year': the number of a period within a larger one. Its natural range
        stated in words ('0 to 23') restates it; the time column and the period words are placed."""
        grain, fn, (low, high) = part
        self.grains_made.add(grain)
        t = self.t
        found = self.mentions(time.name)
        t.use(*found[:1])
        for i, w in enumerate(t.words):
            if w == grain and t.word(i + 1) == "of":
                # 'hour of the day', 'month of year'
                t.use(i, i + 1, i + 2, *([i + 3] if t.word(i + 2) == "the" else []))
            numbers = (
                t.toks[i].is_number and t.word(i + 1) == "to" and t.toks[i + 2 : i + 3] and t.toks[i + 2].is_number
            )
            if numbers and (float(t.words[i]), float(t.words[i + 2])) == (low, high):
                t.use(i, i + 1, i + 2)
        return f"{fn}({self.col(time)})"

    def _spelled_column(self, name: str) -> ColumnRef | None:
        """A source column that an output name spells: '<entity>_<column>' for a column of that entity's
        source (customer_country: customers.country, when several sources have a country), '<first|
        latest>_<column>' for the kept row's column when one row per key is kept (first_event_time), and
        '<start>' for the one column whose name starts so and that the ticket names (segment for
        segment_hint, written '(segment_hint)')."""
        t = self.t
        parts = name_tokens(name)
        if len(parts) >= 2:
            table = t.cat.is_table_entity(singular(parts[0]))
            rest = "_".join(parts[1:])
            if table is not None and len(self.req.tables) > 1:
                hit = next((c for c in t.cat.by_name[table].columns if c.name == rest), None)
                if hit is not None:
                    return ColumnRef(table, hit)
            if parts[0] in ("first", "latest", "last", "earliest", "newest", "oldest") and getattr(
                self, "keeps_one", False
            ):
                return t.cat.exact(rest)
        starts = [
            r
            for r in t.cat.refs()
            if name_tokens(r.name)[: len(parts)] == parts and r.name != name and r.name in t.words
        ]
        if len({(r.table, r.name) for r in starts}) == 1 and all(w != name for w in ("id", "key")):
            t.use(*[i for i, w in enumerate(t.words) if w == starts[0].name])
            return starts[0]
        return None

    def _named_after(self, i: int) -> bool:
        """'Round to 2 decimals, call it median_amount': a name given to the measure described before."""
        t = self.t
        if t.word(i - 1) == "it" and t.word(i - 2) in ("call", "name", "label", "calling", "naming"):
            t.use(i - 1, i - 2)
            return True
        return False

    def _check_stated_grains(self) -> None:
        """A grain the words state ('monthly', 'rolled up to the quarter') must be one an output column
        holds: totals over all time, or per month when the ticket says quarter, would be a wrong table."""
        for i, grain in stated_grains(self.t):
            if grain not in self.grains_made and self._grain_of_an_occasion(i):
                self.t.use(i)
                continue
            if grain not in self.grains_made:
                held = ", ".join(sorted(self.grains_made)) or "none"
                raise CannotPlan(
                    f"the ticket states a {grain} grain ({self.t.toks[i].raw!r}) that no output column holds "
                    f"(grains of the output: {held})"
                )
            self.t.use(i)

    def _grain_of_an_occasion(self, i: int) -> bool:
        """'for the quarterly review', 'at the weekly meeting': a grain adjective after a preposition and a
        determiner, before a noun grounded in nothing (no column, source, value or aggregate), dates an
        occasion outside the data, not the rows. Only read so when the output columns are declared and
        none of them holds a grain: a declared output with no period cannot be that grain's table."""
        t = self.t
        if not self.req.output_columns or self.grains_made:
            return False
        if t.word(i - 1) not in ("the", "our", "their", "its", "a", "an", "this", "next", "each"):
            return False
        if t.word(i - 2) not in OCCASION_LEADS:
            return False
        noun = i + 1
        values = {k for v in t.cat.value_matches(t.toks) for k in v.tokens}
        grounded = (
            t.column_at(noun) is not None
            or t.cat.is_table_entity(singular(t.word(noun)))
            or noun in values
            or t.word(noun) in AGGREGATE_WORDS
            or not t.toks[noun : noun + 1]
            or not t.toks[noun].is_word
        )
        return not grounded

    def _grain(self, name: str, time: ColumnRef, mention: int | None, grain: str) -> str:
        self.grains_made.add("day" if grain == "date" else grain)
        # the time column is placed where the grain is defined (its sentence), not wherever it occurs
        found = self.mentions(time.name)
        s, e = self.t.sentence_span(mention) if mention is not None else (0, 0)
        self.t.use(*([i for i in found if s <= i < e] or found[:1]))
        try:
            return grain_expr(self.t, name, self.col(time), mention, grain)
        except ValueError as err:
            raise CannotPlan(str(err)) from err

    def _renamed(self, name: str, mention: int | None) -> ColumnRef | None:
        """'The customer's country goes into customer_country': one source column named in the sentence
        that defines a new name, with no aggregate word, is that column renamed."""
        if mention is None or self.t.word(mention - 1) not in ("as", "into", "column", "called", "named"):
            return None
        s, e = self.t.sentence_span(mention)
        outputs = set(self.req.output_columns)
        cols = {}
        for i, ref in self.t.columns_in(s, e):
            # 'customer country as customer_country' restates the name; 'the customer's country' names a column
            qualified = self.t.cat.is_table_entity(singular(self.t.word(i - 1))) == ref.table
            own = not qualified and (
                f"{self.t.word(i - 1)}_{self.t.words[i]}" == name or f"{self.t.words[i]}_{self.t.word(i + 1)}" == name
            )
            if self.t.words[i] not in outputs and not own:
                cols[(ref.table, ref.name)] = (i, ref)
        if len(cols) != 1:
            return None
        i, ref = next(iter(cols.values()))
        # any other word may change the value ('add up amount into spend'): only a plain renaming is one
        parts = set(name_tokens(name))
        for k in range(s, e):
            w = self.t.words[k]
            if k in (i, mention) or w in RENAME_WORDS or w in parts or self.t.cat.is_table_entity(singular(w)):
                continue
            if self.t.toks[k].is_word:
                return None
        self.t.use(i, mention)
        return ref

    def _qualified(self, ref: ColumnRef, mention: int | None) -> ColumnRef:
        if mention is not None:
            hit = self.t.column_at(mention)
            if hit is not None:
                return hit
        # 'home_country ... the customer's country': a renamed column is defined where its name is
        return ref

    # ---- the main shapes ---------------------------------------------------------------------------
    def _rows_or_aggregate(self, names: list[str]) -> SqlPlan:
        t = self.t
        if not names:
            raise CannotPlan("cannot tell which columns to output (declare them, or say 'output a, b and c')")
        measures_all = [c for c in self.req.tables[0].columns if c.is_measure]
        fact = self.req.tables[1] if self.dimension_first() else self.req.tables[0]
        fact_measures = [c for c in fact.columns if c.is_measure]
        default_measure = ColumnRef(fact.name, fact_measures[0]) if len(fact_measures) == 1 else None
        del measures_all
        pivot = self._pivot(names, default_measure)
        # one row per entity of a dimension source is a join, not a deduplication
        dedupe = None if self.dimension_first() else self._dedupe_window()
        self.keeps_one = dedupe is not None
        then = second_stage_start(t) if dedupe else None
        pre_skip = set(range(then, len(t.toks))) if (then is not None and dedupe) else set()
        where = self.filters(skip=pre_skip)
        post = self.filters(skip=set(range(0, then))) if pre_skip and then is not None else []
        self.where_conds = list(where)
        if dedupe and where and not pre_skip:
            self._check_stage_order(where, dedupe.partition)
        self.anchors = self._unnamed_measures([n for n in names if n not in pivot])
        boundaries = sorted([i for n in names for i in self.mentions(n)] + list(self.anchors.values()))
        defs: dict[str, tuple[str, str]] = {}
        for name in names:
            if name in pivot:
                defs[name] = ("measure", pivot[name])
                continue
            defs[name] = self.define(name, boundaries, default_measure)
        self._check_stated_grains()
        band = self._band(names, defs)
        if band:
            defs[band[0]] = ("band", band[1])
        window = self._rank_window(names, defs) if not dedupe else None
        unknown = [
            n for n, (kind, _) in defs.items() if kind == "unknown" and (window is None or n != window.rank_column)
        ]
        if unknown:
            raise CannotPlan(f"cannot tell what the column(s) {', '.join(unknown)} should hold")
        has_measure = any(kind in ("measure",) for kind, _ in defs.values())
        self.aggregated = has_measure
        if has_measure or window is not None or dedupe is not None:
            self._place_groupings(names, defs)
        self.defs = defs
        order = self._order_by(names)
        transform = where or post or has_measure or dedupe or window or pivot or band or order or self.joined
        if self.dimension_first() and has_measure:
            sql = self._dimension_with_aggregates(names, defs, where)
        else:
            sql = self._assemble(names, defs, where, post, dedupe, window, has_measure, order)
        self._require_all_used()
        if not transform:
            # a plain copy of source columns is no transform: the words asked for something not read
            raise CannotPlan("found no aggregation, filter, join, deduplication, top-N, pivot or dead-letter rule")
        return SqlPlan(sql=sql, explanation=self._explain(names, defs, dedupe, window), columns=names,
                       assumptions=list(dict.fromkeys(self.assumptions)))  # fmt: skip

    def _check_stage_order(self, where: list[str], partition: list[str]) -> None:
        """Copies of one record collapsed to one and a filter on another column, with no order stated:
        the latest settled copy and the records whose latest copy is settled differ; refuse."""
        if not collapses_copies(self.t) or order_is_stated(self.t):
            return
        names = {c.name for tb in self.req.tables for c in tb.columns}
        for cond in where:
            cols = set(re.findall(r"[a-z_][a-z0-9_]*", cond.lower())) & names
            if cols - set(partition):
                raise CannotPlan(
                    f"cannot tell whether the filter ({cond}) applies before or after keeping one row per "
                    f"{', '.join(partition)}; say 'then' or 'of those'"
                )

    def _place_groupings(self, names: list[str], defs: dict[str, tuple[str, str]]) -> None:
        """'per customer_id and channel', 'for each currency', 'grouped by country': a key named after a
        grouping word is placed by the GROUP BY (or the window's partition), and so is the list it opens."""
        t = self.t
        keys = {n for n in names if defs[n][0] == "key"}
        for i, w in enumerate(t.words):
            by = w == "by" and t.word(i - 1) in GROUPING_VERBS
            if not (w in GROUPING_WORDS or by):
                continue
            k = i + 1
            # 'per calendar month and channel': a grain the output holds is one of the keys
            grains = self.grains_made | {"date"} if "day" in self.grains_made else self.grains_made
            while t.word(k) in ("calendar", "iso") and t.word(k + 1) in grains:
                k += 1
            while (
                t.word(k) in keys
                or t.word(k) in grains
                or (t.word(k) in ("and", ",") and (t.word(k + 1) in keys or t.word(k + 1) in grains))
            ):
                t.use(i, k)
                k += 1

    def _explain(self, names, defs, dedupe, window) -> str:  # noqa: ANN001
        parts = [f"Columns {', '.join(names)} from {self.main}"]
        if dedupe:
            parts.append(f"one row per {', '.join(dedupe.partition)}")
        if window:
            parts.append(f"{window.function} window keeping {window.keep}")
        return "; ".join(parts) + "."
