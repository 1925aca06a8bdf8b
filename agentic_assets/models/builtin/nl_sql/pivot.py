"""Pivots of a small known set of values into one column each."""

from __future__ import annotations

import re

from agentic_assets.models.builtin.contracts import SqlPlan
from agentic_assets.models.builtin.nl_sql.base import PlannerBase
from agentic_assets.models.builtin.nl_sql.words import (
    CannotPlan,
    Output,
    literal,
    select_item,
)
from agentic_assets.models.builtin.schema_match import ColumnRef, ValueMatch


class PivotMixin(PlannerBase):
    def _pivot_spec(self) -> tuple[ColumnRef, list[str]] | None:
        text = " ".join(self.words)
        m = re.search(r"\b(as columns|as separate columns|one column per|a column per|pivot(ed)?( by| on)?)\b", text)
        if not m:
            return None
        idx = [i for i, w in enumerate(self.words) if w in ("columns", "column", "pivot", "pivoted")]
        # the column named right after 'one column per' / 'pivoted by', if any
        for i in idx:
            j = i + 1 + (self.word_at(i + 1) in ("per", "by", "on", "for"))
            j += self.word_at(j) in ("each", "the")
            hit = self.cat.find_prefix([t.text for t in self.phrase_after(j, 3)])
            if hit and hit[0].column.samples:
                self.consume(*range(i - 2 if self.word_at(i - 2) == "one" else i, j + hit[1]))
                ref = hit[0]
                if (ref.column.distinct or 99) > 12:
                    raise CannotPlan(f"{ref.name} has too many values to pivot")
                return ref, sorted(ref.column.samples)
        values = [v for v in self._values() if not any(t in self.st.consumed for t in v.tokens)]
        by_col: dict[str, list[ValueMatch]] = {}
        for v in values:
            by_col.setdefault(v.ref.name, []).append(v)
        lists = [vs for vs in by_col.values() if len({v.value for v in vs}) >= 2]
        if len(lists) != 1:
            raise CannotPlan("cannot tell which column to pivot and on which values")
        for v in lists[0]:
            self.consume(*v.tokens)
        for i in idx:
            self.consume(i, i - 1)
        ordered = list(dict.fromkeys(v.value for v in sorted(lists[0], key=lambda v: v.tokens[0])))
        return lists[0][0].ref, ordered

    def _pivot(self, spec: tuple[ColumnRef, list[str]], keys: list[Output], measures: list[Output]) -> SqlPlan:
        ref, values = spec
        if not keys:
            raise CannotPlan("a pivot needs the rows' keys ('per customer')")
        if not measures:
            measures = [self._count_rows(self.main, len(self.toks))]
        conds = [c for c in self._filters() if not c.having]
        outs = sorted(keys, key=lambda o: o.pos)
        for m in sorted(measures, key=lambda o: o.pos):
            for v in values:
                cond = f"{self.col(ref)} = {literal(v)}"
                vname = re.sub(r"[^a-z0-9]+", "_", v.lower()).strip("_")
                expr = f"{m.expr} FILTER (WHERE {cond})"
                if m.agg in ("SUM", "COUNT"):
                    expr = f"COALESCE({expr}, 0)"
                outs.append(Output(expr=expr, name=f"{vname}_{m.name}", agg=m.agg, source=m.source))
        self._rename_to_contract(outs)
        select = ",\n    ".join(select_item(o.expr, o.name) for o in outs)
        sql = f"SELECT\n    {select}\n{self._from_clause()}"
        if conds:
            sql += "\nWHERE " + "\n  AND ".join(str(c.sql_of) for c in conds)
        sql += "\nGROUP BY " + ", ".join(o.expr for o in keys)
        what = (
            f"Pivots {', '.join(m.name for m in measures)} of {self.main} by {ref.name} "
            f"({', '.join(values)}) into one column each, per {', '.join(o.name for o in keys)}."
        )
        self.st.assumptions.append(f"pivoted values of {ref.name}: {', '.join(values)}; absent values give 0")
        return self._finish(sql, outs, what)

    # dedupe -----------------------------------------------------------------------------------------------
