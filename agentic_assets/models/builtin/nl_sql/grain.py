"""Grouping keys and time grains: 'per channel and month of event_time', 'daily', 'hourly'."""

from __future__ import annotations

from agentic_assets.models.builtin.nl_sql.base import PlannerBase
from agentic_assets.models.builtin.nl_sql.words import (
    AGG_WORDS,
    GRAINS,
    GROUP_TRIGGERS,
    CannotPlan,
    Output,
)
from agentic_assets.models.builtin.schema_match import ColumnRef


class GrainMixin(PlannerBase):
    def _time_column(self, explicit: list[str] | None = None) -> ColumnRef:
        if explicit:
            hit = self.cat.find(explicit, kind="time")
            if hit:
                return hit
        times = self.cat.time_columns([self.main]) or self.cat.time_columns()
        stamps = [r for r in times if r.column.type.upper().startswith("TIMESTAMP")]
        pick = stamps if len(stamps) == 1 else times
        if len(pick) != 1:
            names = ", ".join(r.name for r in times) or "none"
            raise CannotPlan(f"cannot tell which time column to use (time columns: {names})")
        if explicit is None:
            self.st.assumptions.append(f"time grains are taken from {pick[0].name}")
        return pick[0]

    def _grain_output(self, grain: str, ref: ColumnRef, pos: int) -> Output:
        col = self.col(ref)
        expr = f"CAST({col} AS DATE)" if grain == "day" else f"date_trunc('{grain}', {col})"
        if grain not in ("day", "hour"):
            expr = f"CAST({expr} AS DATE)"
        return Output(expr=expr, name=grain, key=True, pos=pos, source=ref)

    def _group_keys(self) -> list[Output]:
        keys: list[Output] = []
        names: set[str] = set()

        def add(out: Output) -> None:
            if out.name not in names:
                names.add(out.name)
                keys.append(out)
            else:
                same = next(k for k in keys if k.name == out.name)
                same.pos = min(same.pos, out.pos)

        for i, tok in enumerate(self.toks):
            if tok.text not in GROUP_TRIGGERS or i in self.st.consumed:
                continue
            if tok.text in ("each", "every") and self.word_at(i - 1) not in ("for", "of", "in"):
                continue
            if tok.text == "by" and self.word_at(i - 1) in ("ordered", "sorted", "ranked", "keeping", "latest"):
                continue
            j = i + 1
            if self.word_at(j) in ("the", "a", "an", "each", "every"):
                j += 1
            items = self._key_items(j)
            if not items:
                continue
            self.consume(i)
            for out in items:
                add(out)
        for i, tok in enumerate(self.toks):
            grain = GRAINS.get(tok.text)
            if grain and tok.text.endswith("ly") and i not in self.st.consumed:
                self.consume(i)
                if self.cat.exact(grain):
                    add(self._key_from_column(self.cat.exact(grain), i))  # type: ignore[arg-type]
                else:
                    add(self._grain_output(grain, self._time_column(), i))
        return keys

    def _key_from_column(self, ref: ColumnRef, pos: int) -> Output:
        return Output(expr=self.col(ref), name=ref.name, key=True, pos=pos, source=ref)

    def _key_items(self, start: int) -> list[Output]:
        """'channel and merchant country', 'customer_id and month of event_time' -> key outputs."""
        out: list[Output] = []
        i = start
        while i < len(self.toks):
            item = self._key_item(i)
            if item is None:
                break
            key, i = item
            out.append(key)
            if self.word_at(i) in ("and", ",") or (self.word_at(i) == "," and self.word_at(i + 1) == "and"):
                nxt = i + 1 + (self.word_at(i + 1) == "and")
                if self._key_item(nxt, probe=True) is None:
                    break
                self.consume(i)
                i = nxt
                continue
            break
        return out

    def _key_item(self, i: int, probe: bool = False) -> tuple[Output, int] | None:
        skip = i
        while self.word_at(skip) in ("the", "a", "an", "their", "its"):
            skip += 1
        word = self.word_at(skip)
        if word in AGG_WORDS:
            return None  # 'per customer, the total amount ...': a measure, not another key
        grain = GRAINS.get(word)
        if grain and not word.endswith("ly") and not self.cat.exact(word):
            end = skip + 1
            explicit = None
            if self.word_at(end) == "of":
                ref = self.cat.find_prefix([t.text for t in self.phrase_after(end + 1, 3)], kind="time")
                if ref:
                    explicit = [ref[0].name]
                    end = end + 1 + ref[1]
            if probe:
                return Output(expr="", name=grain), end
            self.consume(*range(i, end))
            ref_col = self._time_column(explicit)
            return self._grain_output(grain, ref_col, i), end
        phrase = self.phrase_after(skip, 4)
        if not phrase:
            return None
        hit = self.cat.find_prefix([t.text for t in phrase])
        if hit is None:
            ent = self.cat.entity_column(phrase[0].text)
            if ent is None:
                return None
            hit = (ent, 1)
        ref, n = hit
        # Prefer the longest phrase whose head names the column ('merchant subcategory').
        if probe:
            return Output(expr="", name=ref.name), skip + n
        self.consume(*range(i, skip + n))
        return self._key_from_column(ref, i), skip + n
