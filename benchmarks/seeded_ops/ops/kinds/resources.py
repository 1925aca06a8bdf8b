"""Resource exhaustion: the sources grew (denser sampling, a fan-out that widened) and the same transform
now runs out of memory (exact quantiles over a wide aggregate, a fan-out join) or out of time (a rolling
self-join whose work grows with the square of the density). The right answer is a higher limit.

Limits are measured on this machine when the incident is generated (`measure`): the last good transform
fits under the memory limit with room to spare at 1, 2 and 4 threads, the current one exceeds it at each and
fits in twice it; the time limit is at least four times the last good run, and the current transform alone
is still running at four times the limit, so the fault holds on a machine twice as fast.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pyarrow as pa

from ..harness import Case, Reference, derive
from ..measure import Inputs, memory_limit, seconds
from ..world import World, make_world

VARIANTS = ("memory_quantiles", "memory_fanout", "time_rolling_join", "time_correlated")


class Unmeasurable(RuntimeError):
    """No limit separates the last good run from the current one on these sources."""


def _fact(w: World, *, entities: int, day0: int, days: int, per_day: int, salt: int, first: int) -> pa.Table:
    c, d = w.c, w.domain
    keys = "[" + ", ".join(f"'{w.entities[0][0][:3]}{1000 + e}'" for e in range(entities)) + "]"
    kinds = "[" + ", ".join(f"'{k}'" for k in d.kinds) + "]"
    start = w.first_day + timedelta(days=day0)
    return derive(
        f"SELECT ({first} + (b.dd * {entities} + a.e) * {per_day} + c.j)::BIGINT AS {c['id']}, "
        f"{keys}[a.e + 1] AS {c['key']}, "
        f"TIMESTAMP '{start} 06:00:00' + to_days(b.dd) + to_microseconds(((c.j * 50400000000) // {per_day} "
        f"+ ((a.e * 37 + c.j * 13 + {salt}) % 60) * 1000000)::BIGINT) AS {c['ts']}, "
        f"round({d.lo} + ((a.e * 7919 + c.j * 104729 + b.dd * 31 + {salt}) % 1000) * {d.hi - d.lo} / 1000.0, 1) "
        f"AS {c['measure']}, (1 + (a.e + c.j + b.dd) % {d.qty_hi})::BIGINT AS {c['qty']}, "
        f"{kinds}[(a.e + c.j) % {len(d.kinds)} + 1] AS {c['kind']} "
        f"FROM range({entities}) a(e), range({days}) b(dd), range({per_day}) c(j) ORDER BY {c['ts']}, {c['id']}"
    )


def _grow(a: pa.Table, b: pa.Table) -> pa.Table:
    return derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=a, b=b)


def _slots(w: World, entities: int, per: int) -> pa.Table:
    c = w.c
    prefix = w.entities[0][0][:3]
    return derive(
        f"SELECT '{prefix}' || (1000 + e)::VARCHAR AS {c['key']}, "
        f"'{prefix}-S' || lpad((e * 100 + k)::VARCHAR, 5, '0') AS {w.col('slot_id')}, "
        f"(['primary', 'backup', 'audit'])[k % 3 + 1] AS {w.col('slot_role')} "
        f"FROM range({entities}) a(e), range({per}) b(k) ORDER BY 1, 2"
    )


def build(rng: random.Random, incident_id: str, variant: str) -> Case:
    w = make_world(rng)
    if variant.startswith("memory"):
        return _memory(w, rng, incident_id, variant)
    return _time(w, rng, incident_id, variant)


def _memory(w: World, rng: random.Random, incident_id: str, variant: str) -> Case:  # noqa: PLR0914
    c, d = w.c, w.domain
    ents, days, per_day = rng.randint(20, 40), rng.randint(4, 6), rng.randint(900, 1400)
    new_days = rng.choice([1, 2])
    old = _fact(w, entities=ents, day0=0, days=days, per_day=per_day, salt=rng.randint(0, 99), first=1)
    day = w.col("event_day")
    p50, p90, p99 = (w.col(f"p{q}_{d.measure}") for q in (50, 90, 99))
    last_day = w.first_day + timedelta(days=days + new_days - 1)
    w.days = (last_day - w.first_day).days
    if variant == "memory_quantiles":
        asset = f"{d.entity}_daily_{d.measure}_profile"
        sql = (f"SELECT {c['key']}, CAST({c['ts']} AS DATE) AS {day}, COUNT(*) AS {w.col('n_events')},\n"
               f"       quantile_cont({c['measure']}, 0.5) AS {p50},\n"
               f"       quantile_cont({c['measure']}, 0.9) AS {p90},\n"
               f"       quantile_cont({c['measure']}, 0.99) AS {p99},\n"
               f"       quantile_cont({c['qty']}, 0.9) AS {w.col('p90_' + d.qty)}\n"
               f"FROM {w.fact}\nGROUP BY 1, 2\n")  # fmt: skip
        grain = f"{c['key']}, {day}"
        desc = (
            f"Per {d.entity.replace('_', ' ')} and day: the {d.what} and the exact 50th, 90th and 99th "
            f"percentiles of {d.measure.replace('_', ' ')} and the 90th of {d.qty.replace('_', ' ')}."
        )
        story = "exact percentiles keep every value of a group in memory"
    else:
        role = w.col("slot_role")
        asset = f"{d.entity}_slot_role_{d.measure}_profile"
        # Grouped by role, a handful of groups: the quantile state is the whole fan-out, whatever the threads.
        sql = (f"SELECT s.{role}, COUNT(*) AS {w.col('n_events')},\n"
               f"       quantile_cont(f.{c['measure']}, 0.5) AS {p50},\n"
               f"       quantile_cont(f.{c['measure']}, [0.1, 0.9]) AS {w.col('deciles_' + d.measure)},\n"
               f"       quantile_cont(hour(f.{c['ts']}) * 60 + minute(f.{c['ts']}), 0.5) AS "
               f"{w.col('median_minute_of_day')}\n"
               f"FROM {w.fact} f\nJOIN {w.table_name('slots')} s ON s.{c['key']} = f.{c['key']}\n"
               "GROUP BY 1\n")  # fmt: skip
        grain = role
        desc = (
            f"Per monitoring-slot role (primary, backup, audit), over every slot of every "
            f"{d.entity.replace('_', ' ')}: the {d.what} covered, the median and 10th/90th percentiles of "
            f"{d.measure.replace('_', ' ')} and the median minute of day."
        )
        story = "every event fans out to each slot of its entity, and the exact percentiles keep every fanned-out "
        story += "value in memory"
    checks = (
        f"checks for {asset}:\n  - row_count > 0\n  - duplicate_count({grain}) = 0\n"
        f"  - invalid_count({p50}) = 0:\n      valid min: {d.lo}\n      valid max: {d.hi}\n"
    )
    before: dict[str, pa.Table] = {w.fact: old}
    slots_name = w.table_name("slots")
    growths = (2.2, 2.8, 1.8, 3.4) if variant == "memory_quantiles" else (2.0, 1.8, 2.4, 1.6)
    for growth in growths:
        if variant == "memory_quantiles":
            dense = math.ceil((growth - 1) * days * per_day / new_days)
            new = _fact(w, entities=ents, day0=days, days=new_days, per_day=dense, salt=rng.randint(0, 99),
                        first=10_000_000)  # fmt: skip
            after = {w.fact: _grow(old, new)}
            change = (f"the {d.what} of the last {new_days} day(s) arrive {growth:.1f}x denser: the source went from "
                      f"{old.num_rows:,} to {after[w.fact].num_rows:,} rows")  # fmt: skip
        else:
            per0 = rng.randint(3, 5)
            before[slots_name] = _slots(w, ents, per0)
            per1 = math.ceil(per0 * growth)
            after = {slots_name: _slots(w, ents, per1)}
            change = f"the slot register grew from {per0} to {per1} slots per {d.entity.replace('_', ' ')}"
        b_in, a_in = Inputs(before), Inputs(before | after)
        try:
            limit = memory_limit(sql, b_in, sql, a_in)
        finally:
            b_in.close()
            a_in.close()
        if limit:
            break
    else:
        raise Unmeasurable(f"{incident_id}: no memory limit separates before/ and after/")
    return Case(
        id=incident_id, now=w.now_text, asset=asset, description=desc, sql=sql, checks=checks,
        formats=dict.fromkeys(before | after, "parquet"), before=before, after=after,
        faults={"memory_limit_mb": limit}, category="resource_exhaustion", remediation="resource_increase",
        root_cause=f"Since the last good run {change}; {story}, so the same transform now needs more than the "
        f"run's {limit} MB. The data and the transform are right: the run needs a higher memory limit.",
        reference=Reference(kind="limit"),
    )  # fmt: skip


def _time(w: World, rng: random.Random, incident_id: str, variant: str) -> Case:  # noqa: PLR0914
    c, d = w.c, w.domain
    ents, days, per_day = rng.randint(6, 12), rng.randint(4, 6), rng.randint(30, 60)
    new_days = 2
    old = _fact(w, entities=ents, day0=0, days=days, per_day=per_day, salt=rng.randint(0, 99), first=1)
    w.days = days + new_days - 1
    hr, peak = w.col("event_hour"), w.col("peak_24h")
    asset = f"{d.entity}_rolling_24h_load"
    if variant == "time_rolling_join":
        sql = (f"WITH rolling AS (\n    SELECT s.{c['id']}, s.{c['key']}, s.{c['ts']}, COUNT(*) AS n_24h,\n"
               f"           SUM(p.{c['measure']}) AS sum_24h\n    FROM {w.fact} s\n    JOIN {w.fact} p\n"
               f"      ON p.{c['key']} = s.{c['key']}\n     AND p.{c['ts']} > s.{c['ts']} - INTERVAL 24 HOUR\n"
               f"     AND p.{c['ts']} <= s.{c['ts']}\n    GROUP BY 1, 2, 3\n)\n"
               f"SELECT {c['key']}, date_trunc('hour', {c['ts']}) AS {hr}, COUNT(*) AS {w.col('n_events')},\n"
               f"       MAX(n_24h) AS {peak}, ROUND(MAX(sum_24h), 2) AS {w.col('peak_24h_' + d.measure)}\n"
               f"FROM rolling\nGROUP BY 1, 2\n")  # fmt: skip
    else:
        sql = (f"WITH rolling AS (\n    SELECT s.{c['key']}, s.{c['ts']},\n"
               f"           (SELECT COUNT(*) FROM {w.fact} p\n            WHERE p.{c['key']} = s.{c['key']}\n"
               f"              AND p.{c['ts']} > s.{c['ts']} - INTERVAL 24 HOUR\n"
               f"              AND p.{c['ts']} <= s.{c['ts']}) AS n_24h\n    FROM {w.fact} s\n)\n"
               f"SELECT {c['key']}, date_trunc('hour', {c['ts']}) AS {hr}, COUNT(*) AS {w.col('n_events')},\n"
               f"       MAX(n_24h) AS {peak}\nFROM rolling\nGROUP BY 1, 2\n")  # fmt: skip
    checks = (
        f"checks for {asset}:\n  - row_count > 0\n  - duplicate_count({c['key']}, {hr}) = 0\n"
        f"  - invalid_count({peak}) = 0:\n      valid min: 1\n"
    )
    b_in = Inputs({w.fact: old})
    try:
        t_before = max(seconds(sql, b_in)[1] for _ in range(2))
    finally:
        b_in.close()
    limit = max(1, math.ceil(4 * t_before))
    # Densities on a fixed ladder (x1.25 a step, about x1.56 in work): the window of 5x to 12x the limit is
    # wider than a step, and a measurement that wobbles a little still picks the same rung, so the incident
    # comes out the same on every run here.
    step, tried, salt = 0, set(), rng.randint(0, 99)
    for _ in range(12):
        dense = round(per_day * 8 * 1.25**step)
        new = _fact(w, entities=ents, day0=days, days=new_days, per_day=dense, salt=salt, first=10_000_000)
        grown = _grow(old, new)
        a_in = Inputs({w.fact: grown})
        try:
            err, took = seconds(sql, a_in, deadline_s=12 * limit)
        finally:
            a_in.close()
        tried.add(step)
        if err and err != "interrupted":
            raise Unmeasurable(f"{incident_id}: {err}")
        if err == "interrupted":
            step -= 1
        elif took < 5 * limit:
            step += max(1, math.floor(math.log(6 * limit / max(took, 0.05)) / math.log(1.5625)))
        else:
            break
        if step in tried or step < 0:
            break
    else:
        step = -1
    if step < 0 or err or took < 5 * limit:
        raise Unmeasurable(f"{incident_id}: no density puts the run between 5x and 12x the limit")
    return Case(
        id=incident_id, now=w.now_text, asset=asset, sql=sql, checks=checks,
        description=f"Per {d.entity.replace('_', ' ')} and hour: the {d.what}, and the peak over them of the "
        f"{d.entity.replace('_', ' ')}'s events in the 24 hours up to an event, the load signal for staffing.",
        formats={w.fact: "parquet"}, before={w.fact: old}, after={w.fact: grown},
        faults={"timeout_s": limit}, category="resource_exhaustion", remediation="resource_increase",
        root_cause=f"From {w.first_day + timedelta(days=days)} the source delivers {dense} events per "
        f"{d.entity.replace('_', ' ')} and day instead of {per_day}. The rolling 24-hour count pairs each event with "
        f"every event of its {d.entity.replace('_', ' ')} in the window, so the work grows with the square of the "
        f"density and the same transform now runs past the {limit} s limit. The "
        "data and the transform are right; the run needs a longer time limit.",
        reference=Reference(kind="limit"),
    )  # fmt: skip
