"""Late data: the expected rows have not arrived yet; landed/ holds the sources once they have."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def meter_export_missing_latest_day() -> Case:
    m = w.meters(24, seed=311)
    ids = m["meter_id"].to_pylist()
    full = w.meter_reads(ids, "2026-02-02", 7, seed=312, per_day=24)
    # The rolling seven-day export ran before the head-end closed the latest day: that day is absent.
    stale = derive("SELECT * FROM f WHERE read_at < TIMESTAMP '2026-02-08'", f=full)
    sql = """SELECT m.area, CAST(r.read_at AS DATE) AS day, COUNT(DISTINCT r.meter_id) AS meters,
       ROUND(SUM(r.kwh), 3) AS kwh, MAX(r.read_at) AS last_read_at
FROM half_hourly r
JOIN meter_areas m USING (meter_id)
GROUP BY 1, 2
"""
    return Case(
        id="meter-export-missing-latest-day",
        now="2026-02-09T05:00:00Z",
        asset="area_daily_demand",
        description="Daily electricity demand per supply area from the rolling seven-day export of interval reads.",
        sql=sql,
        checks="""checks for area_daily_demand:
  - row_count > 0
  - freshness(last_read_at) < 1d
""",
        formats={"half_hourly": "parquet", "meter_areas": "csv"},
        before={"half_hourly": full, "meter_areas": m},
        after={"half_hourly": stale},
        landed={"half_hourly": full},
        category="late_data",
        remediation="retry",
        root_cause="The export of interval reads ran before the head-end closed 2026-02-08: the file holds reads up "
        "to 2026-02-07 only, so the latest read is more than a day old. Nothing is wrong with the data or the "
        "transform; once the day lands the same run publishes.",
        reference=Reference(kind="wait"),
    )


def station_hour_partly_reported() -> Case:
    st = w.stations(20, seed=321)
    obs = w.observations(st["station_id"].to_pylist(), "2026-03-16", 48, seed=322)
    hour = w.observations(st["station_id"].to_pylist(), "2026-03-18", 1, seed=323)
    # Only the stations on the fast uplink have reported the latest hour; the satellite ones trail behind.
    partial = derive("SELECT h.* FROM h JOIN s USING (station_id) WHERE s.region IN ('coast', 'valley')", h=hour, s=st)
    sql = """WITH latest AS (SELECT MAX(observed_at) AS t FROM obs_feed)
SELECT s.station_id, s.region, o.observed_at, o.temp_c, o.wind_kmh
FROM station_catalog s
LEFT JOIN obs_feed o ON o.station_id = s.station_id AND o.observed_at = (SELECT t FROM latest)
"""
    return Case(
        id="station-hour-partly-reported",
        now="2026-03-18T00:40:00Z",
        asset="network_latest_hour",
        description="The latest hour's observation for every station of the network, for the public map.",
        sql=sql,
        checks="""checks for network_latest_hour:
  - row_count > 0
  - missing_count(temp_c) = 0
  - duplicate_count(station_id) = 0
""",
        formats={"obs_feed": "csv", "station_catalog": "csv"},
        before={"obs_feed": obs, "station_catalog": st},
        after={"obs_feed": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=obs, b=partial)},
        landed={"obs_feed": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=obs, b=hour)},
        category="late_data",
        remediation="retry",
        root_cause="The 00:00 hour of 2026-03-18 has arrived from the coast and valley stations only; the upland and "
        "plateau stations report over a slower satellite link and have not landed yet. Once they do, the same run "
        "publishes.",
        reference=Reference(kind="wait"),
    )


def fleet_daily_drop_not_arrived() -> Case:
    vh = w.vehicles(20, seed=331)
    t = w.trips(vh["vehicle_id"].to_pylist(), "2026-07-06", 6, seed=332)
    earlier = derive("SELECT * FROM t WHERE started_at < TIMESTAMP '2026-07-11'", t=t)
    sql = """SELECT v.depot, COUNT(*) AS trips, ROUND(SUM(t.km), 1) AS km, MAX(t.started_at) AS last_trip_at
FROM trips_drop t
JOIN depot_vehicles v USING (vehicle_id)
GROUP BY 1
"""
    return Case(
        id="fleet-daily-drop-not-arrived",
        now="2026-07-12T05:30:00Z",
        asset="depot_activity",
        description="Trips and distance per depot over the telematics provider's latest weekly drop.",
        sql=sql,
        checks="""checks for depot_activity:
  - row_count >= 3
  - freshness(last_trip_at) < 1d
""",
        formats={"trips_drop": "csv", "depot_vehicles": "csv"},
        before={"trips_drop": t, "depot_vehicles": vh},
        after={"trips_drop": earlier},
        landed={"trips_drop": t},
        category="late_data",
        remediation="retry",
        root_cause="The provider's drop for 2026-07-11 has not been delivered: the landing file still ends on "
        "2026-07-10, so the latest trip is more than a day old. Once the drop lands the same run publishes.",
        reference=Reference(kind="wait"),
    )


def payroll_second_batch_pending() -> Case:
    emp = w.employees(60, seed=341)
    ids = emp["employee_no"].to_pylist()
    lines = w.pay_lines(ids, ["2026-04-24", "2026-05-29"], seed=342)
    june = w.pay_lines(ids, ["2026-06-26"], seed=343)
    # The bureau sends each pay run in two batches; only the first (nursing and pharmacy) has landed.
    first = derive(
        "SELECT j.* FROM j JOIN e USING (employee_no) WHERE e.department IN ('nursing', 'pharmacy')", j=june, e=emp
    )
    sql = """WITH latest AS (SELECT MAX(pay_date) AS pay_date FROM payslips)
SELECT e.employee_no, e.department, l.pay_date, p.hours, p.gross_pay
FROM staff e
CROSS JOIN latest l
LEFT JOIN payslips p ON p.employee_no = e.employee_no AND p.pay_date = l.pay_date
"""
    return Case(
        id="payroll-second-batch-pending",
        now="2026-06-26T09:00:00Z",
        asset="latest_pay_run",
        description="Every member of staff with their hours and gross pay in the latest pay run, for the payroll "
        "sign-off.",
        sql=sql,
        checks="""checks for latest_pay_run:
  - row_count > 0
  - missing_count(gross_pay) = 0
  - duplicate_count(employee_no) = 0
""",
        formats={"payslips": "csv", "staff": "csv"},
        before={"payslips": lines, "staff": emp},
        after={"payslips": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=lines, b=first)},
        landed={"payslips": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=lines, b=june)},
        category="late_data",
        remediation="retry",
        root_cause="The payroll bureau delivers each pay run in two batches. For 2026-06-26 only the first (nursing "
        "and pharmacy staff) has landed, so the other staff have no pay line yet. Once the second batch lands the "
        "same run publishes.",
        reference=Reference(kind="wait"),
    )


def trial_lab_results_pending() -> Case:
    v = w.trial_visits(50, "2026-05-04", seed=351, visits=3)
    new = derive(
        "SELECT subject_id, site_id, arm, 'V4' AS visit, visit_date + 14 AS visit_date, systolic - 2 AS systolic, "
        "diastolic FROM v WHERE visit = 'V3'",
        v=v,
    )
    labs_sql = (
        "SELECT subject_id, visit, round(2.2 + ((subject_id * 31 + CAST(substr(visit, 2) AS INTEGER) * 17) % 90) "
        "/ 40.0, 2) AS ldl_mmol FROM v ORDER BY subject_id, visit"
    )
    labs = derive(labs_sql, v=v)
    all_labs = derive(labs_sql, v=derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=v, b=new))
    sql = """SELECT v.subject_id, v.arm, v.visit, v.visit_date, v.systolic, l.ldl_mmol
FROM clinic_visits v
LEFT JOIN central_lab l ON l.subject_id = v.subject_id AND l.visit = v.visit
"""
    return Case(
        id="trial-lab-results-pending",
        now="2026-07-06T06:00:00Z",
        asset="visit_labs",
        description="Each trial visit with the subject's arm, blood pressure and the central lab's LDL result.",
        sql=sql,
        checks="""checks for visit_labs:
  - row_count > 0
  - missing_count(ldl_mmol) = 0
""",
        formats={"clinic_visits": "parquet", "central_lab": "csv"},
        before={"clinic_visits": v, "central_lab": labs},
        after={"clinic_visits": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=v, b=new)},
        landed={"central_lab": all_labs},
        category="late_data",
        remediation="retry",
        root_cause="The sites entered the V4 visits, but the central lab's results for them have not been delivered "
        "yet (its transfer runs a day behind). Once the lab file lands the same run publishes.",
        reference=Reference(kind="wait"),
    )
