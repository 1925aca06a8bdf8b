"""Joins of a ticket: the join clause on the shared key, inner or left by the words ('left join ...
so no transaction is lost'), text defaults on left-joined columns ('unknown' when the merchant is not
known), and one row per entity of a dimension source with aggregates of a fact source (0 defaults).
"""

from __future__ import annotations

import re

from agentic_assets.models.builtin.nl_sql.ticket_base import TicketBase
from agentic_assets.models.builtin.nl_sql.words import CannotPlan, ident, literal
from agentic_assets.models.builtin.text import name_tokens, singular

LEFT_JOIN_PHRASES = (
    r"\bleft[ -]join|\bleft joined\b|\bno transaction is (lost|dropped)\b|\bso that no \w+ is (lost|dropped)\b"
    # 'enrich every transaction row', 'every transaction row, enriched with', 'all rows kept'
    r"|\bevery (?:\w+ )?(?:row|record)\b|\ball (?:\w+ )?rows (?:are )?kept\b"
)
# the verbs that join two sources ('join transactions to merchants', 'match transactions to merchants')
JOIN_VERBS = {"join", "joins", "joined", "inner", "inner-join", "left-join", "match", "matched", "matching", "link",
              "linked", "enrich", "enriched"}  # fmt: skip
# the words of a sentence that says when a joined column takes its default ('when the merchant_id is
# not in merchants, merchant_name should read 'unknown merchant'', 'where the customer can't be found')
DEFAULT_CONDITION_WORDS = {
    "unknown", "missing", "either", "not", "known", "when", "where", "if", "no", "without", "never", "found",
    "instead", "null", "empty", "or", "in", "on", "file", "record",
}  # fmt: skip
ZERO_DEFAULT = (
    r"\b(gets?|shows?|stays?|becomes?|use|with|as|reads?) (0|zero)\b|\b(0|zero) (when|if|for|rather|instead)\b"
)


class JoinsMixin(TicketBase):
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
            if w in JOIN_VERBS or w.endswith(("-join", "-joined")):
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

        if any(w in JOIN_VERBS for w in t.words) and not re.search(LEFT_JOIN_PHRASES, self.text):
            others = {singular(tb.name) for tb in self.req.tables[1:]} | {tb.name for tb in self.req.tables[1:]}
            for i, w in enumerate(t.words):
                s, e = t.sentence_span(i)
                # 'transactions whose merchant isn't on file are left out': an inner join's lost rows
                names_other = bool(set(t.words[s:e]) & others)
                if (w in ("unknown", "missing") or (w in ("not", "no", "without") and names_other)) and re.search(
                    r"dropped|drop out|fall out|left out|are lost|excluded|(?:do|does) not count",
                    " ".join(t.words[s:e]),
                ):
                    t.use(i, *[k for k in range(s, e) if t.words[k] in ("left", "out", "dropped", "not", "count")])

    def use_inner_join_restatements(self) -> None:
        """'(ids not in merchants can't rank)', 'ids missing from merchants cannot be named': on an inner
        join, rows whose key is not in the joined source are gone already; a clause saying they cannot
        take part restates it. A clause that keeps or counts them is not read so."""
        t = self.t
        if self.wants_left_join_peek():
            return
        others = {tb.name for tb in self.req.tables[1:]}
        for i, w in enumerate(t.words):
            if w != "not" or t.word(i + 1) not in ("in", "found") or i in t.used:
                continue
            k = i + 2 if t.word(i + 1) == "in" else i + 3
            if t.word(k) not in others:
                continue
            s, e = t.clause_span(i)
            words = set(t.words[s:e])
            if words & {"keep", "kept", "only", "include", "included", "count", "counted", "list", "show"}:
                continue
            if re.search(r"\b(?:can|could|will|do|does) not\b|\bcannot\b|\bdrop|\bexcluded\b|\bleft out\b|\blost\b",
                         " ".join(t.words[s:e])):  # fmt: skip
                t.use(*range(s, e))

    def wants_left_join_peek(self) -> bool:
        return bool(re.search(LEFT_JOIN_PHRASES, self.text) or re.search(r"\bkeep every \w+\b", self.text))

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
                # the column the default is stated for, in this sentence, is placed by the default
                t.use(*[i for i in self.mentions(n) if s <= i < e])
            t.use(q, *[k for k in range(s, e) if t.words[k] in DEFAULT_CONDITION_WORDS])
            # the join keys and sources named in the condition ('the merchant_id is not in merchants')
            tables = {tb.name for tb in self.req.tables}
            t.use(
                *[k for k, r in t.columns_in(s, e) if r.column.is_identifier],
                *[k for k in range(s, e) if t.words[k] in tables],
            )

    # ---- per-entity rows with aggregates of another source (left join, zero defaults) -------------
    def _dimension_with_aggregates(self, names, defs, where) -> str:  # noqa: ANN001
        dim, fact = self.req.tables[0], self.req.tables[1]
        key = self.t.cat.join_key(dim.name, fact.name)
        self.used_tables.add(fact.name)  # its rows are aggregated, even when only counted
        zero = bool(re.search(ZERO_DEFAULT, self.text))
        for i, w in enumerate(self.t.words):
            if w == "null" and set(self.t.words[slice(*self.t.sentence_span(i))]) & {"never", "none", "no", "without"}:
                # 'stays NULL for customers who never transacted': the entity without facts, not a filter
                a, b = self.t.sentence_span(i)
                self.t.use(i, *[k for k in range(a, b) if self.t.words[k] in ("never", "none", "no", "without")])
            if w in ("without", "none", "never") and re.search(ZERO_DEFAULT, " ".join(
                    self.t.words[slice(*self.t.sentence_span(i))])):  # fmt: skip
                self.t.use(i)
        if zero:
            for i, w in enumerate(self.t.words):
                if w in ("0", "zero") and (
                    self.t.word(i + 1) in ("when", "if", "for", "rather", "instead")
                    or self.t.word(i - 1) in ("get", "gets", "show", "shows", "with", "as", "read", "reads", "use")
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
