"""Resource exhaustion: the data grew and the same transform no longer fits its memory limit.

Each query holds a holistic aggregate (median or a quantile), whose state DuckDB cannot spill, over
rows the transform expands by joining a small source with a calendar, a load profile or an hour grid.
Each limit was measured to fail at 1, 2 and 4 threads, and twice the limit to pass; the generator
checks both again on every run.
"""

from __future__ import annotations

import datetime as dt
import random

from generator import domains as d
from generator.common import checks
from generator.core import Incident, Reference, Source


def exposure_rows(rng: random.Random, n: int, first_id: int, years: tuple[int, ...]) -> list[dict]:
    rows = []
    for i in range(n):
        product = d.pick(rng, d.PRODUCTS)
        begin = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 1100))
        term = 365 * rng.choice(years) - 1
        rows.append(
            {
                "policy_id": first_id + i,
                "product": product,
                "region": rng.choice(d.REGIONS),
                "start_date": begin,
                "end_date": begin + dt.timedelta(days=term),
                "annual_premium": d.lognormal(rng, 120, 2400),
                "insured_value": float(rng.randrange(5, 400) * 1000),
            }
        )
    return rows


def calendar() -> list[dict]:
    return [{"day": dt.date(2023, 1, 1) + dt.timedelta(days=i)} for i in range(365 * 5)]


def policy_exposure_oom() -> Incident:
    now = "2026-03-02T01:00:00Z"
    rng = random.Random(401)
    before = exposure_rows(rng, 900, 100_000, (1,))
    migrated = exposure_rows(rng, 2600, 200_000, (2, 3))
    sql = """
WITH policy_days AS (
  SELECT p.product, p.region, p.insured_value, p.annual_premium / 365.0 AS daily_premium
  FROM policies p
  JOIN calendar c ON c.day BETWEEN p.start_date AND p.end_date
)
SELECT product, region,
       COUNT(*) AS policy_days,
       median(insured_value) AS median_insured_value,
       ROUND(quantile_cont(daily_premium, 0.9), 4) AS p90_daily_premium
FROM policy_days
GROUP BY 1, 2
"""
    return Incident(
        id="policy-exposure-oom",
        now=now,
        name="exposure_profile",
        description="Exposure profile per product line and region over every policy-day in force: number of "
        "policy-days, median insured value and 90th percentile of the daily premium, for the "
        "reinsurance treaty renewal.",
        sql=sql,
        checks=checks(
            "exposure_profile",
            "- row_count > 0",
            "- duplicate_count(product, region) = 0",
            "- invalid_count(median_insured_value) = 0:",
            "    valid min: 0",
        ),
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="A portfolio migration added 2,600 two- and three-year policies, so the transform now "
        "expands about eight times as many policy-days. The median and percentile states no longer fit the "
        "run's memory limit; the transform is right and twice the memory is enough.",
        before=[Source("policies", before), Source("calendar", calendar())],
        after=[Source("policies", before + migrated)],
        faults={"memory_limit_mb": 64},
        reference=Reference("limit"),
        domain="insurance",
        shape="expansion, holistic aggregate",
    )


def load_profile_oom() -> Incident:
    now = "2026-02-02T02:00:00Z"
    rng = random.Random(402)
    mtrs = d.meters(rng, 150, first_id=8_000_000)
    days = [dt.date(2026, 1, 19) + dt.timedelta(days=i) for i in range(14)]
    rd = d.daily_readings(rng, mtrs, days)
    more = d.meters(rng, 600, first_id=8_100_000)
    rd_after = d.daily_readings(rng, mtrs + more, days)
    profile = []
    for tariff in ("residential", "sme", "industrial"):
        for q in range(96):
            hour = q / 4
            weight = (
                1.0 + (0.8 if 17 <= hour < 21 else 0.0) + (0.3 if tariff != "residential" and 8 <= hour < 18 else 0)
            )
            profile.append({"tariff": tariff, "quarter_hour": q, "weight": weight})
    totals = {}
    for p in profile:
        totals[p["tariff"]] = totals.get(p["tariff"], 0) + p["weight"]
    for p in profile:
        p["share"] = round(p["weight"] / totals[p["tariff"]], 8)
        del p["weight"]
    sql = """
WITH quarter_hour_load AS (
  SELECT m.region, m.tariff, r.reading_date, p.quarter_hour, r.kwh * p.share AS kwh
  FROM readings r
  JOIN meters m ON m.meter_id = r.meter_id
  JOIN load_profile p ON p.tariff = m.tariff
)
SELECT region, tariff,
       COUNT(*) AS quarter_hours,
       ROUND(quantile_cont(kwh, 0.95), 6) AS p95_kwh,
       ROUND(median(kwh), 6) AS median_kwh
FROM quarter_hour_load
GROUP BY 1, 2
"""
    return Incident(
        id="load-profile-oom",
        now=now,
        name="quarter_hour_load_stats",
        description="Per region and tariff, the 95th percentile and median quarter-hour load derived from "
        "the daily meter reads and the standard load profile, for grid-capacity planning.",
        sql=sql,
        checks=checks(
            "quarter_hour_load_stats",
            "- row_count > 0",
            "- duplicate_count(region, tariff) = 0",
            "- invalid_count(p95_kwh) = 0:",
            "    valid min: 0",
        ),
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="The roll-out of 600 new smart meters quintupled the daily reads; the quarter-hour "
        "expansion and its percentile states exceed the memory limit. Twice the limit is enough.",
        before=[Source("readings", rd, "parquet"), Source("meters", mtrs), Source("load_profile", profile)],
        after=[Source("readings", rd_after, "parquet"), Source("meters", mtrs + more)],
        faults={"memory_limit_mb": 40},
        reference=Reference("limit"),
        domain="energy",
        shape="three-way join, expansion, holistic aggregate",
    )


def yard_dwell_oom() -> Incident:
    now = "2026-03-01T06:00:00Z"
    rng = random.Random(403)

    def containers(n: int, first: int, max_days: int) -> list[dict]:
        rows = []
        for i in range(n):
            arrived = dt.datetime(2026, 1, 1) + dt.timedelta(hours=rng.randrange(0, 58 * 24))
            rows.append(
                {
                    "container_id": f"MSKU{first + i:07d}",
                    "terminal": rng.choice(["RTM-1", "RTM-2", "ANR-5", "HAM-3"]),
                    "arrived_at": arrived,
                    "departed_at": arrived + dt.timedelta(hours=rng.randrange(6, max_days * 24)),
                    "teu": rng.choice([1, 2, 2]),
                }
            )
        return rows

    before = containers(1200, 1_000_000, 10)
    hours = [{"hour_start": dt.datetime(2026, 1, 1) + dt.timedelta(hours=h)} for h in range(100 * 24)]
    congested = containers(1500, 2_000_000, 40)
    sql = """
WITH container_hours AS (
  SELECT c.terminal, c.teu, date_diff('hour', c.arrived_at, h.hour_start) AS hours_in_yard
  FROM containers c
  JOIN yard_hours h ON h.hour_start >= c.arrived_at AND h.hour_start < c.departed_at
)
SELECT terminal,
       COUNT(*) AS container_hours,
       SUM(teu) AS teu_hours,
       median(hours_in_yard) AS median_hours_in_yard,
       quantile_cont(hours_in_yard, 0.9) AS p90_hours_in_yard
FROM container_hours
GROUP BY terminal
"""
    return Incident(
        id="yard-dwell-oom",
        now=now,
        name="terminal_dwell_profile",
        description="Per container terminal, over every hour a container spent in the yard: container-hours, "
        "TEU-hours and the median and 90th percentile of the time already spent in the yard, for the "
        "congestion report.",
        sql=sql,
        checks=checks(
            "terminal_dwell_profile",
            "- row_count > 0",
            "- duplicate_count(terminal) = 0",
            "- invalid_count(median_hours_in_yard) = 0:",
            "    valid min: 0",
        ),
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="Port congestion: 1,500 containers with dwell times of up to forty days arrived, so the "
        "hourly expansion is many times larger and the median states exceed the memory limit. The "
        "transform is right; twice the limit is enough.",
        before=[Source("containers", before), Source("yard_hours", hours)],
        after=[Source("containers", before + congested)],
        faults={"memory_limit_mb": 28},
        reference=Reference("limit"),
        domain="logistics",
        shape="expansion, holistic aggregate",
    )


BUILDERS = [policy_exposure_oom, load_profile_oom, yard_dwell_oom]
