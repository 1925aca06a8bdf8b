"""Words: tokens with positions, singular forms, numbers; small and predictable on purpose."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A quote opens a quoted value only where no letter stands before it: the apostrophe of "can't" or of
# "customers' names" is part of a word. 'customers.country' (lower case on both sides of the dot, as
# a name is written) is one qualified name, not the end of a sentence.
_TOKEN = re.compile(
    r"(?<![A-Za-z])'[^']*'|[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*(?![\w.])|\"[^\"]*\"|\d{4}-\d{2}-\d{2}|-?\d+(?:\.\d+)?|[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z][A-Za-z0-9_]*)*(?:'s)?|[,;:.()>=<!-]+"
)

# Common abbreviations used in column names for counted things.
ABBREVIATIONS = {"transaction": "txn", "quantity": "qty", "message": "msg"}
STOP = {"the", "a", "an", "of", "their", "its", "his", "her", "each", "every", "all", "with", "for", "in", "on", "to"}


@dataclass(frozen=True)
class Token:
    text: str  # lower case, possessive stripped
    raw: str
    index: int

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalpha()

    @property
    def is_number(self) -> bool:
        return bool(re.fullmatch(r"-?\d+(?:\.\d+)?", self.text))

    @property
    def is_quoted(self) -> bool:
        return self.raw[:1] in ("'", '"')

    @property
    def unquoted(self) -> str:
        return self.raw[1:-1] if self.is_quoted else self.raw


# "isn't", "can't", "won't": the negation is a word of its own ('not'), as the readers expect it
_CONTRACTION = re.compile(r"\b(?:(can)'t|(won)'t|(\w+)n't)\b", re.IGNORECASE)


def _expand(m: re.Match) -> str:
    if m.group(1):
        return m.group(1) + " not"
    if m.group(2):
        return "will not"
    return m.group(3) + " not"


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    text = _CONTRACTION.sub(_expand, text)
    # 'i.e.' and 'e.g.' end no sentence
    text = re.sub(r"\bi\.e\.,?", "that is", re.sub(r"\be\.g\.,?", "for example", text, flags=re.I), flags=re.I)
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        low = raw.lower()
        if low.endswith("'s") and not raw.startswith("'"):
            low = low[:-2]
            raw = raw[:-2]
        out.append(Token(text=low, raw=raw, index=len(out)))
    return out


def singular(word: str) -> str:
    w = word.lower()
    if len(w) <= 3 or w.endswith(("ss", "us", "is")):
        return w
    if w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "xes", "sses")):
        return w[:-2]
    if w.endswith("s"):
        return w[:-1]
    return w


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def abbreviate(word: str) -> str:
    return ABBREVIATIONS.get(word, word)


def name_tokens(column: str) -> list[str]:
    return [t for t in column.lower().split("_") if t]
