"""Config regressions: a recent deploy of the asset's own transform broke it; roll back to the last good version."""

from __future__ import annotations

import datetime as dt
import random

from generator import domains as d
from generator.common import checks, window
from generator.core import Incident, Reference, Source, iso, ts


def _deployed(now: str, hours: float) -> str:
    return iso(ts(now) - dt.timedelta(hours=hours))


def claims_join_widened() -> Incident:
    now = "2026-03-05T06:00:00Z"
    rng = random.Random(601)
    pols = d.policies(rng, 300, first_id=730_000)
    pending = d.policies(rng, 30, first_id=990_000)  # policies not yet issued: not in the policy table
    cl = d.claims(rng, pols + pending, 700, *window(now, 10), first_id=120_000)
    v1 = """
SELECT p.product, CAST(c.reported_at AS DATE) AS day,
       COUNT(*) AS claims,
       ROUND(SUM(c.claim_amount), 2) AS claimed
FROM claims c
JOIN policies p ON p.policy_id = c.policy_id
GROUP BY 1, 2
"""
    bad = v1.replace("JOIN policies p", "LEFT JOIN policies p")
    return Incident(
        id="claims-join-widened",
        now=now,
        name="daily_claims_by_product",
        description="Claims and claimed amount per product line and day, for issued policies, for the daily "
        "claims bulletin.",
        sql=bad,
        checks=checks(
            "daily_claims_by_product",
            "- row_count > 0",
            "- missing_count(product) = 0",
            "- duplicate_count(product, day) = 0",
        ),
        history=[(v1, "2025-10-02T09:00:00Z")],
        deployed=_deployed(now, 5),
        category="config_regression",
        remediation="rollback",
        root_cause="The deploy five hours before the failure turned the join with policies into a LEFT JOIN, "
        "so claims on policies not yet issued (which the feed has always carried) now reach the output "
        "without a product. The data did not change; roll back to the previous version.",
        before=[Source("claims", cl), Source("policies", pols)],
        after=None,
        reference=Reference("sql", v1),
        domain="insurance",
        shape="join, aggregate",
    )


def shipment_grouping_changed() -> Incident:
    now = "2026-02-27T05:00:00Z"
    rng = random.Random(602)
    sh = d.shipments(rng, 800, *window(now, 7), first_id=600_000)
    v1 = """
SELECT carrier_code, CAST(shipped_at AS DATE) AS day,
       COUNT(*) AS shipments, ROUND(SUM(weight_kg), 1) AS weight_kg
FROM shipments
GROUP BY 1, 2
"""
    v2 = """
SELECT carrier_code, CAST(shipped_at AS DATE) AS day,
       COUNT(*) AS shipments, ROUND(SUM(weight_kg), 1) AS weight_kg,
       ROUND(SUM(cost_eur), 2) AS cost_eur
FROM shipments
GROUP BY carrier_code, CAST(shipped_at AS DATE)
"""
    bad = v2.replace(
        "GROUP BY carrier_code, CAST(shipped_at AS DATE)",
        "GROUP BY carrier_code, CAST(shipped_at AS DATE), destination",
    )
    return Incident(
        id="shipment-grouping-changed",
        now=now,
        name="carrier_daily_volume",
        description="Shipments, weight and cost per carrier and ship day, for the carrier capacity agreements.",
        sql=bad,
        checks=checks(
            "carrier_daily_volume",
            "- row_count > 0",
            "- duplicate_count(carrier_code, day) = 0",
        ),
        history=[(v1, "2025-06-11T08:00:00Z"), (v2, "2026-01-20T14:00:00Z")],
        deployed=_deployed(now, 20),
        category="config_regression",
        remediation="rollback",
        root_cause="Yesterday's deploy added destination to the GROUP BY (for a report that was never "
        "finished) without adding it to the output, so each carrier and day now appears once per "
        "destination. Roll back to the version of 2026-01-20.",
        before=[Source("shipments", sh)],
        after=[Source("shipments", sh)],
        reference=Reference("sql", v2),
        domain="logistics",
        shape="aggregate",
        wrong_repairs=[("rollback to the oldest version", v1)],
    )


def meter_unit_regression() -> Incident:
    now = "2026-01-30T03:00:00Z"
    rng = random.Random(603)
    mtrs = d.meters(rng, 90, first_id=7_700_000)
    days = [dt.date(2026, 1, 16) + dt.timedelta(days=i) for i in range(14)]
    rd = d.daily_readings(rng, mtrs, days)
    good = """
SELECT m.tariff, r.reading_date,
       ROUND(AVG(r.kwh), 3) AS avg_kwh,
       ROUND(SUM(r.kwh), 3) AS total_kwh
FROM readings r
JOIN meters m USING (meter_id)
GROUP BY 1, 2
"""
    bad = good.replace("AVG(r.kwh)", "AVG(r.kwh * 1000)").replace("SUM(r.kwh)", "SUM(r.kwh * 1000)")
    return Incident(
        id="meter-unit-regression",
        now=now,
        name="tariff_daily_kwh",
        description="Average and total daily kWh per tariff, for the tariff-setting model.",
        sql=bad,
        checks=checks(
            "tariff_daily_kwh",
            "- row_count > 0",
            "- duplicate_count(tariff, reading_date) = 0",
            "- avg(avg_kwh) between 5 and 500",
        ),
        history=[(good, "2025-11-20T10:00:00Z")],
        deployed=_deployed(now, 9),
        category="config_regression",
        remediation="rollback",
        root_cause="Last night's deploy multiplied kwh by 1000 (a watt-hour conversion meant for another "
        "asset) while the columns still say kWh. The readings are unchanged; roll back.",
        before=[Source("readings", rd), Source("meters", mtrs)],
        after=None,
        reference=Reference("sql", good),
        domain="energy",
        shape="join, aggregate",
    )


def grade_band_case_regression() -> Incident:
    now = "2026-03-02T09:00:00Z"
    rng = random.Random(604)
    emps = d.employees(rng, 200, first_id=80_000)
    v1 = """
SELECT employee_id, dept_code, grade,
       CASE WHEN grade <= 3 THEN 'junior'
            WHEN grade <= 6 THEN 'medior'
            ELSE 'senior' END AS band
FROM employees
"""
    v2 = v1.replace("FROM employees", "FROM employees\nWHERE hire_date <= DATE '2026-03-01'")
    bad = v2.replace(
        "            WHEN grade <= 6 THEN 'medior'\n            ELSE 'senior' END",
        "            WHEN grade BETWEEN 4 AND 6 THEN 'medior'\n            WHEN grade >= 8 THEN 'senior' END",
    )
    return Incident(
        id="grade-band-case-regression",
        now=now,
        name="employee_bands",
        description="Each employee's career band from their grade (1-3 junior, 4-6 medior, 7 and up "
        "senior), for the salary review.",
        sql=bad,
        checks=checks(
            "employee_bands",
            "- row_count > 0",
            "- duplicate_count(employee_id) = 0",
            "- missing_count(band) = 0",
            "- invalid_count(band) = 0:",
            "    valid values: [junior, medior, senior]",
        ),
        history=[(v1, "2024-09-01T08:00:00Z"), (v2, "2025-08-15T08:00:00Z")],
        deployed=_deployed(now, 3),
        category="config_regression",
        remediation="rollback",
        root_cause="This morning's deploy rewrote the band CASE and the senior branch now starts at grade 8: "
        "grade-7 employees get no band. Roll back to the version of 2025-08-15.",
        before=[Source("employees", emps)],
        after=None,
        reference=Reference("sql", v2),
        domain="hr payroll",
        shape="CASE, projection",
    )


def order_total_typo() -> Incident:
    now = "2026-03-09T04:00:00Z"
    rng = random.Random(605)
    ords = d.orders(rng, 700, *window(now, 7), first_id=1_300_000)
    good = """
SELECT country, status,
       COUNT(*) AS orders,
       ROUND(SUM(total_eur), 2) AS revenue_eur
FROM orders
GROUP BY 1, 2
"""
    bad = """
SELECT country, status,
       COUNT(*) AS orders,
       ROUND(SUM(total_eur), 2) AS revenue_eur,
       ROUND(AVG(total_eurs), 2) AS avg_order_eur
FROM orders
GROUP BY 1, 2
"""
    new_orders = d.orders(rng, 40, *window(now, 0.2), first_id=1_300_700)
    return Incident(
        id="order-total-typo",
        now=now,
        name="orders_by_country_status",
        description="Orders and revenue per country and order status over the last week, for the e-commerce KPI board.",
        sql=bad,
        checks=checks(
            "orders_by_country_status",
            "- row_count > 0",
            "- duplicate_count(country, status) = 0",
            "- invalid_count(revenue_eur) = 0:",
            "    valid min: 0",
        ),
        history=[(good, "2025-12-01T10:00:00Z")],
        deployed=_deployed(now, 2),
        category="config_regression",
        remediation="rollback",
        root_cause="Two hours ago a new average-order column was deployed referencing total_eurs, a column "
        "that does not exist (typo for total_eur). The source is unchanged; roll back.",
        before=[Source("orders", ords)],
        after=[Source("orders", ords + new_orders)],
        reference=Reference("sql", good),
        domain="e-commerce",
        shape="aggregate",
    )


def roaming_filter_dropped() -> Incident:
    now = "2026-03-10T05:00:00Z"
    rng = random.Random(606)
    subs = d.subscribers(rng, 200)
    usage = d.usage_records(rng, subs, 1500, *window(now, 7))
    good = """
SELECT s.country_code, u.plan,
       COUNT(*) AS connections,
       ROUND(SUM(s.megabytes), 2) AS megabytes
FROM usage_records s
JOIN subscribers u USING (subscriber_id)
WHERE s.country_code <> 'NL'
  AND s.megabytes > 0
GROUP BY 1, 2
"""
    bad = good.replace("WHERE s.country_code <> 'NL'\n  AND s.megabytes > 0", "WHERE s.megabytes > 0")
    return Incident(
        id="roaming-filter-dropped",
        now=now,
        name="roaming_usage_by_plan",
        description="Data usage abroad (outside the Netherlands) per visited country and plan over the last "
        "week, for roaming-bundle pricing.",
        sql=bad,
        checks=checks(
            "roaming_usage_by_plan",
            "- row_count > 0",
            "- duplicate_count(country_code, plan) = 0",
            "- invalid_count(country_code) = 0:",
            "    invalid values: [NL]",
        ),
        history=[(good, "2025-07-01T09:00:00Z")],
        deployed=_deployed(now, 12),
        category="config_regression",
        remediation="rollback",
        root_cause="Last night's refactoring of the WHERE clause dropped the condition country_code <> 'NL', "
        "so domestic usage now counts as roaming. Roll back.",
        before=[Source("usage_records", usage), Source("subscribers", subs)],
        after=None,
        reference=Reference("sql", good),
        domain="telecom",
        shape="join, filter, aggregate",
    )


BUILDERS = [
    claims_join_widened,
    shipment_grouping_changed,
    meter_unit_regression,
    grade_band_case_regression,
    order_total_typo,
    roaming_filter_dropped,
]
