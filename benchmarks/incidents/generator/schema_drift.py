"""Schema drift: renamed, dropped and added columns, type changes, re-keyed identifiers, outgrown types."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

from generator import domains as d
from generator.common import checks, rename, window
from generator.core import Incident, Reference, Source


def claims_amount_renamed() -> Incident:
    now = "2026-03-04T05:20:00Z"
    rng = random.Random(101)
    pols = d.policies(rng, 400)
    cl = d.claims(rng, pols, 900, *window(now, 30), first_id=1_000)
    sql = """
SELECT p.product, c.cause,
       COUNT(*) AS claim_count,
       ROUND(SUM(c.claim_amount), 2) AS total_claimed,
       ROUND(AVG(c.claim_amount), 2) AS avg_claim
FROM claims c
JOIN policies p ON p.policy_id = c.policy_id
GROUP BY 1, 2
"""
    return Incident(
        id="claims-amount-renamed",
        now=now,
        name="claims_by_cause",
        description="Claim count, total and average claimed amount per product line and cause over the "
        "last thirty days, for the claims-handling dashboard.",
        sql=sql,
        checks=checks(
            "claims_by_cause",
            "- row_count > 0",
            "- missing_count(product) = 0",
            "- invalid_count(total_claimed) = 0:",
            "    valid min: 0",
        ),
        category="schema_drift",
        remediation="code_change",
        root_cause="The claims system renamed claim_amount to claim_amount_eur in its export; the values are "
        "unchanged. The transform must read claim_amount_eur and keep its output columns.",
        before=[Source("claims", cl), Source("policies", pols)],
        after=[Source("claims", rename(cl, "claim_amount", "claim_amount_eur"))],
        reference=Reference("sql", sql.replace("c.claim_amount)", "c.claim_amount_eur)")),
        domain="insurance",
        shape="join, aggregate",
        wrong_repairs=[("amount dropped", sql.replace("c.claim_amount)", "0)"))],
    )


def carrier_code_text() -> Incident:
    now = "2026-02-20T06:00:00Z"
    rng = random.Random(102)
    sh = d.shipments(rng, 800, *window(now, 14), first_id=10_000)
    after = [dict(r, carrier_code=f"{r['carrier_code']:04d}") for r in sh]
    sql = """
SELECT s.carrier_code, c.carrier_name, c.mode,
       COUNT(*) AS shipments,
       ROUND(SUM(s.weight_kg), 1) AS total_weight_kg,
       ROUND(AVG(s.transit_hours), 1) AS avg_transit_hours
FROM shipments s
JOIN carriers c ON c.carrier_code = s.carrier_code
WHERE s.status = 'delivered'
GROUP BY 1, 2, 3
"""
    ref = sql.replace("SELECT s.carrier_code,", "SELECT CAST(s.carrier_code AS BIGINT) AS carrier_code,")
    return Incident(
        id="carrier-code-text",
        now=now,
        name="carrier_performance",
        description="Delivered shipments per carrier over the last two weeks: count, total weight and average "
        "transit time, with the carrier's code (a number, as the billing system keys carriers), name and "
        "transport mode.",
        sql=sql,
        checks=checks(
            "carrier_performance",
            "- row_count > 0",
            "- missing_count(carrier_name) = 0",
            "- duplicate_count(carrier_code) = 0",
            "- schema:",
            "    fail:",
            "      when wrong column type:",
            "        carrier_code: bigint",
        ),
        category="schema_drift",
        remediation="code_change",
        root_cause="The shipments feed now sends carrier_code as zero-padded text ('0101' for carrier 101). "
        "Every padded code still names the same carrier; the output's carrier_code must be cast back to "
        "an integer.",
        before=[Source("shipments", sh, "parquet"), Source("carriers", d.carriers())],
        after=[Source("shipments", after, "parquet")],
        reference=Reference("sql", ref),
        domain="logistics",
        shape="join, filter, aggregate",
        wrong_repairs=[
            (
                "code kept as text",
                sql.replace("SELECT s.carrier_code,", "SELECT c.carrier_code::VARCHAR AS carrier_code,"),
            )
        ],
    )


def order_lines_country_ambiguous() -> Incident:
    now = "2026-03-09T03:00:00Z"
    rng = random.Random(103)
    prods = d.products(rng, 60)
    ords = d.orders(rng, 600, *window(now, 7), first_id=880_000)
    lines = d.order_lines(rng, ords, prods)
    country = {o["order_id"]: o["country"] for o in ords}
    after = [dict(line, country=country[line["order_id"]]) for line in lines]
    sql = """
SELECT country, category,
       SUM(quantity) AS units,
       ROUND(SUM(quantity * unit_price), 2) AS revenue
FROM order_lines
JOIN orders USING (order_id)
JOIN products USING (sku)
WHERE status = 'paid'
GROUP BY 1, 2
"""
    ref = sql.replace("SELECT country,", "SELECT orders.country,")
    return Incident(
        id="order-lines-country-ambiguous",
        now=now,
        name="category_sales_by_country",
        description="Units sold and revenue per shipping country and product category over the last week of "
        "paid web-shop orders.",
        sql=sql,
        checks=checks(
            "category_sales_by_country",
            "- row_count > 0",
            "- missing_count(country) = 0",
            "- missing_count(category) = 0",
            "- duplicate_count(country, category) = 0",
        ),
        category="schema_drift",
        remediation="code_change",
        root_cause="order_lines gained a country column (the line's shipping country, for split shipments), so "
        "the unqualified country in the transform became ambiguous. Every line's country equals its order's; "
        "qualifying the column as orders.country restores the output.",
        before=[Source("orders", ords), Source("order_lines", lines), Source("products", prods)],
        after=[Source("order_lines", after)],
        reference=Reference("sql", ref),
        domain="e-commerce",
        shape="multi-source join, filter, aggregate",
    )


def payslips_dept_dropped() -> Incident:
    now = "2026-03-02T07:30:00Z"
    rng = random.Random(104)
    emps = d.employees(rng, 140)
    periods = [dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    slips = d.payslips(rng, emps, periods, first_id=40_000)
    dept = {e["employee_id"]: e["dept_code"] for e in emps}
    before = [dict(s, dept_code=dept[s["employee_id"]]) for s in slips]
    sql = """
SELECT dept_code, period,
       COUNT(*) AS headcount,
       ROUND(SUM(gross_pay), 2) AS gross_total,
       ROUND(SUM(net_pay), 2) AS net_total
FROM payslips
GROUP BY 1, 2
"""
    ref = """
SELECT e.dept_code, p.period,
       COUNT(*) AS headcount,
       ROUND(SUM(p.gross_pay), 2) AS gross_total,
       ROUND(SUM(p.net_pay), 2) AS net_total
FROM payslips p
JOIN employees e ON e.employee_id = p.employee_id
GROUP BY 1, 2
"""
    return Incident(
        id="payslips-dept-dropped",
        now=now,
        name="payroll_by_department",
        description="Monthly payroll cost per department: headcount paid, gross and net totals, for finance's "
        "cost-centre reporting.",
        sql=sql,
        checks=checks(
            "payroll_by_department",
            "- row_count > 0",
            "- missing_count(dept_code) = 0",
            "- duplicate_count(dept_code, period) = 0",
            "- invalid_count(net_total) = 0:",
            "    valid min: 0",
        ),
        category="schema_drift",
        remediation="code_change",
        root_cause="The payroll export dropped dept_code from payslips. The employee's department is still in "
        "the employees table (unchanged); the transform must take dept_code from there by employee_id.",
        before=[Source("payslips", before), Source("employees", emps)],
        after=[Source("payslips", slips)],
        reference=Reference("sql", ref),
        domain="hr payroll",
        shape="aggregate (repair adds a join)",
    )


def borrower_rekeyed_with_map() -> Incident:
    now = "2026-03-06T04:10:00Z"
    rng = random.Random(105)
    bors = d.borrowers(rng, 300)
    lns = d.loans(rng, bors, 700, *window(now, 60), first_id=20_000)
    keys = {b["borrower_id"]: f"BK-{rng.getrandbits(40):010x}" for b in bors}
    key_map = [{"borrower_key": keys[b["borrower_id"]], "borrower_id": b["borrower_id"]} for b in bors]
    after = [
        {("borrower_key" if k == "borrower_id" else k): (keys[v] if k == "borrower_id" else v) for k, v in r.items()}
        for r in lns
    ]
    sql = """
SELECT b.segment, b.risk_band, l.product,
       COUNT(*) AS loans,
       ROUND(SUM(l.principal), 2) AS principal_total,
       ROUND(AVG(l.rate_pct), 3) AS avg_rate_pct
FROM loans l
JOIN borrowers b ON b.borrower_id = l.borrower_id
GROUP BY 1, 2, 3
"""
    ref = sql.replace(
        "JOIN borrowers b ON b.borrower_id = l.borrower_id",
        "JOIN borrower_key_map k ON k.borrower_key = l.borrower_key\nJOIN borrowers b ON b.borrower_id = k.borrower_id",
    )
    return Incident(
        id="borrower-rekeyed-with-map",
        now=now,
        name="loan_book_by_risk",
        description="The loan book of the last sixty days by borrower segment, risk band and product: number "
        "of loans, total principal and average rate, for the credit-risk committee.",
        sql=sql,
        checks=checks(
            "loan_book_by_risk",
            "- row_count > 0",
            "- missing_count(segment) = 0",
            "- missing_count(risk_band) = 0",
            "- invalid_count(principal_total) = 0:",
            "    valid min: 0",
        ),
        category="schema_drift",
        remediation="code_change",
        root_cause="The loan system re-keyed borrowers: loans now carry borrower_key (an opaque text key) "
        "instead of borrower_id, and a new source borrower_key_map maps every borrower_key to its borrower_id. "
        "The transform must join through the map.",
        before=[Source("loans", lns), Source("borrowers", bors)],
        after=[Source("loans", after), Source("borrower_key_map", key_map)],
        reference=Reference("sql", ref),
        domain="lending",
        shape="join, aggregate (repair joins a new mapping source)",
    )


def meter_id_text() -> Incident:
    now = "2026-01-15T03:00:00Z"
    rng = random.Random(106)
    mtrs = d.meters(rng, 60)
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(14)]
    rd = d.daily_readings(rng, mtrs, days)
    after = [dict(r, meter_id=str(r["meter_id"])) for r in rd]
    sql = """
SELECT reading_date,
       COUNT(*) AS meters_read,
       ROUND(SUM(kwh), 3) AS kwh_total,
       ROUND(AVG(kwh), 3) AS kwh_avg
FROM readings
WHERE meter_id IN (SELECT meter_id FROM meters WHERE tariff = 'residential')
GROUP BY 1
"""
    ref = sql.replace("WHERE meter_id IN", "WHERE CAST(meter_id AS BIGINT) IN")
    return Incident(
        id="meter-id-text",
        now=now,
        name="residential_daily_consumption",
        description="Daily electricity consumption of residential meters from the smart-meter daily reads: "
        "meters read, total and average kWh, for the supplier's household demand forecast.",
        sql=sql,
        checks=checks(
            "residential_daily_consumption",
            "- row_count > 0",
            "- duplicate_count(reading_date) = 0",
            "- avg(kwh_avg) between 3 and 20",
        ),
        category="schema_drift",
        remediation="code_change",
        root_cause="The meter-data platform now writes meter_id as text in its Parquet export; the digits are "
        "unchanged and every value casts to an existing meters.meter_id. The comparison with meters must cast it back.",
        before=[Source("readings", rd, "parquet"), Source("meters", mtrs)],
        after=[Source("readings", after, "parquet", types={"meter_id": pa.string()})],
        reference=Reference("sql", ref),
        domain="energy",
        shape="IN subquery, aggregate",
    )


def readings_kwh_renamed() -> Incident:
    now = "2026-02-03T02:00:00Z"
    rng = random.Random(107)
    mtrs = d.meters(rng, 80)
    days = [dt.date(2026, 1, 20) + dt.timedelta(days=i) for i in range(14)]
    rd = d.daily_readings(rng, mtrs, days)
    sql = """
SELECT meter_id,
       ROUND(SUM(kwh), 3) AS kwh_14d,
       CASE WHEN SUM(kwh) < 200 THEN 'low'
            WHEN SUM(kwh) < 2000 THEN 'medium'
            ELSE 'high' END AS usage_band
FROM readings
GROUP BY meter_id
"""
    return Incident(
        id="readings-kwh-renamed",
        now=now,
        name="meter_usage_bands",
        description="Each meter's consumption over the last fourteen days and its usage band (low under 200 "
        "kWh, medium under 2000, high above), for tariff advice letters.",
        sql=sql,
        checks=checks(
            "meter_usage_bands",
            "- row_count > 0",
            "- duplicate_count(meter_id) = 0",
            "- invalid_count(usage_band) = 0:",
            "    valid values: [low, medium, high]",
        ),
        category="schema_drift",
        remediation="code_change",
        root_cause="The daily readings file renamed kwh to energy_kwh; values and units are unchanged.",
        before=[Source("readings", rd)],
        after=[Source("readings", rename(rd, "kwh", "energy_kwh"))],
        reference=Reference("sql", sql.replace("SUM(kwh)", "SUM(energy_kwh)")),
        domain="energy",
        shape="aggregate, CASE",
    )


def usage_duration_renamed() -> Incident:
    now = "2026-03-10T01:30:00Z"
    rng = random.Random(108)
    subs = d.subscribers(rng, 250)
    usage = d.usage_records(rng, subs, 1500, *window(now, 7))
    sql = """
SELECT u.plan, s.country_code,
       COUNT(*) AS connections,
       ROUND(SUM(s.duration_s) / 60.0, 1) AS minutes,
       ROUND(SUM(s.megabytes), 2) AS megabytes
FROM usage_records s
JOIN subscribers u ON u.subscriber_id = s.subscriber_id
GROUP BY 1, 2
"""
    return Incident(
        id="usage-duration-renamed",
        now=now,
        name="usage_by_plan_and_country",
        description="Weekly mobile usage per plan and country: connections, minutes and megabytes, for the "
        "roaming and capacity teams.",
        sql=sql,
        checks=checks(
            "usage_by_plan_and_country",
            "- row_count > 0",
            "- missing_count(plan) = 0",
            "- invalid_count(minutes) = 0:",
            "    valid min: 0",
        ),
        category="schema_drift",
        remediation="code_change",
        root_cause="The network's usage export renamed duration_s to duration_sec (still seconds); the "
        "subscribers source is unchanged.",
        before=[Source("usage_records", usage), Source("subscribers", subs)],
        after=[Source("usage_records", rename(usage, "duration_s", "duration_sec"))],
        reference=Reference("sql", sql.replace("s.duration_s)", "s.duration_sec)")),
        domain="telecom",
        shape="join, aggregate",
        wrong_repairs=[("minutes as seconds", sql.replace("SUM(s.duration_s) / 60.0", "SUM(s.duration_sec)"))],
    )


# --- values outgrew a declared type: the output schema widens ------------------------------------


def loan_principal_overflow() -> Incident:
    now = "2026-03-03T06:00:00Z"
    rng = random.Random(109)
    bors = d.borrowers(rng, 200)
    lns = d.loans(rng, bors, 500, *window(now, 20), first_id=60_000)
    start, end = window(now, 2)
    big = d.loans(rng, bors, 4, start, end, first_id=60_500)
    for i, row in enumerate(big):
        row.update(product="sme", principal=[125_000_000.0, 240_500_000.0, 98_000_000.5, 310_000_000.0][i])
    sql = """
SELECT loan_id, borrower_id, product,
       CAST(principal AS DECIMAL(10, 2)) AS principal,
       rate_pct, term_months, disbursed_at
FROM loans
WHERE status = 'active'
"""
    return Incident(
        id="loan-principal-overflow",
        now=now,
        name="active_loans",
        description="Every active loan with its principal as an exact decimal amount, rate, term and "
        "disbursement time, for the regulatory loan-level report.",
        sql=sql,
        checks=checks(
            "active_loans",
            "- row_count > 0",
            "- duplicate_count(loan_id) = 0",
            "- missing_count(principal) = 0",
            "- invalid_count(principal) = 0:",
            "    valid min: 0",
        ),
        category="schema_drift",
        remediation="schema_evolution",
        root_cause="Syndicated SME loans above one hundred million were booked for the first time; their "
        "principal no longer fits the output column's DECIMAL(10,2). The principal column must widen "
        "(DECIMAL(18,2)) rather than lose or reject the loans.",
        before=[Source("loans", lns)],
        after=[Source("loans", lns + big)],
        reference=Reference("sql", sql.replace("DECIMAL(10, 2)", "DECIMAL(18, 2)")),
        domain="lending",
        shape="projection, filter, cast",
        wrong_repairs=[("big loans filtered out", sql.rstrip() + "\n  AND principal < 100000000\n")],
    )


def pulse_counter_overflow() -> Incident:
    now = "2026-02-12T09:00:00Z"
    rng = random.Random(110)
    devs = d.devices(rng, 40)
    start = dt.datetime(2026, 2, 11, 0, 0)

    def rows(base_offset: int) -> list[dict]:
        out = []
        for dv_i, dv in enumerate(devs):
            counter = 1_500_000_000 + dv_i * 9_000_000 + base_offset
            for h in range(32):
                counter += rng.randrange(200_000, 900_000)
                out.append({"device_id": dv["device_id"], "read_at": start + dt.timedelta(hours=h), "pulses": counter})
        return out

    before = rows(0)
    after = rows(0)
    # Meters that have run longer cross 2^31 pulses.
    after = [
        dict(r, pulses=r["pulses"] + 600_000_000) if r["device_id"] in ("dev-0003", "dev-0017") else r for r in after
    ]
    sql = """
SELECT device_id,
       CAST(MAX(pulses) AS INTEGER) AS last_counter,
       CAST(MAX(pulses) - MIN(pulses) AS INTEGER) AS pulses_in_window,
       MAX(read_at) AS last_read_at
FROM pulse_counters
GROUP BY device_id
"""
    return Incident(
        id="pulse-counter-overflow",
        now=now,
        name="device_pulse_summary",
        description="Per energy pulse counter: the last cumulative counter value, the pulses counted in the "
        "window and the time of the last read, for the sub-metering bills.",
        sql=sql,
        checks=checks(
            "device_pulse_summary",
            "- row_count > 0",
            "- duplicate_count(device_id) = 0",
            "- missing_count(last_counter) = 0",
            "- freshness(last_read_at) < 1d",
        ),
        category="schema_drift",
        remediation="schema_evolution",
        root_cause="Two long-running counters passed 2,147,483,647 pulses; the output column last_counter is "
        "declared INTEGER and the cast overflows. The column must widen to BIGINT.",
        before=[Source("pulse_counters", before)],
        after=[Source("pulse_counters", after)],
        reference=Reference("sql", sql.replace("CAST(MAX(pulses) AS INTEGER)", "CAST(MAX(pulses) AS BIGINT)")),
        domain="iot",
        shape="aggregate, cast",
    )


def regional_feed_new_column() -> Incident:
    now = "2026-03-05T05:00:00Z"
    rng = random.Random(111)
    eu = d.shipments(rng, 400, *window(now, 3), first_id=300_000)
    us = d.shipments(rng, 250, *window(now, 3), first_id=700_000)
    us_after = [dict(r, customs_status=rng.choice(["cleared", "held", "pending"])) for r in us]
    sql = """
SELECT * FROM shipments_eu
UNION ALL
SELECT * FROM shipments_us
"""
    return Incident(
        id="regional-feed-new-column",
        now=now,
        name="all_shipments",
        description="Every shipment of the last three days from both regional systems (EU and US) in one "
        "table, with every column the systems deliver, for the control tower.",
        sql=sql,
        checks=checks(
            "all_shipments",
            "- row_count > 0",
            "- duplicate_count(shipment_id) = 0",
            "- schema:",
            "    fail:",
            "      when required column missing: [shipment_id, carrier_code, shipped_at, status]",
        ),
        category="schema_drift",
        remediation="schema_evolution",
        root_cause="The US system added customs_status to its shipments; the EU system has no such column, so "
        "the positional UNION ALL no longer lines up. The output gains customs_status (empty for EU "
        "shipments): union by name.",
        before=[Source("shipments_eu", eu), Source("shipments_us", us)],
        after=[Source("shipments_us", us_after)],
        reference=Reference("sql", "SELECT * FROM shipments_eu\nUNION ALL BY NAME\nSELECT * FROM shipments_us\n"),
        domain="logistics",
        shape="union of two sources",
        wrong_repairs=[
            (
                "new column dropped",
                "SELECT * FROM shipments_eu\nUNION ALL\nSELECT * EXCLUDE (customs_status) FROM shipments_us",
            )
        ],
    )


def order_quantity_smallint() -> Incident:
    now = "2026-02-25T04:00:00Z"
    rng = random.Random(112)
    prods = d.products(rng, 40)
    ords = d.orders(rng, 400, *window(now, 5), first_id=910_000)
    lines = d.order_lines(rng, ords, prods)
    after = [dict(r) for r in lines]
    for i in (7, 133, 402):
        after[i]["quantity"] = [40_000, 52_500, 36_000][(i // 7) % 3]
    sql = """
SELECT order_id, line_no, sku,
       CAST(quantity AS SMALLINT) AS quantity,
       ROUND(quantity * unit_price, 2) AS line_total
FROM order_lines
"""
    return Incident(
        id="order-quantity-smallint",
        now=now,
        name="warehouse_pick_lines",
        description="One row per order line for the warehouse pick lists: the SKU, the quantity to pick and "
        "the line total.",
        sql=sql,
        checks=checks(
            "warehouse_pick_lines",
            "- row_count > 0",
            "- duplicate_count(order_id, line_no) = 0",
            "- invalid_count(quantity) = 0:",
            "    valid min: 1",
        ),
        category="schema_drift",
        remediation="schema_evolution",
        root_cause="Business customers now order in bulk (tens of thousands of units per line); quantity no "
        "longer fits the output's SMALLINT. The quantity column must widen to INTEGER.",
        before=[Source("order_lines", lines)],
        after=[Source("order_lines", after)],
        reference=Reference("sql", sql.replace("AS SMALLINT", "AS INTEGER")),
        domain="e-commerce",
        shape="projection, cast",
        wrong_repairs=[("quantities capped", sql.replace("CAST(quantity AS SMALLINT)", "LEAST(quantity, 32767)"))],
    )


# --- escalations: a fix would have to guess at meaning ------------------------------------------


def employee_id_meaning_changed() -> Incident:
    now = "2026-03-02T08:00:00Z"
    rng = random.Random(113)
    emps = d.employees(rng, 150)
    periods = [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    slips = d.payslips(rng, emps, periods, first_id=70_000)
    badges = {e["employee_id"]: 200_000 + rng.randrange(0, 90_000) for e in emps}
    after_slips = [dict(s, employee_id=badges[s["employee_id"]]) for s in slips]
    sql = """
SELECT d.dept_name, d.cost_center, p.period,
       COUNT(*) AS paid_employees,
       ROUND(SUM(p.gross_pay), 2) AS gross_total
FROM payslips p
LEFT JOIN employees e ON e.employee_id = p.employee_id
LEFT JOIN departments d ON d.dept_code = e.dept_code
GROUP BY 1, 2, 3
"""
    return Incident(
        id="employee-id-meaning-changed",
        now=now,
        name="payroll_cost_centres",
        description="Gross payroll per cost centre and month, with the department name, for the finance ledger.",
        sql=sql,
        checks=checks(
            "payroll_cost_centres",
            "- row_count > 0",
            "- missing_count(cost_center) = 0",
            "- duplicate_count(cost_center, period) = 0",
        ),
        category="schema_drift",
        remediation="escalate",
        root_cause="After the payroll vendor's migration, payslips.employee_id holds the employee's badge "
        "number, a different identifier in the same integer type: no payslip matches an employee any more. "
        "No mapping from badge to employee exists in the sources; a cast or a join would guess. A person "
        "must obtain the mapping.",
        before=[Source("payslips", slips), Source("employees", emps), Source("departments", d.departments())],
        after=[Source("payslips", after_slips)],
        reference=Reference("escalate"),
        domain="hr payroll",
        shape="two left joins, aggregate",
    )


def premium_split_ambiguous() -> Incident:
    now = "2026-02-28T06:00:00Z"
    rng = random.Random(114)
    pols = d.policies(rng, 500, first_id=800_000, start=dt.date(2025, 3, 1))
    after = []
    for p in pols:
        row = {k: v for k, v in p.items() if k != "annual_premium"}
        fees = round(p["annual_premium"] * 0.04 + 12, 2)
        row["annual_premium_net"] = round(p["annual_premium"] - fees, 2)
        row["annual_premium_gross"] = round(p["annual_premium"] * 1.21, 2)
        after.append(row)
    sql = """
SELECT product, region,
       COUNT(*) AS policies,
       ROUND(SUM(annual_premium), 2) AS written_premium
FROM policies
GROUP BY 1, 2
"""
    return Incident(
        id="premium-split-ambiguous",
        now=now,
        name="written_premium",
        description="Annual written premium per product line and region, for the underwriting plan.",
        sql=sql,
        checks=checks(
            "written_premium",
            "- row_count > 0",
            "- missing_count(written_premium) = 0",
            "- invalid_count(written_premium) = 0:",
            "    valid min: 0",
        ),
        category="schema_drift",
        remediation="escalate",
        root_cause="The policy system replaced annual_premium with annual_premium_net (after fees) and "
        "annual_premium_gross (with insurance tax). Neither equals the old value; which one 'written "
        "premium' means is a business decision, not a rename a repair can guess.",
        before=[Source("policies", pols)],
        after=[Source("policies", after)],
        reference=Reference("escalate"),
        domain="insurance",
        shape="aggregate",
    )


BUILDERS = [
    claims_amount_renamed,
    carrier_code_text,
    order_lines_country_ambiguous,
    payslips_dept_dropped,
    borrower_rekeyed_with_map,
    meter_id_text,
    readings_kwh_renamed,
    usage_duration_renamed,
    loan_principal_overflow,
    pulse_counter_overflow,
    regional_feed_new_column,
    order_quantity_smallint,
    employee_id_meaning_changed,
    premium_split_ambiguous,
]
