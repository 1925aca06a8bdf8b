"""Window patterns: deduplication to the latest (or first) row per key, and top-N."""

from __future__ import annotations

import re

from agentic_assets.models.builtin.contracts import SqlPlan
from agentic_assets.models.builtin.nl_sql.base import PlannerBase
from agentic_assets.models.builtin.nl_sql.words import (
    ROW_NOUNS,
    CannotPlan,
    Output,
    ident,
    select_item,
)
from agentic_assets.models.builtin.schema_match import ColumnRef
from agentic_assets.models.builtin.text import singular


class WindowsMixin(PlannerBase):
    def _dedupe(self) -> SqlPlan | None:
        text = " ".join(self.words)
        latest = re.search(r"\b(latest|most recent|newest|last)\b", text)
        earliest = re.search(r"\b(earliest|first|oldest)\b", text)
        if not latest and not earliest:
            raise CannotPlan("deduplication needs to know which row to keep (latest or earliest)")
        direction = "DESC" if latest and (not earliest or latest.start() < earliest.start()) else "ASC"
        for i, w in enumerate(self.words):
            if w in ("latest", "recent", "newest", "last", "earliest", "first", "oldest", "most", "keeping", "keep"):
                self.consume(i)
            if w in ("deduplicate", "deduplicated", "dedupe", "deduped", "duplicates", "duplicate", "remove", "drop"):
                self.consume(i)
        # order column: 'by <time column>' after latest/first, else the one timestamp
        explicit = None
        for i, w in enumerate(self.words):
            if w in ("latest", "last", "earliest", "first", "newest", "oldest", "recent") and self.word_at(i + 1) in (
                "by",
                "according",
            ):
                hit = self.cat.find_prefix([t.text for t in self.phrase_after(i + 2, 3)], kind="time")
                if hit:
                    explicit = [hit[0].name]
                    self.consume(i + 1, *range(i + 2, i + 2 + hit[1]))
        order = self._time_column(explicit)
        keys = []
        for i, tok in enumerate(self.toks):
            if tok.text in ("per", "by", "each", "on") and i not in self.st.consumed:
                if tok.text == "each" and self.word_at(i - 1) != "for":
                    continue
                j = i + 1 + (self.word_at(i + 1) in ("the", "each", "a"))
                items = self._key_items(j)
                if items:
                    self.consume(i, i - 1 if self.word_at(i - 1) == "for" else i)
                    keys += [o for o in items if o.source is not None]
        if not keys:
            return None
        main = self.req.tables[0]
        conds = self._filters()
        cols = [c.name for c in main.columns]
        if self.req.output_columns:
            missing = [c for c in self.req.output_columns if c not in cols]
            if missing:
                raise CannotPlan(f"cannot derive the declared column(s) {', '.join(missing)}")
            cols = list(self.req.output_columns)
        partition = ", ".join(ident(k.source.name) for k in keys if k.source)  # type: ignore[union-attr]
        tiebreak = [c.name for c in main.columns if c.is_identifier and c.name not in partition.split(", ")]
        order_by = f"{ident(order.name)} {direction}" + "".join(f", {ident(c)}" for c in tiebreak[:1])
        inner_where = ("\n    WHERE " + " AND ".join(str(c.sql_of) for c in conds)) if conds else ""
        sql = (
            f"SELECT {', '.join(ident(c) for c in cols)}\nFROM (\n"
            f"    SELECT *, ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {order_by}) AS row_rank\n"
            f"    FROM {ident(main.name)}{inner_where}\n) AS ranked\nWHERE row_rank = 1"
        )
        if self.joined:
            raise CannotPlan("deduplication over joined sources is beyond what I map")
        which = "latest" if direction == "DESC" else "earliest"
        what = f"Keeps one row of {main.name} per {partition}: the {which} by {order.name}."
        outs = [Output(expr=c, name=c) for c in cols]
        self._rename_to_contract(outs)
        return self._finish(sql, outs, what)

    # top-N ----------------------------------------------------------------------------------------------
    def _top_n(self) -> SqlPlan:
        m = None
        for i, w in enumerate(self.words):
            if w == "top" and self.toks[i + 1 : i + 2] and self.toks[i + 1].is_number:
                m = (i, int(self.words[i + 1]), "DESC", i + 2)
                break
            if self.toks[i].is_number and self.word_at(i + 1) in (
                "largest",
                "biggest",
                "highest",
                "smallest",
                "lowest",
            ):
                desc = self.word_at(i + 1) in ("largest", "biggest", "highest")
                m = (i, int(self.words[i]), "DESC" if desc else "ASC", i + 2)
                break
        assert m is not None
        start, n, direction, j = m
        self.consume(*range(start, j))
        if self.word_at(start - 1) == "the":
            self.consume(start - 1)
        entity_words = self.phrase_after(j, 3)
        if not entity_words:
            raise CannotPlan("top-N of what?")
        ent_word = entity_words[-1].text
        table = self.cat.is_table_entity(ent_word)
        by_idx = next((k for k in range(j, len(self.words)) if self.words[k] == "by"), None)
        if table == self.main or any(singular(t.text) in ROW_NOUNS for t in entity_words):
            # rows of the main table, ordered by a column
            self.consume(*[t.index for t in entity_words])
            if by_idx is not None:
                hit = self.cat.find_prefix([t.text for t in self.phrase_after(by_idx + 1, 3)], kind="measure")
                if hit is None:
                    raise CannotPlan("cannot tell which column orders the top-N")
                self.consume(by_idx, *range(by_idx + 1, by_idx + 1 + hit[1]))
                ref = hit[0]
            else:
                ref = self._default_measure()
            conds = [c for c in self._filters() if not c.having]
            outs = self._row_columns(self._joined_columns())
            self._rename_to_contract(outs)
            ids = [c.name for c in self.req.tables[0].columns if c.is_identifier][:1]
            select = ",\n    ".join(select_item(o.expr, o.name) for o in outs)
            sql = f"SELECT\n    {select}\n{self._from_clause()}"
            if conds:
                sql += "\nWHERE " + "\n  AND ".join(str(c.sql_of) for c in conds)
            tie = "".join(f", {self.col(ColumnRef(self.main, self.req.tables[0].column(c)))}" for c in ids)  # type: ignore[arg-type]
            sql += f"\nORDER BY {self.col(ref)} {direction}{tie}\nLIMIT {n}"
            return self._finish(
                sql,
                outs,
                f"The {n} rows of {self.main} with the {'highest' if direction == 'DESC' else 'lowest'} {ref.name}.",
            )
        key_ref = self.cat.entity_column(ent_word) or self.cat.find([t.text for t in entity_words])
        if key_ref is None:
            raise CannotPlan(f"cannot tell what '{' '.join(t.raw for t in entity_words)}' are in the sources")
        self.consume(*[t.index for t in entity_words])
        if by_idx is None:
            raise CannotPlan("top-N needs a ranking measure ('by total amount')")
        self.consume(by_idx)
        keys = [self._key_from_column(key_ref, start)]
        keys += [k for k in self._group_keys() if k.name != key_ref.name]
        measures = self._measures()
        if not measures:
            raise CannotPlan("cannot tell which measure ranks the top-N")
        conds = [c for c in self._filters() if not c.having]
        outs = keys + sorted(measures, key=lambda o: o.pos)
        self._rename_to_contract(outs)
        rank = measures[0] if len(measures) == 1 else sorted(measures, key=lambda o: o.pos)[0]
        select = ",\n    ".join(select_item(o.expr, o.name) for o in outs)
        sql = f"SELECT\n    {select}\n{self._from_clause()}"
        if conds:
            sql += "\nWHERE " + "\n  AND ".join(str(c.sql_of) for c in conds)
        sql += "\nGROUP BY " + ", ".join(o.expr for o in keys)
        sql += f"\nORDER BY {ident(rank.name)} {direction}, {ident(keys[0].name)}\nLIMIT {n}"
        what = f"The {n} {key_ref.name} values with the {'highest' if direction == 'DESC' else 'lowest'} {rank.name}."
        return self._finish(sql, outs, what)

    # dead letter --------------------------------------------------------------------------------------
