"""Time grains of a ticket: day, ISO week, month, quarter, year, as dates or as text labels.

An output column whose name carries a grain word (day, week, month, quarter, year, hour) and that no
source has is a grain of the time column; the words of its sentence say which form: a label
format ('YYYY-MM', YYYY-Www, 2026-Q1), an integer year, or the first day of the period.
"""

from __future__ import annotations

import re

from agentic_assets.models.builtin.nl_sql.clauses import DAYS, MONTHS, Ticket
from agentic_assets.models.builtin.text import name_tokens

GRAIN_WORDS = ("hour", "day", "date", "week", "month", "quarter", "year")
# label forms this module writes: 2026-Q1, 2026-W07, 2026-03, and dates
LABELS = r"\d{4}-(q[1-4]|w\d{2}|\d{2}|\d{2}-\d{2})"
# aggregate words of the measures' reader, as they appear in a ticket
AGGREGATE_WORDS = {"sum", "summed", "total", "totals", "count", "number", "average", "avg", "mean", "smallest",
                   "minimum", "min", "lowest", "largest", "maximum", "max", "highest"}  # fmt: skip
AGGREGATE_PARTS = {"total", "sum", "count", "avg", "average", "min", "max", "mean", "n"}
ADJECTIVES = {"hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter",
              "yearly": "year", "annual": "year"}  # fmt: skip
# Words of a sentence that describe a grain's form, used when the sentence says how a grain is shown.
FORM_WORDS = {
    "label", "labelled", "labeled", "text", "form", "like", "example", "iso", "first", "calendar", "integer",
    "starting", "monday", "number", "date", "start", "yyyy-mm", "yyyy-www", "'yyyy-mm'",
}  # fmt: skip


# the words right before a grain word that state the rows' grain ('per month', 'rolled up to the quarter')
GRAIN_LEADS = {"per", "by", "each", "every", "calendar", "the"}


def stated_grains(ticket: Ticket) -> list[tuple[int, str]]:
    """Where the ticket states the grain of its rows: 'monthly', 'month-level', 'per calendar month',
    'by month of order_date', 'rolled up to the quarter'. 'The first day of the month' describes a form."""
    out = []
    for i, w in enumerate(ticket.words):
        grain = ADJECTIVES.get(w) or (w[: -len("-level")] if w.endswith("-level") else None)
        led = w in GRAIN_WORDS and w != "date" and ticket.word(i - 1) in GRAIN_LEADS
        # 'the quarter' states a grain only after 'to' or 'by' ('rolled up to the quarter')
        if grain is None and led and (ticket.word(i - 1) != "the" or ticket.word(i - 2) in ("to", "by", "per")):
            grain = w
        if grain in GRAIN_WORDS:
            out.append((i, "day" if grain == "date" else grain))
    return out


def week_start_days(ticket: Ticket) -> list[str]:
    """The days named in a sentence that says when weeks start ('a team whose weeks start on Sunday')."""
    out: list[str] = []
    i = 0
    while i < len(ticket.toks):
        s, e = ticket.sentence_span(i)
        words = ticket.words[s:e]
        if {"week", "weeks"} & set(words) and {"start", "starts", "starting", "begin", "begins"} & set(words):
            out += [w for w in words if w in DAYS]
            ticket.use(*[k for k in range(s, e) if ticket.words[k] in DAYS])
        i = e + 1
    return out


def grain_of(name: str) -> str | None:
    parts = name_tokens(name)
    if set(parts) & AGGREGATE_PARTS:
        return None  # 'day_total', 'month_count': an aggregate per period, not the period
    hits = [g for g in GRAIN_WORDS if g in parts]
    return hits[0] if len(hits) == 1 else None


def grain_in_words(ticket: Ticket, mention: int, time_name: str, others: set[str]) -> str | None:
    """'the month of signup_date formatted as text in signup_label': a name without a grain word is a
    grain when the words before it in its clause (back to another output name) name one grain and
    the time column."""
    if ticket.word(mention + 1) in ("is", "holds", "shows") and ticket.word(mention - 1) not in ("in", "into", "as"):
        # 'the period is the first day of the month of placed_at': the clause after the name defines it
        _, end = ticket.clause_span(mention)
        words = ticket.words[mention + 1 : end]
        if any(w in others for w in words):
            return None
    elif ticket.word(mention - 1) not in ("in", "into", "as", "column", "called", "named"):
        return None  # the words before define it only when they lead into its name
    else:
        start, _ = ticket.sentence_span(mention)
        for k in range(mention - 1, start - 1, -1):
            if ticket.words[k] in others:
                start = k + 1
                break
        words = ticket.words[start:mention]
    if time_name not in words or set(words) & AGGREGATE_WORDS:
        return None  # 'the total amount per month of placed_at as x' is a measure, not a grain
    hits = {ADJECTIVES.get(w, w) for w in words if w in GRAIN_WORDS or w in ADJECTIVES} - {"date"}
    if not hits and "date" in words:
        hits = {"day"}  # 'the period is the calendar date of event_time'
    # 'the first day of the month' is the month's first day, not a day grain
    if re.search(r"\bday of (?:the |its |each )?(week|month|quarter|year)\b", " ".join(words)):
        hits.discard("day")
    return hits.pop() if len(hits) == 1 else None


def grain_expr(ticket: Ticket, name: str, time_col: str, mention: int | None, grain: str | None = None) -> str:
    """The SQL of grain column `name` over `time_col`, reading its form from the sentence that names it."""
    grain = grain or grain_of(name)
    if mention is not None:
        start, end = ticket.sentence_span(mention)
    else:
        start, end = 0, len(ticket.toks)
    sentence_words = ticket.words[start:end]
    text = " ".join(t.raw for t in ticket.toks[start:end]).lower()
    labelled = "label" in name_tokens(name) or any(
        w in ("label", "labelled", "labeled", "text") for w in sentence_words
    )
    # Words describing the form (and the example they give) are part of the grain.
    for i in range(start, end):
        tok = ticket.toks[i]
        if tok.text in FORM_WORDS or re.fullmatch(r"'?y{4}-[a-z]+'?", tok.text) or tok.text in GRAIN_WORDS:
            ticket.use(i)
        if tok.text in ("example", "like") or (tok.is_quoted and "yyyy" in tok.text):
            # '(for example 2026-W05)', 'labelled like 2026-Q1': the example is not a filter
            ticket.use(*range(i, ticket.clause_span(i)[1]))
            if tok.text == "like":
                ticket.use(*range(i, min(i + 4, len(ticket.toks))))
    # an example label the formats below do not write ('Q1 2026', '03/2026') is refused, not reformatted
    examples = re.findall(r"(?<![\w/-])(?=[\w/-]*\d)(?=[\w/-]*[a-z/])[\w/-]+", ticket.request.description.lower())
    odd = [x for x in examples if "_" not in x and not re.fullmatch(LABELS, x)]
    # a format written as a pattern ('Mon YYYY', 'MM/YYYY') that is not one of the forms below
    odd += [
        tok.raw
        for tok in ticket.toks[start:end]
        if tok.is_quoted and "yyyy" in tok.text and not re.fullmatch(r"'?yyyy-(mm|www|qn|q\d|mm-dd)'?", tok.text)
    ]
    if odd:
        raise ValueError(f"cannot tell the label format of {name} from {', '.join(odd)}")
    if "fiscal" in sentence_words or "fiscal" in name_tokens(name):
        return fiscal_expr(ticket, name, time_col, grain, start, end)
    named_days = [w for w in sentence_words if w in DAYS] or (week_start_days(ticket) if grain == "week" else [])
    start_day = next((d for d in named_days if d != "monday"), None)
    if grain == "week" and start_day is not None:
        if len(set(named_days)) > 1 or labelled or "number" in sentence_words or "iso" in sentence_words:
            raise ValueError(f"{name}: weeks that start on {start_day} have no ISO label or number")
        ticket.use(*[i for i in range(start, end) if ticket.words[i] in DAYS or ticket.words[i] in ("start", "starts")])
        # shift the day the week starts on to a Monday, truncate to the ISO week, shift back
        shift = (8 - (DAYS[start_day] or 7)) % 7
        return f"CAST(date_trunc('week', {time_col} + INTERVAL {shift} DAY) - INTERVAL {shift} DAY AS DATE)"
    clause = ticket.words[slice(*ticket.clause_span(mention))] if mention is not None else sentence_words
    as_number = "integer" in clause or any(
        w == "number" and ticket.word(i + 1) != "of" for i, w in enumerate(clause) if w == "number"
    )
    if as_number and grain == "hour":
        return f"hour({time_col})"  # 'the hour of day as an integer'
    if as_number and grain in ("day", "date"):
        raise ValueError(f"{name}: a day as a number is the day of the month or of the week; say which")
    if grain == "month" and re.search(r"\blast day of\b", text):
        return f"last_day({time_col})"  # 'the last day of the month'
    if re.search(r"\blast day of\b", text):
        raise ValueError(f"{name}: the last day of a {grain} is not a form this planner writes")
    if as_number and grain in ("week", "month", "quarter"):
        # 'the ISO week number', 'the month as an integer': the period's number within its year
        return f"{'week' if grain == 'week' else grain}({time_col})"
    if grain == "week" and (labelled or "yyyy-www" in text or "iso year and week" in text):
        return f"strftime({time_col}, '%G-W%V')"
    if labelled and not re.search(r"yyyy|\d{4} ?- ?[qw]?\d", text):
        raise ValueError(f"{name}: a text label with no format or example ('YYYY-MM', 2026-Q1)")
    if grain == "month" and (labelled or "yyyy-mm" in text):
        return f"strftime({time_col}, '%Y-%m')"
    if grain == "quarter" and (labelled or re.search(r"\d{4}-q\d", text)):
        return f"strftime({time_col}, '%Y') || '-Q' || CAST(quarter({time_col}) AS VARCHAR)"
    if grain == "year" and ("integer" in sentence_words or "number" in sentence_words):
        return f"year({time_col})"
    if grain in ("day", "date"):
        return f"CAST({time_col} AS DATE)"
    if grain == "hour":
        return f"date_trunc('hour', {time_col})"
    if labelled:
        raise ValueError(f"cannot tell the label format of {name}")
    return f"CAST(date_trunc('{grain}', {time_col}) AS DATE)"


# 'the fiscal year starts in April', 'a fiscal year begins on 1 July'
FISCAL_START = (
    r"fiscal years? (?:starts?|begins?|starting|beginning|runs? from) (?:on |in )?"
    r"(?:(?:1|1st|the first)(?: of)? )?(\w+)"
)
# 'named after the year it ends in', 'labelled by the calendar year in which it starts'
FISCAL_NAMING = (
    r"(?:named|labelled|labeled|called|numbered) (?:after|by|for) the (?:calendar )?year (?:in which )?it "
    r"(ends|starts|begins)"
)


def fiscal_expr(ticket: Ticket, name: str, time_col: str, grain: str | None, start: int, end: int) -> str:
    """A fiscal year as an integer, when the ticket defines it: the month it starts in and the year it is
    named after. Anything less (or a fiscal quarter, month or week) is refused, never read as calendar."""
    text = " ".join(ticket.words)
    first = re.search(FISCAL_START, text)
    naming = re.search(FISCAL_NAMING, text)
    month = MONTHS.index(first.group(1)) + 1 if first and first.group(1) in MONTHS else None
    words = ticket.words[start:end]
    if (
        grain == "quarter"
        and month is not None
        and "label" not in name_tokens(name)
        and ("number" in words or "integer" in words)
    ):
        # the fiscal quarter's number (1 to 4) needs only the month the year starts in, not how years are named
        a = len(text[: first.start()].split())
        ticket.use(*range(a, a + len(first.group(0).split())))
        ticket.use(*[i for i in range(start, end) if ticket.words[i] in ("fiscal", "quarter", "number", "integer")])
        # 'so April to June is fiscal quarter 1': the first quarter restated
        last = MONTHS[(month + 1) % 12]
        m = re.search(rf"\b{MONTHS[month - 1]} (?:to|through|until) {last} (?:is|are|make|makes|form|forms) (?:the )?"
                      r"(?:fiscal )?(?:quarter 1|q1|first (?:fiscal )?quarter)\b", text)  # fmt: skip
        if m:
            a = len(text[: m.start()].split())
            ticket.use(*range(a, a + len(m.group(0).split())))
        return f"quarter({time_col} - INTERVAL {month - 1} MONTH)"
    if grain != "year" or month is None or naming is None:
        raise ValueError(
            f"{name}: a fiscal {grain or 'period'} is not defined (say the month the fiscal year starts in "
            "and whether it is named after the year it starts or ends in)"
        )
    for m in (first, naming):
        a = len(text[: m.start()].split())
        ticket.use(*range(a, a + len(m.group(0).split())))
    ticket.use(*[i for i in range(start, end) if ticket.words[i] in ("fiscal", "year", "integer", "number")])
    if month == 1:
        return f"year({time_col})"
    if naming.group(1) == "ends":
        return f"year({time_col} + INTERVAL {13 - month} MONTH)"
    return f"year({time_col} - INTERVAL {month - 1} MONTH)"
