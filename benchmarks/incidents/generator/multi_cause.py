"""Multi-cause incidents: two root causes at once; category and remediation are lists."""

from __future__ import annotations

import datetime as dt
import random

from generator import domains as d
from generator.common import checks, rename, window
from generator.core import Incident, Reference, Source, iso, ts


def loans_renamed_and_null_keys() -> Incident:
    now = "2026-03-07T04:00:00Z"
    rng = random.Random(701)
    bors = d.borrowers(rng, 220)
    lns = d.loans(rng, bors, 800, *window(now, 30), first_id=250_000)
    after = rename(lns, "borrower_id", "borrower_ref")
    cut = window(now, 4)[0]
    after = [dict(r, borrower_ref=None) if r["disbursed_at"] >= cut and rng.random() < 0.25 else r for r in after]
    sql = """
SELECT l.borrower_id, b.segment,
       COUNT(*) AS loans,
       ROUND(SUM(l.principal), 2) AS exposure
FROM loans l
JOIN borrowers b USING (borrower_id)
GROUP BY 1, 2
"""
    ref = """
SELECT l.borrower_ref AS borrower_id, b.segment,
       COUNT(*) AS loans,
       ROUND(SUM(l.principal), 2) AS exposure
FROM loans l
JOIN borrowers b ON b.borrower_id = l.borrower_ref
WHERE l.borrower_ref IS NOT NULL
GROUP BY 1, 2
"""
    return Incident(
        id="loans-renamed-and-null-keys",
        now=now,
        name="borrower_exposure",
        description="Total exposure and number of loans per borrower over the last thirty days, with the "
        "borrower's segment, for the large-exposure limits.",
        sql=sql,
        checks=checks(
            "borrower_exposure",
            "- row_count > 0",
            "- missing_count(borrower_id) = 0",
            "- duplicate_count(borrower_id) = 0",
        ),
        category=["schema_drift", "data_quality"],
        remediation=["code_change", "dead_letter"],
        root_cause="Two changes in one release of the loan system: borrower_id was renamed to borrower_ref, "
        "and loans booked through the new broker channel in the last four days arrive without it. Read "
        "borrower_ref, and dead-letter the loans without a borrower (reason: missing borrower_ref).",
        before=[Source("loans", lns), Source("borrowers", bors)],
        after=[Source("loans", after)],
        reference=Reference("sql", ref),
        domain="lending",
        shape="join, aggregate",
    )


def meter_comma_and_duplicates() -> Incident:
    now = "2026-02-06T03:00:00Z"
    rng = random.Random(702)
    mtrs = d.meters(rng, 60, first_id=7_900_000)
    days = [dt.date(2026, 1, 23) + dt.timedelta(days=i) for i in range(14)]
    rd = d.daily_readings(rng, mtrs, days)
    replay = [r for r in rd if r["reading_date"] >= dt.date(2026, 2, 3)]
    after = [
        dict(r, kwh=f"{r['kwh']:.3f}".replace(".", ","))
        for r in sorted(rd + replay, key=lambda r: (r["reading_date"], r["meter_id"]))
    ]
    sql = """
SELECT meter_id,
       COUNT(*) AS days_read,
       ROUND(SUM(kwh), 3) AS kwh_14d
FROM readings
GROUP BY meter_id
"""
    ref = (
        "WITH r AS (SELECT DISTINCT meter_id, reading_date, CAST(REPLACE(kwh, ',', '.') AS DOUBLE) AS kwh\n"
        "           FROM readings)\n" + sql.replace("FROM readings", "FROM r")
    )
    return Incident(
        id="meter-comma-and-duplicates",
        now=now,
        name="meter_fortnight_totals",
        description="Each meter's number of days read and consumption over the last fourteen days (one read "
        "per meter per day), for the estimated-bill check.",
        sql=sql,
        checks=checks(
            "meter_fortnight_totals",
            "- row_count > 0",
            "- duplicate_count(meter_id) = 0",
            "- invalid_count(days_read) = 0:",
            "    valid max: 14",
        ),
        category=["format_drift", "data_quality"],
        remediation=["code_change", "dedupe"],
        root_cause="The meter-data provider switched to a decimal comma in kwh and, in the same migration, "
        "re-sent the reads of the last three days, which now arrive twice. Parse the decimal comma and "
        "deduplicate by (meter_id, reading_date).",
        before=[Source("readings", rd)],
        after=[Source("readings", after)],
        reference=Reference("sql", ref),
        domain="energy",
        shape="aggregate",
        wrong_repairs=[
            (
                "format fixed, duplicates kept",
                "WITH r AS (SELECT meter_id, reading_date, CAST(REPLACE(kwh, ',', '.') AS DOUBLE) AS kwh\n"
                "           FROM readings)\n" + sql.replace("FROM readings", "FROM r"),
            )
        ],
    )


def sensor_epoch_renamed() -> Incident:
    now = "2026-02-16T11:00:00Z"
    rng = random.Random(703)
    devs = d.devices(rng, 20)
    rd = d.sensor_readings(rng, devs, dt.datetime(2026, 2, 16, 0, 0), 10 * 60, 10)
    epoch = dt.datetime(1970, 1, 1)
    after = [
        {
            ("measured_epoch_ms" if k == "measured_at" else k): (
                int((v - epoch).total_seconds() * 1000) if k == "measured_at" else v
            )
            for k, v in r.items()
        }
        for r in rd
    ]
    sql = """
SELECT d.site, date_trunc('hour', s.measured_at) AS hour,
       ROUND(AVG(s.humidity_pct), 1) AS avg_humidity_pct,
       MIN(s.battery_mv) AS min_battery_mv
FROM sensor_readings s
JOIN devices d USING (device_id)
GROUP BY 1, 2
"""
    ref = (
        "WITH s AS (SELECT * EXCLUDE (measured_epoch_ms), epoch_ms(measured_epoch_ms) AS measured_at\n"
        "           FROM sensor_readings)\n" + sql.replace("FROM sensor_readings s", "FROM s")
    )
    return Incident(
        id="sensor-epoch-renamed",
        now=now,
        name="site_hourly_humidity",
        description="Hourly average humidity and lowest battery voltage per site, for facilities and device "
        "maintenance.",
        sql=sql,
        checks=checks(
            "site_hourly_humidity",
            "- row_count > 0",
            "- duplicate_count(site, hour) = 0",
            "- freshness(hour) < 1d",
        ),
        category=["schema_drift", "format_drift"],
        remediation="code_change",
        root_cause="The new gateway firmware renamed measured_at to measured_epoch_ms and sends it as epoch "
        "milliseconds. Read the new column and convert it to a timestamp.",
        before=[Source("sensor_readings", rd), Source("devices", devs)],
        after=[Source("sensor_readings", after)],
        reference=Reference("sql", ref),
        domain="iot",
        shape="join, aggregate",
    )


def orders_regression_and_replay() -> Incident:
    now = "2026-03-11T06:00:00Z"
    rng = random.Random(704)
    ords = d.orders(rng, 700, *window(now, 3), first_id=1_400_000)
    replay = [o for o in ords if o["ordered_at"] >= window(now, 0.5)[0]]
    after = sorted(ords + replay, key=lambda r: (r["ordered_at"], r["order_id"]))
    good = """
SELECT order_id, customer_id, ordered_at, channel, total_eur
FROM orders
WHERE status = 'paid'
"""
    bad = good.replace("WHERE status = 'paid'", "WHERE status <> 'cancelled'")
    deployed = iso(ts(now) - dt.timedelta(hours=7))
    return Incident(
        id="orders-regression-and-replay",
        now=now,
        name="paid_orders_for_invoicing",
        description="Every paid order of the last three days, one row per order, for invoicing.",
        sql=bad,
        checks=checks(
            "paid_orders_for_invoicing",
            "- row_count > 0",
            "- duplicate_count(order_id) = 0",
            "- freshness(ordered_at) < 1d",
        ),
        history=[(good, "2025-10-10T10:00:00Z")],
        deployed=deployed,
        category=["config_regression", "data_quality"],
        remediation=["rollback", "dedupe"],
        root_cause="Two unrelated faults: this morning's deploy changed the filter to status <> 'cancelled', "
        "letting refunded orders through, and the order stream replayed the last twelve hours. Roll back "
        "to the last good version and deduplicate by order_id.",
        before=[Source("orders", ords)],
        after=[Source("orders", after)],
        reference=Reference(
            "sql", "WITH o AS (SELECT DISTINCT * FROM orders)\n" + good.replace("FROM orders", "FROM o")
        ),
        domain="e-commerce",
        shape="filter, projection",
        wrong_repairs=[("rollback only", good)],
    )


BUILDERS = [
    loans_renamed_and_null_keys,
    meter_comma_and_duplicates,
    sensor_epoch_renamed,
    orders_regression_and_replay,
]
