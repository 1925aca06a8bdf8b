"""Match words to the columns and sample values of the sources: the planner's only source of names."""

from __future__ import annotations

from dataclasses import dataclass

from agentic_assets.models.builtin.contracts import ColumnInfo, TableInfo
from agentic_assets.models.builtin.text import Token, name_tokens, singular
from agentic_assets.models.builtin.value_names import names_of

# Words people use for a column that holds money.
SYNONYMS = {"spend": "amount", "spent": "amount", "spending": "amount", "revenue": "amount", "sales": "amount"}
OPTIONAL_TOKENS = {"id", "key", "code"}
# Sample values this short are only matched when written exactly (so "be" is not Belgium's "BE").
SHORT_VALUE = 3
MAX_CATEGORIES = 30


@dataclass(frozen=True)
class ColumnRef:
    table: str
    column: ColumnInfo

    @property
    def name(self) -> str:
        return self.column.name


@dataclass(frozen=True)
class ValueMatch:
    ref: ColumnRef
    value: str
    tokens: tuple[int, ...]


def _norm(word: str) -> str:
    word = singular(word.lower())
    return SYNONYMS.get(word, word)


class Catalog:
    """The sources' columns, searchable by words."""

    def __init__(self, tables: list[TableInfo]) -> None:
        self.tables = tables
        self.by_name = {t.name: t for t in tables}

    @property
    def main(self) -> TableInfo:
        return self.tables[0]

    def table_singular(self, table: str) -> str:
        return singular(name_tokens(table)[-1])

    def refs(self) -> list[ColumnRef]:
        return [ColumnRef(t.name, c) for t in self.tables for c in t.columns]

    def exact(self, word: str, prefer: str | None = None) -> ColumnRef | None:
        hits = [r for r in self.refs() if r.name == word.lower()]
        return self._prefer(hits, prefer)

    def _prefer(self, hits: list[ColumnRef], prefer: str | None) -> ColumnRef | None:
        if not hits:
            return None
        for table in [prefer, self.main.name, *[t.name for t in self.tables]]:
            for hit in hits:
                if hit.table == table:
                    return hit
        return hits[0]

    def score(self, words: list[str], ref: ColumnRef) -> float:
        """How well a phrase names a column: 0 when some necessary part of the name is missing."""
        if not words:
            return 0.0
        if "_".join(w.lower() for w in words) == ref.name:
            return 100.0
        phrase = [_norm(part) for w in words for part in w.split("_") if part]
        col = [_norm(t) for t in name_tokens(ref.name)]
        implied = {self.table_singular(ref.table)}
        required = [t for t in col if t not in OPTIONAL_TOKENS and t not in implied]
        if not required:
            required = [t for t in col if t not in OPTIONAL_TOKENS]
        if not required or not all(t in phrase for t in required):
            return 0.0
        matched = sum(1 for t in col if t in phrase)
        head_bonus = 3 if phrase[-1] in col else 0
        extra = len([w for w in phrase if w not in col])
        return 10 * matched + head_bonus - len(col) + 0.5 * matched - 0.1 * extra

    def find(
        self,
        words: list[str],
        *,
        prefer: str | None = None,
        tables: list[str] | None = None,
        kind: str | None = None,
    ) -> ColumnRef | None:
        """The best column for `words`, or None when nothing or more than one column fits equally."""
        if len(words) == 1:
            hit = self.exact(words[0], prefer)
            if hit and (tables is None or hit.table in tables):
                return hit
        best: list[tuple[float, ColumnRef]] = []
        for ref in self.refs():
            if tables is not None and ref.table not in tables:
                continue
            if kind == "measure" and not ref.column.is_measure:
                continue
            if kind == "time" and not ref.column.is_time:
                continue
            s = self.score(words, ref)
            if s > 0:
                best.append((s, ref))
        if not best:
            return None
        top = max(s for s, _ in best)
        hits = [r for s, r in best if s == top]
        names = {r.name for r in hits}
        if len(names) > 1:
            return None
        return self._prefer(hits, prefer)

    def find_prefix(self, words: list[str], **kw: object) -> tuple[ColumnRef, int] | None:
        """The longest leading run of `words` (up to four) that names a column, and its length."""
        for n in range(min(4, len(words)), 0, -1):
            hit = self.find(words[:n], **kw)  # type: ignore[arg-type]
            if hit is not None:
                return hit, n
        return None

    def entity_column(self, word: str) -> ColumnRef | None:
        """'customers' -> an identifier column for that entity (customer_id), if one exists."""
        stem = _norm(word)
        hits = [
            r
            for r in self.refs()
            if r.column.is_identifier and [_norm(t) for t in name_tokens(r.name) if t not in OPTIONAL_TOKENS] == [stem]
        ]
        return self._prefer(hits, None)

    def is_table_entity(self, word: str) -> str | None:
        """The table whose rows `word` names ('transactions' -> transactions)."""
        stem = _norm(word)
        for t in self.tables:
            if self.table_singular(t.name) == stem:
                return t.name
        return None

    def time_columns(self, tables: list[str] | None = None) -> list[ColumnRef]:
        return [r for r in self.refs() if r.column.is_time and (tables is None or r.table in tables)]

    def measures(self, tables: list[str] | None = None) -> list[ColumnRef]:
        return [r for r in self.refs() if r.column.is_measure and (tables is None or r.table in tables)]

    def categorical(self) -> list[ColumnRef]:
        return [
            r
            for r in self.refs()
            if r.column.is_text and r.column.samples and (r.column.distinct or 0) <= MAX_CATEGORIES
        ]

    def value_matches(self, tokens: list[Token]) -> list[ValueMatch]:
        """Words of the text that are sample values of a low-cardinality text column."""
        out: list[ValueMatch] = []
        for ref in self.categorical():
            for value in ref.column.samples:
                low = value.lower()
                parts = low.replace("_", " ").split()
                n = len(parts)
                for i in range(len(tokens) - n + 1):
                    window = tokens[i : i + n]
                    if n == 1:
                        tok = window[0]
                        text = tok.unquoted.lower() if tok.is_quoted else tok.text
                        # 'card-present' and 'card present' name the value card_present
                        if text.replace("-", "_") not in (low, low.replace(" ", "_")):
                            continue
                        raw = tok.unquoted if tok.is_quoted else tok.raw
                        # a short value is matched as written ('ES', not the word 'es'); an acronym in capitals
                        # ('ATM') names a lower-case value of three letters (atm)
                        acronym = raw.isupper() and value.islower() and len(value) == SHORT_VALUE
                        if len(value) <= SHORT_VALUE and raw != value and not acronym:
                            continue
                    elif [t.text for t in window] != parts:
                        continue
                    out.append(ValueMatch(ref, value, tuple(t.index for t in window)))
                # 'made in Spain', 'charged in euros': the English name of a coded value
                for words in names_of(value) if value.isupper() else []:
                    m = len(words)
                    for i in range(len(tokens) - m + 1):
                        if [t.text for t in tokens[i : i + m]] == words:
                            out.append(ValueMatch(ref, value, tuple(t.index for t in tokens[i : i + m])))
                if n > 1:
                    # one hyphenated word for a value of several parts: 'card-present' is card_present
                    joined = "_".join(parts)
                    for tok in tokens:
                        if not tok.is_quoted and tok.text.replace("-", "_") == joined:
                            out.append(ValueMatch(ref, value, (tok.index,)))
        return out

    def join_key(self, left: str, right: str) -> str | None:
        """The column two tables share that identifies a row of one of them."""
        lcols = {c.name for c in self.by_name[left].columns}
        shared = [c for c in self.by_name[right].columns if c.name in lcols]
        ids = [c.name for c in shared if c.is_identifier]
        if len(ids) == 1:
            return ids[0]
        for table in (right, left):
            named = [c for c in ids if name_tokens(c)[0] == self.table_singular(table)]
            if len(named) == 1:
                return named[0]
        return None
