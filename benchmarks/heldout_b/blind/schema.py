"""Schema drift: renamed, moved, gained and widened columns, a re-keyed identifier, an identifier reused."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def meter_monthly_kwh_renamed() -> Case:
    m = w.meters(60, seed=11)
    reads = w.meter_reads(m["meter_id"].to_pylist(), "2026-01-01", 45, seed=12)
    sql = """WITH monthly AS (
    SELECT meter_id, date_trunc('month', read_at) AS month, SUM(kwh) AS month_kwh
    FROM interval_reads
    GROUP BY 1, 2
)
SELECT m.tariff, monthly.month, COUNT(*) AS meters, ROUND(SUM(monthly.month_kwh), 3) AS total_kwh,
       ROUND(AVG(monthly.month_kwh), 3) AS avg_kwh_per_meter
FROM monthly JOIN meter_register m USING (meter_id)
GROUP BY 1, 2
"""
    return Case(
        id="meter-monthly-kwh-renamed",
        now="2026-02-15T05:30:00Z",
        asset="tariff_monthly_consumption",
        description="Monthly electricity consumption per tariff: meters reporting, total and mean kWh per meter.",
        sql=sql,
        checks="""checks for tariff_monthly_consumption:
  - row_count > 0
  - missing_count(total_kwh) = 0
  - invalid_count(total_kwh) = 0:
      valid min: 0
""",
        formats={"interval_reads": "csv", "meter_register": "csv"},
        before={"interval_reads": reads, "meter_register": m},
        after={"interval_reads": derive("SELECT meter_id, read_at, kwh AS consumption_kwh FROM r", r=reads)},
        category="schema_drift",
        remediation="code_change",
        root_cause="The metering head-end renamed kwh to consumption_kwh; values are unchanged. The transform must "
        "read consumption_kwh.",
        reference=Reference(kind="sql", sql=sql.replace("SUM(kwh)", "SUM(consumption_kwh)")),
    )


def station_feed_gained_humidity() -> Case:
    st = w.stations(12, seed=21)
    obs = w.observations(st["station_id"].to_pylist(), "2026-04-01", 96, seed=22)
    later = w.observations(st["station_id"].to_pylist(), "2026-04-05", 6, seed=23)
    sql = """SELECT * EXCLUDE (qc_flag)
FROM station_obs
WHERE qc_flag = 'ok'
"""
    cols = "station_id: varchar, observed_at: timestamp, temp_c: double, precip_mm: double, wind_kmh: double"
    checks = f"""checks for clean_station_obs:
  - row_count > 0
  - missing_count(station_id) = 0
  - schema:
      fail:
        when mismatching columns: {{{cols}}}
  - freshness(observed_at) < 1d
"""
    both = derive(
        "SELECT *, CAST(40 + (epoch(observed_at)::BIGINT / 3600 * 7 + length(station_id) * 13) % 55 AS "
        "BIGINT) AS humidity_pct FROM (SELECT * FROM a UNION ALL SELECT * FROM b) ORDER BY observed_at, "
        "station_id",
        a=obs,
        b=later,
    )
    after = derive("SELECT station_id, observed_at, temp_c, precip_mm, humidity_pct, wind_kmh, qc_flag FROM t", t=both)
    return Case(
        id="station-feed-gained-humidity",
        now="2026-04-05T06:30:00Z",
        asset="clean_station_obs",
        description="Hourly weather observations that passed the stations' own quality control, every measured "
        "field kept, for the forecasting team.",
        sql=sql,
        checks=checks,
        formats={"station_obs": "csv"},
        before={"station_obs": obs},
        after={"station_obs": after},
        category="schema_drift",
        remediation="schema_evolution",
        root_cause="The station network added a relative humidity sensor: station_obs gained humidity_pct (an "
        "integer percentage) from the latest hours on. The data is valid; the exact schema check must list the new "
        "column, and the output carries it.",
        reference=Reference(
            kind="sql", sql=sql, checks=checks.replace("wind_kmh: double", "humidity_pct: bigint, wind_kmh: double")
        ),
    )


def payroll_staff_rekeyed_with_crosswalk() -> Case:
    emp = w.employees(80, seed=31)
    lines = w.pay_lines(emp["employee_no"].to_pylist(), ["2026-01-30", "2026-02-27"], seed=32)
    new = w.pay_lines(emp["employee_no"].to_pylist(), ["2026-03-27"], seed=33)
    # The new HR system's staff references bear no arithmetic relation to the old numbers.
    crosswalk = derive(
        "SELECT employee_no AS legacy_no, 'HR' || lpad(CAST((employee_no * 7919) % 100003 AS VARCHAR), 6, "
        "'0') AS staff_ref FROM e ORDER BY staff_ref",
        e=emp,
    )
    rekeyed = derive(
        "SELECT x.staff_ref AS employee_no, l.pay_date, l.hours, l.gross_pay FROM "
        "(SELECT * FROM a UNION ALL SELECT * FROM b) l JOIN x ON x.legacy_no = l.employee_no "
        "ORDER BY l.pay_date, x.staff_ref",
        a=lines,
        b=new,
        x=crosswalk,
    )
    sql = """SELECT e.department, p.pay_date, COUNT(*) AS staff, ROUND(SUM(p.hours), 1) AS hours,
       ROUND(SUM(p.gross_pay), 2) AS gross_pay
FROM pay_lines p
LEFT JOIN employees e ON e.employee_no = p.employee_no
GROUP BY 1, 2
"""
    fixed = """SELECT e.department, p.pay_date, COUNT(*) AS staff, ROUND(SUM(p.hours), 1) AS hours,
       ROUND(SUM(p.gross_pay), 2) AS gross_pay
FROM pay_lines p
JOIN staff_id_crosswalk x ON x.staff_ref = p.employee_no
LEFT JOIN employees e ON e.employee_no = x.legacy_no
GROUP BY 1, 2
"""
    return Case(
        id="payroll-staff-rekeyed-with-crosswalk",
        now="2026-03-28T07:00:00Z",
        asset="department_payroll",
        description="Payroll cost per department and pay date: staff paid, hours and gross pay, for finance.",
        sql=sql,
        checks="""checks for department_payroll:
  - row_count > 0
  - missing_count(department) = 0
  - invalid_count(gross_pay) = 0:
      valid min: 0
""",
        formats={"pay_lines": "parquet", "employees": "csv", "staff_id_crosswalk": "csv"},
        before={"pay_lines": lines, "employees": emp},
        after={"pay_lines": rekeyed, "staff_id_crosswalk": crosswalk},
        category="schema_drift",
        remediation="code_change",
        root_cause="Payroll moved to a new HR system that keys staff by a staff reference (HR + six digits) instead "
        "of the employee number, and re-exported every pay line under the new key. The crosswalk "
        "staff_id_crosswalk (legacy_no, staff_ref) landed with it; the transform must join through it to reach "
        "employees.",
        reference=Reference(kind="sql", sql=fixed),
    )


def fleet_vehicle_class_moved_to_register() -> Case:
    vh = w.vehicles(18, seed=41)
    t = w.trips(vh["vehicle_id"].to_pylist(), "2026-05-04", 10, seed=42)
    t2 = w.trips(vh["vehicle_id"].to_pylist(), "2026-05-14", 2, seed=43, first_id=t.num_rows + 1)
    before = derive(
        "SELECT t.trip_id, t.vehicle_id, v.vehicle_class, t.started_at, t.km, t.fuel_l, t.driver_badge "
        "FROM t JOIN v USING (vehicle_id) ORDER BY trip_id",
        t=t,
        v=vh,
    )
    after = derive("SELECT * FROM a UNION ALL SELECT * FROM b ORDER BY trip_id", a=t, b=t2)
    sql = """SELECT vehicle_class, CAST(started_at AS DATE) AS day, COUNT(*) AS trips, ROUND(SUM(km), 1) AS km,
       ROUND(100 * SUM(fuel_l) / SUM(km), 2) AS litres_per_100km
FROM fleet_trips
GROUP BY 1, 2
"""
    fixed = """SELECT v.vehicle_class, CAST(t.started_at AS DATE) AS day, COUNT(*) AS trips, ROUND(SUM(t.km), 1) AS km,
       ROUND(100 * SUM(t.fuel_l) / SUM(t.km), 2) AS litres_per_100km
FROM fleet_trips t
JOIN vehicle_register v ON v.vehicle_id = t.vehicle_id
GROUP BY 1, 2
"""
    return Case(
        id="fleet-vehicle-class-moved-to-register",
        now="2026-05-16T04:10:00Z",
        asset="fleet_class_daily_fuel",
        description="Daily trips, distance and fuel economy per vehicle class across the fleet.",
        sql=sql,
        checks="""checks for fleet_class_daily_fuel:
  - row_count > 0
  - missing_count(vehicle_class) = 0
  - invalid_count(litres_per_100km) = 0:
      valid min: 1
      valid max: 60
""",
        formats={"fleet_trips": "csv", "vehicle_register": "csv"},
        before={"fleet_trips": before, "vehicle_register": vh},
        after={"fleet_trips": after},
        category="schema_drift",
        remediation="code_change",
        root_cause="The telematics feed dropped vehicle_class from fleet_trips: the class now lives only in the "
        "vehicle_register table of the catalog (same vehicle_id key, same classes). The transform must join "
        "vehicle_register for the class.",
        reference=Reference(kind="sql", sql=fixed),
    )


def long_calls_outgrew_smallint() -> Case:
    c = w.calls(2400, "2026-06-01", 6, seed=51)
    # Conference bridges now hold calls open for up to eleven hours: their durations outgrow SMALLINT.
    after = derive(
        "SELECT call_id, cell_id, started_at, CASE WHEN call_id % 97 = 0 THEN 33000 + (call_id % 7000) "
        "ELSE duration_s END AS duration_s, call_type FROM c ORDER BY call_id",
        c=c,
    )
    sql = """SELECT call_id, cell_id, started_at, CAST(duration_s AS SMALLINT) AS duration_s, call_type
FROM call_records
WHERE duration_s >= 300
"""
    cols = "call_id: bigint, cell_id: varchar, started_at: timestamp, duration_s: {}, call_type: varchar"
    checks = """checks for long_calls:
  - row_count > 0
  - duplicate_count(call_id) = 0
  - schema:
      fail:
        when mismatching columns: {COLS}
""".replace("COLS", cols)
    return Case(
        id="long-calls-outgrew-smallint",
        now="2026-06-07T02:00:00Z",
        asset="long_calls",
        description="Calls of five minutes or more, one row per call with its duration in seconds, for network "
        "capacity planning.",
        sql=sql,
        checks=checks.replace("{}", "smallint"),
        formats={"call_records": "parquet"},
        before={"call_records": c},
        after={"call_records": after},
        category="schema_drift",
        remediation="schema_evolution",
        root_cause="Conference-bridge calls now run for up to eleven hours; 25 durations exceed 32767 s and no longer "
        "fit the SMALLINT the output declares. The duration column must widen to INTEGER, and the schema check with "
        "it.",
        reference=Reference(kind="sql", sql=sql.replace("SMALLINT", "INTEGER"), checks=checks.replace("{}", "integer")),
    )


def trial_subject_numbers_reused_by_new_site() -> Case:
    v = w.trial_visits(90, "2026-02-02", seed=61, visits=4)
    # A new site numbers its own subjects from 1001 again: other people, other arms, the same numbers.
    new_site = derive(
        "SELECT subject_id, 'S07' AS site_id, CASE WHEN arm = 'active' THEN 'placebo' ELSE 'active' END "
        "AS arm, visit, visit_date + 9 AS visit_date, systolic + 3 AS systolic, diastolic FROM v "
        "WHERE subject_id <= 1024 AND visit IN ('V1', 'V2') ORDER BY subject_id, visit",
        v=v,
    )
    after = derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=v, b=new_site)
    sql = """WITH ordered AS (
    SELECT subject_id, arm, systolic,
           ROW_NUMBER() OVER (PARTITION BY subject_id ORDER BY visit_date) AS n,
           COUNT(*) OVER (PARTITION BY subject_id) AS visits
    FROM trial_visits
)
SELECT subject_id, arm, MAX(visits) AS visits,
       MAX(CASE WHEN n = 1 THEN systolic END) AS baseline_systolic,
       MAX(CASE WHEN n = visits THEN systolic END) AS latest_systolic
FROM ordered
GROUP BY 1, 2
"""
    return Case(
        id="trial-subject-numbers-reused-by-new-site",
        now="2026-04-10T06:00:00Z",
        asset="subject_bp_change",
        description="Per trial subject: arm, number of visits, baseline and latest systolic blood pressure, for the "
        "data monitoring committee.",
        sql=sql,
        checks="""checks for subject_bp_change:
  - row_count > 0
  - duplicate_count(subject_id) = 0
  - invalid_count(visits) = 0:
      valid max: 4
""",
        formats={"trial_visits": "parquet"},
        before={"trial_visits": v},
        after={"trial_visits": after},
        category="schema_drift",
        remediation="escalate",
        root_cause="The new site S07 numbers its subjects from 1001 like the first sites: 24 subject_ids now name two "
        "different people (another site, another arm, a second V1). The identifier no longer means one subject; "
        "deduplicating would merge people and keying by site would change what the output is keyed by. The data "
        "manager must decide how subjects are identified.",
        reference=Reference(kind="escalate"),
    )
