"""Late data in other styles: other time types (epoch numbers, text dates and months, zoned timestamps),
hourly and monthly schedules, feeds that stopped short, partly landed periods, a join that finds nothing;
and two failures that look like late data and are not (a source that legitimately shrank, a filter that a
deploy broke). Every late one lands its missing rows in landed/."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

from generator.common import checks
from generator.core import Incident, Reference, Source, iso, ts

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def _epoch(moment: dt.datetime, unit: float = 1.0) -> int:
    return int(moment.replace(tzinfo=dt.UTC).timestamp() * unit)


def iot_interval_reads_replica_lagging() -> Incident:
    """An hourly feed whose latest extract stops four hours short: a failed freshness check."""
    now = "2026-03-10T09:20:00Z"
    rng = random.Random(1101)
    sites = [f"ST-{i:02d}" for i in range(1, 7)]
    hours = [ts(now).replace(minute=0) - HOUR * k for k in range(48, -1, -1)]  # to 09:00
    reads = [{"site_id": s, "interval_start": h, "kwh": round(rng.uniform(4, 40), 3)} for h in hours for s in sites]
    before = [r for r in reads if r["interval_start"] <= hours[-2]]  # the last good extract reached 08:00
    after = [r for r in reads if r["interval_start"] <= hours[-5]]  # the replica lags: it ends at 05:00
    sql = """
SELECT site_id, COUNT(*) AS intervals, ROUND(SUM(kwh), 3) AS kwh_24h, MAX(interval_start) AS last_interval
FROM interval_reads
WHERE interval_start > (SELECT MAX(interval_start) FROM interval_reads) - INTERVAL 24 HOUR
GROUP BY 1
"""
    return Incident(
        id="iot-interval-reads-replica-lagging", now=now, name="site_energy_last_24h",
        description="Energy per site over the last 24 metered hours, refreshed every hour for the site "
        "managers' dashboard; it must never be more than two hours old.",
        sql=sql,
        checks=checks("site_energy_last_24h", "- row_count = 6", "- freshness(last_interval) < 2h"),
        category="late_data", remediation="retry",
        root_cause="The hourly extract was taken from a database replica that lags four hours: intervals "
        "06:00 to 09:00 are missing. Wait until the replica catches up and run again.",
        before=[Source("interval_reads", before)], after=[Source("interval_reads", after)],
        reference=Reference("arrival", arrived=[Source("interval_reads", reads)]),
        domain="iot", shape="hourly window over a single feed",
    )  # fmt: skip


def telecom_cdr_epoch_hour_partial() -> Incident:
    """Hourly batches keyed by an epoch-seconds hour: two of four switches have not delivered the latest one."""
    now = "2026-03-12T14:10:00Z"
    rng = random.Random(1102)
    hours = [dt.datetime(2026, 3, 12, 13) - HOUR * k for k in range(23, -1, -1)]
    rows = []
    for h in hours:
        for switch in (1, 2, 3, 4):
            for _ in range(rng.randrange(20, 36)):
                seconds = rng.randrange(5, 1800)
                caller = f"+3161{rng.randrange(10**6, 10**7)}"
                rows.append({"batch_hour": _epoch(h), "switch_id": switch, "duration_s": seconds, "caller": caller})
    latest = _epoch(hours[-1])
    before = [r for r in rows if r["batch_hour"] < latest]
    after = [r for r in rows if r["batch_hour"] < latest or r["switch_id"] in (1, 2)]
    sql = """
SELECT batch_hour, switch_id, COUNT(*) AS calls, SUM(duration_s) AS call_seconds
FROM call_records
WHERE batch_hour = (SELECT MAX(batch_hour) FROM call_records)
GROUP BY 1, 2
"""
    return Incident(
        id="telecom-cdr-epoch-hour-partial", now=now, name="switch_traffic_last_hour",
        description="Calls and call seconds per switch for the latest hourly batch (all four switches deliver "
        "every hour), for the network operations centre.",
        sql=sql,
        checks=checks("switch_traffic_last_hour", "- row_count = 4", "- duplicate_count(switch_id) = 0"),
        category="late_data", remediation="retry",
        root_cause="Switches 3 and 4 have not yet delivered their call records for the 13:00 batch (their "
        "mediation server uploads after the others). Retry once they land.",
        before=[Source("call_records", before)], after=[Source("call_records", after)],
        reference=Reference("arrival", arrived=[Source("call_records", rows)]),
        domain="telecom", shape="subquery filter on an epoch hour, aggregate",
    )  # fmt: skip


def retail_monthly_budget_not_landed() -> Incident:
    """Months written as 'YYYY-MM' text: the new month's budget has not landed, the left join finds nothing."""
    now = "2026-04-01T07:00:00Z"
    rng = random.Random(1103)
    months = [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in (1, 2, 3)]
    stores = [f"R{i:03d}" for i in range(1, 11)]
    sales = [{"month": m, "store_id": s, "revenue": round(rng.uniform(80_000, 240_000), 2)} for m in months
             for s in stores]  # fmt: skip
    budget = [{"month": m, "store_id": s, "budget": round(rng.uniform(90_000, 220_000), 2)} for m in months
              for s in stores]  # fmt: skip
    text = {"month": pa.string(), "store_id": pa.string()}
    sql = """
SELECT s.month, s.store_id, s.revenue, b.budget, ROUND(s.revenue / b.budget, 4) AS attainment
FROM store_sales_monthly s
LEFT JOIN monthly_budget b ON b.month = s.month AND b.store_id = s.store_id
"""
    old = [m for m in months if m < "2026-03"]
    return Incident(
        id="retail-monthly-budget-not-landed", now=now, name="store_budget_attainment",
        description="Revenue against budget per store and month, closed on the first of each month for the "
        "regional managers.",
        sql=sql,
        checks=checks("store_budget_attainment", "- row_count > 0", "- missing_count(budget) = 0"),
        category="late_data", remediation="retry",
        root_cause="Finance has closed March's sales but not yet published March's budget (it lands from the "
        "planning tool in the morning). Wait for it and run again.",
        before=[Source("store_sales_monthly", [r for r in sales if r["month"] in old], "parquet", types=text),
                Source("monthly_budget", [r for r in budget if r["month"] in old], "parquet", types=text)],
        after=[Source("store_sales_monthly", sales, "parquet", types=text)],
        reference=Reference("arrival", arrived=[Source("monthly_budget", budget, "parquet", types=text)]),
        domain="retail", shape="left join on a text month",
    )  # fmt: skip


def hospital_ward_census_text_dates_partial() -> Incident:
    """A daily census written as 'YYYY-MM-DD' text: three of eight wards have not reported the latest day."""
    now = "2026-02-20T06:30:00Z"
    rng = random.Random(1104)
    wards = [{"ward_id": f"W{i}", "ward_name": name, "beds": beds} for i, (name, beds) in enumerate(
        [("cardiology", 28), ("oncology", 24), ("surgery", 32), ("maternity", 20), ("paediatrics", 18),
         ("geriatrics", 30), ("neurology", 22), ("orthopaedics", 26)], start=1)]  # fmt: skip
    days = [dt.date(2026, 2, 10) + DAY * i for i in range(10)]  # to 2026-02-19
    census = []
    for day in days:
        for w in wards:
            for bed in rng.sample(range(1, w["beds"] + 1), rng.randrange(w["beds"] * 2 // 3, w["beds"])):
                census.append({"census_date": day.isoformat(), "ward_id": w["ward_id"], "bed_no": bed})
    newest = days[-1].isoformat()
    late = {"W2", "W5", "W7"}
    before = [r for r in census if r["census_date"] < newest]
    after = [r for r in census if r["census_date"] < newest or r["ward_id"] not in late]
    text = {"census_date": pa.string(), "ward_id": pa.string()}
    sql = """
WITH latest AS (SELECT MAX(census_date) AS d FROM ward_census)
SELECT c.census_date, w.ward_name, COUNT(*) AS occupied_beds, w.beds, ROUND(COUNT(*) / w.beds, 3) AS occupancy
FROM ward_census c
JOIN wards w ON w.ward_id = c.ward_id
WHERE c.census_date = (SELECT d FROM latest)
GROUP BY c.census_date, w.ward_name, w.beds
"""
    return Incident(
        id="hospital-ward-census-text-dates-partial", now=now, name="ward_occupancy_latest_day",
        description="Bed occupancy per ward on the latest census day (all eight wards report every night), "
        "for the bed-management huddle.",
        sql=sql,
        checks=checks("ward_occupancy_latest_day", "- row_count = 8", "- duplicate_count(ward_name) = 0"),
        category="late_data", remediation="retry",
        root_cause="Oncology, paediatrics and neurology have not yet submitted their census for 2026-02-19 "
        "(the night shift submits after the handover). Retry once it is in.",
        before=[Source("ward_census", before, "parquet", types=text), Source("wards", wards)],
        after=[Source("ward_census", after, "parquet", types=text)],
        reference=Reference("arrival", arrived=[Source("ward_census", census, "parquet", types=text)]),
        domain="healthcare", shape="text-date subquery filter, join, aggregate",
    )  # fmt: skip


def airline_fare_yields_inner_join_empty() -> Incident:
    """Zoned booking timestamps joined to a daily yield table that has not landed: the join finds nothing."""
    now = "2026-03-15T06:00:00Z"
    rng = random.Random(1105)
    start = dt.datetime(2026, 3, 8, tzinfo=dt.UTC)
    classes = ["Y", "B", "M", "J"]
    bookings = []
    moment = start
    while moment < ts(now).replace(tzinfo=dt.UTC) - dt.timedelta(minutes=10):
        bookings.append({"booking_ref": f"PNR{len(bookings):06d}", "booked_at": moment,
                         "fare_class": rng.choice(classes), "amount": round(rng.uniform(60, 900), 2)})  # fmt: skip
        moment += dt.timedelta(minutes=rng.randrange(6, 20))
    days = [dt.date(2026, 3, 8) + DAY * i for i in range(8)]  # to 2026-03-15
    yields = [{"valid_on": d, "fare_class": c, "yield_factor": round(rng.uniform(0.7, 1.3), 3)} for d in days
              for c in classes]  # fmt: skip
    newest = days[-1]
    zoned = {"booked_at": pa.timestamp("us", tz="UTC")}
    sql = """
WITH latest AS (SELECT MAX(CAST(booked_at AS DATE)) AS d FROM bookings)
SELECT f.valid_on AS day, b.fare_class, COUNT(*) AS bookings, ROUND(SUM(b.amount * f.yield_factor), 2) AS yield_revenue
FROM bookings b
JOIN fare_yields f ON f.valid_on = CAST(b.booked_at AS DATE) AND f.fare_class = b.fare_class
WHERE CAST(b.booked_at AS DATE) = (SELECT d FROM latest)
GROUP BY 1, 2
"""
    return Incident(
        id="airline-fare-yields-inner-join-empty", now=now, name="yield_revenue_today",
        description="Yield-adjusted revenue per fare class for the current booking day so far, for revenue "
        "management's morning review.",
        sql=sql,
        checks=checks("yield_revenue_today", "- row_count > 0", "- duplicate_count(fare_class) = 0"),
        category="late_data", remediation="retry",
        root_cause="Revenue management publishes each day's yield factors after its overnight optimisation; "
        "2026-03-15's have not landed, so today's bookings join to nothing. Wait for them.",
        before=[Source("bookings", [b for b in bookings if b["booked_at"].date() < newest], "parquet", types=zoned),
                Source("fare_yields", [y for y in yields if y["valid_on"] < newest])],
        after=[Source("bookings", bookings, "parquet", types=zoned)],
        reference=Reference("arrival", arrived=[Source("fare_yields", yields)]),
        domain="airline", shape="inner join of zoned timestamps to a daily table",
    )  # fmt: skip


def grid_hourly_prices_behind() -> Incident:
    """Hourly metered load joined to hourly prices: the last two hours' prices are not published yet."""
    now = "2026-03-18T11:15:00Z"
    rng = random.Random(1106)
    zones = ["north", "south", "east", "west"]
    hours = [dt.datetime(2026, 3, 18, 10) - HOUR * k for k in range(35, -1, -1)]  # to 10:00
    load = [{"hour_start": h, "zone": z, "load_mw": round(rng.uniform(300, 1200), 1)} for h in hours for z in zones]
    prices = [{"hour_start": h, "zone": z, "price_eur_mwh": round(rng.uniform(40, 180), 2)} for h in hours
              for z in zones]  # fmt: skip
    cut = hours[-3]  # the last good run had everything to 08:00
    sql = """
SELECT l.hour_start, l.zone, l.load_mw, p.price_eur_mwh, ROUND(l.load_mw * p.price_eur_mwh, 2) AS cost_eur
FROM zone_load l
LEFT JOIN zone_prices p ON p.hour_start = l.hour_start AND p.zone = l.zone
"""
    return Incident(
        id="grid-hourly-prices-behind", now=now, name="hourly_settlement_cost",
        description="Hourly settlement cost per grid zone (metered load times the hourly price), refreshed "
        "every hour for the trading desk.",
        sql=sql,
        checks=checks("hourly_settlement_cost", "- row_count > 0", "- missing_count(price_eur_mwh) = 0"),
        category="late_data", remediation="retry",
        root_cause="The exchange has not yet published the prices for 09:00 and 10:00 (its publication runs "
        "late today); the metered load for those hours is in. Retry once the prices land.",
        before=[Source("zone_load", [r for r in load if r["hour_start"] <= cut]),
                Source("zone_prices", [r for r in prices if r["hour_start"] <= cut])],
        after=[Source("zone_load", load)],
        reference=Reference("arrival", arrived=[Source("zone_prices", prices)]),
        domain="energy", shape="hourly left join",
    )  # fmt: skip


def meter_daily_epoch_millis_partial() -> Incident:
    """Daily partitions keyed by an epoch-milliseconds day: two of five regions' head-ends are late."""
    now = "2026-03-21T05:30:00Z"
    rng = random.Random(1107)
    regions = ["R1", "R2", "R3", "R4", "R5"]
    meters = [(f"M{i:05d}", regions[i % 5]) for i in range(150)]
    days = [dt.datetime(2026, 3, 11) + DAY * i for i in range(10)]  # to 2026-03-20
    reads = [{"read_day_ms": _epoch(d, 1000), "meter_id": m, "region": r, "kwh": round(rng.uniform(2, 30), 3)}
             for d in days for m, r in meters]  # fmt: skip
    latest = _epoch(days[-1], 1000)
    before = [r for r in reads if r["read_day_ms"] < latest]
    after = [r for r in reads if r["read_day_ms"] < latest or r["region"] not in ("R2", "R4")]
    sql = """
SELECT region, read_day_ms, COUNT(*) AS meters_read, ROUND(SUM(kwh), 3) AS kwh_total
FROM daily_reads
WHERE read_day_ms = (SELECT MAX(read_day_ms) FROM daily_reads)
GROUP BY 1, 2
"""
    return Incident(
        id="meter-daily-epoch-millis-partial", now=now, name="region_consumption_latest_day",
        description="Consumption per region for the latest read day (all five regions every day), for the "
        "supplier's balancing forecast.",
        sql=sql,
        checks=checks("region_consumption_latest_day", "- row_count = 5", "- duplicate_count(region) = 0"),
        category="late_data", remediation="retry",
        root_cause="The head-ends of regions R2 and R4 have not uploaded 2026-03-20's reads yet; the other "
        "regions' are in. Retry once they land.",
        before=[Source("daily_reads", before)], after=[Source("daily_reads", after)],
        reference=Reference("arrival", arrived=[Source("daily_reads", reads)]),
        domain="energy", shape="subquery filter on an epoch day, aggregate",
    )  # fmt: skip


def retail_store_closed_not_late() -> Incident:
    """Not late data: a store closed days ago, so every recent day has one store fewer. A person decides."""
    now = "2026-03-25T05:00:00Z"
    rng = random.Random(1108)
    stores = [{"store_id": i, "store_name": f"store {i}", "opened_on": dt.date(2015 + i % 8, 1 + i % 12, 3)}
              for i in range(1, 13)]  # fmt: skip
    days = [dt.date(2026, 3, 12) + DAY * i for i in range(13)]  # to 2026-03-24
    closed_from = dt.date(2026, 3, 19)
    sales = [{"sale_date": d, "store_id": s["store_id"], "revenue": round(rng.uniform(3000, 9000), 2)} for d in days
             for s in stores if not (s["store_id"] == 7 and d >= closed_from)]  # fmt: skip
    sql = """
WITH latest AS (SELECT MAX(sale_date) AS d FROM daily_store_sales)
SELECT s.store_id, st.store_name, s.sale_date, s.revenue
FROM daily_store_sales s
JOIN stores st USING (store_id)
WHERE s.sale_date = (SELECT d FROM latest)
"""
    return Incident(
        id="retail-store-closed-not-late", now=now, name="store_sales_latest_day",
        description="Revenue per store for the latest trading day (twelve stores), for the area managers.",
        sql=sql,
        checks=checks("store_sales_latest_day", "- row_count = 12", "- duplicate_count(store_id) = 0"),
        category="data_quality", remediation="escalate",
        root_cause="Store 7 closed for good on 2026-03-19: every day since has eleven stores, and waiting "
        "will not bring a twelfth. The check's expectation is out of date; a person must change it.",
        before=[Source("daily_store_sales", [r for r in sales if r["sale_date"] < closed_from]),
                Source("stores", stores)],
        after=[Source("daily_store_sales", sales)],
        reference=Reference("escalate"),
        domain="retail", shape="subquery filter, join",
    )  # fmt: skip


def hotel_deploy_filter_drops_all_not_late() -> Incident:
    """Not late data: a deploy changed a filter's literal and the fresh data no longer passes it at all."""
    now = "2026-03-26T04:00:00Z"
    rng = random.Random(1109)
    days = [dt.date(2026, 3, 19) + DAY * i for i in range(7)]  # to 2026-03-25
    stays = [
        {"stay_id": f"BK{i:06d}", "stay_date": d, "hotel_id": h, "nights": rng.randrange(1, 6),
         "status": rng.choice(["confirmed", "confirmed", "cancelled"])}
        for i, (d, h) in enumerate((d, h) for d in days for h in range(1, 9) for _ in range(rng.randrange(8, 20)))
    ]  # fmt: skip
    good = """
SELECT stay_date, hotel_id, COUNT(*) AS stays, SUM(nights) AS room_nights
FROM hotel_stays
WHERE status = 'confirmed'
GROUP BY 1, 2
"""
    bad = good.replace("status = 'confirmed'", "status = 'CONFIRMED'")
    return Incident(
        id="hotel-deploy-filter-drops-all-not-late", now=now, name="room_nights_by_hotel",
        description="Confirmed stays and room nights per hotel and stay date, for the revenue forecast.",
        sql=bad,
        checks=checks("room_nights_by_hotel", "- row_count > 0", "- duplicate_count(stay_date, hotel_id) = 0"),
        history=[(good, "2025-11-04T09:00:00Z")], deployed=iso(ts(now) - dt.timedelta(hours=9)),
        category="config_regression", remediation="rollback",
        root_cause="Last evening's deploy rewrote the status filter as 'CONFIRMED'; the feed writes "
        "'confirmed', so no row passes. The data is complete and current. Roll back.",
        before=[Source("hotel_stays", [s for s in stays if s["stay_date"] < days[-1]])],
        after=[Source("hotel_stays", stays)],
        reference=Reference("sql", good),
        domain="hospitality", shape="filter, aggregate",
    )  # fmt: skip


BUILDERS = [
    iot_interval_reads_replica_lagging,
    telecom_cdr_epoch_hour_partial,
    retail_monthly_budget_not_landed,
    hospital_ward_census_text_dates_partial,
    airline_fare_yields_inner_join_empty,
    grid_hourly_prices_behind,
    meter_daily_epoch_millis_partial,
    retail_store_closed_not_late,
    hotel_deploy_filter_drops_all_not_late,
]
