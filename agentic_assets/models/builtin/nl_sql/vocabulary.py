"""One word per concept: the synonyms a ticket may use, mapped to the word the readers know.

Readers match words ('latest', 'exclude', 'above', '3'); a ticket says the same thing in many ways
('newest', 'leave out', 'exceeds', 'three'). The tokens keep what was written (`raw`, quoted in a
refusal) and read as the canonical word (`text`). Only words with one meaning in a ticket about
tables are mapped; a word with several ('one row per', 'first collapse replays') is left alone.
"""

from __future__ import annotations

import re

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
    ("filter", "out"): "exclude", ("leaving", "out"): "excluding", ("filtering", "out"): "excluding",
    ("filtered", "out"): "excluded", ("weed", "out"): "exclude",
}  # fmt: skip


UNITS_WORDS = {"one": 1, **NUMBER_WORDS, "thirteen": 13, "fourteen": 14, "sixteen": 16, "seventeen": 17,
               "eighteen": 18, "nineteen": 19}  # fmt: skip
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}


def _compound(words: list[str]) -> tuple[int, int] | None:
    """('one hundred', 'two thousand five hundred', 'twenty five') -> (value, tokens used), when the
    words form a number with a scale or a tens-and-units pair; None for a lone number word."""
    total, current, used, scaled = 0, 0, 0, False
    for w in words:
        w = w.replace("-", " ")
        if w in UNITS_WORDS and (current % 10 == 0 or current >= 100 or current == 0):
            current += UNITS_WORDS[w]
        elif w in TENS and current % 100 == 0:
            current += TENS[w]
        elif w in SCALES and current:
            scaled = True
            if SCALES[w] == 100:
                current *= 100
            else:
                total += current * SCALES[w]
                current = 0
        elif w == "and" and scaled and used + 1 < len(words) and words[used + 1] in {**UNITS_WORDS, **TENS}:
            pass  # 'one hundred and twenty'
        else:
            break
        used += 1
    if used < 2 or not (scaled or any(w in TENS for w in words[:used])):
        return None
    return total + current, used


MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
]  # fmt: skip
MONTH_NUMBERS = {m: i + 1 for i, m in enumerate(MONTHS)}


def _written_date(tokens: list[Token], i: int) -> tuple[str, int] | None:
    """'1 January 2020', 'January 1, 2020', '1st of March 2026' -> ('2020-01-01', tokens used)."""
    words = [t.text for t in tokens[i : i + 5]]
    raws = [t.raw for t in tokens[i : i + 5]]

    def day(k: int) -> int | None:
        w = re.sub(r"(st|nd|rd|th)$", "", words[k]) if k < len(words) else ""
        return int(w) if w.isdigit() and 1 <= int(w) <= 31 else None

    def year(k: int) -> int | None:
        return int(words[k]) if k < len(words) and re.fullmatch(r"(19|20)\d\d", words[k]) else None

    found = None
    if day(0) and len(words) > 2:
        k = 2 if words[1] == "of" else 1
        if k < len(words) and words[k] in MONTH_NUMBERS and raws[k][:1].isupper() and year(k + 1):
            found = (year(k + 1), MONTH_NUMBERS[words[k]], day(0), k + 2)
    elif words[:1] and words[0] in MONTH_NUMBERS and raws[0][:1].isupper() and len(words) > 1 and day(1):
        k = 3 if words[2:3] == [","] else 2
        if year(k):
            found = (year(k), MONTH_NUMBERS[words[0]], day(1), k + 1)
    if found is None:
        return None
    y, m, d, n = found
    return f"{y:04d}-{m:02d}-{d:02d}", n


def canonical(tokens: list[Token]) -> list[Token]:
    """The tokens with every synonym read as its concept word (raw text unchanged); a number written in
    words of several tokens ('one hundred') becomes one number token."""
    merged: list[Token] = []
    i = 0
    while i < len(tokens):
        written = _written_date(tokens, i)
        if written is not None:
            # a date written in words is the ISO date the readers know
            merged.append(
                Token(text=written[0], raw=" ".join(t.raw for t in tokens[i : i + written[1]]), index=len(merged))
            )
            i += written[1]
            continue
        found = _compound([t.text for t in tokens[i : i + 8]]) if tokens[i].text in UNITS_WORDS | TENS else None
        if found is not None:
            value, n = found
            raw = " ".join(t.raw for t in tokens[i : i + n])
            merged.append(Token(text=str(value), raw=raw, index=len(merged)))
            i += n
            continue
        merged.append(Token(text=tokens[i].text, raw=tokens[i].raw, index=len(merged)))
        i += 1
    tokens = merged
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
