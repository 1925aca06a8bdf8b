"""Window patterns of a ticket: keep the latest (or first) row per key, top-N per group, tie rules.

'keep one row per transaction_id: the one with the latest event_time; when two copies share the
event_time, keep the one with the larger amount', 'keep the 3 merchant_ids with the highest revenue
in each country; ties are broken by the lower merchant_id', 'ranked with RANK so that equal amounts
share a place'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agentic_assets.models.builtin.nl_sql.clauses import Ticket
from agentic_assets.models.builtin.schema_match import ColumnRef

DESC_WORDS = {"highest", "largest", "most", "biggest", "busiest", "top", "descending", "latest", "newest", "recent",
              "higher", "larger", "later", "last"}  # fmt: skip
ASC_WORDS = {"lowest", "smallest", "fewest", "bottom", "ascending", "earliest", "oldest", "first", "lower",
             "smaller", "earlier", "alphabetically", "alphabetical"}  # fmt: skip
TIE_WORDS = {"tie", "ties", "tied", "share", "wins", "winning", "resolved", "breaking"}
POSITION_PARTS = {"rank", "position", "rn", "row_number"}  # a window's own output column breaks no tie
KEEP_TIES = {"kept", "keep", "retained", "preserved"}
# 'tied channels are all kept', 'ties are kept', 'keep all ties' (not 'keep the one with the larger amount')
KEEP_TIES_PHRASE = (
    r"\b(all|both|ties|tied \w+)( are| is)?( all)? (kept|retained|preserved)\b|\bkeep(ing)? (all|both|ties|every)\b"
)
BREAK_TIES = {"broken", "break", "breaks", "breaking", "wins", "winning", "resolved", "go", "goes", "decided"}
LATEST = {"latest", "newest", "recent", "last"}
EARLIEST = {"earliest", "oldest", "first"}


@dataclass
class Window:
    partition: list[str] = field(default_factory=list)  # output or source column names
    order: list[tuple[str, str]] = field(default_factory=list)  # (column, ASC|DESC)
    function: str = "ROW_NUMBER"
    keep: int = 1
    rank_column: str | None = None

    def over(self, col) -> str:  # noqa: ANN001
        part = f"PARTITION BY {', '.join(col(p) for p in self.partition)} " if self.partition else ""
        order = ", ".join(f"{col(c)} {d}" for c, d in self.order)
        return f"{self.function}() OVER ({part}ORDER BY {order})"


def keep_count(t: Ticket) -> int | None:
    """N of 'top 3', 'the 2 largest', 'keep the 10 highest', 'positions 1 to 3', 'keep 2 per category'."""
    text = " ".join(t.words)
    patterns = [
        r"\bpositions? 1 to (\d+)",
        r"\bposition 1 (?:to|-) (\d+)",
        r"\btop (\d+)\b",
        r"\bbottom (\d+)\b",
        r"(?:^|\bthe |[.;] )(\d+) (?:highest|largest|lowest|smallest|biggest|busiest|most|fewest)\b",
        r"\b(?:keep|keeps|keeping) (?:the )?(?:first )?(\d+)\b",
        r"\bthe first (\d+)\b",
        r"\bamong the (\d+) (?:highest|largest|lowest|smallest)\b",
        r"\bthe (\d+) (?:\w+ ){1,2}with the (?:highest|lowest|most|largest|smallest)\b",
    ]
    found = set()
    for p in patterns:
        for m in re.finditer(p, text):
            found.add(int(m.group(1)))
    if len(found) > 1:
        raise ValueError(f"the request names more than one N ({', '.join(map(str, sorted(found)))})")
    if not found:
        return None
    n = found.pop()
    for i, tok in enumerate(t.toks):
        if tok.is_number and int(float(tok.text)) == n:
            t.use(i)
        if tok.text == "1" and t.word(i + 1) == "to":
            t.use(i, i + 1)
    for i, w in enumerate(t.words):
        if w in ("top", "bottom", "first", "keep", "positions", "position"):
            t.use(i)
    return n


def direction_near(t: Ticket, start: int, end: int, default: str) -> str:
    words = t.words[start:end]
    for w in words:
        if w in DESC_WORDS:
            return "DESC"
        if w in ASC_WORDS:
            return "ASC"
    return default


def tie_breaks(t: Ticket, exclude: set[str], resolve) -> list[tuple[str, str]]:  # noqa: ANN001
    """Columns named in a clause about ties, with their direction ('ties to the lower merchant_id')."""
    out: list[tuple[str, str]] = []
    for i, w in enumerate(t.words):
        # 'two transactions at the same latest event_time: take the higher transaction_id': 'same' before
        # the ordering column says which rows tie; the sentence names what breaks the tie
        same = w == "same" and any(resolve(k) in exclude for k in range(i + 1, min(i + 3, len(t.words))))
        if w not in TIE_WORDS and not same:
            continue
        s, e = t.clause_span(i)
        if same:
            s, e = t.sentence_span(i)
            t.use(i, *[k for k in range(i + 1, i + 3) if resolve(k) in exclude or t.words[k] in LATEST | EARLIEST])
        clause = set(t.words[s:e])
        if re.search(KEEP_TIES_PHRASE, " ".join(t.words[s:e])) and not clause & BREAK_TIES:
            # 'so that tied channels are all kept': ties stay (RANK), nothing breaks them
            t.use(*[k for k in range(s, e) if t.words[k] in KEEP_TIES | TIE_WORDS | {"all", "so", "that"}])
            t.use(*[k for k, _ in t.columns_in(s, e)])
            continue
        if w in ("wins", "winning", "resolved", "share") or w == "breaking":
            s2, e2 = t.sentence_span(i)
            s, e = max(s2, s - 12), e2  # the winner may follow a comma: "..., keep the one with the larger x"
        elif not any((n := resolve(k)) and n not in exclude for k in range(s, e)) or t.word(e + 1) == "then":
            # 'if two transactions tie on that time, take the lower transaction_id', 'prefer the larger
            # amount, then the higher transaction_id': the rule goes on after the comma
            e = t.sentence_span(i)[1]
        for k in range(s, e):
            name = resolve(k)
            if (
                name is None
                or name in exclude
                or any(name == c for c, _ in out)
                or POSITION_PARTS & set(name.split("_"))
            ):
                continue
            d = direction_near(t, max(s, k - 3), min(e, k + 3), "ASC")
            t.use(k, i, *[j for j in range(max(s, k - 3), min(e, k + 3)) if t.words[j] in DESC_WORDS | ASC_WORDS])
            t.use(*[j for j in range(s, e) if t.words[j] in TIE_WORDS | {"broken", "by", "to", "go", "keep"}])
            out.append((name, d))
    return out


def window_function(t: Ticket) -> str:
    if "row_number" in t.words:
        t.use(t.words.index("row_number"))
        return "ROW_NUMBER"
    # a 'rank' of a clause already read ('ids not in merchants can't rank') chooses no function
    if any(w == "rank" and i not in t.used for i, w in enumerate(t.words)):
        for i, w in enumerate(t.words):
            if w in ("rank", "ranked", "tied", "ties", "share", "equal"):
                t.use(i)
                if w in ("share", "tied", "equal"):
                    # 'equal amounts share a place': the ranked column, restated
                    s, e = t.clause_span(i)
                    t.use(*[k for k, _ in t.columns_in(s, e)])
        return "RANK"
    return "ROW_NUMBER"


def partition_words(t: Ticket) -> list[int]:
    """Token positions right after 'in each', 'within each', 'for each', 'of each', 'for every', 'per'."""
    strong = []
    weak = []
    for i, w in enumerate(t.words):
        if w in ("each", "every") and t.word(i - 1) in ("in", "within", "for", "of"):
            strong.append(i + 1)
            t.use(i, i - 1)
        elif w == "per":
            weak.append(i + 1)
    return strong or weak


def entity_name(t: Ticket, i: int, resolve) -> str | None:  # noqa: ANN001
    """A column (or the entity of an identifier: 'customer' -> customer_id) at token i."""
    name = resolve(i)
    if name:
        return name
    ent = t.cat.entity_column(t.word(i)) or (t.cat.find([t.word(i)]) if t.toks[i].is_word else None)
    if isinstance(ent, ColumnRef):
        return ent.name
    return None
