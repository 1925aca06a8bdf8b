"""State every concern of the ticket planner shares: the request, its tokens, the sources used,
and how a column is named in SQL (qualified by a table alias when there are several sources).
"""

from __future__ import annotations

import re

from agentic_assets.models.builtin.contracts import SqlRequest
from agentic_assets.models.builtin.nl_sql.clauses import OPERATOR_WORDS, Ticket
from agentic_assets.models.builtin.nl_sql.words import CannotPlan, ident
from agentic_assets.models.builtin.schema_match import ColumnRef
from agentic_assets.models.builtin.text import name_tokens, singular

# the words of a parenthesis that only names a column ('(the transaction's own country)')
APPOSITION_WORDS = {"the", "a", "an", "own", "column", "field", "its", "their", "value", "s", "."}


class TicketBase:
    def __init__(self, request: SqlRequest) -> None:
        self.req = request
        self.t = Ticket(request)
        self.main = request.tables[0].name
        self.text = " ".join(self.t.words)
        self.raw = request.description
        self.used_tables = {self.main}
        self.assumptions: list[str] = []
        self.grains_made: set[str] = set()  # the time grains the output columns hold
        self.cell_tokens: set[int] = set()  # the words of pivot cells' own conditions

    # ---- names -------------------------------------------------------------------------------------
    def mentions(self, name: str) -> list[int]:
        """Where a name occurs, its defining occurrence first ('... as total_amount', 'into x')."""
        found = [i for i, w in enumerate(self.t.words) if w == name]
        defining = [i for i in found if self.t.word(i - 1) in ("as", "into", "column", "called", "named")]
        title_end = self.t.title_end()
        body = [i for i in found if i not in defining and i >= title_end]
        return defining + body + [i for i in found if i not in defining and i not in body]

    def time_candidates(self) -> list[ColumnRef]:
        """The main source's time columns by type: timestamps, else dates."""
        main = self.req.tables[0]
        stamps = [c for c in main.columns if c.type.upper().startswith("TIMESTAMP")]
        return [ColumnRef(main.name, c) for c in stamps or [c for c in main.columns if c.is_time]]

    def time_column(self) -> ColumnRef | None:
        """The one time column of the main source, or the one the ticket names when several fit."""
        fits = self.time_candidates()
        if len(fits) > 1:
            fits = [r for r in fits if r.name in self.t.words]
        return fits[0] if len(fits) == 1 else None

    def no_time_column(self, what: str) -> CannotPlan:
        """The refusal for a grain or window when the time column cannot be chosen."""
        fits = self.time_candidates()
        if len(fits) > 1:
            names = ", ".join(r.name for r in fits)
            return CannotPlan(f"{what}: several time columns fit ({names}); name the one to use")
        return CannotPlan(f"{what}: the source has no time column")

    @property
    def joined(self) -> bool:
        return len(self.used_tables) > 1 or len(self.req.tables) > 1

    def alias(self, table: str) -> str:
        return "".join(p[0] for p in name_tokens(table)) or "t"

    def col(self, ref: ColumnRef) -> str:
        self.used_tables.add(ref.table)
        return f"{self.alias(ref.table)}.{ident(ref.name)}" if len(self.req.tables) > 1 else ident(ref.name)

    # ---- windows ------------------------------------------------------------------------------------
    def _resolver(self, names: list[str]):  # noqa: ANN202
        def resolve(i: int) -> str | None:
            w = self.t.word(i)
            if w in names:
                return w
            ref = self.t.column_at(i)
            if ref is not None:
                return ref.name
            # 'the alphabetically first subcategory': the last word of one output name's column
            ends = [n for n in names if "_" in n and name_tokens(n)[-1] == singular(w) and self.t.cat.exact(n)]
            return ends[0] if len(ends) == 1 and self.t.toks[i].is_word else None

        return resolve

    def _numeric(self, name: str) -> bool:
        ref = self.t.cat.exact(name)
        return ref is not None and ref.column.is_numeric and not ref.column.is_identifier

    # ---- honesty -----------------------------------------------------------------------------------
    def _use_restatements(self) -> None:
        """'outside their home country, that is where the transaction's country differs from ...': the
        clause before 'that is' (or 'i.e.', 'in other words', 'meaning') says in loose words what the
        clause after it says exactly; when every word after it was read, the loose one is read too.
        And 'only customers with at least one such transaction appear' restates that groups made from
        a source's rows each hold at least one row of it."""
        t = self.t
        text = " ".join(t.words)
        for m in re.finditer(r", (?:that is|in other words|meaning|namely)\b", text):
            k = len(text[: m.start()].split())  # the comma
            s, _ = t.sentence_span(k)
            e = t.sentence_span(k + 1)[1]
            after = range(k + 1, e)
            if all(i in t.used or not self._meaningful(i) for i in after):
                t.use(*range(t.clause_span(k - 1)[0], e))
        # 'No personal data (names, e-mail addresses, phone numbers) in the output.': columns said to stay
        # out of a declared output that does not hold them; no value, number or output column is named
        values = {i for v in t.cat.value_matches(t.toks) for i in v.tokens}
        outputs = set(self.req.output_columns)
        i = 0
        while i < len(t.toks) and outputs:
            s, e = t.sentence_span(i)
            words = set(t.words[s:e])
            cols = [r.name for _, r in t.columns_in(s, e)]
            if (
                words & {"no", "not", "without", "never", "exclude", "excluded", "excluding"}
                and words & {"output", "result", "extract", "table"}
                and cols
                and not set(cols) & outputs
                and not any(k in values or t.toks[k].is_number or t.toks[k].is_quoted for k in range(s, e))
            ):
                t.use(*range(s, e))
            i = e + 1
        if getattr(self, "aggregated", False) and not self.dimension_first():
            fact = {singular(name_tokens(self.main)[-1]), "row", "record"}
            for m in re.finditer(r"\bat least (?:1|one) (?:such )?(\w+)", text):
                if singular(m.group(1)) in fact:
                    k = len(text[: m.start()].split())
                    s, e = t.clause_span(k)
                    t.use(*[i for i in range(s, e) if not self._meaningful(i) or i in range(k, k + 4)])

    def _meaningful(self, i: int) -> bool:
        tok = self.t.toks[i]
        return tok.is_number or tok.is_quoted or tok.text in OPERATOR_WORDS or self.t.column_at(i) is not None

    def _use_appositions(self) -> None:
        """'made in Spain (the transaction's own country)', 'per country (the transactions country
        column)': a parenthesis that only names one column says which column the words before it mean;
        when the query uses that column (placed elsewhere, or filtered by a value named), it is read."""
        t = self.t
        placed = {r.name for i in t.used if (r := t.column_at(i)) is not None}
        placed |= {v.ref.name for v in t.cat.value_matches(t.toks) if all(i in t.used for i in v.tokens)}
        tables = {tb.name for tb in self.req.tables}
        for i, w in enumerate(t.words):
            if w != "(" or ")" not in t.words[i:]:
                continue
            close = t.words.index(")", i)
            inside = range(i + 1, close)
            cols = [(k, r) for k, r in t.columns_in(i + 1, close)]
            rest = [
                k
                for k in inside
                if k not in {c for c, _ in cols}
                and t.words[k] not in APPOSITION_WORDS
                and t.words[k] not in tables
                and not t.cat.is_table_entity(singular(t.words[k]))
            ]
            if len(cols) == 1 and not rest and cols[0][1].name in placed:
                t.use(i, close, *inside)

    def _require_all_used(self) -> None:
        # 'the home country, in a column home_country': the name spelled out in words restates it
        for name in self.req.output_columns:
            parts = name_tokens(name)
            if len(parts) > 1 and self.t.cat.exact(name) is None:
                for i in range(len(self.t.words) - len(parts) + 1):
                    if self.t.words[i : i + len(parts)] == parts:
                        self.t.use(*range(i, i + len(parts)))
        self._use_appositions()
        self._use_restatements()
        values = {i for v in self.t.cat.value_matches(self.t.toks) for i in v.tokens}
        left = self.t.unused_meaning(values)
        if left:
            raise CannotPlan(f"I did not understand these words: {', '.join(repr(w) for w in dict.fromkeys(left))}")
        unused = [t.name for t in self.req.tables if t.name not in self.used_tables]
        if unused:
            raise CannotPlan(f"cannot tell what source(s) {', '.join(unused)} contribute")
