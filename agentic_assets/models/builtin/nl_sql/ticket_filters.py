"""Filters stated in a ticket: value sets ('not atm or online'), numeric ranges ('between 50 and 200',
'a positive amount'), nulls ('rows without a customer_id are dropped'), date windows ('from 2026-03-01
up to but not including 2026-04-01'), weekdays ('on a Saturday or a Sunday', 'Monday to Friday') and
membership in another source ('a merchant_id that exists in merchants').

Each reader returns SQL conditions over column expressions given by `col` and marks the words it used.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agentic_assets.models.builtin.nl_sql.clauses import DAYS, MONTHS, Ticket
from agentic_assets.models.builtin.nl_sql.ticket_polarity import drops, excluded, negated_beside
from agentic_assets.models.builtin.nl_sql.words import literal
from agentic_assets.models.builtin.schema_match import ColumnRef
from agentic_assets.models.builtin.text import singular

ColumnSql = Callable[[ColumnRef], str]
NEGATING = {"not", "neither", "nor", "except", "excluding", "outside"}
DROPPING = {"dropped", "excluded", "ignored", "out", "removed", "drop", "ignore", "ignoring", "exclude"}
MISSING = {"missing", "null", "empty", "absent", "blank", "unset"}


def value_filters(t: Ticket, col: ColumnSql, skip: set[int]) -> list[str]:
    """Sample values named in the text, per column, kept or (after a negation) excluded."""
    groups: dict[tuple[str, str, bool], list] = {}
    matches = t.cat.value_matches(t.toks)
    for v in matches:
        if any(i in skip or i in t.used for i in v.tokens):
            continue
        first = v.tokens[0]
        s0, e0 = t.sentence_span(first)
        c0, c1 = t.clause_span(first)
        if (
            (
                re.search(DEFAULT_FOR_NONE, " ".join(t.words[s0:e0]))
                or re.search(DEFAULT_FOR_NONE, " ".join(t.words[c0:c1]))
            )
            and any(w in ("never", "no", "without", "none") for w in t.words[c0:first])
            and any(o.value == v.value and o.tokens[0] < c0 for o in matches)
        ):
            # 'the total ATM amount; merchants that never saw an ATM transaction show 0': the rows with
            # none of the value get the default; the value restates the measure's filter
            t.use(*v.tokens, *[k for k in range(s0, first) if t.words[k] in ("never", "no", "without", "none")])
            continue
        if (t.word(v.tokens[-1] + 1) == "by" and t.in_tie_sentence(first)) or t.word(first - 1) == "tie":
            t.use(*v.tokens)  # 'a tie is settled by the lower id': a verb that shares its spelling with a value
            continue
        start, end = t.clause_span(first)
        # 'status is neither pending nor reversed', 'pending and reversed rows are left out', 'anything that
        # is not settled is dropped' (two negations: the settled rows stay)
        local = negated_beside(t, first)
        negated = excluded(t, first, v.tokens[-1] + 1, bool(local))
        groups.setdefault((v.ref.table, v.ref.name, negated), []).append(v)
        t.use(*v.tokens, *local)
        # 'sum amount over settled rows', 'across all online rows': the rows the filter keeps
        lead = first - 2 if t.word(first - 1) in ("the", "all") else first - 1
        if t.word(lead) in ("over", "across", "among"):
            t.use(*range(lead, first))
        for k in range(max(start, first - 6), first):
            if t.words[k] in ("is", "or", "and"):
                t.use(k)
    out = []
    for (_, _, negated), matches in groups.items():
        ref = matches[0].ref
        # the column named beside its values ('the atm channel', 'status is') is part of the filter
        for m in matches:
            s, e = t.clause_span(m.tokens[0])
            for i, r in t.columns_in(s, e):
                if r.name == ref.name:
                    t.use(i)
        values = sorted({m.value for m in matches})
        if len(values) == 1:
            out.append(f"{col(ref)} {'<>' if negated else '='} {literal(values[0])}")
        else:
            out.append(f"{col(ref)} {'NOT IN' if negated else 'IN'} ({', '.join(literal(v) for v in values)})")
    return out


# the words after which a comparison with no column before it sizes the one measure
SIZE_LEADS = {"of", "for", "worth", "("}
# a default for the groups that have no rows ('show 0', 'get 0', 'with 0', 'as 0', '0 when')
DEFAULT_FOR_NONE = (
    r"\b(?:show|shows|get|gets|with|as|stay|stays|read|reads|be) (?:0|zero|null)\b|\b(?:0|zero|null) (?:when|if|for)\b"
)
_NUM = r"(-?\d+(?:\.\d+)?)"
# the verb that links a column to its comparison: 'amount is', 'amount lies between', 'amounts of'
_BE = r"(?:(?:is|are|was|were|lies|lie|falls|fall|sits|that|which|of|must|should|has|have|needs|to|be|strictly) )*"
# (pattern over the words after a numeric column, operator or a template with two numbers)
_COMPARISONS: list[tuple[str, str]] = [
    (rf"^{_BE}between {_NUM} and {_NUM}", "BETWEEN"),
    (rf"^{_BE}(?:from )?{_NUM} to {_NUM}", "BETWEEN"),
    (rf"^{_BE}not negative", ">= 0"),
    (rf"^{_BE}(?:zero or negative|zero or (?:below|less|lower)|non-positive|not positive)", "<= 0"),
    (rf"^{_BE}(?:below|less than|under) zero", "< 0"),
    (rf"^{_BE}negative\b", "< 0"),
    (rf"^{_BE}positive\b", "> 0"),
    (rf"^{_BE}(?:greater than|above|more than|over) zero", "> 0"),
    (rf"^{_BE}(?:less than or equal to|at or below|not more than) {_NUM}", "<="),
    (rf"^{_BE}(?:greater than or equal to|more than or equal to|at or above|not less than) {_NUM}", ">="),
    (rf"^{_BE}(?:not above|at most|no more than|up to) {_NUM}", "<="),
    (rf"^{_BE}(?:at least|no less than) {_NUM}", ">="),
    (rf"^{_BE}{_NUM} or (?:more|above|greater|higher)", ">="),
    (rf"^{_BE}{_NUM} or (?:less|below|lower)", "<="),
    (rf"^{_BE}(?:above|greater than|more than|over|exceeding) {_NUM}", ">"),
    (rf"^{_BE}(?:below|less than|under) {_NUM}", "<"),
    (rf"^{_BE}exactly {_NUM}", "="),
    (rf"^{_BE}(?:exactly )?zero\b", "= 0"),
    (rf"^is {_NUM}\b", "="),
]


# a word naming rows whose one measure is 0 ('the zero-value test authorisations')
ZERO_WORDS = {"zero-value", "zero-amount", "zero-valued"}


def comparison_filters(t: Ticket, col: ColumnSql, default: ColumnRef | None, skip: set[int]) -> list[str]:
    out = []
    last_dropped: list[bool | None] = [None]  # whether the last sign condition read was dropped
    for i, tok in enumerate(t.toks):
        if i in skip:
            continue
        ref = t.column_at(i)
        if ref is not None and ref.column.is_numeric and not ref.column.is_identifier:
            sql = _comparison_after(t, i, ref, col)
            if sql:
                out.append(sql)
                continue
            # 'a positive amount', 'a negative amount'
            prev = t.word(i - 1)
            # 'its most negative amount' is a superlative (the smallest), not the sign of the rows kept
            superlative = t.word(i - 2) in ("most", "least", "more", "less")
            if prev in ("positive", "negative") and i - 1 not in t.used and not superlative:
                t.use(i - 1, i)
                cond = f"{col(ref)} {'> 0' if prev == 'positive' else '< 0'}"
                # 'leave out refunds (negative amounts)': the verb before the parenthesis governs it
                inside = t.word(i - 2) == "(" and t.word(i + 1) == ")"
                dropped = drops(t, i - 3, i - 2) if inside else drops(t, i - 1, i + 1)
                if inside:
                    t.use(i - 2, i + 1)
                out.append(f"NOT ({cond})" if dropped else cond)
                last_dropped[0] = dropped
        elif tok.text in ZERO_WORDS and default is not None and i not in t.used:
            # 'as well as the zero-value test authorisations': rows whose one measure is 0; after 'as well
            # as' or 'and' the verb of the clause before still governs
            s, e = t.clause_span(i)
            carried = " ".join(t.words[s:i]).startswith(("as well as", "and", "nor", "or"))
            dropped = drops(t, i, i + 1) or (carried and last_dropped[0])
            if carried and last_dropped[0] is None:
                continue
            t.use(i, *[k for k in range(s, i) if t.words[k] in ("as", "well", "and", "nor", "or")])
            cond = f"{col(default)} = 0"
            out.append(f"NOT ({cond})" if dropped else cond)
        elif tok.text in SIZE_LEADS and default is not None and t.column_at(i - 1) is None and i not in t.used:
            if tok.text == "(" and ")" in t.words[i:] and t.columns_in(i, t.words.index(")", i)):
                continue  # '(negative amounts)': a column named inside is read with its column
            # 'a status other than settled, of at least 100', 'for more than 100 (strictly above 100)': the
            # one measure, named by its size; a number followed by a unit word counts something else
            # ('for more than 3 days')
            before = set(t.used)
            sql = _comparison_after(t, i, default, col)
            numbers = [k for k in range(i, len(t.toks)) if k in t.used and k not in before and t.toks[k].is_number]
            unit = bool(numbers) and t.toks[numbers[-1] + 1 : numbers[-1] + 2] and t.toks[numbers[-1] + 1].is_word
            if sql and re.search(r"\d", sql) and not (unit and tok.text != "of"):
                if sql not in out:
                    out.append(sql)
                if tok.text in ("(", "for"):
                    t.use(i)
            elif sql:
                t.used = before
        elif tok.text == "zero" and t.word(i + 1) == "and" and t.word(i + 2) == "negative" and default is not None:
            # 'zero and negative rows are ignored'
            s, e = t.clause_span(i)
            words = set(t.words[i:e])
            if words & DROPPING or "dropped" in t.words[s:e]:
                t.use(*[k for k in range(i, e) if t.words[k] in DROPPING or k <= i + 3 or t.column_at(k)])
                out.append(f"{col(default)} > 0")
    return out


def _comparison_after(t: Ticket, i: int, ref: ColumnRef, col: ColumnSql) -> str | None:
    # '(strictly above 100)': a parenthesis is its own clause
    s, e = t.clause_span(i + 1 if t.word(i) == "(" else i)
    # two comparisons joined by 'and' ('less than or equal to 10 and greater than 0') fit in 16 tokens
    after = t.toks[i + 1 : min(e, i + 17)]
    # 'amount is greater than zero and not above 5000': read each 'and'-joined comparison
    text = " ".join(tok.text for tok in after)
    conds = []
    used = 0
    pos = 0
    while True:
        rest = text[pos:].lstrip()
        offset = len(text) - len(text[pos:].lstrip())
        found = None
        for pattern, op in _COMPARISONS:
            m = re.match(pattern, rest)
            if m:
                found = (m, op)
                break
        if not found:
            break
        m, op = found
        if op == "BETWEEN":
            conds.append(f"{col(ref)} BETWEEN {m.group(1)} AND {m.group(2)}")
        elif op[0] in "<>=" and op.endswith("0") and not m.groups():
            conds.append(f"{col(ref)} {op}")
        else:
            conds.append(f"{col(ref)} {op} {m.group(1)}")
        pos = offset + m.end()
        used = len(text[:pos].split())
        nxt = text[pos:].lstrip()
        if nxt.startswith("and "):
            pos += len(text[pos:]) - len(nxt) + 4
            continue
        break
    if not conds:
        return None
    # 'both ends included', 'inclusive' say what BETWEEN already means
    k = i + 1 + used
    while t.word(k) in ("both", "ends", "included", "inclusive", ",") and k < e + 4:
        k += 1
    t.use(i, *range(i + 1, k))
    sql = " AND ".join(conds)
    # 'exclude amounts of zero or below', 'rows whose amount is negative are dropped'
    return f"NOT ({sql})" if drops(t, i, k) else sql


def null_filters(t: Ticket, col: ColumnSql, skip: set[int]) -> list[str]:
    out = []
    for i in range(len(t.toks)):
        if i in skip:
            continue
        prev = [t.word(i - k) for k in (1, 2, 3)]
        ref = t.column_at(i)
        if ref is None and ("without" in prev[:2] or "no" in prev[:2]) and t.toks[i].is_word:
            # 'merchants without a category': the one column that word names (merchant_category)
            ref = t.cat.find([t.words[i]], tables=[t.cat.main.name])
        if ref is not None and ("without" in prev[:2] or "no" in prev[:2]):
            # 'customers without a country', 'merchants with no category': the column of the entity named
            lead = next(k for k in (1, 2) if t.word(i - k) in ("without", "no"))
            owner = t.cat.is_table_entity(singular(t.word(i - lead - 1)))
            if owner is None and t.word(i - lead - 1) == "with":
                owner = t.cat.is_table_entity(singular(t.word(i - lead - 2)))
            if owner is not None and owner != ref.table:
                ref = t.cat.find([t.words[i]], tables=[owner]) or ref
        if ref is None:
            continue
        s, e = t.sentence_span(i)
        sentence = set(t.words[s:e])
        if t.word(i + 1) in ("is", "are") and t.word(i + 2) in MISSING | {"not"} and t.word(i + 3) != "null":
            # 'whose customer_id is missing ... are dropped', 'customer_id is not empty'
            local = t.word(i + 2) == "not"
            k = i + 3 if local else i + 2
            relative = t.word(i - 1) in ("whose", "where", "if") or t.word(i - 2) in ("whose", "where")
            if t.word(k) in MISSING and (relative or drops(t, i, k + 1, mark=False)):
                t.use(i, i + 1, i + 2, k)
                out.append(f"{col(ref)} {'IS NOT NULL' if excluded(t, i, k + 1, local) else 'IS NULL'}")
                continue
        if (
            t.word(i + 1) == "is"
            and t.word(i + 2) in ("present", "set")
            or (t.word(i + 1) == "is" and t.word(i + 2) == "not" and t.word(i + 3) == "null")
        ):
            t.use(i, i + 1, i + 2, i + 3 if t.word(i + 3) == "null" else i + 2)
            out.append(f"{col(ref)} IS NOT NULL")
        elif (
            ("without" in prev[:2] or "no" in prev[:2])
            and sentence & (DROPPING | {"not", "drop", "do", "ignoring", "dropped"})
            # 'rows with no customer_id, or whose customer_id is not in customers, go into 'unmatched'': a
            # default for them, not a filter, unless a verb drops them
            and not (any(t.toks[k].is_quoted for k in range(s, e)) and not sentence & DROPPING)
        ):
            # 'rows without a customer_id are dropped', 'ignoring rows without a customer_id'
            t.use(i, *[i - k for k in (1, 2, 3) if t.word(i - k) in ("without", "no", "a", "an", "rows", "row")])
            t.use(*[k for k in range(s, e) if t.words[k] in DROPPING | {"not"}])
            out.append(f"{col(ref)} IS NOT NULL")
        elif (
            prev[0] in ("a", "an")
            and prev[1] in ("have", "has", "with", "and")
            and (not ref.column.is_numeric or ref.column.is_identifier)
            # 'with a customer_id that is not in customers': the relative clause is the condition
            and t.word(i + 1) not in ("that", "which", "whose")
        ):
            t.use(i, i - 1)
            out.append(f"{col(ref)} IS NOT NULL")
    return out


def explicit_dates(t: Ticket) -> list[int]:
    """Positions of ISO dates ('2026-03-01') in the ticket."""
    return [i for i, tok in enumerate(t.toks) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", tok.text)]


def date_filters(t: Ticket, col: ColumnSql, time_ref: ColumnRef | None) -> list[str]:
    out = []
    dates = explicit_dates(t)
    if not dates:
        return out
    if time_ref is None:
        raise ValueError("a date is given but there is no single time column")
    for i in dates:
        before = " ".join(t.words[max(0, i - 6) : i])
        if re.search(r"up to but not including$|before$|until$|and before$|not including$", before):
            op = "<"
        elif re.search(r"on or after$|from$|since$|starting$", before):
            op = ">="
        elif re.search(r"after$", before):
            op = ">"
        elif re.search(r"on or before$|up to$|to$", before):
            op = "<="
        else:
            raise ValueError(f"cannot tell how the date {t.toks[i].raw} limits the rows")
        k = i - 1
        while k >= 0 and t.words[k] in ("up", "to", "but", "not", "including", "before", "on", "or", "after", "from",
                                         "since", "until", "starting", "and"):  # fmt: skip
            t.use(k)
            k -= 1
        t.use(i)
        out.append(f"{col(time_ref)} {op} TIMESTAMP {literal(t.toks[i].text)}")
    # 'March 2026 contactless payments', 'Refunds since June': a restatement of the explicit window
    for i, w in enumerate(t.words):
        if w in MONTHS:
            t.use(i)
            if t.toks[i + 1 : i + 2] and t.toks[i + 1].is_number:
                t.use(i + 1)
            if t.word(i - 1) in ("since", "from", "in", "until", "before", "after"):
                t.use(i - 1)
    if time_ref is not None:
        for i, ref in t.columns_in(0, len(t.toks)):
            if ref.name == time_ref.name and any(abs(i - d) <= 8 for d in dates):
                t.use(i)
    return out


def weekday_filters(t: Ticket, col: ColumnSql, time_ref: ColumnRef | None) -> list[str]:
    named = [i for i, w in enumerate(t.words) if w in DAYS or singular(w) in ("weekend", "weekday")]

    # 'the ISO week starting on Monday', 'the date of that Monday': a week's first day, not a filter
    def week_start(i: int) -> bool:
        sentence = t.words[slice(*t.sentence_span(i))]
        weeks = {"week", "weeks", "weekly", "iso"}
        starts = {"starting", "starts", "start", "that", "begins", "begin"}
        if not any(w in weeks or w.startswith("week_") for w in sentence):
            return False
        # 'the date of its Monday', 'the Monday the week starts on'
        return bool(starts & set(sentence)) or t.word(i - 1) in ("its", "that", "whose")

    named = [i for i in named if not week_start(i)]
    if not named:
        return []
    if time_ref is None:
        raise ValueError("a weekday is named but there is no single time column")
    t.use(*named)
    words = t.words
    weekdays = "weekday" in {singular(w) for w in words} or (t.find("monday", "to", "friday") is not None)
    for i in named:
        s, e = t.clause_span(i)
        t.use(*[k for k in range(s, e) if t.words[k] in DROPPING | {"or", "a", "to", "on", "only"}])
        t.use(*[k for k, r in t.columns_in(s, e) if r.name == time_ref.name])
    k = t.find("monday", "to", "friday")
    if k is not None:
        t.use(k + 1)
    day = f"dayofweek({col(time_ref)})"
    if weekdays:
        return [f"{day} BETWEEN 1 AND 5"]
    days = sorted({DAYS[w] for w in words if w in DAYS} | ({0, 6} if "weekend" in words else set()))
    return [f"{day} = {days[0]}" if len(days) == 1 else f"{day} IN ({', '.join(map(str, days))})"]


def membership_filters(t: Ticket, col: ColumnSql, used_tables: set[str]) -> list[str]:
    """'a merchant_id that exists in merchants', 'whose customer_id exists in customers'."""
    out = []
    for i in range(len(t.toks)):
        ref = t.column_at(i)
        if ref is None and t.toks[i].is_word:
            # 'the customer is in customers': the main source's identifier of that entity
            ent = t.cat.entity_column(t.words[i])
            ref = ent if ent is not None and ent.table == t.cat.main.name else None
        if ref is None or not ref.column.is_identifier:
            continue
        window = t.words[i + 1 : i + 6]
        text = " ".join(window)
        m = re.match(r"(?:that |which )?(?:exists|is found|is known|known|found|is) in (\w+)", text)
        if not m or " not " in f" {text[: m.end()]} ":
            continue
        table = next((tb.name for tb in t.request.tables if tb.name == m.group(1)), None)
        if table is None or table == t.cat.main.name:
            continue
        n = len(text[: m.end()].split())
        t.use(i, *range(i + 1, i + 1 + n))
        used_tables.add(table)
        out.append(f"{col(ref)} IN (SELECT {ref.name} FROM {table})")
    return out


def contradiction(conds: list[str]) -> str | None:
    """A column kept at a value and kept off it ('channel = 'atm'' and 'channel <> 'atm''): two readings
    of the words that cannot both hold, so one of them is a misreading."""
    kept: dict[str, set[str]] = {}
    dropped: dict[str, set[str]] = {}
    for cond in conds:
        m = re.fullmatch(r"(\S+) (=|<>|IN|NOT IN) \(?(.+?)\)?", cond)
        if m is None:
            continue
        values = set(re.findall(r"'(?:[^']|'')*'", m.group(3)))
        target = kept if m.group(2) in ("=", "IN") else dropped
        target.setdefault(m.group(1), set()).update(values)
    for column, values in kept.items():
        if values and values <= dropped.get(column, set()):
            return column
    return None


# 'X is not Y', 'X differs from Y', 'X is the same as Y': two columns of different sources compared
COLUMN_RELATIONS = [
    (
        r"(?:is|are) not(?: the same as| equal to)?|differs? from|(?:is|are) different from|do(?:es)? not match",
        "<>",
    ),
    (r"(?:is|are) the same as|equals?|matches|match|(?:is|are) equal to", "="),
]


def column_comparisons(t: Ticket, col: ColumnSql) -> list[str]:
    """'where the transaction's country differs from the customer's country', 'the customer's home country
    is not the merchant's country': a column compared with a column of another source."""
    out = []
    for i in range(len(t.toks)):
        left = t.column_at(i)
        if left is None or i in t.used:
            continue
        s, e = t.clause_span(i)
        rest = " ".join(t.words[i + 1 : e])
        for pattern, op in COLUMN_RELATIONS:
            m = re.match(rf"(?:{pattern}) (?:that of )?(?:the |their |its )?", rest)
            if m is None:
                continue
            k = i + 1 + len(rest[: m.end()].split())
            # the other column: within the next three words ('the merchant's country', 'the customer's own country')
            right = next(
                ((j, r) for j in range(k, min(k + 3, e)) if (r := t.column_at(j)) is not None and r.name == left.name),
                None,
            )
            if right is None or right[1].table == left.table:
                break
            j, ref = right
            t.use(*range(i, j + 1))
            # the owners named before the first column ('the transaction's country')
            t.use(*[q for q in (i - 1, i - 2) if t.cat.is_table_entity(singular(t.word(q)))])
            out.append(f"{col(left)} {op} {col(ref)}")
            break
    return out
