"""Data quality: bad rows arrived. A batch replayed or rows delivered twice (dedupe by the event id), rows
without their entity key or with a sentinel amount (dead letter). Also used behind a harmless deploy, where
the failure looks like the deploy's and is not."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pyarrow as pa

from ..harness import Case, Reference, derive
from ..shapes import enriched_events, event_checks, with_cte
from .common import Setup, case, setup

VARIANTS = ("replayed_batch", "scattered_duplicates", "null_keys", "invalid_values")
# Shapes in which each fault shows: a null key only shows where the key is the grain and no inner join drops it.
KEY_GRAIN = ("entity_daily", "running_total", "ranked_daily")


@dataclass
class Damage:
    after: pa.Table
    checks: str
    ref_sql: str
    category: str
    remediation: str
    story: str


def prepare(rng: random.Random, variant: str) -> Setup:
    if variant == "scattered_duplicates":
        s = setup(rng, ("entity_daily",))
        s.shape = enriched_events(s.w)
        s.before[s.w.dim] = s.w.dim_table()
        return s
    if variant == "replayed_batch":
        return setup(rng, ("entity_daily", "group_daily", "running_total", "named_filter", "ranked_daily"),
                     rate=(4, 9))  # fmt: skip
    return setup(rng, KEY_GRAIN if variant == "null_keys" else None)


def damage(s: Setup, rng: random.Random, variant: str, sql: str | None = None) -> Damage:
    w, c, fact = s.w, s.w.c, s.w.fact
    sql = sql or s.shape.sql(fact)
    rows = w.rows()
    last = [r for r in rows if r[c["ts"]].date() == w.last_day]
    if variant in ("replayed_batch", "scattered_duplicates"):
        ref = s.shape.sql("deduped", [with_cte(
            "deduped", f"SELECT * FROM {fact}\n    QUALIFY ROW_NUMBER() OVER (PARTITION BY {c['id']} "
            f"ORDER BY {c['ts']}) = 1"
        )])  # fmt: skip
        if variant == "scattered_duplicates":
            again = rng.sample(last, k=min(len(last), rng.randint(2, 6)))
            checks = event_checks(w, s.shape)
            story = (f"{len(again)} events of {w.last_day} were delivered twice (at-least-once delivery after a "
                     f"consumer restart): the same {c['id']} twice, identical rows")  # fmt: skip
        else:
            # A whole batch re-sent: the day's file for some entities landed a second time.
            bound = _max_count(s, sql, w.table(rows))
            # The busiest entities first: doubling them is what overshoots the bound.
            keys = sorted({r[c["key"]] for r in last}, key=lambda k: (-w.rate[k], k))
            for k in range(max(1, len(keys) // 2), len(keys) + 1):
                again = [r for r in last if r[c["key"]] in set(keys[:k])]
                if _max_count(s, sql, w.table(rows + again)) > bound:
                    break
            checks = s.checks([f"  - max({s.shape.count}) <= {bound}"])
            story = (f"the upload of {w.last_day} was replayed for {len({r[c['key']] for r in again})} "
                     f"{w.domain.entity.replace('_', ' ')}(s): {len(again)} events landed twice with the same "
                     f"{c['id']}, so the day's counts overshoot the upper bound")  # fmt: skip
        return Damage(w.table(rows + again), checks, ref, "data_quality", "dedupe", story)
    if variant == "null_keys":
        bad = {id(r) for r in rng.sample(last, k=min(len(last), rng.randint(2, 7)))}
        after = [dict(r, **{c["key"]: None}) if id(r) in bad else r for r in rows]
        ref = s.shape.sql("valid", [with_cte("valid", f"SELECT * FROM {fact} WHERE {c['key']} IS NOT NULL")])
        story = (
            f"{len(bad)} events of {w.last_day} arrived without a {c['key']} (the upstream form let it "
            f"through empty); they go to a dead-letter table (reason: missing {c['key']}) and the rest flows on"
        )
        return Damage(w.table(after), s.checks(), ref, "data_quality", "dead_letter", story)
    sentinel = -round(max(w.domain.hi, 10) * 5000)
    bad = {id(r) for r in rng.sample(last, k=min(len(last), rng.randint(1, 4)))}
    after = [dict(r, **{c["measure"]: float(sentinel)}) if id(r) in bad else r for r in rows]
    ref = s.shape.sql("valid", [with_cte("valid", f"SELECT * FROM {fact} WHERE {c['measure']} >= 0")])
    story = (f"{len(bad)} events of {w.last_day} carry the sentinel {sentinel} in {c['measure']} (a device "
             f"that failed to read its value); they go to a dead-letter table (reason: {c['measure']} below 0) "
             "and the rest flows on")  # fmt: skip
    checks = s.checks() if s.shape.name != "enriched_events" else event_checks(w, s.shape)
    return Damage(w.table(after), checks, ref, "data_quality", "dead_letter", story)


def _max_count(s: Setup, sql: str, events: pa.Table) -> int:
    tables = {s.w.fact: events} | ({s.w.dim: s.w.dim_table()} if s.shape.reads_dim else {})
    out = derive(f"SELECT MAX({s.shape.count}) AS m FROM ({sql})", **tables)
    return int(out.column("m")[0].as_py())


def build(rng: random.Random, incident_id: str, variant: str) -> Case:
    s = prepare(rng, variant)
    dmg = damage(s, rng, variant)
    return case(
        s,
        incident_id,
        checks=dmg.checks,
        sql=s.shape.sql(s.w.fact),
        after={s.w.fact: dmg.after},
        category=dmg.category,
        remediation=dmg.remediation,
        root_cause=dmg.story[0].upper() + dmg.story[1:] + ". The transform and the schema are unchanged.",
        reference=Reference(kind="sql", sql=dmg.ref_sql),
    )
