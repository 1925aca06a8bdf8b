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
from agentic_assets.models.builtin.nl_sql.clauses import Ticket
from agentic_assets.models.builtin.nl_sql.ticket_grain import grain_expr, grain_of
from agentic_assets.models.builtin.nl_sql.ticket_measures import read_measure
from agentic_assets.models.builtin.nl_sql.ticket_windows import (
    EARLIEST,
    LATEST,
    Window,
    direction_near,
    entity_name,
    keep_count,
    partition_words,
    tie_breaks,
    window_function,
)
from agentic_assets.models.builtin.nl_sql.words import UNSUPPORTED, CannotPlan, ident, literal
from agentic_assets.models.builtin.schema_match import ColumnRef
from agentic_assets.models.builtin.text import name_tokens, singular

# 'share' is unsupported as a proportion ('share of wallet'), not as a verb ('equal amounts share a place').
TICKET_UNSUPPORTED = (UNSUPPORTED - {"rank", "ranking", "share"}) | {"canonical", "interesting", "explain"}
LEFT_JOIN_PHRASES = (
    r"\bleft[ -]join|\bleft joined\b|\bno transaction is (lost|dropped)\b|\bso that no \w+ is (lost|dropped)\b"
)
ZERO_DEFAULT = r"\b(gets?|shows?|stays?|becomes?|use) (0|zero)\b|\b(0|zero) (when|if|for)\b"
ALL_COLUMNS = r"\b(every|all)( the)? (column|columns)\b|\bevery \w+ column\b|\ball \w+ columns\b|\bkeep all columns\b"


def plan_ticket(request: SqlRequest) -> SqlPlan:
    return TicketPlanner(request).plan()


class TicketPlanner:
    def __init__(self, request: SqlRequest) -> None:
        self.req = request
        self.t = Ticket(request)
        self.main = request.tables[0].name
        self.text = " ".join(self.t.words)
        self.raw = request.description
        self.used_tables = {self.main}
        self.assumptions: list[str] = []

    # ---- names -------------------------------------------------------------------------------------
    def mentions(self, name: str) -> list[int]:
        """Where a name occurs, its defining occurrence first ('... as total_amount', 'into x')."""
        found = [i for i, w in enumerate(self.t.words) if w == name]
        defining = [i for i in found if self.t.word(i - 1) in ("as", "into", "column", "called", "named")]
        title_end = self.t.title_end()
        body = [i for i in found if i not in defining and i >= title_end]
        return defining + body + [i for i in found if i not in defining and i not in body]

    def time_column(self) -> ColumnRef | None:
        main = self.req.tables[0]
        stamps = [c for c in main.columns if c.type.upper().startswith("TIMESTAMP")]
        times = stamps or [c for c in main.columns if c.is_time]
        return ColumnRef(main.name, times[0]) if len(times) == 1 else None

    def output_names(self) -> list[str]:
        if self.req.output_columns:
            for name in self.req.output_columns:
                self.t.use(*self.mentions(name))
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
        if bad or re.search(r"\bshare of\b|\bpercentage\b", self.text):
            words = bad or ["share of"]
            raise CannotPlan(f"the request needs {', '.join(repr(w) for w in words)}, which I do not map")
        self.t.consume_inclusions()
        for i, w in enumerate(self.t.words):
            if w in {t.name for t in self.req.tables}:
                self.t.use(i)
        names = self.output_names()
        self.use_join_words()
        reason = next((n for n in names if "reason" in name_tokens(n)), None)
        if reason is None:
            reason = next((w for w in self.t.words if re.fullmatch(r"[a-z_]*reason", w)), None)
        if reason and re.search(r"\breject|\bdead[ -]letter", self.text):
            return self._rejected(names, reason)
        return self._rows_or_aggregate(names)

    # ---- column SQL --------------------------------------------------------------------------------
    @property
    def joined(self) -> bool:
        return len(self.used_tables) > 1 or len(self.req.tables) > 1

    def alias(self, table: str) -> str:
        return "".join(p[0] for p in name_tokens(table)) or "t"

    def col(self, ref: ColumnRef) -> str:
        self.used_tables.add(ref.table)
        return f"{self.alias(ref.table)}.{ident(ref.name)}" if len(self.req.tables) > 1 else ident(ref.name)

    def filters(self, skip: set[int] = frozenset()) -> list[str]:  # type: ignore[assignment]
        t = self.t
        time = self.time_column()
        measures = [c for c in self.req.tables[0].columns if c.is_measure]
        default = ColumnRef(self.main, measures[0]) if len(measures) == 1 else None
        try:
            conds = tf.membership_filters(t, self.col, self.used_tables)
            conds += tf.date_filters(t, self.col, time)
            conds += tf.weekday_filters(t, self.col, time)
            conds += tf.comparison_filters(t, self.col, default, set(skip))
            conds += tf.null_filters(t, self.col, set(skip))
            conds += tf.value_filters(t, self.col, set(skip))
        except ValueError as err:
            raise CannotPlan(str(err)) from err
        return conds

    # ---- joins -------------------------------------------------------------------------------------
    def join_clause(self, left: bool, tables: list[str] | None = None) -> str:
        main = self.main
        parts = [f"FROM {ident(main)} AS {self.alias(main)}"] if len(self.req.tables) > 1 else [f"FROM {ident(main)}"]
        for table in tables if tables is not None else [t.name for t in self.req.tables[1:]]:
            key = self.t.cat.join_key(main, table)
            if key is None:
                raise CannotPlan(f"cannot tell how to join {table}: no shared identifier column with {main}")
            kind = "LEFT JOIN" if left else "JOIN"
            a, b = self.alias(table), self.alias(main)
            parts.append(f"{kind} {ident(table)} AS {a} ON {a}.{ident(key)} = {b}.{ident(key)}")
            self.assumptions.append(f"{main} and {table} are joined on {key} ({kind.lower()})")
        return "\n".join(parts)

    def use_join_words(self) -> None:
        """'Join transactions to merchants on merchant_id', 'inner joins, so rows with an unknown customer
        drop out': the join's own words."""
        t = self.t
        for i, w in enumerate(t.words):
            if w in ("join", "joins", "joined", "inner", "inner-join", "left-join") or w.endswith("-join"):
                s, e = t.sentence_span(i)
                for k in range(s, e):
                    if t.word(k - 1) == "on" and t.column_at(k) is not None and t.column_at(k).column.is_identifier:
                        t.use(k)
                        if t.word(k + 1) == "and" and t.column_at(k + 2) is not None:
                            t.use(k + 1, k + 2)
                    if t.words[k] in ("unknown", "missing", "not", "known") and set(t.words[s : e]) & {
                        "dropped", "drop", "fall", "out", "lost"
                    } and not re.search(LEFT_JOIN_PHRASES, " ".join(t.words[s:e])):  # fmt: skip
                        t.use(k)

        if any(w in ("join", "joins", "joined", "inner") for w in t.words) and not re.search(
            LEFT_JOIN_PHRASES, self.text
        ):
            for i, w in enumerate(t.words):
                s, e = t.sentence_span(i)
                if w in ("unknown", "missing") and re.search(
                    r"dropped|drop out|fall out|left out|are lost", " ".join(t.words[s:e])
                ):
                    t.use(i, *[k for k in range(s, e) if t.words[k] in ("left", "out", "dropped", "not")])

    def wants_left_join(self) -> bool:
        hit = re.search(LEFT_JOIN_PHRASES, self.text) or re.search(r"\bkeep every \w+\b", self.text)
        if hit:
            for i, w in enumerate(self.t.words):
                if w in ("left", "left-join", "lost", "dropped", "every") and i not in self.t.used:
                    self.t.use(i)
        return bool(hit)

    def dimension_first(self) -> bool:
        """The first source is unique on the key it shares with the second: one row per its entity."""
        if len(self.req.tables) < 2:
            return False
        first, second = self.req.tables[0], self.req.tables[1]
        key = self.t.cat.join_key(first.name, second.name)
        return key is not None and key in first.unique_columns and key not in second.unique_columns

    # ---- one output column -------------------------------------------------------------------------
    def define(self, name: str, boundaries: list[int], default_measure: ColumnRef | None) -> tuple[str, str]:
        """(kind, sql) of output column `name`: kind is 'key', 'measure' or 'row'."""
        mentions = self.mentions(name)
        mention = mentions[0] if mentions else None
        ref = self.t.cat.exact(name)
        if ref is not None:
            # a source column, unless the words make it an aggregate ('the latest event_time as last_seen')
            return "key", self.col(self._qualified(ref, mention))
        if set(name_tokens(name)) & {"rank", "position", "rn", "row_number"}:
            return "unknown", ""  # a window's position column, filled by the window
        grain = grain_of(name)
        time = self.time_column()
        if grain and time is not None:
            self.t.use(*self.mentions(time.name))
            try:
                return "key", grain_expr(self.t, name, self.col(time), mention)
            except ValueError as err:
                raise CannotPlan(str(err)) from err
        measure = read_measure(self.t, name, mention, boundaries, default_measure)
        if measure is not None:
            if measure.column is not None:
                self.t.use(*[i for i in range(len(self.t.words)) if self.t.words[i] == measure.column.name][:1])
            return "measure", measure.sql(self.col)
        renamed = self._renamed(name, mention)
        if renamed is not None:
            return "key", self.col(renamed)
        return "unknown", ""

    def _renamed(self, name: str, mention: int | None) -> ColumnRef | None:
        """'The customer's country goes into customer_country': one source column named in the sentence
        that defines a new name, with no aggregate word, is that column renamed."""
        if mention is None or self.t.word(mention - 1) not in ("as", "into", "column", "called", "named"):
            return None
        s, e = self.t.sentence_span(mention)
        outputs = set(self.req.output_columns)
        cols = {}
        for i, ref in self.t.columns_in(s, e):
            own = f"{self.t.word(i - 1)}_{self.t.words[i]}" == name or f"{self.t.words[i]}_{self.t.word(i + 1)}" == name
            if self.t.words[i] not in outputs and not own:
                cols[(ref.table, ref.name)] = (i, ref)
        if len(cols) != 1:
            return None
        i, ref = next(iter(cols.values()))
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
        then = t.find("then")
        # one row per entity of a dimension source is a join, not a deduplication
        dedupe = None if self.dimension_first() else self._dedupe_window()
        pre_skip = set(range(then, len(t.toks))) if (then is not None and dedupe) else set()
        where = self.filters(skip=pre_skip)
        post = self.filters(skip=set(range(0, then))) if pre_skip and then is not None else []
        boundaries = sorted(i for n in names for i in self.mentions(n))
        defs: dict[str, tuple[str, str]] = {}
        for name in names:
            if name in pivot:
                defs[name] = ("measure", pivot[name])
                continue
            defs[name] = self.define(name, boundaries, default_measure)
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
        order = self._order_by(names)
        if self.dimension_first() and has_measure:
            sql = self._dimension_with_aggregates(names, defs, where)
        else:
            sql = self._assemble(names, defs, where, post, dedupe, window, has_measure, order)
        self._require_all_used()
        return SqlPlan(sql=sql, explanation=self._explain(names, defs, dedupe, window), columns=names,
                       assumptions=list(dict.fromkeys(self.assumptions)))  # fmt: skip

    def _assemble(self, names, defs, where, post, dedupe, window, has_measure, order) -> str:  # noqa: ANN001
        left = self.wants_left_join()
        joins = self.join_clause(left) if len(self.req.tables) > 1 else f"FROM {ident(self.main)}"
        if left:
            self._apply_text_defaults(names, defs)
        select = ",\n    ".join(self._item(defs[n][1], n) for n in names if defs[n][0] != "unknown")
        keys = [defs[n][1] for n in names if defs[n][0] == "key"]
        if dedupe is not None:
            inner = f"SELECT *\n    {joins.replace(chr(10), chr(10) + '    ')}"
            if where:
                inner += "\n    WHERE " + " AND ".join(where)
            inner += f"\n    QUALIFY {dedupe.over(self._window_col)} = 1"
            if has_measure:
                body = self._strip_aliases(select)
                sql = f"WITH deduplicated AS (\n    {inner}\n)\nSELECT\n    {body}\nFROM deduplicated"
                if post:
                    sql += "\nWHERE " + " AND ".join(self._strip_aliases(c) for c in post)
                if keys:
                    sql += "\nGROUP BY " + ", ".join(self._strip_aliases(k) for k in keys)
                return sql + self._order_sql(order)
            sql = f"SELECT\n    {select}\n{joins}"
            if where:
                sql += "\nWHERE " + " AND ".join(where)
            sql += f"\nQUALIFY {dedupe.over(self._window_col)} = 1"
            if post:
                sql = f"WITH deduplicated AS (\n{sql}\n)\nSELECT * FROM deduplicated\nWHERE " + " AND ".join(
                    self._strip_aliases(c) for c in post
                )
            return sql + self._order_sql(order)
        sql = f"SELECT\n    {select}\n{joins}"
        if where:
            sql += "\nWHERE " + "\n  AND ".join(where)
        if has_measure and keys:
            sql += "\nGROUP BY " + ", ".join(keys)
        if window is not None:
            if window.partition or window.function == "RANK" or window.rank_column:
                if window.rank_column:
                    sql = sql.replace(
                        "\n" + joins,
                        f",\n    {window.over(self._out_col(defs))} AS {ident(window.rank_column)}\n{joins}",
                        1,
                    )
                    sql += f"\nQUALIFY {ident(window.rank_column)} <= {window.keep}"
                else:
                    sql += f"\nQUALIFY {window.over(self._out_col(defs))} <= {window.keep}"
            else:
                order_sql = ", ".join(f"{self._out_col(defs)(c)} {d}" for c, d in window.order)
                return sql + f"\nORDER BY {order_sql}\nLIMIT {window.keep}"
        return sql + self._order_sql(order)

    def _strip_aliases(self, sql: str) -> str:
        for table in self.req.tables:
            sql = sql.replace(f"{self.alias(table.name)}.", "")
        return sql

    def _item(self, expr: str, name: str) -> str:
        bare = expr.rsplit(".", 1)[-1]
        return expr if bare == ident(name) else f"{expr} AS {ident(name)}"

    def _window_col(self, name: str) -> str:
        ref = self.t.cat.exact(name)
        return self.col(ref) if ref is not None else ident(name)

    def _out_col(self, defs):  # noqa: ANN001, ANN202
        def col(name: str) -> str:
            if name in defs and defs[name][0] in ("measure",):
                return ident(name)
            if name in defs and defs[name][0] == "key":
                return defs[name][1]
            return self._window_col(name)

        return col

    def _order_sql(self, order: list[tuple[str, str]]) -> str:
        if not order:
            return ""
        return "\nORDER BY " + ", ".join(f"{ident(c)} {d}" for c, d in order)

    # ---- defaults on left-joined columns -----------------------------------------------------------
    def _apply_text_defaults(self, names: list[str], defs: dict) -> None:
        """ "'unknown' when the merchant is not known": COALESCE the joined (text) columns with it."""
        t = self.t
        quoted = [i for i, tok in enumerate(t.toks) if tok.is_quoted]
        for q in quoted:
            s, e = t.sentence_span(q)
            value = t.toks[q].unquoted
            targets = [
                n for n in names
                if defs[n][0] == "key" and "." in defs[n][1] and not defs[n][1].startswith(self.alias(self.main) + ".")
                and (any(s <= i < e for i in self.mentions(n)) or not any(
                    any(s <= i < e for i in self.mentions(m)) for m in names if m != n and defs[m][0] == "key"
                    and not defs[m][1].startswith(self.alias(self.main) + ".")))
            ]  # fmt: skip
            if not targets:
                continue
            for n in targets:
                defs[n] = ("key", f"COALESCE({defs[n][1]}, {literal(value)})")
            t.use(
                q, *[k for k in range(s, e) if t.words[k] in ("unknown", "missing", "either", "not", "known", "when")]
            )

    # ---- per-entity rows with aggregates of another source (left join, zero defaults) -------------
    def _dimension_with_aggregates(self, names, defs, where) -> str:  # noqa: ANN001
        dim, fact = self.req.tables[0], self.req.tables[1]
        key = self.t.cat.join_key(dim.name, fact.name)
        zero = bool(re.search(ZERO_DEFAULT, self.text))
        for i, w in enumerate(self.t.words):
            if w == "null" and set(self.t.words[slice(*self.t.sentence_span(i))]) & {"never", "none", "no", "without"}:
                self.t.use(i)
            if w in ("without", "none", "never") and re.search(ZERO_DEFAULT, " ".join(
                    self.t.words[slice(*self.t.sentence_span(i))])):  # fmt: skip
                self.t.use(i)
        if zero:
            for i, w in enumerate(self.t.words):
                if w in ("0", "zero") and (
                    self.t.word(i + 1) in ("when", "if", "for")
                    or self.t.word(i - 1) in ("get", "gets", "show", "shows")
                ):
                    self.t.use(i, i + 1)
        a_fact = self.alias(fact.name)
        inner_measures = [n for n in names if defs[n][0] == "measure"]
        agg_select = ",\n        ".join(
            [f"{a_fact}.{ident(key)}"] + [f"{defs[n][1]} AS {ident(n)}" for n in inner_measures]
        )  # type: ignore[arg-type]
        fact_where = [w for w in where if w.startswith(a_fact + ".")]
        other = [w for w in where if w not in fact_where]
        if other:
            raise CannotPlan(f"cannot tell whether the condition(s) {'; '.join(other)} limit the {dim.name} rows")
        head = f"WITH per_{singular(name_tokens(dim.name)[-1])} AS (\n    SELECT\n        {agg_select}"
        cte = f"{head}\n    FROM {ident(fact.name)} AS {a_fact}"
        if fact_where:
            cte += "\n    WHERE " + " AND ".join(fact_where)
        cte += f"\n    GROUP BY {a_fact}.{ident(key)}\n)"
        agg_alias = f"per_{singular(name_tokens(dim.name)[-1])}"
        cols = []
        measure_sql = {}
        for n in names:
            kind, sql = defs[n]
            if kind == "measure":
                expr = f"{agg_alias}.{ident(n)}"
                agg = sql.split("(")[0]
                if zero and agg in ("SUM", "COUNT", "ROUND"):
                    expr = f"COALESCE({expr}, 0)"
                measure_sql[n] = expr
                cols.append(self._item(expr, n))
            elif kind == "key":
                if not sql.startswith(self.alias(dim.name) + "."):
                    raise CannotPlan(f"{n} is not a column of {dim.name}, the rows of this asset")
                cols.append(self._item(sql, n))
            elif kind == "band":
                cols.append(f"{sql.format(**measure_sql)} AS {ident(n)}")
        a_dim = self.alias(dim.name)
        return (
            f"{cte}\nSELECT\n    " + ",\n    ".join(cols) + f"\nFROM {ident(dim.name)} AS {a_dim}\n"
            f"LEFT JOIN {agg_alias} ON {agg_alias}.{ident(key)} = {a_dim}.{ident(key)}"  # type: ignore[arg-type]
        )

    # ---- bands ---------------------------------------------------------------------------------------
    def _band(self, names: list[str], defs: dict) -> tuple[str, str] | None:
        """ "'gold' when spend is above 3000, 'silver' above 500, otherwise 'bronze'"."""
        t = self.t
        m = None
        for i, w in enumerate(t.words):
            if w in ("otherwise", "else") and t.toks[i + 1 : i + 2] and t.toks[i + 1].is_quoted:
                m = i
        if m is None:
            return None
        s, _ = t.sentence_span(m)
        pairs = []
        i = s
        while i < m:
            tok = t.toks[i]
            if tok.is_quoted:
                k = i + 1
                while k < m and not t.toks[k].is_number and not t.toks[k].is_quoted:
                    k += 1
                if k < m and t.toks[k].is_number:
                    words = t.words[i + 1 : k]
                    op = ">" if set(words) & {"above", "over", "more", "greater", "exceeding"} else None
                    op = op or ("<" if set(words) & {"below", "under", "less"} else None)
                    if op is None:
                        raise CannotPlan(f"cannot tell how {tok.raw} compares with {t.toks[k].raw}")
                    if "least" in words or ("or" in t.words[k + 1 : k + 3] and "more" in t.words[k + 1 : k + 3]):
                        op = ">="
                    pairs.append((tok.unquoted, op, t.toks[k].text))
                    t.use(i, k, *range(i + 1, k))
                    i = k
            i += 1
        if not pairs:
            return None
        other = t.toks[m + 1].unquoted
        t.use(m, m + 1)
        # which measure: an output named in the band's sentence, else the one measure
        measures = [n for n in names if defs.get(n, ("",))[0] == "measure"]
        sentence = t.words[s:m]
        named = [
            n
            for n in measures
            if n in sentence or set(name_tokens(n)) <= {singular(w) for w in sentence} | set(sentence)
        ]
        target = named[0] if len(named) == 1 else (measures[0] if len(measures) == 1 else None)
        if target is None:
            raise CannotPlan("cannot tell which measure the bands are over")
        for k in range(s, m):
            if t.words[k] in name_tokens(target) or t.words[k] == target:
                t.use(k)
        band_name = next((n for n in names if defs.get(n, ("unknown",))[0] == "unknown"), None)
        if band_name is None:
            raise CannotPlan("cannot tell which column holds the band")
        t.use(*[k for k in range(s, m) if t.words[k] in ("when", "above", "over", "below", "under", "is", "of", "a")])
        ref = "{" + target + "}" if self.dimension_first() else ident(target)
        cases = "\n".join(f"        WHEN {ref} {op} {num} THEN {literal(label)}" for label, op, num in pairs)
        return band_name, f"CASE\n{cases}\n        ELSE {literal(other)}\n    END"

    # ---- pivots ------------------------------------------------------------------------------------
    def _pivot(self, names: list[str], default_measure: ColumnRef | None) -> dict[str, str]:
        """Output names '<value>_<measure>' over the sample values of one column: one cell each."""
        t = self.t
        by_col: dict[str, list[tuple[str, str, str]]] = {}
        for ref in t.cat.categorical():
            for name in names:
                for value in ref.column.samples:
                    low = re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")
                    if name.startswith(low + "_") and name != ref.name:
                        rest = name[len(low) + 1 :]
                        by_col.setdefault(ref.name, []).append((name, value, rest))
        cols = {c: v for c, v in by_col.items() if len({x[1] for x in v}) >= 2}
        if len(cols) != 1:
            return {}
        col_name, cells = next(iter(cols.items()))
        ref = next(r for r in t.cat.categorical() if r.name == col_name)
        nulls = bool(re.search(r"\bnull\b", self.text))
        zero = bool(re.search(r"\b0\b|\bzero\b", self.text))
        out = {}
        for name, value, rest in cells:
            cond = f"{self.col(ref)} = {literal(value)}"
            if rest in ("count", "txn_count", "n"):
                expr = f"COUNT(*) FILTER (WHERE {cond})"
                if nulls:
                    expr = f"NULLIF({expr}, 0)"
            else:
                measure_ref = t.cat.exact(rest) or default_measure
                if measure_ref is None or not measure_ref.column.is_numeric:
                    raise CannotPlan(f"cannot tell which measure {name} holds")
                expr = f"SUM({self.col(measure_ref)}) FILTER (WHERE {cond})"
                if zero and not nulls:
                    expr = f"COALESCE({expr}, 0)"
                self.t.use(*self.mentions(measure_ref.name))
            out[name] = expr
        # the values and the column named around them are the pivot's, not filters
        for v in t.cat.value_matches(t.toks):
            if v.ref.name == col_name:
                t.use(*v.tokens)
        t.use(*[i for i in range(len(t.toks)) if (r := t.column_at(i)) is not None and r.name == col_name])
        for i, w in enumerate(t.words):
            if w in ("null", "0", "zero", "not", "instead", "absent", "none", "never"):
                t.use(i)
        self.assumptions.append(f"pivoted values of {col_name}: {', '.join(v for _, v, _ in cells)}")
        return out

    # ---- windows ------------------------------------------------------------------------------------
    def _resolver(self, names: list[str]):  # noqa: ANN202
        def resolve(i: int) -> str | None:
            w = self.t.word(i)
            if w in names:
                return w
            ref = self.t.column_at(i)
            return ref.name if ref is not None else None

        return resolve

    def _dedupe_window(self) -> Window | None:
        """One row per key: the latest (or earliest) by the time column, with the stated tie rules."""
        t = self.t
        time = self.time_column()
        if time is None or keep_count_peek(t) not in (None, 1):
            return None
        words = set(t.words)
        latest = words & LATEST or re.search(r"\bmost recent\b", self.text)
        # 'first' alone is an ordinal ('first collapse replays'); 'first <row of a source>' is the earliest row
        entities = "|".join(singular(name_tokens(tb.name)[-1]) for tb in self.req.tables)
        earliest = words & EARLIEST - {"first"} or re.search(
            rf"\bfirst ({entities}|purchase|copy|row|record|seen)\b", self.text
        )
        if not latest and not earliest:
            return None
        if re.search(r"\b(rank|row_number|top \d)", self.text):
            return None
        direction = "DESC" if latest and not earliest else "ASC"
        if latest and earliest:
            first_latest = min(i for i, w in enumerate(t.words) if w in LATEST | {"most"})
            first_earliest = min(i for i, w in enumerate(t.words) if w in EARLIEST)
            direction = "DESC" if first_latest < first_earliest else "ASC"
        # partition: 'one row per X (and Y)', 'per X', 'for each X', 'for every X'
        resolve = self._resolver([])
        partition: list[str] = []
        for i, w in enumerate(t.words):
            if w in ("per", "each", "every") and (w == "per" or t.word(i - 1) in ("for", "of", "in")):
                k = i + 1
                while k < len(t.toks):
                    name = entity_name(t, k, resolve)
                    if name is None or name == time.name:
                        break
                    if name not in partition:
                        partition.append(name)
                    t.use(i, k, i - 1 if t.word(i - 1) in ("for", "of") else i)
                    if t.word(k + 1) == "and" and entity_name(t, k + 2, resolve):
                        t.use(k + 1)
                        k += 2
                        continue
                    break
        if not partition:
            return None
        for i, w in enumerate(t.words):
            if w in LATEST | EARLIEST | {"most", "one", "only", "keep", "keeping", "copy"}:
                t.use(i)
            if w == time.name:
                t.use(i)
        ties = tie_breaks(t, {time.name, *partition}, resolve)
        self.assumptions.append(
            f"one row per {', '.join(partition)}: the {'latest' if direction == 'DESC' else 'earliest'} by {time.name}"
        )
        return Window(partition=partition, order=[(time.name, direction), *ties])

    def _rank_window(self, names: list[str], defs: dict) -> Window | None:
        t = self.t
        try:
            n = keep_count(t)
        except ValueError as err:
            raise CannotPlan(str(err)) from err
        has_rank_word = bool(re.search(r"\b(rank|row_number)\b", self.text))
        if n is None and not has_rank_word:
            return None
        if n is None:
            n = 1
        function = window_function(t)
        resolve = self._resolver(names)
        partition: list[str] = []
        for k in partition_words(t):
            name = entity_name(t, k, resolve)
            if name is not None and name in names and name not in partition:
                partition.append(name)
                t.use(k, k - 1)
        keys = [m for m in names if defs.get(m, ("",))[0] == "key"]
        aggregated = any(kind == "measure" for kind, _ in defs.values())
        if aggregated and set(partition) >= set(keys):
            partition = []  # grouping by the whole key leaves one row per group: nothing to rank within
        # the ranking column: a measure output or numeric column after a direction word ('highest revenue')
        order_col = None
        order_dir = "DESC"
        for i, w in enumerate(t.words):
            if w in (
                "highest",
                "largest",
                "lowest",
                "smallest",
                "most",
                "biggest",
                "busiest",
                "fewest",
                "top",
                "bottom",
                "by",
            ):
                for k in range(i + 1, min(i + 4, len(t.words))):
                    name = resolve(k)
                    if (
                        name
                        and name not in partition
                        # after a GROUP BY only an aggregate can rank the rows
                        and (defs.get(name, ("",))[0] == "measure" or (not aggregated and self._numeric(name)))
                    ):
                        order_col = name
                        order_dir = direction_near(t, i, i + 1, "DESC")
                        t.use(i, k)
                        break
                if order_col:
                    break
        if order_col is None:
            measures = [m for m in names if defs.get(m, ("",))[0] == "measure"]
            numeric = [m for m in names if self._numeric(m)]
            if len(measures) == 1 or (not measures and len(numeric) == 1):
                order_col = (measures or numeric)[0]
                order_dir = direction_near(t, 0, len(t.words), "DESC")
            else:
                raise CannotPlan("cannot tell which column ranks the rows")
        for i, w in enumerate(t.words):
            if w in ("highest", "largest", "lowest", "smallest", "most", "biggest", "busiest", "fewest", "first"):
                t.use(i)
        ties = tie_breaks(t, {order_col, *partition}, resolve)
        rank_column = next((m for m in names if defs.get(m, ("",))[0] == "unknown"), None)
        if rank_column:
            t.use(*self.mentions(rank_column))
        if function == "RANK" and ties:
            raise CannotPlan("RANK keeps ties, but tie-breaking columns are named too")
        return Window(partition=partition, order=[(order_col, order_dir), *ties], function=function, keep=n,
                      rank_column=rank_column)  # fmt: skip

    def _numeric(self, name: str) -> bool:
        ref = self.t.cat.exact(name)
        return ref is not None and ref.column.is_numeric and not ref.column.is_identifier

    # ---- order -------------------------------------------------------------------------------------
    def _order_by(self, names: list[str]) -> list[tuple[str, str]]:
        t = self.t
        out: list[tuple[str, str]] = []
        for i, w in enumerate(t.words):
            if w not in ("order", "ordered", "sort", "sorted"):
                continue
            s, e = t.sentence_span(i)
            t.use(i)
            k = i + 1
            while k < e:
                if t.words[k] in names:
                    name = t.words[k]
                    j = k + 1
                    while j < e and t.words[j] not in names and t.words[j] not in ("then", ","):
                        j += 1
                    d = direction_near(t, k + 1, j, "ASC")
                    if re.search(r"from (highest|largest) to (lowest|smallest)", " ".join(t.words[k + 1 : j])):
                        d = "DESC"
                    t.use(*range(k, j))
                    out.append((name, d))
                    k = j
                    continue
                if t.words[k] in ("by", "the", "rows", "then", ","):
                    t.use(k)
                k += 1
        return out

    # ---- dead-letter: the rejected side ------------------------------------------------------------
    def _rejected(self, names: list[str], reason: str) -> SqlPlan:
        t = self.t
        main = self.req.tables[0]
        rules: list[tuple[str, str]] = []
        joins: list[str] = []
        quoted = [i for i, tok in enumerate(t.toks) if tok.is_quoted]
        for n, q in enumerate(quoted):
            label = t.toks[q].unquoted
            prev_q = quoted[n - 1] if n else -1
            next_q = quoted[n + 1] if n + 1 < len(quoted) else len(t.toks)
            if t.word(q + 1) == "when" or t.word(q - 1) == reason or t.word(q - 1) in ("is", "reason"):
                start = q + 1
                end = next_q
                # stop at the next rule's own start ('and', ',', 'when' before the next quote)
                for k in range(q + 1, next_q):
                    if t.words[k] in (",", ";", ".") or (
                        t.words[k] == "and" and k + 1 < len(t.toks) and t.toks[k + 1].is_quoted
                    ):
                        end = k
                        break
                if not [r for _, r in t.columns_in(start, end) if r.table == self.main]:
                    start, end = prev_q + 1, q
            else:
                start, end = prev_q + 1, q
            cond = self._rule(start, end, joins)
            t.use(q)
            rules.append((cond, label))
        if not rules:
            raise CannotPlan("a dead-letter split needs its rules, each with a reason in quotes")
        t.use(*self.mentions(reason))
        for i, w in enumerate(t.words):
            rule_words = ("rejected", "reject", "rule", "rules", "first", "failing", "fails", "wins", "checked",
                          "check", "that", "in", "dead-letter", "when", "and", "or", "with")  # fmt: skip
            if w in rule_words or (w == "order" and t.word(i - 1) == "that"):
                t.use(i)
        cols = [n for n in names if n not in (reason, "error_ts")] if names else [c.name for c in main.columns]
        a = self.alias(main.name)
        joined = len(self.req.tables) > 1
        select = [f"{a}.{ident(c)}" if joined else ident(c) for c in cols]
        for c in cols:
            if main.column(c) is None:
                raise CannotPlan(f"cannot derive the column {c} of the rejected rows")
        case = "\n".join(f"        WHEN {cond} THEN {literal(label)}" for cond, label in rules)
        select.append(f"CASE\n{case}\n    END AS {ident(reason)}")
        from_sql = f"FROM {ident(main.name)}" + (f" AS {a}" if joined else "")
        for j in joins:
            from_sql += "\n" + j
        sql = "SELECT\n    " + ",\n    ".join(select) + f"\n{from_sql}\nWHERE " + "\n   OR ".join(c for c, _ in rules)
        self._require_all_used()
        return SqlPlan(
            sql=sql,
            explanation=f"Rows of {main.name} that break a rule, with the first broken rule in {reason}.",
            columns=[*cols, reason],
            assumptions=["the rules are checked in the order given; the first that fails names the reason"],
        )

    def _rule(self, start: int, end: int, joins: list[str]) -> str:
        t = self.t
        cols = [(i, r) for i, r in t.columns_in(start, end) if r.table == self.main]
        words = t.words[start:end]
        text = " ".join(words)
        if not cols:
            raise CannotPlan(
                f"cannot tell which column the rule '{' '.join(t.toks[k].raw for k in range(start, end))}' checks"
            )
        i, ref = cols[0]
        t.use(i, *range(start, end))
        c = self.col(ref)
        m = re.search(r"(?:not|n't) (?:exist|found|known|in)\b.*?\bin (\w+)|\bnot in (\w+)|not found in (\w+)", text)
        if m:
            table = next(g for g in m.groups() if g)
            if table not in {tb.name for tb in self.req.tables} or table == self.main:
                raise CannotPlan(f"the rule names {table}, which is not a source")
            key = t.cat.join_key(self.main, table)
            if key != ref.name:
                raise CannotPlan(f"cannot tell how {ref.name} is looked up in {table}")
            a = self.alias(table)
            join = f"LEFT JOIN {ident(table)} AS {a} ON {a}.{ident(key)} = {self.alias(self.main)}.{ident(key)}"
            if join not in joins:
                joins.append(join)
            self.used_tables.add(table)
            return f"{a}.{ident(key)} IS NULL"
        if re.search(r"\b(missing|null|empty|absent)\b|\bno \w+$|\bwithout\b", text):
            return f"{c} IS NULL"
        if re.search(r"zero or negative|non-positive|not positive|zero or below", text):
            return f"{c} <= 0"
        if re.search(r"below zero|negative|less than zero", text):
            return f"{c} < 0"
        num = re.search(r"(?:above|over|greater than|more than|exceeds?) (-?\d+(?:\.\d+)?)", text)
        if num:
            return f"{c} > {num.group(1)}"
        num = re.search(r"(?:below|under|less than) (-?\d+(?:\.\d+)?)", text)
        if num:
            return f"{c} < {num.group(1)}"
        num = re.search(r"\bis (?:exactly )?(-?\d+(?:\.\d+)?)\b|\b(zero)\b", text)
        if num:
            return f"{c} = {num.group(1) or 0}"
        raise CannotPlan(f"cannot map the rule '{' '.join(t.toks[k].raw for k in range(start, end))}'")

    # ---- honesty -----------------------------------------------------------------------------------
    def _require_all_used(self) -> None:
        values = {i for v in self.t.cat.value_matches(self.t.toks) for i in v.tokens}
        left = self.t.unused_meaning(values)
        if left:
            raise CannotPlan(f"I did not understand these words: {', '.join(repr(w) for w in dict.fromkeys(left))}")
        unused = [t.name for t in self.req.tables if t.name not in self.used_tables]
        if unused:
            raise CannotPlan(f"cannot tell what source(s) {', '.join(unused)} contribute")

    def _explain(self, names, defs, dedupe, window) -> str:  # noqa: ANN001
        parts = [f"Columns {', '.join(names)} from {self.main}"]
        if dedupe:
            parts.append(f"one row per {', '.join(dedupe.partition)}")
        if window:
            parts.append(f"{window.function} window keeping {window.keep}")
        return "; ".join(parts) + "."


def keep_count_peek(t: Ticket) -> int | None:
    """N of a top-N phrase without marking words (a dedupe keeps one row)."""
    used = set(t.used)
    try:
        return keep_count(t)
    except ValueError:
        return -1
    finally:
        t.used = used
