"""Words to one DuckDB SELECT, for the common families of boilerplate transforms.

Families: aggregation by keys and time grains, filters stated in words, joins on a shared key,
deduplication by key keeping the latest (or first) row, top-N, small pivots, dead-letter splits.
Every name comes from the sources' schemas; a request this planner cannot map with confidence
gets a refusal naming what it could not map, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agentic_assets.models.builtin.contracts import PlanRefusal, SqlPlan, SqlRequest
from agentic_assets.models.builtin.schema_match import Catalog, ColumnRef, ValueMatch
from agentic_assets.models.builtin.text import Token, abbreviate, name_tokens, singular, tokenize

REFUSAL = "I cannot write this; configure a model (AGENTIC_MODEL)."

GRAINS = {
    "hourly": "hour", "hour": "hour", "daily": "day", "day": "day", "weekly": "week", "week": "week",
    "monthly": "month", "month": "month", "quarterly": "quarter", "quarter": "quarter",
    "yearly": "year", "annual": "year", "annually": "year", "year": "year",
}  # fmt: skip
AGG_WORDS = {
    "sum": "SUM", "total": "SUM", "totals": "SUM", "average": "AVG", "avg": "AVG", "mean": "AVG",
    "minimum": "MIN", "min": "MIN", "lowest": "MIN", "smallest": "MIN", "earliest": "MIN",
    "maximum": "MAX", "max": "MAX", "highest": "MAX", "largest": "MAX", "biggest": "MAX", "latest": "MAX",
    "count": "COUNT", "number": "COUNT",
}  # fmt: skip
GROUP_TRIGGERS = {"per", "by", "each", "every"}
PHRASE_STOP = {
    "only", "with", "where", "whose", "for", "from", "including", "excluding", "keeping", "sorted", "ordered",
    "as", "that", "which", "in", "on", "the", "to", "using", "built", "appended", "over", "and", "or", "but",
    "when", "if", "then", "is", "are", "was", "of",
}  # fmt: skip
ROW_NOUNS = {"row", "record", "event", "entry", "line"}
CONDITION_WORDS = {"only", "where", "whose", "excluding", "except", "unless", "if", "when", "without", "but", "not"}
UNSUPPORTED = {
    "median", "percentile", "quantile", "stddev", "deviation", "variance", "rolling", "moving", "cumulative",
    "running", "rank", "ranking", "ratio", "share", "percentage", "percent", "growth", "previous", "lag",
    "compared", "retention", "churn", "cohort", "forecast", "predict", "predicted", "trend", "convert",
    "converted", "exchange", "fx", "anomaly", "anomalies", "outlier", "outliers", "score", "probability",
    "sessionize", "sessions", "gap", "gaps", "streak", "interpolate", "weighted", "fuzzy", "similar",
}  # fmt: skip
NEGATIONS = {"not", "excluding", "except", "without", "non", "exclude", "excludes", "other"}


class CannotPlan(Exception):
    """The request cannot be mapped with confidence; the message says what was not understood."""


def ident(name: str) -> str:
    return name if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def number(text: str) -> str:
    return text.lstrip("+")


def select_item(expr: str, name: str) -> str:
    """`expr AS name`, or just `expr` when it already carries that name."""
    bare = expr.rsplit(".", 1)[-1]
    return expr if bare == ident(name) else f"{expr} AS {ident(name)}"


@dataclass
class Output:
    """One output column: its SQL expression, name and whether it is a grouping key."""

    expr: str
    name: str
    key: bool = False
    pos: int = 0
    agg: str | None = None
    source: ColumnRef | None = None


@dataclass
class Condition:
    sql_of: object  # callable(alias_map) -> str
    reason: str
    having: bool = False


@dataclass
class _State:
    consumed: set[int] = field(default_factory=set)
    assumptions: list[str] = field(default_factory=list)
    used_tables: set[str] = field(default_factory=set)


class Planner:
    def __init__(self, request: SqlRequest) -> None:
        self.req = request
        self.cat = Catalog(request.tables)
        self.toks = tokenize(request.description)
        self.words = [t.text for t in self.toks]
        self.st = _State()
        self.aliases = self._aliases()
        self.main = self.cat.main.name
        self.st.used_tables.add(self.main)

    # ---- helpers -------------------------------------------------------------------------------------
    def _aliases(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for t in self.req.tables:
            base = "".join(p[0] for p in name_tokens(t.name)) or "t"
            alias, n = base, 1
            while alias in out.values():
                n += 1
                alias = f"{base}{n}"
            out[t.name] = alias
        return out

    @property
    def joined(self) -> bool:
        return len(self.req.tables) > 1

    def col(self, ref: ColumnRef) -> str:
        self.st.used_tables.add(ref.table)
        return f"{self.aliases[ref.table]}.{ident(ref.name)}" if self.joined else ident(ref.name)

    def consume(self, *indices: int) -> None:
        self.st.consumed.update(indices)

    def word_at(self, i: int) -> str:
        return self.words[i] if 0 <= i < len(self.words) else ""

    def phrase_after(self, start: int, limit: int = 5) -> list[Token]:
        """Word tokens from `start` until punctuation or a stop word."""
        out: list[Token] = []
        i = start
        while i < len(self.toks) and len(out) < limit:
            tok = self.toks[i]
            if not tok.is_word or tok.text in PHRASE_STOP or tok.text in GROUP_TRIGGERS:
                break
            out.append(tok)
            i += 1
        return out

    # ---- entry -----------------------------------------------------------------------------------------
    def plan(self) -> SqlPlan:
        unsupported = sorted({w for w in self.words if w in UNSUPPORTED})
        if unsupported:
            raise CannotPlan(f"the request needs {', '.join(repr(w) for w in unsupported)}, which I do not map")
        self._consume_table_mentions()
        text = " ".join(self.words)
        if re.search(r"\bdead[ -]?letter|\binvalid rows?\b|\brejected rows?\b|\bvalid rows?\b|\bonly valid\b", text):
            return self._dead_letter()
        if re.search(r"\b(deduplicate[sd]?|dedupe[sd]?|de-duplicate[sd]?|duplicates?)\b", text) or re.search(
            r"\b(latest|most recent|newest|last|earliest|first|oldest)\b.*\b(per|for each|by)\b", text
        ):
            dedupe = self._dedupe()
            if dedupe is not None:
                return dedupe
        if re.search(r"\btop \d+\b|\b\d+ (largest|biggest|highest|smallest|lowest)\b", text):
            return self._top_n()
        return self._select()

    def _consume_table_mentions(self) -> None:
        """Words that name a source ('the monthly customer totals') are not column references."""
        for t in self.req.tables:
            parts = name_tokens(t.name)
            if len(parts) < 2:
                continue
            n = len(parts)
            for i in range(len(self.toks) - n + 1):
                if [singular(w) for w in self.words[i : i + n]] == [singular(p) for p in parts]:
                    self.consume(*range(i, i + n))

    # ---- pieces shared by the families ------------------------------------------------------------
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

    # ---- families -------------------------------------------------------------------------------------
    def _select(self) -> SqlPlan:
        pivot = self._pivot_spec()
        keys = self._group_keys()
        measures = self._measures()
        if pivot is not None:
            return self._pivot(pivot, keys, measures)
        extra_cols = self._joined_columns()
        conds = self._filters()
        having = [c for c in conds if c.having]
        where = [c for c in conds if not c.having]
        if measures or (keys and having):
            if not measures:
                measures = [self._count_rows(self.main, len(self.toks))]
            outs = sorted(keys, key=lambda o: o.pos) + sorted(measures, key=lambda o: o.pos)
            self._rename_to_contract(outs)
            select = ",\n    ".join(select_item(o.expr, o.name) for o in outs)
            sql = f"SELECT\n    {select}\n{self._from_clause(self._left_join_wanted())}"
            if where:
                sql += "\nWHERE " + "\n  AND ".join(str(c.sql_of) for c in where)
            if keys:
                sql += "\nGROUP BY " + ", ".join(o.expr for o in keys)
            if having:
                sql += "\nHAVING " + " AND ".join(str(c.sql_of) for c in having)
            what = self._describe_agg(keys, measures, where)
            return self._finish(sql, outs, what)
        if keys:
            raise CannotPlan("found grouping keys but no measure (sum, count, average, minimum, maximum) to compute")
        if not where and not extra_cols:
            raise CannotPlan("found no aggregation, filter, join, deduplication, top-N, pivot or dead-letter split")
        outs = self._row_columns(extra_cols)
        self._rename_to_contract(outs)
        select = ",\n    ".join(select_item(o.expr, o.name) for o in outs)
        sql = f"SELECT\n    {select}\n{self._from_clause(self._left_join_wanted())}"
        if where:
            sql += "\nWHERE " + "\n  AND ".join(str(c.sql_of) for c in where)
        what = f"Rows of {self.main}"
        if extra_cols:
            what += f" with {', '.join(o.name for o in extra_cols)} from the joined source"
        if where:
            what += f", kept when {' and '.join(c.reason for c in where)}"
        return self._finish(sql, outs, what + ".")

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


def plan_sql(request: SqlRequest) -> SqlPlan | PlanRefusal:
    """Plan one SELECT for `request`, or refuse with the reason."""
    try:
        return Planner(request).plan()
    except CannotPlan as err:
        return PlanRefusal(reason=f"{REFUSAL} {err}")
