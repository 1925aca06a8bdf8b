"""Measures: sum/total, count, count distinct, average, minimum, maximum of named columns."""

from __future__ import annotations

from agentic_assets.models.builtin.nl_sql.base import PlannerBase
from agentic_assets.models.builtin.nl_sql.words import (
    AGG_WORDS,
    GROUP_TRIGGERS,
    ROW_NOUNS,
    CannotPlan,
    Output,
)
from agentic_assets.models.builtin.schema_match import ColumnRef
from agentic_assets.models.builtin.text import abbreviate, singular


class MeasuresMixin(PlannerBase):
    def _measures(self) -> list[Output]:
        out: list[Output] = []
        seen: set[str] = set()

        def add(o: Output) -> None:
            if o.name not in seen:
                seen.add(o.name)
                out.append(o)

        bare_totals: list[int] = []
        for i, tok in enumerate(self.toks):
            agg = AGG_WORDS.get(tok.text)
            if agg is None or i in self.st.consumed:
                continue
            if tok.text == "number" and self.word_at(i + 1) != "of":
                continue
            j = i + 1
            if self.word_at(j) == "of":
                j += 1
            while self.word_at(j) in ("the", "a", "an", "their", "its", "all"):
                j += 1
            if agg == "COUNT":
                m = self._count(i, j)
                if m:
                    add(m)
                continue
            phrase = [t.text for t in self.phrase_after(j, 4)]
            if not phrase and self.word_at(j) == "and" and AGG_WORDS.get(self.word_at(j + 1)) not in (None, "COUNT"):
                # 'average and maximum amount': the column comes after the last of the two
                k = j + 2 + (self.word_at(j + 2) == "of")
                phrase = [t.text for t in self.phrase_after(k, 4)]
                hit = self._measure_column(phrase, agg) if phrase else None
                if hit is not None:
                    self.consume(i, j)
                    add(self._agg_output(agg, hit[0], i))
                    continue
            # Values of a category ('settled') inside a measure phrase are filters, not column words.
            values = {v.tokens[0] for v in self._values() if len(v.tokens) == 1}
            start = j
            while start in values:
                start += 1
                phrase = phrase[1:]
            hit = self._measure_column(phrase, agg) if phrase else None
            if hit is None:
                if agg == "SUM":
                    bare_totals.append(i)
                continue
            ref, n = hit
            self.consume(i, *range(j, start), *range(start, start + n))
            self.st.consumed.difference_update(values)
            add(self._agg_output(agg, ref, i))
        # 'Daily total and count of transactions': a bare total is the sum of the one measure.
        for i in bare_totals:
            nxt = self.word_at(i + 1)
            if out and (nxt in GROUP_TRIGGERS or nxt in (":", "per")):
                self.consume(i)
                continue
            ref = self._default_measure()
            self.consume(i)
            add(self._agg_output("SUM", ref, i))
        # '<noun> count' ('transaction count')
        for i, tok in enumerate(self.toks):
            if tok.text == "count" and i not in self.st.consumed and i > 0:
                table = self.cat.is_table_entity(self.word_at(i - 1))
                if table:
                    self.consume(i - 1, i)
                    add(self._count_rows(table, i - 1))
        return out

    def fact_tables(self) -> list[str]:
        """Sources not unique on their join key: adding up a measure of a unique-keyed (dimension)
        table across a join would count it once per matching fact row."""
        if not self.joined:
            return [self.main]
        facts = []
        for t in self.req.tables:
            keys = [self.cat.join_key(o.name, t.name) for o in self.req.tables if o.name != t.name]
            if not any(k and k in t.unique_columns for k in keys):
                facts.append(t.name)
        return facts or [self.main]

    def _measure_column(self, phrase: list[str], agg: str) -> tuple[ColumnRef, int] | None:
        for tables in (self.fact_tables(), None):
            hit = self.cat.find_prefix(phrase, kind="measure", tables=tables)
            if hit is None and agg == "SUM":
                # 'total settled spend' may name a column that already says total (total_amount)
                hit = self.cat.find_prefix(["total", *phrase], kind="measure", tables=tables)
                hit = (hit[0], max(hit[1] - 1, 1)) if hit else None
            if hit is not None:
                return hit
        return None

    def _default_measure(self) -> ColumnRef:
        measures = self.cat.measures([self.main]) or self.cat.measures()
        if len(measures) != 1:
            names = ", ".join(r.name for r in measures) or "none"
            raise CannotPlan(f"'total' of what? more than one or no numeric column fits (numeric columns: {names})")
        self.st.assumptions.append(f"'total' means the sum of {measures[0].name}")
        return measures[0]

    def _agg_output(self, agg: str, ref: ColumnRef, pos: int) -> Output:
        prefix = {"SUM": "total", "AVG": "avg", "MIN": "min", "MAX": "max"}[agg]
        name = ref.name if ref.name.startswith(prefix + "_") else f"{prefix}_{ref.name}"
        return Output(expr=f"{agg}({self.col(ref)})", name=name, pos=pos, agg=agg, source=ref)

    def _count_rows(self, table: str, pos: int) -> Output:
        noun = abbreviate(self.cat.table_singular(table))
        return Output(expr="COUNT(*)", name=f"{noun}_count", pos=pos, agg="COUNT")

    def _count(self, i: int, j: int) -> Output | None:
        phrase = self.phrase_after(j, 4)
        distinct = False
        adjectives: list[str] = []
        k = 0
        while k < len(phrase) and phrase[k].text in ("distinct", "unique", "different"):
            distinct = True
            k += 1
        values = {v.tokens[0] for v in self._values() if len(v.tokens) == 1}
        while k < len(phrase):
            word = phrase[k].text
            table = self.cat.is_table_entity(word)
            if table == self.main or (table and not distinct and self.cat.entity_column(word) is None):
                self.consume(*range(i, phrase[k].index + 1))
                return self._count_rows(table, i)
            if singular(word) in ROW_NOUNS:
                self.consume(*range(i, phrase[k].index + 1))
                return self._count_rows(self.main, i)
            ent = self.cat.entity_column(word) or self.cat.find([word])
            if ent is not None:
                self.consume(*range(i, phrase[k].index + 1))
                name = "_".join([*adjectives, word]) if adjectives else f"{singular(word)}_count"
                return Output(expr=f"COUNT(DISTINCT {self.col(ent)})", name=name, pos=i, agg="COUNT", source=ent)
            if phrase[k].index not in values:
                adjectives.append(word)
            k += 1
        if not phrase:
            # a bare 'count' counts rows of the main table
            self.consume(i)
            return self._count_rows(self.main, i)
        return None
