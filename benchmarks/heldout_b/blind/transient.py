"""Transient failures: a source cannot be read for a moment; data, schema and transform are as they were."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def _grow(a, b):  # noqa: ANN001, ANN202
    return derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=a, b=b)


def hotel_pickup_read_reset() -> Case:
    b = w.bookings(1200, "2026-02-01", 20, seed=511)
    new = w.bookings(80, "2026-02-21", 1, seed=512, first_id=510001)
    sql = """SELECT hotel_code, arrival, COUNT(*) AS bookings, SUM(nights) AS room_nights,
       ROUND(SUM(nights * rate) / SUM(nights), 2) AS avg_daily_rate
FROM reservations
WHERE channel <> 'corporate'
GROUP BY 1, 2
"""
    return Case(
        id="hotel-pickup-read-reset",
        now="2026-02-22T04:00:00Z",
        asset="arrival_pickup",
        description="Leisure bookings, room nights and average daily rate per hotel and arrival date.",
        sql=sql,
        checks="""checks for arrival_pickup:
  - row_count > 0
  - invalid_count(avg_daily_rate) = 0:
      valid min: 40
      valid max: 400
""",
        faults={"read_failures": {"reservations": 1}},
        formats={"reservations": "csv"},
        before={"reservations": b},
        after={"reservations": _grow(b, new)},
        category="transient",
        remediation="retry",
        root_cause="The object store reset the connection on the first read of reservations; the data and the "
        "transform are fine and the same run succeeds when retried after a backoff.",
        reference=Reference(kind="retry"),
    )


def trial_dimension_read_timeout() -> Case:
    v = w.trial_visits(80, "2026-03-02", seed=521, visits=3)
    subjects = derive(
        "SELECT DISTINCT subject_id, site_id, 1940 + subject_id % 45 AS birth_year FROM v ORDER BY 1", v=v
    )
    sql = """SELECT s.site_id, v.visit, COUNT(*) AS visits,
       ROUND(AVG(v.systolic), 1) AS mean_systolic,
       ROUND(AVG(2026 - s.birth_year), 1) AS mean_age
FROM vitals v
LEFT JOIN subject_register s USING (subject_id)
GROUP BY 1, 2
"""
    return Case(
        id="trial-dimension-read-timeout",
        now="2026-05-01T06:00:00Z",
        asset="site_visit_profile",
        description="Visits, mean systolic pressure and mean age per trial site and visit.",
        sql=sql,
        checks="""checks for site_visit_profile:
  - row_count > 0
  - missing_count(site_id) = 0
  - missing_count(mean_age) = 0
""",
        faults={"read_failures": {"subject_register": 2}},
        formats={"vitals": "parquet", "subject_register": "csv"},
        before={"vitals": v, "subject_register": subjects},
        category="transient",
        remediation="retry",
        root_cause="The first two reads of subject_register timed out while the file server failed over; nothing "
        "changed in the sources, and the same run succeeds when retried after a backoff.",
        reference=Reference(kind="retry"),
    )


def parking_feed_throttled() -> Case:
    p = w.parking(1500, "2026-08-03", 9, seed=531)
    new = w.parking(150, "2026-08-12", 1, seed=532)
    new = derive("SELECT session_id + 70000 AS session_id, zone, started_at, minutes, fee FROM n", n=new)
    sql = """WITH daily AS (
    SELECT zone, CAST(started_at AS DATE) AS day, SUM(fee) AS revenue
    FROM kerbside_sessions
    GROUP BY 1, 2
)
SELECT zone, day, ROUND(revenue, 2) AS revenue,
       ROUND(SUM(revenue) OVER (PARTITION BY zone ORDER BY day), 2) AS revenue_to_date
FROM daily
"""
    return Case(
        id="parking-feed-throttled",
        now="2026-08-13T03:00:00Z",
        asset="zone_revenue_to_date",
        description="Daily parking revenue per zone and its running total, for the council's budget report.",
        sql=sql,
        checks="""checks for zone_revenue_to_date:
  - row_count > 0
  - missing_count(revenue_to_date) = 0
  - invalid_count(revenue) = 0:
      valid min: 0
""",
        faults={"read_failures": {"kerbside_sessions": 3}},
        formats={"kerbside_sessions": "parquet"},
        before={"kerbside_sessions": p},
        after={"kerbside_sessions": _grow(p, new)},
        category="transient",
        remediation="retry",
        root_cause="The parking operator's storage throttled the first three reads of kerbside_sessions; the rows "
        "that arrived are valid and the same run succeeds when retried after a backoff.",
        reference=Reference(kind="retry"),
    )


def payroll_union_source_unreachable() -> Case:
    emp = w.employees(50, seed=541)
    ids = emp["employee_no"].to_pylist()
    salaried = w.pay_lines(ids[:30], ["2026-10-30"], seed=542)
    hourly = derive(
        "SELECT employee_no, pay_date, hours, gross_pay FROM h",
        h=w.pay_lines(ids[30:], ["2026-10-30", "2026-11-06"], seed=543),
    )
    sql = """WITH pay AS (
    SELECT employee_no, pay_date, gross_pay, 'salaried' AS pay_basis FROM salaried_pay
    UNION ALL
    SELECT employee_no, pay_date, gross_pay, 'hourly' AS pay_basis FROM hourly_pay
)
SELECT pay_basis, date_trunc('month', pay_date) AS month, COUNT(DISTINCT employee_no) AS staff,
       ROUND(SUM(gross_pay), 2) AS gross_pay
FROM pay
GROUP BY 1, 2
"""
    return Case(
        id="payroll-union-source-unreachable",
        now="2026-11-07T06:00:00Z",
        asset="monthly_pay_by_basis",
        description="Monthly gross pay and staff paid, salaried and hourly staff apart.",
        sql=sql,
        checks="""checks for monthly_pay_by_basis:
  - row_count >= 2
  - missing_count(gross_pay) = 0
""",
        faults={"read_failures": {"hourly_pay": 1}},
        formats={"salaried_pay": "csv", "hourly_pay": "csv"},
        before={"salaried_pay": salaried, "hourly_pay": hourly},
        category="transient",
        remediation="retry",
        root_cause="The time-and-attendance share was briefly unreachable: the first read of hourly_pay failed. The "
        "sources are unchanged and the same run succeeds when retried after a backoff.",
        reference=Reference(kind="retry"),
    )


def harvest_moisture_read_flap() -> Case:
    h = w.harvests(120, "2026-08-01", seed=551)
    moisture = derive(
        "SELECT field_id, round(11 + ((CAST(substr(field_id, 2) AS INTEGER) * 37) % 80) / 10.0, 1) AS "
        "moisture_pct FROM h ORDER BY field_id",
        h=h,
    )
    sql = """SELECT h.crop,
       CASE WHEN m.moisture_pct IS NULL THEN 'untested'
            WHEN m.moisture_pct <= 14.5 THEN 'store'
            ELSE 'dry first' END AS handling,
       COUNT(*) AS fields, ROUND(SUM(h.yield_t), 1) AS tonnes
FROM harvest_log h
LEFT JOIN grain_moisture m USING (field_id)
GROUP BY 1, 2
"""
    return Case(
        id="harvest-moisture-read-flap",
        now="2026-09-15T05:00:00Z",
        asset="grain_handling_plan",
        description="Tonnes of grain per crop to store directly or dry first, by the moisture reading of each field.",
        sql=sql,
        checks="""checks for grain_handling_plan:
  - row_count > 0
  - invalid_count(handling) = 0:
      valid values: [store, dry first]
""",
        faults={"read_failures": {"grain_moisture": 2}},
        formats={"harvest_log": "csv", "grain_moisture": "csv"},
        before={"harvest_log": h, "grain_moisture": moisture},
        category="transient",
        remediation="retry",
        root_cause="The moisture analyser's export share flapped: the first two reads of grain_moisture failed. "
        "Nothing changed and the same run succeeds when retried after a backoff.",
        reference=Reference(kind="retry"),
    )
