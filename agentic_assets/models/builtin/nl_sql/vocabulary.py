"""One word per concept: the synonyms a ticket may use, mapped to the word the readers know.

Readers match words ('latest', 'exclude', 'above', '3'); a ticket says the same thing in many ways
('newest', 'leave out', 'exceeds', 'three'). The tokens keep what was written (`raw`, quoted in a
refusal) and read as the canonical word (`text`). Only words with one meaning in a ticket about
tables are mapped; a word with several ('one row per', 'first collapse replays') is left alone.
"""

from __future__ import annotations

from agentic_assets.models.builtin.text import Token

# concept word <- the ways of saying it
CONCEPTS: dict[str, set[str]] = {
    "latest": {"newest", "freshest"},
    "earliest": {"oldest"},
    "largest": {"greatest"},
    "exclude": {"omit", "discard", "remove", "skip", "eliminate"},
    "excluded": {"omitted", "discarded", "removed", "skipped", "eliminated"},
    "above": {"exceeds", "exceed", "exceeding"},
    "average": {"mean", "averaged"},
    "count": {"tally"},
    "summed": {"totalled", "totaled", "aggregated"},
    "descending": {"desc"},
    "ascending": {"asc"},
}
SYNONYMS = {word: concept for concept, words in CONCEPTS.items() for word in words}

# Numbers in words; 'one' only before a unit, since 'one row per key' and 'one column per channel'
# say how rows are shaped, not a count to keep.
NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}  # fmt: skip
# 'two hundred', 'twenty five': compounds are left as words (and refused where they carry a rule)
COMPOUNDS = {"hundred", "thousand", "million", "one", "three", "four", "five", "six", "seven", "eight", "nine"}
ONE_UNITS = {"decimal", "decimals", "place", "places", "digit", "digits"}
# two-word phrases read as one concept word followed by the second word
PHRASES = {
    ("add", "up"): "sum", ("adds", "up"): "sum", ("added", "up"): "summed", ("other", "than"): "except",
    ("apart", "from"): "except", ("leave", "out"): "exclude", ("leaves", "out"): "exclude",
    ("filter", "out"): "exclude", ("filtered", "out"): "excluded", ("weed", "out"): "exclude",
}  # fmt: skip


def canonical(tokens: list[Token]) -> list[Token]:
    """The tokens with every synonym read as its concept word (raw text unchanged)."""
    out = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
        prev = tokens[i - 1].text if i else ""
        text = tok.text
        if (text, nxt) in PHRASES:
            text = PHRASES[(text, nxt)]
        elif text in SYNONYMS:
            text = SYNONYMS[text]
        elif text in NUMBER_WORDS and not {nxt, prev} & (set(NUMBER_WORDS) | COMPOUNDS):
            text = str(NUMBER_WORDS[text])
        elif text == "one" and nxt in ONE_UNITS:
            text = "1"
        out.append(Token(text=text, raw=tok.raw, index=tok.index))
    return out
