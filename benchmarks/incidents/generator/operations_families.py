"""Operational incidents repeated across the worlds, one member per world:

- time limits: the data grew and a windowed self-join (quadratic in the rows of a group) runs past the
  job's wall-clock limit; the SQL is right and the job needs more time. The harness checks on every
  run that after/'s transform alone still runs at twice the limit and that before/ fitted in it;
- late data: a daily reference partition (targets per day) has not landed for the newest day; landed/
  holds it, and the retry is scored on the asset once it is in;
- transient read failures of one source (the fact or its dimension);
- regressions of the asset's own last deploy (roll back to the last good version in history).
"""

from __future__ import annotations

import datetime as dt
import math
import random

import pyarrow as pa

from generator import worlds as w
from generator.common import checks
from generator.core import Incident, Reference, Source
from generator.family import member

TIME_LIMIT_S = 2  # the job's wall-clock limit: its last good run took a small fraction of it
# Candidate pairs the self-join's hash join on the group produces after the growth: about 4e8, measured
# at 3-25 s on two cores (quiet to very busy), so the 2 s limit is passed at any load; before/ has 1/25
# of the rows, 1/625 of the work.
TARGET_PAIRS = 4e8


def _grown(world: w.World, seed: int, rows: int) -> list[dict]:
    """`rows` events of the world's groups over three days (the key, the group and the time only)."""
    rng = random.Random(seed)
    groups = sorted({str(r[world.group]) for r in world.rows})
    start = dt.datetime(2026, 3, 1)
    moments = sorted(start + dt.timedelta(seconds=rng.randrange(3 * 86400)) for _ in range(rows))
    return [{"event_id": i + 1, world.group: rng.choice(groups), world.time: m} for i, m in enumerate(moments)]


def _time_limit(world: w.World, seed: int, incident_id: str, *, preceded: bool = False) -> Incident:
    groups = len({str(r[world.group]) for r in world.rows})
    n = int(math.sqrt(TARGET_PAIRS * groups))
    after = _grown(world, seed, n)
    before = after[::25]
    g, t = world.group, world.time
    name = f"{world.fact}_follow_ups"
    sql = f"""
SELECT a.{g}, COUNT(*) AS follow_ups
FROM {world.fact} a
JOIN {world.fact} b ON b.{g} = a.{g} AND b.{t} > a.{t} AND b.{t} <= a.{t} + INTERVAL 30 MINUTE
GROUP BY a.{g}
"""
    what = "followed by another within 30 minutes"
    if preceded:
        # Another shape of the same work: events that had a predecessor within the hour, per group and day.
        name = f"{world.fact}_busy_hours"
        sql = f"""
SELECT a.{g}, CAST(a.{t} AS DATE) AS day, COUNT(DISTINCT a.event_id) AS preceded
FROM {world.fact} AS a
INNER JOIN {world.fact} AS b
  ON a.{g} = b.{g} AND b.{t} < a.{t} AND b.{t} >= a.{t} - INTERVAL 1 HOUR
GROUP BY 1, 2
"""
        what = "preceded by another within the hour, per day"
    types = {g: pa.string(), t: pa.timestamp("us"), "event_id": pa.int64()}
    return Incident(
        id=incident_id, now="2026-03-04T02:00:00Z", name=name,
        description=f"Per {g}, how many of its {world.fact} were {what}, over the last three days.",
        sql=sql,
        checks=checks(name, "- row_count > 0", f"- duplicate_count({g}, day) = 0" if preceded
                      else f"- duplicate_count({g}) = 0"),
        category="resource_exhaustion", remediation="resource_increase",
        root_cause=f"The {world.fact} feed grew 25-fold (a new region came on line); the windowed self-join "
        "does about 625 times the work and runs past the job's time limit. The SQL is right; the job needs a "
        "longer limit, sized from how long it really runs.",
        before=[Source(world.fact, before, fmt="parquet", types=types)],
        after=[Source(world.fact, after, fmt="parquet", types=types)],
        faults={"timeout_s": TIME_LIMIT_S},
        reference=Reference("limit"), domain=world.domain, shape="self-join within a time window",
    )  # fmt: skip


def _day(value: object) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[union-attr, return-value]


def _late_targets(world: w.World, seed: int, incident_id: str) -> Incident:
    rng = random.Random(seed)
    g, t = world.group, world.time
    days = sorted({_day(r[t]) for r in world.rows})
    groups = sorted({str(r[g]) for r in world.rows})
    targets = [{"day": d, g: k, "target": rng.randrange(5, 50)} for d in days for k in groups]
    newest = days[-1]
    name = f"{world.fact}_against_target"
    sql = f"""
SELECT CAST(f.{t} AS DATE) AS day, f.{g}, COUNT(*) AS n_rows, MAX(t.target) AS target
FROM {world.fact} f
LEFT JOIN daily_targets t ON t.day = CAST(f.{t} AS DATE) AND CAST(t.{g} AS VARCHAR) = CAST(f.{g} AS VARCHAR)
GROUP BY 1, 2
"""
    return Incident(
        id=incident_id, now=world.now, name=name,
        description=f"Per day and {g}, the number of {world.fact} against the day's target.",
        sql=sql,
        checks=checks(name, "- row_count > 0", "- missing_count(target) = 0"),
        category="late_data", remediation="retry",
        root_cause=f"The planning system publishes each day's targets in the morning; the partition for "
        f"{newest} has not landed yet although that day's {world.fact} have. Wait for it and run again.",
        before=[Source(world.fact, [r for r in world.rows if _day(r[t]) < newest]),
                Source("daily_targets", [x for x in targets if x["day"] < newest])],
        after=[Source(world.fact, world.rows)],
        reference=Reference("arrival", arrived=[Source("daily_targets", targets)]),
        domain=world.domain, shape="left join to a daily partitioned table",
    )  # fmt: skip


def _flaky(world: w.World, source: str, failures: int, incident_id: str) -> Incident:
    name = f"{world.fact}_per_{world.attr}"
    sql = f"""
SELECT d.{world.attr}, COUNT(*) AS n_rows, ROUND(SUM(f.{world.measure}), 2) AS total_{world.measure}
FROM {world.fact} f
JOIN {world.dim} d ON d.{world.dim_key} = f.{world.dim_key}
GROUP BY d.{world.attr}
"""
    return Incident(
        id=incident_id, now=world.now, name=name,
        description=f"Count and total {world.measure} of {world.fact} per {world.attr}.",
        sql=sql,
        checks=checks(name, "- row_count > 0", f"- duplicate_count({world.attr}) = 0"),
        category="transient", remediation="retry",
        root_cause=f"The object store dropped the first {failures} read(s) of {source} during a failover; the "
        "data is fine and the same run succeeds when retried.",
        before=[Source(world.fact, world.rows), Source(world.dim, world.dim_rows)], after=None,
        faults={"read_failures": {source: failures}},
        reference=Reference("retry"), domain=world.domain, shape="join, aggregate",
    )  # fmt: skip


def _regression(world: w.World, kind: str, incident_id: str) -> Incident:
    name = f"{world.fact}_with_{world.attr}"
    good = f"""
SELECT f.{world.key}, d.{world.attr}, f.{world.measure}
FROM {world.fact} f
LEFT JOIN {world.dim} d ON d.{world.dim_key} = f.{world.dim_key}
WHERE f.{world.measure} >= 0
"""
    bad = {
        "fan-out": good.replace(f"d.{world.dim_key} = f.{world.dim_key}", f"d.{world.dim_key} <> f.{world.dim_key}"),
        "filter-inverted": good.replace(f"f.{world.measure} >= 0", f"f.{world.measure} < 0"),
        "join-key-swapped": good.replace(f"LEFT JOIN {world.dim} d ON d.{world.dim_key} = f.{world.dim_key}",
                                         f"LEFT JOIN {world.dim} d ON CAST(d.{world.dim_key} AS VARCHAR) = "
                                         f"CAST(f.{world.key} AS VARCHAR)"),
    }[kind]  # fmt: skip
    return Incident(
        id=incident_id, now=world.now, name=name,
        description=f"Every {world.about.split(' ', 1)[1]} with a non-negative {world.measure} and the "
        f"{world.attr} of its {world.dim.rstrip('s')}.",
        sql=bad,
        checks=checks(name, "- row_count > 0", f"- duplicate_count({world.key}) = 0",
                      f"- missing_count({world.attr}) = 0"),
        history=[(good, "2026-01-15T09:00:00Z")], deployed="2026-02-28T16:00:00Z",
        category="config_regression", remediation="rollback",
        root_cause=f"The last deploy of the asset's own SQL broke it ({kind.replace('-', ' ')}); the data did not "
        "change. Roll back to the last good version.",
        before=[Source(world.fact, world.rows), Source(world.dim, world.dim_rows)], after=None,
        reference=Reference("sql", sql=good), domain=world.domain, shape="left join with a filter",
    )  # fmt: skip


TIME_LIMITED = [w.insurance, w.logistics, w.energy, w.iot, w.lending, w.telecom, w.ecommerce, w.payroll]
PRECEDED = [w.logistics, w.telecom]  # the same fault under another SQL shape
LATE = [w.insurance, w.logistics, w.energy, w.ecommerce, w.lending, w.telecom]
FLAKY = [(w.insurance, "claims", 1), (w.logistics, "carriers", 2), (w.energy, "readings", 3),
         (w.payroll, "employees", 1), (w.iot, "sensor_readings", 2), (w.lending, "borrowers", 3),
         (w.telecom, "usage", 2)]  # fmt: skip
REGRESSED = [(w.insurance, "fan-out"), (w.logistics, "filter-inverted"), (w.payroll, "join-key-swapped"),
             (w.telecom, "fan-out")]  # fmt: skip


def _builders() -> list:
    out = []
    for i, world in enumerate(TIME_LIMITED):
        iid = f"{world.__name__}-follow-ups-past-time-limit"
        out.append(member(iid, lambda a=(world, i, iid): _time_limit(a[0](1000 + a[1]), 1000 + a[1], a[2])))
    for i, world in enumerate(PRECEDED):
        iid = f"{world.__name__}-busy-hours-past-time-limit"
        out.append(member(iid, lambda a=(world, i, iid): _time_limit(a[0](1080 + a[1]), 1080 + a[1], a[2],
                                                                      preceded=True)))  # fmt: skip
    for i, world in enumerate(LATE):
        iid = f"{world.__name__}-daily-targets-not-landed"
        out.append(member(iid, lambda a=(world, i, iid): _late_targets(a[0](1020 + a[1]), 1020 + a[1], a[2])))
    for i, (world, source, failures) in enumerate(FLAKY):
        iid = f"{world.__name__}-{source.replace('_', '-')}-read-fails-{failures}x"
        out.append(member(iid, lambda a=(world, source, failures, i, iid): _flaky(a[0](1040 + a[3]), *a[1:3], a[4])))
    for i, (world, kind) in enumerate(REGRESSED):
        iid = f"{world.__name__}-deploy-{kind}"
        out.append(member(iid, lambda a=(world, kind, i, iid): _regression(a[0](1060 + a[2]), a[1], a[3])))
    return out


BUILDERS = _builders()
