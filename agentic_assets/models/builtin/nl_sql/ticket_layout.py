"""Layout of a ticket's query: the SELECT list, WHERE, GROUP BY, QUALIFY of a window, ORDER BY as the
words state it ('ordered by total_amount descending, then currency'), and LIMIT for a plain top-N.
"""

from __future__ import annotations

import re

from agentic_assets.models.builtin.nl_sql.ticket_base import TicketBase
from agentic_assets.models.builtin.nl_sql.ticket_windows import direction_near
from agentic_assets.models.builtin.nl_sql.words import ident

# an order stated in words: 'from the highest average to the lowest', 'biggest first', 'listed from the
# largest total down', 'smallest first'; 'desc' marks the descending forms
_HIGH = r"highest|largest|biggest|greatest|most|top"
_LOW = r"lowest|smallest|fewest|least"
ORDER_PHRASE = (
    rf"(?:(?:listed|sorted|ordered|ranked|arranged|shown) )?from (?:the )?(?:(?P<desc>{_HIGH})|{_LOW})"
    rf"(?: \w+){{0,2}}? (?:to (?:the )?(?:{_LOW}|{_HIGH})|down|up)\b"
    rf"|\b(?:the )?(?:(?P<desc2>{_HIGH})|{_LOW}) (?:\w+ )?first\b"
)
AGGREGATE_SQL = {"average": "AVG", "avg": "AVG", "mean": "AVG", "total": "SUM", "sum": "SUM", "count": "COUNT",
                 "number": "COUNT"}  # fmt: skip
# the words before 'order' that make it an ordering ('in descending order', 'sort the rows by')
ORDER_LEADS = {"in", "descending", "ascending", "reverse", "alphabetical", "chronological"}


class LayoutMixin(TicketBase):
    def _assemble(self, names, defs, where, post, dedupe, window, has_measure, order) -> str:  # noqa: ANN001
        left = self.wants_left_join()
        joins = self.join_clause(left) if len(self.req.tables) > 1 else f"FROM {ident(self.main)}"
        if len(self.req.tables) > 1:
            # a default for a joined column: its missing match (left join) or its own NULLs (either join)
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
                ranked = window.order
                # 'Order by row_count descending, then day ascending': a stated order led by the ranking
                # column is the ranking with its tie rules; another one orders the kept rows afterwards
                if order and order[0] == ranked[0]:
                    ranked = [*ranked, *[o for o in order[1:] if o[0] not in {c for c, _ in ranked}]]
                    order = []
                order_sql = ", ".join(f"{self._out_col(defs)(c)} {d}" for c, d in ranked)
                sql += f"\nORDER BY {order_sql}\nLIMIT {window.keep}"
                if order:
                    return f"SELECT * FROM (\n{sql}\n) AS top_rows" + self._order_sql(order)
                return sql
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

    # ---- order -------------------------------------------------------------------------------------
    def _order_by(self, names: list[str]) -> list[tuple[str, str]]:
        t = self.t
        out: list[tuple[str, str]] = []
        for i, w in enumerate(t.words):
            if w not in ("order", "ordered", "sort", "sorted"):
                continue
            if w in ("order", "sort") and "by" not in t.words[i + 1 : i + 4] and t.word(i - 1) not in ORDER_LEADS:
                t.use(i)  # 'weekly order counts': a noun, not an ordering
                continue
            s, e = t.sentence_span(i)
            t.use(i)
            k = i + 1
            resolve = self._resolver(names)
            while k < e:
                if t.words[k] in names or (t.word(k - 1) == "by" and resolve(k) in names):
                    name = t.words[k] if t.words[k] in names else resolve(k)
                    j = k + 1
                    while j < e and t.words[j] not in names and t.words[j] not in ("then", ","):
                        j += 1
                    d = direction_near(t, k + 1, j, "ASC")
                    if re.search(r"from (highest|largest) to (lowest|smallest)", " ".join(t.words[k + 1 : j])):
                        d = "DESC"
                    # 'sorted from the highest settled_amount down', 'from the lowest x up'
                    lead = " ".join(t.words[max(i + 1, k - 3) : k])
                    if (
                        re.search(r"\bfrom (?:the )?(?:highest|largest|biggest|most)$", lead)
                        and t.word(k + 1) == "down"
                    ):
                        d = "DESC"
                        t.use(*range(max(i + 1, k - 3), k), k + 1)
                    elif re.search(r"\bfrom (?:the )?(?:lowest|smallest|least)$", lead) and t.word(k + 1) == "up":
                        d = "ASC"
                        t.use(*range(max(i + 1, k - 3), k), k + 1)
                    t.use(*range(k, j))
                    out.append((name, d))
                    k = j
                    continue
                if t.words[k] in ("by", "the", "rows", "then", ","):
                    t.use(k)
                k += 1
        return out or self._order_in_words(names)

    def _order_in_words(self, names: list[str]) -> list[tuple[str, str]]:
        """'listed from the highest average to the lowest', 'biggest first', 'sorted alphabetically by
        country': an order stated with a superlative (or a listing verb) and no output name after 'by'.
        The ordered column is the output named in the phrase, else the one measure output the phrase's
        aggregate word or column names, else the only measure output; none of them, no order."""
        t = self.t
        defs = getattr(self, "defs", {})
        measures = [n for n in names if defs.get(n, ("",))[0] == "measure"]
        text = " ".join(t.words)
        for m in re.finditer(ORDER_PHRASE, text):
            start = len(text[: m.start()].split())
            end = start + len(m.group(0).split())
            words = t.words[start:end]
            named = [w for w in words if w in names]
            column = named[0] if named else self._measure_named(words, measures, defs)
            if column is None:
                continue
            desc = (
                m.group("desc") is not None
                or m.group("desc2") is not None
                or any(w in ("down", "descending") for w in words)
            )
            t.use(*range(start, end))
            return [(column, "DESC" if desc else "ASC")]
        return []

    def _measure_named(self, words: list[str], measures: list[str], defs: dict) -> str | None:  # type: ignore[type-arg]
        """The one measure output that an aggregate word ('average') or a column ('amount') names."""
        aggs = {AGGREGATE_SQL[w] for w in words if w in AGGREGATE_SQL}
        hits = [n for n in measures if any(f"{a}(" in defs[n][1].upper() for a in aggs)] if aggs else []
        if len(hits) == 1:
            return hits[0]
        if len(measures) == 1 and not aggs:
            return measures[0]
        return None
