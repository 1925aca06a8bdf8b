"""Window plans of a ticket: one row per key (the latest or earliest by the time column, with tie
rules), and top-N per group with ROW_NUMBER or RANK, ties kept or broken by a named column.
"""

from __future__ import annotations

import re

from agentic_assets.models.builtin.nl_sql.clauses import Ticket
from agentic_assets.models.builtin.nl_sql.ticket_base import TicketBase
from agentic_assets.models.builtin.nl_sql.ticket_periods import period_tokens
from agentic_assets.models.builtin.nl_sql.ticket_stages import AFTER
from agentic_assets.models.builtin.nl_sql.ticket_windows import (
    ASC_WORDS,
    DESC_WORDS,
    EARLIEST,
    LATEST,
    Window,
    direction_near,
    entity_name,
    keep_count,
    partition_words,
    tie_breaks,
    window_function,
)
from agentic_assets.models.builtin.nl_sql.words import CannotPlan
from agentic_assets.models.builtin.text import name_tokens, singular

GRAIN_NOUNS = {"day", "week", "month", "quarter", "year", "hour"}
# what is said of a key whose rows repeat ('is not unique', 'repeats', 'appears more than once')
NOT_UNIQUE = (
    r"(?:is|are|was) not unique\b|(?:can |may |does )?(?:repeat|repeats|recur|recurs)\b"
    r"|(?:is|are) (?:repeated|duplicated)\b|(?:can |may )?appears? (?:more than once|twice|several times)\b"
)
REPLAY_WORDS = {"replays", "duplicates", "copies", "repeats", "resends", "dupes"}


class RankingMixin(TicketBase):
    def _dedupe_window(self) -> Window | None:
        """One row per key: the latest (or earliest) by the time column, with the stated tie rules."""
        t = self.t
        time = self.time_column()
        if time is None or keep_count_peek(t) not in (None, 1):
            return None
        window = period_tokens(t)
        # 'the last day of the month', 'the first week of the year': a form of a period, not a row
        window |= {i for i, w in enumerate(t.words) if t.word(i + 1) in GRAIN_NOUNS and t.word(i + 2) == "of"}
        words = {w for i, w in enumerate(t.words) if i not in window}
        # 'recent' alone ('recent activity') is no rule; 'the most recent' is
        latest = words & (LATEST - {"recent"}) or re.search(r"\bmost recent\b", self.text)
        # 'first' alone is an ordinal ('first collapse replays'); 'first <row of a source>' is the earliest row
        entities = "|".join(singular(name_tokens(tb.name)[-1]) for tb in self.req.tables)
        earliest = words & EARLIEST - {"first"} or re.search(
            rf"\bfirst ({entities}|purchase|copy|row|record|seen)\b", self.text
        )
        if not latest and not earliest:
            return None
        if re.search(r"\b(rank|row_number|top \d)", self.text):
            return None
        direction = "DESC" if latest and not earliest else "ASC"
        if latest and earliest:
            first_latest = min(i for i, w in enumerate(t.words) if w in LATEST | {"most"} and i not in window)
            first_earliest = min(i for i, w in enumerate(t.words) if w in EARLIEST)
            direction = "DESC" if first_latest < first_earliest else "ASC"
        # partition: 'one row per X (and Y)', 'per X', 'for each X', 'for every X'
        resolve = self._resolver([])
        partition: list[str] = []
        # 'De-duplicate first: latest per transaction_id. Then for each country count ...': the keys
        # after the stage word belong to the next stage, not to the deduplication
        m = re.search(AFTER, self.text)
        second = len(self.text[: m.start()].split()) if m else len(t.words)
        for i, w in enumerate(t.words):
            if i >= second:
                break
            dedupe_on = w == "on" and t.word(i - 1).startswith(("dedupe", "deduplicat", "de-duplicat"))
            if (
                dedupe_on
                # 'per customer_id', 'for each country', and 'Each customer's first transaction' opening a sentence
                or (
                    w in ("per", "each", "every") and (w == "per" or t.word(i - 1) in ("for", "of", "in", "", ".", ";"))
                )
                or (w in ("same", "one") and t.word(i - 1) in ("of", "the") and t.word(i - 2) != "only")
            ):
                k = i + 1
                while k < len(t.toks):
                    name = entity_name(t, k, resolve)
                    if name is None or name == time.name:
                        break
                    ref = t.cat.exact(name)
                    if w in ("same", "one") and (ref is None or not ref.column.is_identifier):
                        break  # 'the same event_time' says which copies tie; 'of the same id' is the key
                    if name not in partition:
                        partition.append(name)
                    t.use(i, k, i - 1 if t.word(i - 1) in ("for", "of") else i)
                    if t.word(k + 1) == "and" and entity_name(t, k + 2, resolve):
                        t.use(k + 1)
                        k += 2
                        continue
                    break
        if not partition:
            return None
        for i, w in enumerate(t.words):
            if w == "without" and t.word(i + 1) in REPLAY_WORDS:
                t.use(i, i + 1)  # 'volume without replays' restates the deduplication
            if w in LATEST | EARLIEST | {"most", "one", "only", "keep", "keeping", "copy"}:
                t.use(i)
            if w == time.name:
                t.use(i)
        self._use_not_unique(partition)
        ties = tie_breaks(t, {time.name, *partition}, resolve)
        self.assumptions.append(
            f"one row per {', '.join(partition)}: the {'latest' if direction == 'DESC' else 'earliest'} by {time.name}"
        )
        return Window(partition=partition, order=[(time.name, direction), *ties])

    def _use_not_unique(self, partition: list[str]) -> None:
        """'transaction_id is not unique in the feed', 'customer_id repeats': the reason for keeping one
        row per that key, restated."""
        t = self.t
        for i, w in enumerate(t.words):
            if w not in partition or i in t.used:
                continue
            m = re.match(NOT_UNIQUE, " ".join(t.words[i + 1 : i + 8]))
            if m:
                t.use(i, *range(i + 1, i + 1 + len(m.group(0).split())))

    def _rank_window(self, names: list[str], defs: dict) -> Window | None:
        t = self.t
        try:
            n = keep_count(t)
        except ValueError as err:
            raise CannotPlan(str(err)) from err
        has_rank_word = bool(re.search(r"\b(rank|row_number)\b", self.text))
        if n is None and not has_rank_word:
            return None
        if n is None:
            n = 1
        function = window_function(t)
        resolve = self._resolver(names)
        partition: list[str] = []
        for k in partition_words(t):
            if t.cat.is_table_entity(singular(t.word(k))) and t.column_at(k + 1) is not None:
                k += 1  # 'within each customer country': the entity qualifies the column after it
            name = entity_name(t, k, resolve)
            if name is not None and name in names and name not in partition:
                partition.append(name)
                t.use(k, k - 1)
        keys = [m for m in names if defs.get(m, ("",))[0] == "key"]
        aggregated = any(kind == "measure" for kind, _ in defs.values())
        # a key of a joined source that the partition's join key determines ('merchant_name' beside
        # 'merchant_id') adds no group of its own
        main_alias = self.alias(self.main) + "."
        joined_keys = {m for m in keys if "." in defs[m][1] and not defs[m][1].startswith(main_alias)}
        determined = {
            m
            for m in joined_keys
            if any(self.t.cat.join_key(self.main, tb.name) in partition for tb in self.req.tables[1:])
        }
        if aggregated and set(partition) >= set(keys) - determined:
            partition = []  # grouping by the whole key leaves one row per group: nothing to rank within
        # the ranking column: a measure output or numeric column after a direction word ('highest revenue')
        order_col = None
        order_dir = "DESC"
        for i, w in enumerate(t.words):
            if w in (
                "highest",
                "largest",
                "lowest",
                "smallest",
                "most",
                "biggest",
                "busiest",
                "fewest",
                "top",
                "bottom",
                "by",
            ):
                for k in range(i + 1, min(i + 4, len(t.words))):
                    name = resolve(k)
                    if (
                        name
                        and name not in partition
                        # after a GROUP BY only an aggregate can rank the rows
                        and (defs.get(name, ("",))[0] == "measure" or (not aggregated and self._numeric(name)))
                    ):
                        order_col = name
                        order_dir = direction_near(t, i, i + 1, "DESC")
                        t.use(i, k)
                        break
                if order_col:
                    break
        if order_col is None:
            measures = [m for m in names if defs.get(m, ("",))[0] == "measure"]
            numeric = [m for m in names if self._numeric(m)]
            if len(measures) == 1 or (not measures and len(numeric) == 1):
                order_col = (measures or numeric)[0]
                order_dir = direction_near(t, 0, len(t.words), "DESC")
            else:
                raise CannotPlan("cannot tell which column ranks the rows")
        negative = [c for c in getattr(self, "where_conds", []) if re.fullmatch(rf"(?:\w+\.)?{order_col} <=? 0", c)]
        sizes = {"highest", "largest", "lowest", "smallest", "biggest"} & set(t.words)
        # 'the 2 smallest amounts': a size said of the column itself is explicit
        explicit = any(
            w in ("highest", "largest", "lowest", "smallest", "biggest") and singular(t.word(k + 1)) == order_col
            for k, w in enumerate(t.words)
        )
        if negative and sizes and not explicit:
            # 'the five largest refunds (negative amounts)': among values below zero, the largest is the one
            # nearest zero or the one farthest from it; the words must say which
            raise CannotPlan(f"'{sorted(sizes)[0]}' among negative {order_col} values: nearest zero or farthest?")
        for i, w in enumerate(t.words):
            if w in ("highest", "largest", "lowest", "smallest", "most", "biggest", "busiest", "fewest", "first"):
                t.use(i)
            if w == order_col and t.word(i + 1) in ("ranks", "ranked"):
                t.use(i, i + 1)  # 'whose amount ranks in the top 3': the ranking column
        # 'the top 2 channels', 'the 3 customer_ids': the ranked entity, named after N
        for i, tok in enumerate(t.toks):
            if tok.is_number and i in t.used and resolve(i + 1) in names:
                t.use(i + 1)
        # 'keep the channel with the largest total', 'the single highest merchant_id': the ranked entity,
        # named just before what ranks it or right after the direction word
        for i, w in enumerate(t.words):
            before = w == "with" and t.word(i + 1) == "the" and t.word(i + 2) in DESC_WORDS | ASC_WORDS
            for k in [i - 1] if before else [i + 1] if w in DESC_WORDS | ASC_WORDS else []:
                if resolve(k) in names and resolve(k) not in partition:
                    t.use(k)
        ties = tie_breaks(t, {order_col, *partition}, resolve)
        rank_column = next((m for m in names if defs.get(m, ("",))[0] == "unknown"), None)
        if rank_column:
            t.use(*self.mentions(rank_column))
        if function == "RANK" and ties:
            raise CannotPlan("RANK keeps ties, but tie-breaking columns are named too")
        return Window(partition=partition, order=[(order_col, order_dir), *ties], function=function, keep=n,
                      rank_column=rank_column)  # fmt: skip


def keep_count_peek(t: Ticket) -> int | None:
    """N of a top-N phrase without marking words (a dedupe keeps one row)."""
    used = set(t.used)
    try:
        return keep_count(t)
    except ValueError:
        return -1
    finally:
        t.used = used
