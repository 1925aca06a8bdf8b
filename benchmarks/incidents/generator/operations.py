"""Late data (a missing or stale partition; retry once it lands) and transient read failures (retry)."""

from __future__ import annotations

import datetime as dt
import random

from generator import domains as d
from generator.common import checks, window
from generator.core import Incident, Reference, Source

# --- late data ------------------------------------------------------------------------------------


def fx_rates_not_published() -> Incident:
    now = "2026-03-05T07:30:00Z"
    rng = random.Random(501)
    bors = d.borrowers(rng, 200)
    days = [dt.date(2026, 2, 23) + dt.timedelta(days=i) for i in range(11)]  # up to 2026-03-05
    lns = d.loans(rng, bors, 500, dt.datetime(2026, 2, 23), dt.datetime(2026, 3, 5, 7, 0), first_id=210_000)
    for r in lns:
        r["currency"] = d.pick(rng, [("EUR", 0.6), ("USD", 0.25), ("GBP", 0.15)])
    before_loans = [r for r in lns if r["disbursed_at"] < dt.datetime(2026, 3, 4, 7, 0)]
    rates = []
    for day in days:
        for cur, base in (("EUR", 1.0), ("USD", 0.92), ("GBP", 1.17)):
            rates.append(
                {
                    "rate_date": day,
                    "currency": cur,
                    "eur_rate": round(base * rng.uniform(0.99, 1.01), 5) if cur != "EUR" else 1.0,
                }
            )
    rates_before = [r for r in rates if r["rate_date"] < dt.date(2026, 3, 5)]
    sql = """
SELECT l.loan_id, l.product, l.disbursed_at, l.currency, l.principal,
       ROUND(l.principal * r.eur_rate, 2) AS principal_eur
FROM loans l
LEFT JOIN fx_rates r ON r.rate_date = CAST(l.disbursed_at AS DATE) AND r.currency = l.currency
"""
    return Incident(
        id="fx-rates-not-published",
        now=now,
        name="loans_in_eur",
        description="Every loan of the current period with its principal converted to euro at the rate of its "
        "disbursement day, for the group's consolidated exposure.",
        sql=sql,
        checks=checks(
            "loans_in_eur",
            "- row_count > 0",
            "- duplicate_count(loan_id) = 0",
            "- missing_count(principal_eur) = 0",
        ),
        category="late_data",
        remediation="retry",
        root_cause="Today's exchange rates (rate_date 2026-03-05) have not been published yet: the treasury "
        "feed lands them at 09:00. Loans disbursed today have no rate. Retry once the rates are in.",
        before=[Source("loans", before_loans), Source("fx_rates", rates_before)],
        after=[Source("loans", lns)],
        reference=Reference("arrival", arrived=[Source("fx_rates", rates)]),
        domain="lending",
        shape="multi-source left join",
    )


def region_partition_missing() -> Incident:
    now = "2026-02-11T06:00:00Z"
    rng = random.Random(502)
    mtrs = d.meters(rng, 100, first_id=9_000_000)
    before_days = [dt.date(2026, 2, 3) + dt.timedelta(days=i) for i in range(7)]  # to 2026-02-09
    rd_before = d.daily_readings(rng, mtrs, before_days)
    latest = d.daily_readings(rng, mtrs, [dt.date(2026, 2, 10)])
    region = {m["meter_id"]: m["region"] for m in mtrs}
    landed = [r for r in latest if region[r["meter_id"]] != "east"]
    sql = """
WITH latest AS (SELECT MAX(reading_date) AS day FROM readings)
SELECT m.region, r.reading_date,
       COUNT(*) AS meters_read,
       ROUND(SUM(r.kwh), 3) AS kwh_total
FROM readings r
JOIN meters m ON m.meter_id = r.meter_id
WHERE r.reading_date = (SELECT day FROM latest)
GROUP BY 1, 2
"""
    return Incident(
        id="region-partition-missing",
        now=now,
        name="latest_day_by_region",
        description="Yesterday's consumption per grid region (all five regions every day), from the daily "
        "meter reads, for the balancing responsible party.",
        sql=sql,
        checks=checks(
            "latest_day_by_region",
            "- row_count = 5",
            "- duplicate_count(region) = 0",
        ),
        category="late_data",
        remediation="retry",
        root_cause="The east region's partition for 2026-02-10 has not landed; the other four regions' have. "
        "The east region's head-end uploads late after maintenance. Retry once it is in.",
        before=[Source("readings", rd_before), Source("meters", mtrs)],
        after=[Source("readings", rd_before + landed)],
        reference=Reference("arrival", arrived=[Source("readings", rd_before + latest)]),
        domain="energy",
        shape="subquery filter, join, aggregate",
    )


def carrier_scans_late() -> Incident:
    now = "2026-03-03T05:00:00Z"
    rng = random.Random(503)
    days = [dt.date(2026, 2, 24) + dt.timedelta(days=i) for i in range(7)]  # to 2026-03-02
    scans = []
    for day in days:
        for code, _, _ in d.CARRIERS:
            for _ in range(rng.randrange(15, 40)):
                scans.append(
                    {
                        "scan_day": day,
                        "carrier_code": code,
                        "shipment_id": f"SH{rng.randrange(100_000, 999_999):07d}",
                        "event": d.pick(rng, [("delivered", 0.7), ("failed_attempt", 0.2), ("returned", 0.1)]),
                    }
                )
    before = [s for s in scans if s["scan_day"] < dt.date(2026, 3, 2)]
    after = [s for s in scans if s["scan_day"] < dt.date(2026, 3, 2) or s["carrier_code"] not in (103, 106)]
    sql = """
SELECT s.scan_day, c.carrier_name,
       COUNT(*) FILTER (WHERE s.event = 'delivered') AS delivered,
       COUNT(*) FILTER (WHERE s.event <> 'delivered') AS exceptions
FROM delivery_scans s
JOIN carriers c ON c.carrier_code = s.carrier_code
WHERE s.scan_day = (SELECT MAX(scan_day) FROM delivery_scans)
GROUP BY 1, 2
"""
    return Incident(
        id="carrier-scans-late",
        now=now,
        name="carrier_daily_delivery_report",
        description="Yesterday's deliveries and delivery exceptions per carrier (all six carriers report "
        "daily), for the customer-service morning call.",
        sql=sql,
        checks=checks(
            "carrier_daily_delivery_report",
            "- row_count = 6",
            "- duplicate_count(carrier_name) = 0",
        ),
        category="late_data",
        remediation="retry",
        root_cause="The two air carriers' scan files for 2026-03-02 have not arrived (their SFTP drop runs "
        "later on Mondays); the other carriers' have. Retry once they land.",
        before=[Source("delivery_scans", before), Source("carriers", d.carriers())],
        after=[Source("delivery_scans", after)],
        reference=Reference("arrival", arrived=[Source("delivery_scans", scans)]),
        domain="logistics",
        shape="join, subquery filter, filtered aggregates",
    )


def payroll_period_incomplete() -> Incident:
    now = "2026-03-01T08:00:00Z"
    rng = random.Random(504)
    emps = d.employees(rng, 130, first_id=60_000)
    jan = d.payslips(rng, emps, [dt.date(2026, 1, 1)], first_id=300_000)
    feb = d.payslips(rng, emps, [dt.date(2026, 2, 1)], first_id=310_000)
    dept = {e["employee_id"]: e["dept_code"] for e in emps}
    feb_landed = [s for s in feb if dept[s["employee_id"]] not in ("ENG", "OPS")]
    sql = """
WITH latest AS (SELECT MAX(period) AS period FROM payslips),
paid AS (
  SELECT e.dept_code, COUNT(*) AS paid_headcount, ROUND(SUM(p.gross_pay), 2) AS gross_total
  FROM payslips p
  JOIN employees e USING (employee_id)
  WHERE p.period = (SELECT period FROM latest)
  GROUP BY 1
)
SELECT d.dept_code, d.dept_name, (SELECT period FROM latest) AS period, paid.paid_headcount, paid.gross_total
FROM departments d
LEFT JOIN paid USING (dept_code)
"""
    return Incident(
        id="payroll-period-incomplete",
        now=now,
        name="monthly_payroll_by_department",
        description="The latest payroll month per department (every department, every month): paid headcount "
        "and gross total, for the CFO's monthly pack.",
        sql=sql,
        checks=checks(
            "monthly_payroll_by_department",
            "- row_count = 6",
            "- missing_count(paid_headcount) = 0",
            "- duplicate_count(dept_code) = 0",
        ),
        category="late_data",
        remediation="retry",
        root_cause="February's payslips for Engineering and Operations have not been delivered yet (their "
        "payroll batch closes a day later); the other departments' are in. Retry once they arrive.",
        before=[Source("payslips", jan), Source("employees", emps), Source("departments", d.departments())],
        after=[Source("payslips", jan + feb_landed)],
        reference=Reference("arrival", arrived=[Source("payslips", jan + feb)]),
        domain="hr payroll",
        shape="CTEs, join, left join from a dimension",
    )


# --- transient --------------------------------------------------------------------------------------


def shipments_read_reset() -> Incident:
    now = "2026-03-06T03:10:00Z"
    rng = random.Random(505)
    sh = d.shipments(rng, 700, *window(now, 7), first_id=500_000)
    sql = """
SELECT s.origin, c.mode,
       COUNT(*) AS shipments,
       ROUND(SUM(s.cost_eur), 2) AS freight_cost_eur,
       ROUND(SUM(s.cost_eur) / SUM(s.weight_kg), 4) AS cost_per_kg
FROM shipments s
JOIN carriers c ON c.carrier_code = s.carrier_code
WHERE s.status <> 'lost'
GROUP BY 1, 2
"""
    return Incident(
        id="shipments-read-reset",
        now=now,
        name="freight_cost_by_hub",
        description="Freight cost per origin hub and transport mode over the last week, and the cost per "
        "kilogram, for procurement.",
        sql=sql,
        checks=checks(
            "freight_cost_by_hub",
            "- row_count > 0",
            "- duplicate_count(origin, mode) = 0",
            "- invalid_count(cost_per_kg) = 0:",
            "    valid min: 0",
        ),
        category="transient",
        remediation="retry",
        root_cause="The object store reset the connection on the first two reads of the shipments file. "
        "Data and transform are unchanged; the run succeeds when retried after a backoff.",
        before=[Source("shipments", sh), Source("carriers", d.carriers())],
        after=[Source("shipments", sh)],
        faults={"read_failures": {"shipments": 2}},
        reference=Reference("retry"),
        domain="logistics",
        shape="join, filter, aggregate",
    )


def policies_read_timeout() -> Incident:
    now = "2026-03-04T02:45:00Z"
    rng = random.Random(506)
    pols = d.policies(rng, 400, first_id=710_000)
    cl = d.claims(rng, pols, 600, *window(now, 14), first_id=95_000)
    sql = """
SELECT p.region, p.product,
       COUNT(*) AS claims,
       ROUND(SUM(c.claim_amount), 2) AS claimed,
       ROUND(SUM(c.claim_amount) / SUM(p.annual_premium), 4) AS loss_ratio_proxy
FROM claims c
JOIN policies p USING (policy_id)
GROUP BY 1, 2
"""
    return Incident(
        id="policies-read-timeout",
        now=now,
        name="regional_loss_indicators",
        description="Claims, claimed amount and a loss-ratio proxy per region and product over the last two "
        "weeks, for the underwriting weekly.",
        sql=sql,
        checks=checks(
            "regional_loss_indicators",
            "- row_count > 0",
            "- duplicate_count(region, product) = 0",
            "- missing_count(loss_ratio_proxy) = 0",
        ),
        category="transient",
        remediation="retry",
        root_cause="The policy store's read replica timed out once while the run opened policies; nothing "
        "changed. A retry succeeds.",
        before=[Source("claims", cl), Source("policies", pols)],
        after=[Source("policies", pols)],
        faults={"read_failures": {"policies": 1}},
        reference=Reference("retry"),
        domain="insurance",
        shape="join, aggregate",
    )


def payslips_read_failures() -> Incident:
    now = "2026-03-02T04:00:00Z"
    rng = random.Random(507)
    emps = d.employees(rng, 110, first_id=70_000)
    slips = d.payslips(rng, emps, [dt.date(2026, 1, 1), dt.date(2026, 2, 1)], first_id=400_000)
    sql = """
SELECT e.grade, p.period,
       COUNT(*) AS employees,
       ROUND(AVG(p.gross_pay), 2) AS avg_gross,
       ROUND(AVG(p.tax / p.gross_pay), 4) AS avg_tax_rate
FROM payslips p
JOIN employees e USING (employee_id)
GROUP BY 1, 2
"""
    return Incident(
        id="payslips-read-failures",
        now=now,
        name="pay_by_grade",
        description="Average gross pay and effective tax rate per grade and month, for the pay-equity review.",
        sql=sql,
        checks=checks(
            "pay_by_grade",
            "- row_count > 0",
            "- duplicate_count(grade, period) = 0",
            "- invalid_count(avg_tax_rate) = 0:",
            "    valid min: 0",
            "    valid max: 1",
        ),
        category="transient",
        remediation="retry",
        root_cause="The file share hosting payslips was failing over: the first three reads failed with an I/O "
        "error. Nothing changed; a retry with backoff succeeds.",
        before=[Source("payslips", slips), Source("employees", emps)],
        after=None,
        faults={"read_failures": {"payslips": 3}},
        reference=Reference("retry"),
        domain="hr payroll",
        shape="join, aggregate",
    )


BUILDERS = [
    fx_rates_not_published,
    region_partition_missing,
    carrier_scans_late,
    payroll_period_incomplete,
    shipments_read_reset,
    policies_read_timeout,
    payslips_read_failures,
]
