"""Filters in words: sample values, thresholds, nulls, dates; and the check that no condition was dropped."""

from __future__ import annotations

import re

from agentic_assets.models.builtin.nl_sql.base import PlannerBase
from agentic_assets.models.builtin.nl_sql.words import (
    CONDITION_WORDS,
    NEGATIONS,
    CannotPlan,
    Condition,
    literal,
    number,
)
from agentic_assets.models.builtin.schema_match import ColumnRef, ValueMatch


class FiltersMixin(PlannerBase):
    # ---- filters ---------------------------------------------------------------------------------------
    _values_cache: list[ValueMatch] | None = None

    def _values(self) -> list[ValueMatch]:
        if self._values_cache is None:
            self._values_cache = self.cat.value_matches(self.toks)
        return self._values_cache

    def _filters(self, exclude: set[int] = frozenset()) -> list[Condition]:  # type: ignore[assignment]
        conds: list[Condition] = []
        conds += self._value_filters(exclude)
        conds += self._threshold_filters()
        conds += self._null_filters()
        conds += self._date_filters()
        return conds

    def _value_filters(self, exclude: set[int]) -> list[Condition]:
        groups: dict[tuple[str, str, bool], list[ValueMatch]] = {}
        for v in self._values():
            if any(t in exclude or t in self.st.consumed for t in v.tokens):
                continue
            first = v.tokens[0]
            negated = any(self.word_at(first - k) in NEGATIONS for k in (1, 2))
            if not negated:
                # 'excluding pending and reversed'
                k = first - 1
                while k >= 0 and self.word_at(k) in ("and", "or", ",") or (k >= 0 and self._is_value_at(k)):
                    k -= 1
                negated = self.word_at(k) in NEGATIONS
            groups.setdefault((v.ref.table, v.ref.name, negated), []).append(v)
        conds: list[Condition] = []
        for (_, _, negated), matches in groups.items():
            ref = matches[0].ref
            values = sorted({m.value for m in matches})
            for m in matches:
                self.consume(*m.tokens)
                for k in (1, 2):
                    if self.word_at(m.tokens[0] - k) in NEGATIONS:
                        self.consume(m.tokens[0] - k)
            col = self.col(ref)
            if len(values) == 1:
                sql = f"{col} {'<>' if negated else '='} {literal(values[0])}"
            else:
                sql = f"{col} {'NOT IN' if negated else 'IN'} ({', '.join(literal(v) for v in values)})"
            word = "not " if negated else ""
            self.st.assumptions.append(f"{', '.join(repr(v) for v in values)} {word}in {ref.name}")
            conds.append(Condition(sql_of=sql, reason=sql))
        return conds

    def _is_value_at(self, k: int) -> bool:
        return any(k in v.tokens for v in self._values())

    _COMPARATORS: list[tuple[tuple[str, ...], str, str]] = [
        (("or", "more"), ">=", "after"), (("or", "above"), ">=", "after"), (("and", "above"), ">=", "after"),
        (("or", "greater"), ">=", "after"), (("or", "higher"), ">=", "after"), (("or", "over"), ">=", "after"),
        (("or", "less"), "<=", "after"), (("or", "below"), "<=", "after"), (("and", "below"), "<=", "after"),
        (("or", "fewer"), "<=", "after"), (("or", "lower"), "<=", "after"), (("or", "under"), "<=", "after"),
        (("at", "least"), ">=", "before"), (("at", "most"), "<=", "before"), (("up", "to"), "<=", "before"),
        (("no", "more", "than"), "<=", "before"), (("no", "less", "than"), ">=", "before"),
        (("more", "than"), ">", "before"), (("greater", "than"), ">", "before"), (("larger", "than"), ">", "before"),
        (("higher", "than"), ">", "before"), (("less", "than"), "<", "before"), (("fewer", "than"), "<", "before"),
        (("smaller", "than"), "<", "before"), (("lower", "than"), "<", "before"),
        (("above",), ">", "before"), (("over",), ">", "before"), (("exceeding",), ">", "before"),
        (("below",), "<", "before"), (("under",), "<", "before"),
        ((">=",), ">=", "before"), (("<=",), "<=", "before"), ((">",), ">", "before"), (("<",), "<", "before"),
        (("=",), "=", "before"), (("exactly",), "=", "before"),
    ]  # fmt: skip

    def _threshold_filters(self) -> list[Condition]:
        conds: list[Condition] = []
        for i, tok in enumerate(self.toks):
            if not tok.is_number or i in self.st.consumed:
                continue
            if re.fullmatch(r"\d{4}", tok.text) and self.word_at(i - 1) in ("in", "during", "year"):
                continue
            op, span = self._comparator_around(i)
            if op is None:
                continue
            # Whose number is it? A numeric column named just before, else after, else the one measure.
            before = [t.text for t in self.toks[max(0, span[0] - 4) : span[0]] if t.is_word]
            after = [t.text for t in self.phrase_after(span[1] + 1, 3)]
            ref = None
            counted = None
            for n in range(min(3, len(before)), 0, -1):
                ref = self.cat.find(before[-n:], kind="measure")
                if ref:
                    break
            if ref is None and after:
                hit = self.cat.find_prefix(after, kind="measure")
                ref = hit[0] if hit else None
                if ref is None:
                    counted = self.cat.is_table_entity(after[0])
                    if counted and self.word_at(i + 1) in after[:1] + ["or", "and"]:
                        pass
            if ref is None and counted:
                self.consume(*range(span[0], span[1] + 2))
                conds.append(Condition(sql_of=f"COUNT(*) {op} {number(tok.text)}", reason="", having=True))
                continue
            if ref is None:
                ref = self._default_measure()
            self.consume(*range(span[0], span[1] + 1))
            sql = f"{self.col(ref)} {op} {number(tok.text)}"
            conds.append(Condition(sql_of=sql, reason=f"{ref.name} {op} {number(tok.text)}"))
        return conds

    def _comparator_around(self, i: int) -> tuple[str | None, tuple[int, int]]:
        for words, op, where in self._COMPARATORS:
            n = len(words)
            if where == "after" and tuple(self.words[i + 1 : i + 1 + n]) == words:
                return op, (i, i + n)
            if where == "before" and tuple(self.words[max(0, i - n) : i]) == words and i - n >= 0:
                return op, (i - n, i)
        return None, (i, i)

    def _null_filters(self) -> list[Condition]:
        conds: list[Condition] = []
        text_words = self.words
        for i in range(len(self.toks)):
            if i in self.st.consumed:
                continue
            w = text_words[i]
            # '<column> is (not) null|missing|empty'
            if w == "is" and i > 0:
                neg = self.word_at(i + 1) == "not"
                k = i + 1 + neg
                if self.word_at(k) in ("null", "missing", "empty", "blank", "unknown", "present", "set"):
                    ref = self.cat.find([self.word_at(i - 1)])
                    if ref:
                        is_null = (self.word_at(k) in ("null", "missing", "empty", "blank", "unknown")) != neg
                        self.consume(i - 1, i, k, i + 1)
                        conds.append(self._null(ref, is_null))
            elif w in ("non-null", "nonnull", "not-null"):
                k = i + 1
                hit = self.cat.find_prefix([t.text for t in self.phrase_after(k, 3)])
                if hit:
                    self.consume(*range(i, k + hit[1]))
                    conds.append(self._null(hit[0], False))
            elif w in ("missing", "null", "without", "no") and self.word_at(i + 1) not in ("and", ","):
                k = i + 1 + (self.word_at(i + 1) in ("a", "an"))
                hit = self.cat.find_prefix([t.text for t in self.phrase_after(k, 3)])
                if hit:
                    self.consume(*range(i, k + hit[1]))
                    conds.append(self._null(hit[0], True))
        return conds

    def _null(self, ref: ColumnRef, is_null: bool) -> Condition:
        sql = f"{self.col(ref)} IS {'' if is_null else 'NOT '}NULL"
        return Condition(sql_of=sql, reason=f"{ref.name} is {'null' if is_null else 'not null'}")

    def _date_filters(self) -> list[Condition]:
        conds: list[Condition] = []
        ops = {"since": ">=", "from": ">=", "after": ">", "before": "<", "until": "<", "on": "="}
        for i, tok in enumerate(self.toks):
            if i in self.st.consumed:
                continue
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", tok.text):
                op = ops.get(self.word_at(i - 1))
                if op is None:
                    raise CannotPlan(f"cannot tell how the date {tok.text} limits the rows")
                ref = self._time_column()
                self.consume(i - 1, i)
                sql = f"{self.col(ref)} {op} DATE {literal(tok.text)}"
                if op == "=":
                    sql = f"CAST({self.col(ref)} AS DATE) = DATE {literal(tok.text)}"
                conds.append(Condition(sql_of=sql, reason=sql))
            elif re.fullmatch(r"(19|20)\d{2}", tok.text) and self.word_at(i - 1) in ("in", "during"):
                ref = self._time_column()
                self.consume(i - 1, i)
                sql = f"year({self.col(ref)}) = {tok.text}"
                conds.append(Condition(sql_of=sql, reason=sql))
        return conds

    def _check_nothing_dropped(self) -> None:
        """A condition word whose words were not turned into SQL means a dropped business rule."""
        for i, tok in enumerate(self.toks):
            if tok.text in CONDITION_WORDS and i not in self.st.consumed:
                following = [k for k in range(i + 1, min(i + 4, len(self.toks))) if self.toks[k].is_word]
                if following and not any(k in self.st.consumed for k in following):
                    clause = " ".join(t.raw for t in self.toks[i : i + 6])
                    raise CannotPlan(f"cannot map the condition '{clause}' to the sources' columns and values")
