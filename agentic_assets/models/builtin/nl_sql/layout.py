"""Output layout: names from the contract, row columns, the finished plan."""

from __future__ import annotations

from agentic_assets.models.builtin.contracts import SqlPlan
from agentic_assets.models.builtin.nl_sql.base import PlannerBase
from agentic_assets.models.builtin.nl_sql.words import (
    CannotPlan,
    Condition,
    Output,
)
from agentic_assets.models.builtin.schema_match import ColumnRef
from agentic_assets.models.builtin.text import name_tokens, singular


class LayoutMixin(PlannerBase):
    # ---- naming ----------------------------------------------------------------------------------------
    def _rename_to_contract(self, outs: list[Output]) -> None:
        targets = list(self.req.output_columns) or [c for c in self.req.check_columns]
        have = {o.name for o in outs}
        for target in targets:
            if target in have:
                continue
            tt = {singular(x) for x in name_tokens(target)}
            best, score = None, 0
            for o in outs:
                if o.name in targets or o.key:
                    continue
                ot = {singular(x) for x in name_tokens(o.name)}
                if o.source is not None:
                    ot |= {singular(x) for x in name_tokens(o.source.name)}
                if o.agg == "COUNT":
                    ot |= {"count", "number"}
                s = len(tt & ot)
                if s > score:
                    best, score = o, s
            if best is not None:
                have.discard(best.name)
                best.name = target
                have.add(target)
        missing = [c for c in self.req.output_columns if c not in have]
        if missing:
            raise CannotPlan(f"cannot derive the declared column(s) {', '.join(missing)} from the description")
        unknown_checks = [c for c in self.req.check_columns if c not in have]
        if unknown_checks:
            raise CannotPlan(f"the checks use column(s) {', '.join(unknown_checks)} that I cannot derive")
        if self.req.output_columns:
            order = {c: k for k, c in enumerate(self.req.output_columns)}
            extra = [o for o in outs if o.name not in order]
            if extra and not any(o.key for o in extra):
                outs[:] = [o for o in outs if o.name in order]
            outs.sort(key=lambda o: order.get(o.name, len(order)))

    def _require_used_sources(self) -> None:
        unused = [t.name for t in self.req.tables if t.name not in self.st.used_tables]
        if unused:
            raise CannotPlan(f"cannot tell what source(s) {', '.join(unused)} contribute")

    def _finish(self, sql: str, outs: list[Output], what: str) -> SqlPlan:
        self._require_used_sources()
        self._check_nothing_dropped()
        return SqlPlan(
            sql=sql,
            explanation=what,
            columns=[o.name for o in outs],
            assumptions=list(dict.fromkeys(self.st.assumptions)),
        )

    def _row_columns(self, extra: list[Output]) -> list[Output]:
        main = self.req.tables[0]
        if self.req.output_columns:
            outs = []
            for name in self.req.output_columns:
                found = next((o for o in extra if o.name == name), None)
                ref = self.cat.exact(name)
                if found is None and ref is None:
                    raise CannotPlan(f"cannot derive the declared column {name}")
                outs.append(found or Output(expr=self.col(ref), name=name, source=ref))  # type: ignore[arg-type]
            return outs
        base = [Output(expr=self.col(ColumnRef(main.name, c)), name=c.name) for c in main.columns]
        return base + [o for o in extra if o.name not in {b.name for b in base}]

    def _describe_agg(self, keys: list[Output], measures: list[Output], where: list[Condition]) -> str:
        text = f"Aggregates {self.main}"
        if keys:
            text += f" by {', '.join(o.name for o in keys)}"
        text += f" into {', '.join(o.name for o in measures)}"
        if where:
            text += f", keeping only rows where {' and '.join(c.reason for c in where)}"
        return text + "."

    # pivot ------------------------------------------------------------------------------------------------
