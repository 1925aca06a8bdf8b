"""Dead-letter splits of a ticket, the rejected side: the rows that break a rule, with the first broken
rule's quoted reason in a reason column ('no_customer' when customer_id is null, 'unknown_merchant'
when merchant_id is not found in merchants).
"""

from __future__ import annotations

import re

from agentic_assets.models.builtin.contracts import SqlPlan
from agentic_assets.models.builtin.nl_sql.ticket_base import TicketBase
from agentic_assets.models.builtin.nl_sql.words import CannotPlan, ident, literal

# the verbs that send rows to a dead-letter side
REJECT_VERBS = {"reject", "rejected", "rejects", "quarantine", "quarantined", "route", "routed"}
LOAD_TIME = r"\b(?:load|run|processing) (?:time|timestamp)\b|\btime of the (?:load|run)\b|\bnow\b|\bcurrent time"
LOAD_WORDS = {"load", "run", "time", "timestamp", "the", "of", "with", "now", "current", "processing"}


class DeadLetterMixin(TicketBase):
    # ---- dead-letter: the rejected side ------------------------------------------------------------
    def _rejected(self, names: list[str], reason: str) -> SqlPlan:
        t = self.t
        main = self.req.tables[0]
        rules: list[tuple[str, str]] = []
        joins: list[str] = []
        quoted = [i for i, tok in enumerate(t.toks) if tok.is_quoted]
        for n, q in enumerate(quoted):
            label = t.toks[q].unquoted
            prev_q = quoted[n - 1] if n else -1
            next_q = quoted[n + 1] if n + 1 < len(quoted) else len(t.toks)
            if (
                t.word(q + 1) in ("when", "if", "for")
                or t.word(q - 1) == reason
                or t.word(q - 1) in ("is", "reason", "=")
            ):
                start = q + 1
                end = next_q
                # stop at the next rule's own start ('and', ',', 'when' before the next quote)
                for k in range(q + 1, next_q):
                    if t.words[k] in (",", ";", ".") or (
                        t.words[k] == "and" and k + 1 < len(t.toks) and t.toks[k + 1].is_quoted
                    ):
                        end = k
                        break
                lookup = re.search(r"\bnot in (?:the )?\w+", " ".join(t.words[start:end]))
                if not [r for _, r in t.columns_in(start, end) if r.table == self.main] and not (
                    self._sized(start, end) or lookup
                ):
                    start, end = max(prev_q + 1, t.sentence_span(q)[0]), q
            else:
                start, end = max(prev_q + 1, t.sentence_span(q)[0]), q
            lead = next((k for k, w in enumerate(t.words) if w in REJECT_VERBS), None)
            own = lead is not None and t.sentence_span(lead) == t.sentence_span(q)
            if len(quoted) == 1 and lead is not None and not own:
                # one reason for one rule: the rule is the sentence that rejects ('Quarantine the merchants
                # that have no merchant_category'), the reason given elsewhere ('reason = 'no category'')
                start, end = t.sentence_span(lead)
            cond = self._rule(start, end, joins)
            t.use(q)
            rules.append((cond, label))
        if not rules:
            raise CannotPlan("a dead-letter split needs its rules, each with a reason in quotes")
        t.use(*self.mentions(reason))
        for i, w in enumerate(t.words):
            rule_words = ("rejected", "reject", "rule", "rules", "first", "failing", "fails", "wins", "checked",
                          "check", "that", "in", "dead-letter", "when", "and", "or", "with", "if",
                          "otherwise")  # fmt: skip
            if w in rule_words or (w == "order" and t.word(i - 1) == "that"):
                t.use(i)
        stamps = [n for n in names if n != reason and main.column(n) is None and self._load_time(n)]
        cols = [n for n in names if n not in (reason, "error_ts", *stamps)] if names else [c.name for c in main.columns]
        a = self.alias(main.name)
        joined = len(self.req.tables) > 1
        select = [f"{a}.{ident(c)}" if joined else ident(c) for c in cols]
        for c in cols:
            if main.column(c) is None:
                raise CannotPlan(f"cannot derive the column {c} of the rejected rows")
        case = "\n".join(f"        WHEN {cond} THEN {literal(label)}" for cond, label in rules)
        select.append(f"CASE\n{case}\n    END AS {ident(reason)}")
        select += [f"current_timestamp AS {ident(n)}" for n in stamps]
        cols_out = [n for n in names if n not in ("error_ts",)] if names else [*cols, reason]
        from_sql = f"FROM {ident(main.name)}" + (f" AS {a}" if joined else "")
        for j in joins:
            from_sql += "\n" + j
        where = "\n   OR ".join(c for c, _ in rules)
        lead = next((k for k, w in enumerate(t.words) if w in REJECT_VERBS), None)
        if lead is not None and len(rules) > 1:
            # 'Reject every transaction whose amount is zero or negative. reason is ... for exactly 0 and
            # ... for anything below 0': the rejecting sentence says which rows, the rules their reasons
            s, e = t.sentence_span(lead)
            if not any(t.toks[k].is_quoted for k in range(s, e)):
                used = set(t.used)
                try:
                    where = self._rule(s, e, joins)
                except CannotPlan:
                    t.used = used
        # 'Route transactions that can't be tied to a customer into a dead-letter table': the intent, which
        # the rules with their reasons say exactly
        for i, w in enumerate(t.words):
            if w in REJECT_VERBS | {"dead-letter"} and i not in t.used:
                s, e = t.sentence_span(i)
                if not any(t.toks[k].is_quoted or t.toks[k].is_number for k in range(s, e)):
                    t.use(*range(s, e))
        sql = "SELECT\n    " + ",\n    ".join(select) + f"\n{from_sql}\nWHERE " + where
        self._require_all_used()
        return SqlPlan(
            sql=sql,
            explanation=f"Rows of {main.name} that break a rule, with the first broken rule in {reason}.",
            columns=cols_out if stamps else [*cols, reason],
            assumptions=["the rules are checked in the order given; the first that fails names the reason"],
        )

    def _sized(self, start: int, end: int) -> bool:
        """A rule span that states a size with no column ('for exactly 0', 'for anything below 0')."""
        return any(self.t.toks[k].is_number for k in range(start, end))

    def _load_time(self, name: str) -> bool:
        """'rejected_at, the load timestamp', 'rejected_at with the time of the load': the time of the run."""
        t = self.t
        if not re.search(r"(_at|_ts|_time)$", name):
            return False
        for i in self.mentions(name):
            s, e = t.clause_span(i)
            words = t.words[i : min(e + 8, len(t.words))]
            if re.search(LOAD_TIME, " ".join(words)):
                t.use(i, *[k for k in range(i, min(e + 8, len(t.words))) if t.words[k] in LOAD_WORDS])
                return True
        return False

    def _subject(self) -> tuple[int, object] | None:
        """The one column of the sentence that rejects ('Reject every transaction whose amount is zero')."""
        t = self.t
        lead = next((k for k, w in enumerate(t.words) if w in REJECT_VERBS), None)
        if lead is None:
            return None
        s, e = t.sentence_span(lead)
        cols = {r.name: (i, r) for i, r in t.columns_in(s, e) if r.table == self.main}
        return next(iter(cols.values())) if len(cols) == 1 else None

    def _rule(self, start: int, end: int, joins: list[str]) -> str:
        t = self.t
        cols = [(i, r) for i, r in t.columns_in(start, end) if r.table == self.main]
        if not cols and self._sized(start, end) and self._subject() is not None:
            # 'reason is 'zero_amount' for exactly 0': the column the rejecting sentence names
            cols = [self._subject()]  # type: ignore[list-item]
        m = re.search(r"\bnot in (?:the )?(\w+)", " ".join(t.words[start:end]))
        if not cols and m and m.group(1) in {tb.name for tb in self.req.tables[1:]}:
            # 'when its id is not in the customers table': the key it is looked up by
            key = t.cat.join_key(self.main, m.group(1))
            ref = t.cat.exact(key, prefer=self.main) if key else None
            if ref is not None:
                cols = [(start, ref)]
        words = t.words[start:end]
        text = " ".join(words)
        if not cols:
            raise CannotPlan(
                f"cannot tell which column the rule '{' '.join(t.toks[k].raw for k in range(start, end))}' checks"
            )
        i, ref = cols[0]
        t.use(i, *range(start, end))
        c = self.col(ref)
        m = re.search(
            r"(?:not|n't) (?:exist|found|known|in)\b.*?\bin (?:the )?(\w+)|\bnot in (?:the )?(\w+)"
            r"|not found in (?:the )?(\w+)",
            text,
        )
        if m:
            table = next(g for g in m.groups() if g)
            if table not in {tb.name for tb in self.req.tables} or table == self.main:
                raise CannotPlan(f"the rule names {table}, which is not a source")
            key = t.cat.join_key(self.main, table)
            if key != ref.name:
                raise CannotPlan(f"cannot tell how {ref.name} is looked up in {table}")
            a = self.alias(table)
            join = f"LEFT JOIN {ident(table)} AS {a} ON {a}.{ident(key)} = {self.alias(self.main)}.{ident(key)}"
            if join not in joins:
                joins.append(join)
            self.used_tables.add(table)
            return f"{a}.{ident(key)} IS NULL"
        lacks = rf"\b(?:no|without) (?:a |an )?{re.escape(ref.name)}\b"  # 'merchants that have no merchant_category'
        if re.search(r"\b(missing|null|empty|absent)\b|\bno \w+$|\bwithout\b", text) or re.search(lacks, text):
            return f"{c} IS NULL"
        if re.search(r"zero or negative|non-positive|not positive|zero or below", text):
            return f"{c} <= 0"
        if re.search(r"below zero|negative|less than zero", text):
            return f"{c} < 0"
        num = re.search(r"(?:above|over|greater than|more than|exceeds?) (-?\d+(?:\.\d+)?)", text)
        if num:
            return f"{c} > {num.group(1)}"
        num = re.search(r"(?:below|under|less than) (-?\d+(?:\.\d+)?)", text)
        if num:
            return f"{c} < {num.group(1)}"
        num = re.search(r"\b(?:is|exactly) (?:exactly )?(-?\d+(?:\.\d+)?)\b|\b(zero)\b", text)
        if num:
            return f"{c} = {num.group(1) or 0}"
        raise CannotPlan(f"cannot map the rule '{' '.join(t.toks[k].raw for k in range(start, end))}'")
