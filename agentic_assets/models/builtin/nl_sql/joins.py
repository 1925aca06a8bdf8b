"""Joins on the shared identifier, and columns of a joined source named in words."""

from __future__ import annotations

import re

from agentic_assets.models.builtin.nl_sql.base import PlannerBase
from agentic_assets.models.builtin.nl_sql.words import (
    CannotPlan,
    Output,
    ident,
)


class JoinsMixin(PlannerBase):
    # ---- joins -----------------------------------------------------------------------------------------
    def _joined_columns(self) -> list[Output]:
        """Columns of other sources asked for in words ('with their merchant's name and category')."""
        outs: list[Output] = []
        others = [t.name for t in self.req.tables[1:]]
        if not others:
            return outs
        for i, tok in enumerate(self.toks):
            if i in self.st.consumed or not tok.is_word:
                continue
            for table in others:
                prefix = self.cat.table_singular(table)
                words = [t.text for t in self.phrase_after(i, 3)]
                if not words:
                    continue
                hit = self.cat.find_prefix(words, tables=[table])
                if hit is None and words[0] != prefix:
                    hit = self.cat.find_prefix([prefix, *words], tables=[table])
                    if hit:
                        hit = (hit[0], hit[1] - 1)
                if hit and hit[1] > 0:
                    ref, n = hit
                    if ref.column.is_identifier or any(o.name == ref.name for o in outs):
                        continue
                    self.consume(*range(i, i + n))
                    outs.append(Output(expr=self.col(ref), name=ref.name, pos=i, source=ref))
                    break
        return outs

    def _from_clause(self, left_join: bool = False) -> str:
        main = self.req.tables[0].name
        if not self.joined:
            return f"FROM {ident(main)}"
        parts = [f"FROM {ident(main)} AS {self.aliases[main]}"]
        for t in self.req.tables[1:]:
            key = None
            partner = None
            for cand in [t2.name for t2 in self.req.tables if t2.name != t.name]:
                key = self.cat.join_key(cand, t.name)
                if key:
                    partner = cand
                    break
            if key is None or partner is None:
                raise CannotPlan(f"cannot tell how to join {t.name}: no shared identifier column")
            kind = "LEFT JOIN" if left_join else "JOIN"
            parts.append(
                f"{kind} {ident(t.name)} AS {self.aliases[t.name]} "
                f"ON {self.aliases[t.name]}.{ident(key)} = {self.aliases[partner]}.{ident(key)}"
            )
            self.st.assumptions.append(f"{partner} and {t.name} are joined on {key} ({kind.lower()})")
        return "\n".join(parts)

    def _left_join_wanted(self) -> bool:
        text = " ".join(self.words)
        return bool(re.search(r"\b(including those without|even without|even if|also those without)\b", text))
