"""The order of a composition's stages: a row filter and keeping one row per key.

'First keep one row per transaction_id ...; then keep settled rows' and 'after deduplicating, only
settled rows' filter the deduplicated rows; 'only online rows count; of those, keep the latest' and
'among settled rows, the latest per customer_id' deduplicate the filtered rows. When the rows kept
per key are copies of one record (replays of a transaction) and a filter on another column is stated
with no order, the two readings give different tables (the latest settled copy, or the transactions
whose latest copy is settled): the planner refuses rather than pick one.
"""

from __future__ import annotations

import re

from agentic_assets.models.builtin.nl_sql.clauses import Ticket

# words that say the rows kept per key are copies of one record
COPY_WORDS = {"copy", "copies", "replay", "replays", "replayed", "duplicate", "duplicates", "deduplicate",
              "deduplicated", "dedupe", "deduped", "resends", "repeats", "dupes", "collapse", "collapsed"}  # fmt: skip
# the filter comes second: 'then keep settled rows', 'after deduplicating, only settled rows'
AFTER = r"\bthen\b|\bafter (?:the )?(?:dedup\w*|de-dup\w*|deduplication|collapsing|that)\b|\bafterwards\b"
# the filter comes first: 'of those, keep the latest', 'among settled rows', 'before deduplicating'
BEFORE = r"\bof (?:those|these|them)\b|\bamong\b|\bbefore (?:dedup\w*|de-dup\w*|deduplication|collapsing)\b"


def second_stage_start(t: Ticket) -> int | None:
    """The token where the stage after the deduplication starts, if the words say so."""
    text = " ".join(t.words)
    m = re.search(AFTER, text)
    if m is None:
        return None
    start = len(text[: m.start()].split())
    t.use(*range(start, start + len(m.group(0).split())))
    return start


def order_is_stated(t: Ticket) -> bool:
    text = " ".join(t.words)
    m = re.search(BEFORE, text)
    if m:
        start = len(text[: m.start()].split())
        t.use(*range(start, start + len(m.group(0).split())))
    return bool(m or re.search(AFTER, text))


def collapses_copies(t: Ticket) -> bool:
    return bool(set(t.words) & COPY_WORDS)
