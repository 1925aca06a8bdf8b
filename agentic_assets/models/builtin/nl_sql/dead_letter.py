"""Dead-letter splits: the rejected rows with a reason, or the valid complement."""

from __future__ import annotations

import re

from agentic_assets.models.builtin.contracts import SqlPlan
from agentic_assets.models.builtin.nl_sql.base import PlannerBase
from agentic_assets.models.builtin.nl_sql.words import (
    CannotPlan,
    Output,
    ident,
    literal,
)


class DeadLetterMixin(PlannerBase):
    def _dead_letter(self) -> SqlPlan:
        text = " ".join(self.words)
        valid_mode = bool(re.search(r"\b(only valid|valid rows?|the valid)\b", text)) and not re.search(
            r"\b(error_reason|invalid rows?( go| only)?|dead[ -]?letter rows)\b", text
        )
        for i, w in enumerate(self.words):
            if w in ("dead", "letter", "dead-letter", "invalid", "valid", "rejected", "rows", "row", "error_reason",
                     "error_ts", "reason", "timestamp", "go", "goes", "to", "split", "flow", "on"):  # fmt: skip
                self.consume(i)
        rules: list[tuple[str, str]] = []
        for c in self._null_filters():
            rules.append((str(c.sql_of), c.reason))
        for i, tok in enumerate(self.toks):
            if i in self.st.consumed:
                continue
            if tok.text in ("negative", "non-positive", "nonpositive", "zero"):
                hit = self.cat.find_prefix([t.text for t in self.phrase_after(i + 1, 3)], kind="measure")
                ref = hit[0] if hit else self._default_measure()
                self.consume(i, *range(i + 1, i + 1 + (hit[1] if hit else 0)))
                op = {"negative": "< 0", "zero": "= 0"}.get(tok.text, "<= 0")
                label = {"negative": "is negative", "zero": "is zero"}.get(tok.text, "is not positive")
                rules.append((f"{self.col(ref)} {op}", f"{ref.name} {label}"))
            if tok.text == "unknown":
                hit = self.cat.find_prefix([t.text for t in self.phrase_after(i + 1, 3)])
                if hit and hit[0].column.samples:
                    ref = hit[0]
                    self.consume(*range(i, i + 1 + hit[1]))
                    vals = ", ".join(literal(v) for v in sorted(ref.column.samples))
                    rules.append((f"{self.col(ref)} NOT IN ({vals})", f"{ref.name} is unknown"))
        for c in self._threshold_filters():
            rules.append((str(c.sql_of), c.reason))
        if not rules:
            raise CannotPlan("a dead-letter split needs the rules that make a row invalid")
        main = self.req.tables[0]
        cols = [ident(c.name) for c in main.columns]
        any_rule = " OR ".join(f"COALESCE({r}, FALSE)" for r, _ in rules)
        if valid_mode:
            sql = f"SELECT {', '.join(cols)}\nFROM {ident(main.name)}\nWHERE NOT ({any_rule})"
            outs = [Output(expr=c, name=c) for c in cols]
            what = f"Rows of {main.name} that break none of: {'; '.join(r for _, r in rules)}."
        else:
            case = "\n".join(f"        WHEN {r} THEN {literal(reason)}" for r, reason in rules)
            sql = (
                f"SELECT\n    {', '.join(cols)},\n    CASE\n{case}\n    END AS error_reason,\n"
                f"    CURRENT_TIMESTAMP AS error_ts\nFROM {ident(main.name)}\nWHERE {any_rule}"
            )
            outs = [Output(expr=c, name=c) for c in cols] + [
                Output(expr="", name="error_reason"),
                Output(expr="", name="error_ts"),
            ]
            what = f"Rows of {main.name} that break a rule ({'; '.join(r for _, r in rules)}), with the first reason."
        self.st.assumptions.append("a row is invalid when any stated rule holds; the first rule names the reason")
        if self.joined:
            raise CannotPlan("a dead-letter split over joined sources is beyond what I map")
        return self._finish(sql, outs, what)
