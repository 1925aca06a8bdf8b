"""Data quality: null keys, invalid values and duplicates that arrived with otherwise good data."""

from __future__ import annotations

import datetime as dt
import random

from generator import domains as d
from generator.common import checks, window
from generator.core import Incident, Reference, Source

# --- dead letter: bad rows go aside with a reason, the rest flows on ------------------------------


def claims_null_policy() -> Incident:
    now = "2026-03-06T03:30:00Z"
    rng = random.Random(301)
    pols = d.policies(rng, 350, first_id=520_000)
    cl = d.claims(rng, pols, 800, *window(now, 21), first_id=80_000)
    cut = window(now, 3)[0]
    recent = [i for i, r in enumerate(cl) if r["reported_at"] >= cut]
    nulled = set(rng.sample(recent, 40))
    after = [dict(r, policy_id=None) if i in nulled else r for i, r in enumerate(cl)]
    sql = """
SELECT policy_id,
       COUNT(*) AS claims,
       ROUND(SUM(claim_amount), 2) AS claimed_total,
       MAX(reported_at) AS last_reported_at
FROM claims
GROUP BY policy_id
"""
    return Incident(
        id="claims-null-policy",
        now=now,
        name="policy_claim_history",
        description="Per policy over the last three weeks: number of claims, total claimed and the latest "
        "report time, for the fraud-scoring model.",
        sql=sql,
        checks=checks(
            "policy_claim_history",
            "- row_count > 0",
            "- missing_count(policy_id) = 0",
            "- duplicate_count(policy_id) = 0",
            "- freshness(last_reported_at) < 1d",
        ),
        category="data_quality",
        remediation="dead_letter",
        root_cause="Since three days the first-notice-of-loss web form submits some claims without a "
        "policy_id (40 of 800). They cannot be attributed: they go to the dead-letter table (reason: missing "
        "policy_id) and the history is computed over the rest.",
        before=[Source("claims", cl)],
        after=[Source("claims", after)],
        reference=Reference("sql", sql.replace("FROM claims\n", "FROM claims\nWHERE policy_id IS NOT NULL\n")),
        domain="insurance",
        shape="aggregate",
        wrong_repairs=[
            (
                "null keys mapped to 0",
                sql.replace("SELECT policy_id,", "SELECT COALESCE(policy_id, 0) AS policy_id,").replace(
                    "GROUP BY policy_id", "GROUP BY 1"
                ),
            )
        ],
    )


def sensor_sentinel_values() -> Incident:
    now = "2026-02-20T08:00:00Z"
    rng = random.Random(302)
    devs = d.devices(rng, 20)
    rd = d.sensor_readings(rng, devs, dt.datetime(2026, 2, 19, 8, 0), 24 * 60, 10)
    bad = {dv["device_id"] for dv in devs[3:6]}
    after = [dict(r, temperature_c=-999.0) if r["device_id"] in bad and rng.random() < 0.3 else r for r in rd]
    sql = """
SELECT device_id, CAST(measured_at AS DATE) AS day,
       ROUND(AVG(temperature_c), 2) AS avg_temp_c,
       ROUND(MIN(temperature_c), 2) AS min_temp_c,
       COUNT(*) AS readings
FROM sensor_readings
GROUP BY 1, 2
"""
    return Incident(
        id="sensor-sentinel-values",
        now=now,
        name="device_daily_temperature",
        description="Daily average and minimum temperature per sensor, for predictive maintenance of the "
        "cooling installations.",
        sql=sql,
        checks=checks(
            "device_daily_temperature",
            "- row_count > 0",
            "- duplicate_count(device_id, day) = 0",
            "- invalid_count(min_temp_c) = 0:",
            "    valid min: -40",
        ),
        category="data_quality",
        remediation="dead_letter",
        root_cause="Three sensors with a failing probe report the sentinel -999.0 for part of their readings. "
        "Those readings are not temperatures: they go to the dead-letter table (reason: sentinel value) and "
        "the daily figures are computed from the valid readings.",
        before=[Source("sensor_readings", rd)],
        after=[Source("sensor_readings", after)],
        reference=Reference(
            "sql", sql.replace("FROM sensor_readings\n", "FROM sensor_readings\nWHERE temperature_c <> -999.0\n")
        ),
        domain="iot",
        shape="aggregate",
        wrong_repairs=[
            (
                "sentinel read as zero",
                sql.replace("temperature_c)", "CASE WHEN temperature_c = -999.0 THEN 0 ELSE temperature_c END)"),
            )
        ],
    )


def order_lines_negative_quantity() -> Incident:
    now = "2026-03-10T02:00:00Z"
    rng = random.Random(303)
    prods = d.products(rng, 50)
    ords = d.orders(rng, 700, *window(now, 7), first_id=990_000)
    lines = d.order_lines(rng, ords, prods)
    after = [dict(r, quantity=-r["quantity"]) if rng.random() < 0.03 else r for r in lines]
    sql = """
SELECT p.category, l.sku,
       SUM(l.quantity) AS units,
       ROUND(SUM(l.quantity * l.unit_price), 2) AS revenue,
       MIN(l.quantity) AS smallest_line
FROM order_lines l
JOIN products p USING (sku)
GROUP BY 1, 2
"""
    return Incident(
        id="order-lines-negative-quantity",
        now=now,
        name="sku_weekly_sales",
        description="Units and revenue per product over the last week of order lines, for replenishment.",
        sql=sql,
        checks=checks(
            "sku_weekly_sales",
            "- row_count > 0",
            "- duplicate_count(sku) = 0",
            "- invalid_count(smallest_line) = 0:",
            "    valid min: 1",
        ),
        category="data_quality",
        remediation="dead_letter",
        root_cause="The point-of-sale integration started sending some order lines with a negative quantity "
        "(about 3%); an order line cannot sell a negative number of units. Those lines go to the "
        "dead-letter table (reason: quantity below 1) and the sales are computed from the valid lines.",
        before=[Source("order_lines", lines), Source("products", prods)],
        after=[Source("order_lines", after)],
        reference=Reference("sql", sql.replace("GROUP BY 1, 2", "WHERE l.quantity >= 1\nGROUP BY 1, 2")),
        domain="e-commerce",
        shape="join, aggregate",
        wrong_repairs=[("absolute quantities", sql.replace("l.quantity", "abs(l.quantity)"))],
    )


def loans_null_product() -> Incident:
    now = "2026-03-03T05:00:00Z"
    rng = random.Random(304)
    bors = d.borrowers(rng, 250)
    lns = d.loans(rng, bors, 900, *window(now, 30), first_id=150_000)
    after = [dict(r, product=None) if i % 37 == 5 else r for i, r in enumerate(lns)]
    sql = """
SELECT product, status,
       COUNT(*) AS loans,
       ROUND(SUM(principal), 2) AS principal_total,
       ROUND(AVG(rate_pct), 3) AS avg_rate_pct
FROM loans
GROUP BY 1, 2
"""
    return Incident(
        id="loans-null-product",
        now=now,
        name="portfolio_mix",
        description="Number of loans, principal and average rate per product and status over the last thirty "
        "days, for the asset-liability committee.",
        sql=sql,
        checks=checks(
            "portfolio_mix",
            "- row_count > 0",
            "- missing_count(product) = 0",
            "- duplicate_count(product, status) = 0",
        ),
        category="data_quality",
        remediation="dead_letter",
        root_cause="A batch-migration job loaded some loans (1 in 37) without a product. Those loans cannot be "
        "classified; they go to the dead-letter table (reason: missing product) and the mix is computed over "
        "the rest.",
        before=[Source("loans", lns)],
        after=[Source("loans", after)],
        reference=Reference("sql", sql.replace("FROM loans\n", "FROM loans\nWHERE product IS NOT NULL\n")),
        domain="lending",
        shape="aggregate",
    )


def payslips_invalid_net_pay() -> Incident:
    now = "2026-03-01T09:00:00Z"
    rng = random.Random(305)
    emps = d.employees(rng, 160, first_id=30_000)
    slips = d.payslips(rng, emps, [dt.date(2026, 2, 1)], first_id=90_000)
    after = []
    for i, s in enumerate(slips):
        if i % 23 == 4:
            s = dict(s, tax=round(s["gross_pay"] * 1.4, 2))
            s["net_pay"] = round(s["gross_pay"] - s["tax"], 2)
        after.append(s)
    sql = """
SELECT p.payslip_id, p.employee_id, e.dept_code, p.period,
       p.gross_pay, p.tax, p.net_pay
FROM payslips p
JOIN employees e USING (employee_id)
"""
    return Incident(
        id="payslips-invalid-net-pay",
        now=now,
        name="payment_run",
        description="This month's payment run: one row per payslip with the department and the gross, tax and "
        "net amounts, sent to the bank for payment.",
        sql=sql,
        checks=checks(
            "payment_run",
            "- row_count > 0",
            "- duplicate_count(payslip_id) = 0",
            "- invalid_count(net_pay) = 0:",
            "    valid min: 0",
        ),
        category="data_quality",
        remediation="dead_letter",
        root_cause="The payroll engine's new tax table produced a tax above the gross pay for some payslips "
        "(net pay negative). Those payslips must not be paid: they go to the dead-letter table (reason: "
        "negative net pay) for payroll to correct; the rest of the run goes ahead.",
        before=[Source("payslips", slips), Source("employees", emps)],
        after=[Source("payslips", after)],
        reference=Reference("sql", sql.rstrip() + "\nWHERE p.net_pay >= 0\n"),
        domain="hr payroll",
        shape="join, projection",
        wrong_repairs=[("negative pay clamped", sql.replace("p.net_pay\n", "GREATEST(p.net_pay, 0) AS net_pay\n"))],
    )


def usage_null_subscriber() -> Incident:
    now = "2026-03-11T03:00:00Z"
    rng = random.Random(306)
    subs = d.subscribers(rng, 220)
    usage = d.usage_records(rng, subs, 1400, *window(now, 7))
    after = [dict(r, subscriber_id=None) if r["country_code"] == "US" and rng.random() < 0.6 else r for r in usage]
    sql = """
SELECT s.subscriber_id, u.plan,
       COUNT(*) AS connections,
       ROUND(SUM(s.megabytes), 2) AS megabytes
FROM usage_records s
LEFT JOIN subscribers u ON u.subscriber_id = s.subscriber_id
GROUP BY 1, 2
"""
    return Incident(
        id="usage-null-subscriber",
        now=now,
        name="subscriber_weekly_usage",
        description="Connections and megabytes per subscriber with their plan over the last week, for the "
        "fair-use policy.",
        sql=sql,
        checks=checks(
            "subscriber_weekly_usage",
            "- row_count > 0",
            "- missing_count(subscriber_id) = 0",
            "- missing_count(plan) = 0",
            "- duplicate_count(subscriber_id) = 0",
        ),
        category="data_quality",
        remediation="dead_letter",
        root_cause="Records from the US roaming partner arrive without a subscriber_id (the partner stopped "
        "sending the IMSI mapping). Those records cannot be attributed: dead-letter them (reason: missing "
        "subscriber_id) and compute usage from the rest.",
        before=[Source("usage_records", usage), Source("subscribers", subs)],
        after=[Source("usage_records", after)],
        reference=Reference("sql", sql.replace("GROUP BY 1, 2", "WHERE s.subscriber_id IS NOT NULL\nGROUP BY 1, 2")),
        domain="telecom",
        shape="left join, aggregate",
    )


# --- dedupe: duplicates removed by key before the transform ---------------------------------------


def shipments_replayed_batch() -> Incident:
    now = "2026-02-26T04:00:00Z"
    rng = random.Random(307)
    sh = d.shipments(rng, 700, *window(now, 4), first_id=160_000)
    replay = [r for r in sh if r["shipped_at"] >= window(now, 1)[0]]
    after = sorted(sh + replay, key=lambda r: (r["shipped_at"], r["shipment_id"]))
    sql = """
SELECT shipment_id, carrier_code, origin, destination, weight_kg, shipped_at, cost_eur
FROM shipments
WHERE status = 'delivered'
"""
    ref = "WITH s AS (SELECT DISTINCT * FROM shipments)\n" + sql.replace("FROM shipments", "FROM s")
    return Incident(
        id="shipments-replayed-batch",
        now=now,
        name="delivered_shipments",
        description="Every delivered shipment of the last four days, one row per shipment, for carrier invoicing.",
        sql=sql,
        checks=checks(
            "delivered_shipments",
            "- row_count > 0",
            "- duplicate_count(shipment_id) = 0",
            "- freshness(shipped_at) < 1d",
        ),
        category="data_quality",
        remediation="dedupe",
        root_cause=f"The forwarder replayed the last day's batch: {len(replay)} shipments arrived twice, "
        "identical in every column. Deduplicate by shipment_id before the transform.",
        before=[Source("shipments", sh)],
        after=[Source("shipments", after)],
        reference=Reference("sql", ref),
        domain="logistics",
        shape="filter, projection",
    )


def order_events_duplicated() -> Incident:
    now = "2026-03-12T02:00:00Z"
    rng = random.Random(308)
    ords = d.orders(rng, 800, *window(now, 3), first_id=1_200_000)
    for o in ords:
        o["_ingested_at"] = o["ordered_at"] + dt.timedelta(seconds=rng.randrange(20, 300))
    dupes = []
    for o in ords:
        if rng.random() < 0.08:
            dupes.append(dict(o, _ingested_at=o["_ingested_at"] + dt.timedelta(minutes=rng.randrange(5, 90))))
    after = sorted(ords + dupes, key=lambda r: (r["_ingested_at"], r["order_id"]))
    sql = """
SELECT order_id, customer_id, ordered_at, country, total_eur
FROM orders
WHERE status = 'paid'
"""
    ref = (
        "WITH o AS (SELECT * FROM orders\n"
        "           QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY _ingested_at) = 1)\n"
        + sql.replace("FROM orders", "FROM o")
    )
    return Incident(
        id="order-events-duplicated",
        now=now,
        name="paid_orders",
        description="Every paid order of the last three days, one row per order, for the loyalty-points engine.",
        sql=sql,
        checks=checks(
            "paid_orders",
            "- row_count > 0",
            "- duplicate_count(order_id) = 0",
            "- freshness(ordered_at) < 1d",
        ),
        category="data_quality",
        remediation="dedupe",
        root_cause=f"The order event stream redelivered {len(dupes)} orders after a consumer restart; the "
        "copies differ only in _ingested_at. Deduplicate by order_id (keep the first ingestion) before the "
        "transform.",
        before=[Source("orders", ords)],
        after=[Source("orders", after)],
        reference=Reference("sql", ref),
        domain="e-commerce",
        shape="filter, projection",
    )


def meter_reads_double_delivered() -> Incident:
    now = "2026-01-29T04:00:00Z"
    rng = random.Random(309)
    mtrs = d.meters(rng, 25, first_id=7_500_000)
    rd = d.interval_readings(rng, mtrs, dt.datetime(2026, 1, 27, 0, 0), 48)
    again = [r for r in rd if r["meter_id"] in {m["meter_id"] for m in mtrs[:6]}]
    after = sorted(rd + again, key=lambda r: (r["read_at"], r["meter_id"]))
    sql = """
SELECT meter_id, CAST(read_at AS DATE) AS day,
       COUNT(*) AS interval_reads,
       ROUND(SUM(kwh), 3) AS kwh
FROM interval_reads
GROUP BY 1, 2
"""
    ref = "WITH r AS (SELECT DISTINCT * FROM interval_reads)\n" + sql.replace("FROM interval_reads", "FROM r")
    return Incident(
        id="meter-reads-double-delivered",
        now=now,
        name="meter_daily_totals",
        description="Daily consumption per meter from the hourly interval reads (24 a day), for billing.",
        sql=sql,
        checks=checks(
            "meter_daily_totals",
            "- row_count > 0",
            "- duplicate_count(meter_id, day) = 0",
            "- invalid_count(interval_reads) = 0:",
            "    valid max: 24",
        ),
        category="data_quality",
        remediation="dedupe",
        root_cause="The head-end system delivered the hourly reads of six meters twice (same meter, hour and "
        "value). Deduplicate by (meter_id, read_at) before the daily totals.",
        before=[Source("interval_reads", rd)],
        after=[Source("interval_reads", after)],
        reference=Reference("sql", ref),
        domain="energy",
        shape="aggregate",
        wrong_repairs=[
            (
                "halved totals",
                sql.replace("ROUND(SUM(kwh), 3)", "ROUND(SUM(kwh) / 2, 3)").replace(
                    "COUNT(*)", "COUNT(DISTINCT read_at)"
                ),
            )
        ],
    )


def payslips_delivered_twice() -> Incident:
    now = "2026-03-02T06:00:00Z"
    rng = random.Random(310)
    emps = d.employees(rng, 120, first_id=50_000)
    slips = d.payslips(rng, emps, [dt.date(2026, 1, 1), dt.date(2026, 2, 1)], first_id=120_000)
    feb = [s for s in slips if s["period"] == dt.date(2026, 2, 1)]
    after = slips + feb
    sql = """
SELECT p.employee_id, e.dept_code,
       COUNT(*) AS payslips,
       ROUND(SUM(p.gross_pay), 2) AS gross_ytd,
       ROUND(SUM(p.tax), 2) AS tax_ytd
FROM payslips p
JOIN employees e USING (employee_id)
GROUP BY 1, 2
"""
    ref = "WITH p AS (SELECT DISTINCT * FROM payslips)\n" + sql.replace("FROM payslips p", "FROM p")
    return Incident(
        id="payslips-delivered-twice",
        now=now,
        name="employee_ytd_pay",
        description="Year-to-date gross pay and tax per employee, one payslip per employee per month, for the "
        "annual tax statements.",
        sql=sql,
        checks=checks(
            "employee_ytd_pay",
            "- row_count > 0",
            "- duplicate_count(employee_id) = 0",
            "- invalid_count(payslips) = 0:",
            "    valid max: 2",
        ),
        category="data_quality",
        remediation="dedupe",
        root_cause="The payroll vendor re-sent February's payslip file; every February payslip (same "
        "payslip_id, same amounts) arrived twice. Deduplicate by payslip_id before the totals.",
        before=[Source("payslips", slips), Source("employees", emps)],
        after=[Source("payslips", after)],
        reference=Reference("sql", ref),
        domain="hr payroll",
        shape="join, aggregate",
    )


BUILDERS = [
    claims_null_policy,
    sensor_sentinel_values,
    order_lines_negative_quantity,
    loans_null_product,
    payslips_invalid_net_pay,
    usage_null_subscriber,
    shipments_replayed_batch,
    order_events_duplicated,
    meter_reads_double_delivered,
    payslips_delivered_twice,
]
