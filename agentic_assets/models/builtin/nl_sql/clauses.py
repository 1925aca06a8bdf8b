"""Reading a ticket: sentences and clauses, the columns they name, and which words were turned into SQL.

A ticket names its columns exactly ("sum amount as total_amount", "ties broken by the lower
merchant_id"). Every reader marks the tokens it used; the words that carry meaning (numbers, dates,
quoted strings, column names, sample values and the operator words below) must all be used by the
end, or the request is refused naming them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agentic_assets.models.builtin.contracts import SqlRequest
from agentic_assets.models.builtin.nl_sql.vocabulary import MONTHS, canonical
from agentic_assets.models.builtin.schema_match import Catalog, ColumnRef
from agentic_assets.models.builtin.text import Token, singular, tokenize

# Words whose meaning changes the result: if no reader used one, the planner did not understand it.
OPERATOR_WORDS = {
    "not", "except", "excluding", "exclude", "excluded", "neither", "nor", "without", "between", "above", "below",
    "under", "over", "least", "most", "round", "rounded", "rounding", "decimal", "decimals", "order", "ordered",
    "sort", "sorted", "tie", "ties", "tied", "rank", "distinct", "latest", "earliest", "newest", "oldest", "recent",
    "top", "bottom", "unknown", "null", "missing", "positive", "negative", "weekend", "weekday", "weekdays",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "before", "after", "since",
    "until", "largest", "smallest", "highest", "lowest", "busiest", "biggest", "fiscal",
    "business", "working", "never",
}  # fmt: skip
# Relation words that compare rows with something: a number, a date, a month, a quoted value, a column,
# a sample value, or the rows themselves ('orders placed before the opening'). With none of these in
# their clause ('asked for this after the board meeting', 'handed over to finance') they relate things
# outside the data and carry no rule.
RELATION_WORDS = {"before", "after", "since", "until", "over", "under", "above", "below"}
# nouns that name the rows of a source, whatever it is called
ROW_NOUNS = {"row", "record", "entry", "line", "item", "event"}
# copies of a record and the words for removing them
COPIES_WORDS = {
    "replay", "replays", "replayed", "duplicate", "duplicates", "dupes", "copies", "resends", "repeats", "dedupe",
    "dedup", "deduplication", "deduplicate", "deduplicated", "de-duplication", "deduping",
}  # fmt: skip
_REMOVED = r"(?:removed|dropped|collapsed|deduplicated|deduped|excluded|filtered|merged|discarded)"
# 'replays are not removed', 'no dedupe', 'duplicates stay in', 'without deduplication' is not one
# ('volume without replays' removes them)
COPIES_KEPT = (
    rf"\b(?:are|is|were|be|get|gets) not {_REMOVED}\b|\bnot (?:to )?(?:be )?{_REMOVED}\b|\bno (?:dedupe|dedup|"
    r"deduplication|de-duplication|deduping)\b|\bdo not (?:dedupe|deduplicate|remove|drop|collapse)\b"
    r"|\b(?:stay|stays|remain|remains|are kept|is kept|are included|kept|included|count|counted) in\b"
    r"|\b(?:replays|duplicates|copies|resends|repeats) (?:are )?(?:kept|included|counted)\b"
)
# rows lacking a value are kept: 'stay in', 'stays in', 'are kept', 'form their own row', 'still appear'
NULLS_KEPT = (
    r"\b(?:stay|stays|remain|remains) in\b|\b(?:are|is) (?:kept|included|retained)\b|\bform (?:their|its) own "
    r"(?:row|group)\b|\bstill (?:appear|appears|count|counts)\b"
)
# words that pick one row among copies: a clause with one of them is a rule, not a restatement
PICK_WORDS = {"latest", "earliest", "per", "each", "first", "last"}
# Words of a sentence about rows that tie ('when two copies share the event_time').
TIE_SENTENCE_WORDS = {"tie", "ties", "tied", "share", "same", "equal", "identical"}
# A clause that only says something is kept as it is ("including refunds", "every status counts").
INCLUSION_WORDS = {"including", "included", "includes", "reduce", "reduces", "counted", "counts", "arrive"}
EXCLUSION_WORDS = {"only", "not", "except", "drop", "dropped", "excluded", "excluding", "ignored", "ignore", "left"}
DAYS = {"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6}


def _retokenize(text: str) -> list[Token]:
    out: list[Token] = []
    for tok in tokenize(text):
        parts = list(tok.raw) if len(tok.raw) > 1 and set(tok.raw) <= set(",;:.()") else [tok]
        for part in parts:
            if isinstance(part, Token):
                out.append(Token(text=part.text, raw=part.raw, index=len(out)))
            else:
                out.append(Token(text=part, raw=part, index=len(out)))
    return canonical(out)


# A ticket's opening sentence of at most this many tokens is its title (a headline restating the
# request, 'Reversals per merchant.'); a longer one is part of the body.
TITLE_TOKENS = 10


@dataclass
class Ticket:
    """The tokens of a request with their sentence and clause boundaries, and what has been used."""

    request: SqlRequest
    toks: list[Token] = field(init=False)
    used: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.toks = _retokenize(self.request.description)  # ');' and '),' are two boundaries
        self.words = [t.text for t in self.toks]
        self.cat = Catalog(self.request.tables)

    # ---- positions ---------------------------------------------------------------------------------
    def word(self, i: int) -> str:
        return self.words[i] if 0 <= i < len(self.words) else ""

    def use(self, *indices: int) -> None:
        self.used.update(i for i in indices if 0 <= i < len(self.toks))

    def sentence_span(self, i: int) -> tuple[int, int]:
        start = i
        while start > 0 and self.words[start - 1] not in (".", ";"):
            start -= 1
        end = i
        while end < len(self.toks) and self.words[end] not in (".", ";"):
            end += 1
        return start, end

    def clause_span(self, i: int) -> tuple[int, int]:
        """Between commas, parentheses or sentence ends."""
        stops = {".", ";", ",", "(", ")", ":"}
        start = i
        while start > 0 and self.words[start - 1] not in stops:
            start -= 1
        end = i
        while end < len(self.toks) and self.words[end] not in stops:
            end += 1
        return start, end

    def find(self, *phrase: str, start: int = 0, end: int | None = None) -> int | None:
        """Index of the first occurrence of the word sequence `phrase` in [start, end)."""
        end = len(self.toks) if end is None else end
        n = len(phrase)
        for i in range(start, end - n + 1):
            if tuple(self.words[i : i + n]) == phrase:
                return i
        return None

    def has(self, *words: str) -> bool:
        return any(w in self.words for w in words)

    # ---- columns ----------------------------------------------------------------------------------
    def column_at(self, i: int) -> ColumnRef | None:
        """The source column a token names exactly; a table named just before it ('the customer's country',
        'customers.country') picks among sources that share the name."""
        tok = self.toks[i] if 0 <= i < len(self.toks) else None
        if tok is None or not tok.is_word:
            return None
        name = tok.text.split(".")[-1]
        hits = [r for r in self.cat.refs() if r.name == name] or [
            r for r in self.cat.refs() if r.name == singular(name) and "_" not in name
        ]
        if not hits:
            return None
        table = self.cat.is_table_entity(singular(self.word(i - 1)))
        if table is None and self.toks[i - 1 : i] and self.toks[i - 1].is_word and self.column_at_plain(i - 1) is None:
            # 'the customer's home country', 'the merchant's own country': one word between the owner and
            # its column (the owner written as a possessive)
            owner = self.toks[i - 2] if i >= 2 else None
            if owner is not None and self.request.description.find(owner.raw + "'s") >= 0:
                table = self.cat.is_table_entity(singular(owner.text))
        if "." in tok.text:
            prefix = tok.text.split(".")[0]
            table = next((t.name for t in self.request.tables if t.name == prefix), None) or self.cat.is_table_entity(
                singular(prefix)
            )
        if table and any(h.table == table for h in hits):
            return next(h for h in hits if h.table == table)
        return next((h for h in hits if h.table == self.cat.main.name), hits[0])

    def column_at_plain(self, i: int) -> bool | None:
        """Whether token i names a source column, by its name alone."""
        tok = self.toks[i] if 0 <= i < len(self.toks) else None
        if tok is None or not tok.is_word:
            return None
        return True if any(r.name == tok.text for r in self.cat.refs()) else None

    def columns_in(self, start: int, end: int) -> list[tuple[int, ColumnRef]]:
        return [(i, ref) for i in range(start, end) if (ref := self.column_at(i)) is not None]

    def title_end(self) -> int:
        if not self.toks:
            return 0
        end = self.sentence_span(0)[1]
        return end if end <= TITLE_TOKENS and end < len(self.toks) - 1 else 0

    # ---- the honesty check ------------------------------------------------------------------------
    def consume_inclusions(self) -> None:
        """Clauses that only confirm something is kept ('refunds (negative amounts) reduce the total'),
        sentences that say where other rows go ('the others go to a dead-letter table built elsewhere')
        and titles of a few words need no SQL."""
        i = 0
        while i < len(self.toks):
            start, end = self.clause_span(i)
            words = set(self.words[start:end])
            outputs = {n for n in self.request.output_columns if self.cat.exact(n) is None}
            if words & INCLUSION_WORDS and not words & EXCLUSION_WORDS and not words & outputs:
                # a parenthesis right before or after belongs to the same statement
                if start > 1 and self.words[start - 1] == ")":
                    start = self.clause_span(self.words.index("(", max(0, start - 8)))[0]
                if end < len(self.toks) and self.words[end] == "(":
                    close = self.words.index(")", end) if ")" in self.words[end:] else end
                    end = self.clause_span(close + 1)[1] if close + 1 < len(self.toks) else close
                self.use(*range(start, end))
            i = end + 1
        self._consume_copies_kept()
        self._consume_nulls_kept()
        values = {k for v in self.cat.value_matches(self.toks) for k in v.tokens}
        i = 0
        while i < len(self.toks):
            start, end = self.sentence_span(i)
            text = " ".join(self.words[start:end])
            elsewhere = re.search(
                r"\belsewhere\b|\bnot here\b|\bnot built here\b|\bseparate table\b|dead-lettered"
                # 'row order doesn't matter': no order is asked for, which is what a query gives
                r"|^(?:the )?(?:row )?order (?:does|do) not matter$|^(?:in )?any order$|^(?:in )?no particular order$",
                text,
            )
            # a title of a few words restates the request, unless it states a rule ('Positive amounts only.')
            title = end - start <= 3 and not any(
                self.toks[k].is_number
                or self.toks[k].is_quoted
                or self.words[k] in OPERATOR_WORDS | EXCLUSION_WORDS
                or k in values  # 'Daily atm withdrawals.' keeps the atm rows
                for k in range(start, end)
            )
            if elsewhere or title:
                self.use(*range(start, end))
            i = end + 1

    def has_operand(self, i: int, values: set[int]) -> bool:
        """Whether the clause of token i holds something a relation word could compare, or the rows."""
        s, e = self.clause_span(i)
        return any(
            singular(self.words[k]) in ROW_NOUNS or self.cat.is_table_entity(singular(self.words[k]))
            for k in range(s, e)
        ) or any(
            self.toks[k].is_number
            or self.toks[k].is_quoted
            or self.words[k] in MONTHS
            or self.words[k] in ("zero", "today", "yesterday", "now")
            or k in values
            or self.column_at(k) is not None
            for k in range(s, e)
            if k != i
        )

    def _consume_nulls_kept(self) -> None:
        """'merchants with no category stay in, under a NULL category', 'a customer with no country stays
        in with a null customer_country', 'merchants without a category form their own row': rows lacking
        a value are kept with a NULL, which is what a query does unless told otherwise. Only a sentence
        with no dropping word, number or quoted value is read so."""
        i = 0
        while i < len(self.toks):
            start, end = self.sentence_span(i)
            words = self.words[start:end]
            text = " ".join(words)
            lacking = re.search(r"\b(?:with no|without|with a null|with an empty|lacking)\b", text)
            kept = re.search(NULLS_KEPT, text)
            grounded = any(self.toks[k].is_number or self.toks[k].is_quoted for k in range(start, end))
            if lacking and kept and not grounded and not set(words) & (EXCLUSION_WORDS - {"left"}):
                self.use(*range(start, end))
            i = end + 1

    def _consume_copies_kept(self) -> None:
        """'replays are not removed for this one', 'No dedupe.', 'duplicates stay in': the rows are taken
        as they land, which is what a query does unless told otherwise. Only a clause that names no
        column, value or number and no row to pick ('latest', 'per') is read so."""
        i = 0
        while i < len(self.toks):
            start, end = self.clause_span(i)
            words = self.words[start:end]
            copies = [k for k, w in enumerate(words) if w in COPIES_WORDS]
            grounded = (
                any(
                    self.toks[k].is_number or self.toks[k].is_quoted or self.column_at(k) is not None
                    for k in range(start, end)
                )
                or set(words) & PICK_WORDS
            )
            if copies and not grounded:
                text = " ".join(words)
                if re.search(COPIES_KEPT, text):
                    self.use(*range(start, end))
            i = end + 1

    def in_tie_sentence(self, i: int) -> bool:
        s, e = self.sentence_span(i)
        return bool(set(self.words[s:e]) & TIE_SENTENCE_WORDS)

    def unused_meaning(self, values: set[int]) -> list[str]:
        """Words that carry meaning and that no reader used. An operator word already applied elsewhere
        restates it ('Distinct customers per week ... count distinct customer_id'), and so does a column of
        the opening sentence (the ticket's title) that the rest of the ticket uses."""
        used_words = {self.words[i] for i in self.used}
        used_columns = {r.name for i in self.used if (r := self.column_at(i)) is not None}
        title_end = self.title_end()
        used_numbers = {self.words[i] for i in self.used if self.toks[i].is_number}
        used_years = {self.words[i][:4] for i in self.used if re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.words[i])}
        out = []
        for i, tok in enumerate(self.toks):
            if i in self.used:
                continue
            if tok.text in OPERATOR_WORDS and tok.text in used_words:
                continue
            if (
                tok.is_number
                and not tok.raw[:1].isdigit()
                and (self.in_tie_sentence(i) or self.word(i - 1) in ("those", "these", "both"))
            ):
                continue  # 'when two copies share the event_time', 'those two channels': not a count
            if i < title_end and tok.text in MONTHS and tok.text in used_words:
                continue  # 'April 2026 online payments.' restates the body's window
            if i < title_end and tok.is_number and (tok.text in used_numbers or tok.text in used_years):
                continue  # 'Customers who joined during 2024.' restates the body's window
            ref = self.column_at(i)
            if i < title_end and ref is not None and ref.name in used_columns:
                continue
            if tok.text in RELATION_WORDS and not self.has_operand(i, values):
                continue
            # a month named is a window ('in March'), unless 'may' is the verb
            month = tok.text in MONTHS and (tok.text != "may" or tok.raw[:1].isupper())
            meaningful = (
                month
                or tok.is_number
                or tok.is_quoted
                or tok.text in OPERATOR_WORDS
                or i in values
                or self.column_at(i) is not None
            )
            if meaningful:
                out.append(tok.raw)
        return out
