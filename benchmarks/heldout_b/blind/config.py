"""Config regressions: the latest deploy of the asset's own transform broke it; the sources are as they were."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def _grow(a, b):  # noqa: ANN001, ANN202
    return derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=a, b=b)


def parking_hourly_rate_integer_division() -> Case:
    p = w.parking(900, "2026-05-04", 7, seed=411)
    new = derive(
        "SELECT session_id + 90000 AS session_id, zone, started_at + INTERVAL 7 DAY AS started_at, minutes, fee "
        "FROM p WHERE session_id % 3 = 0",
        p=p,
    )
    v1 = """SELECT zone, CAST(started_at AS DATE) AS day, COUNT(*) AS sessions, ROUND(SUM(fee), 2) AS revenue
FROM pay_station_sessions
GROUP BY 1, 2
"""
    v2 = """SELECT zone, CAST(started_at AS DATE) AS day, COUNT(*) AS sessions, ROUND(SUM(fee), 2) AS revenue,
       ROUND(SUM(fee) / (SUM(minutes) / 60.0), 2) AS revenue_per_hour
FROM pay_station_sessions
GROUP BY 1, 2
"""
    current = v2.replace("(SUM(minutes) / 60.0)", "(SUM(minutes) // 600)")
    return Case(
        id="parking-hourly-rate-integer-division",
        now="2026-05-12T03:00:00Z",
        asset="zone_daily_revenue",
        description="Sessions, revenue and revenue per occupied hour per parking zone and day.",
        sql=current,
        checks="""checks for zone_daily_revenue:
  - row_count > 0
  - missing_count(revenue_per_hour) = 0
  - invalid_count(revenue_per_hour) = 0:
      valid min: 0.5
      valid max: 10
""",
        history=[(v1, "2026-02-10T09:00:00Z"), (v2, "2026-04-01T11:00:00Z")],
        deployed="2026-05-11T16:20:00Z",
        formats={"pay_station_sessions": "csv"},
        before={"pay_station_sessions": p},
        after={"pay_station_sessions": _grow(p, new)},
        category="config_regression",
        remediation="rollback",
        root_cause="The deploy of 2026-05-11 16:20 rewrote the hours divisor as SUM(minutes) // 600, an integer "
        "division by ten hours instead of a division by 60.0: revenue per hour is ten times too high. The sessions "
        "are as before; rolling back to the version of 2026-04-01 restores the output.",
        reference=Reference(kind="rollback"),
    )


def station_latest_reading_sort_flipped() -> Case:
    st = w.stations(16, seed=421)
    obs = w.observations(st["station_id"].to_pylist(), "2026-06-20", 72, seed=422)
    new = w.observations(st["station_id"].to_pylist(), "2026-06-23", 6, seed=423)
    v1 = """SELECT station_id, observed_at, temp_c, wind_kmh
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY station_id ORDER BY observed_at DESC) AS rn
    FROM raw_obs
    WHERE qc_flag = 'ok'
)
WHERE rn = 1
"""
    current = v1.replace("ORDER BY observed_at DESC", "ORDER BY observed_at").replace(
        "WHERE qc_flag = 'ok'", "WHERE qc_flag IN ('ok')"
    )
    return Case(
        id="station-latest-reading-sort-flipped",
        now="2026-06-23T07:00:00Z",
        asset="station_current_conditions",
        description="The latest quality-controlled reading of each station, for the live conditions page.",
        sql=current,
        checks="""checks for station_current_conditions:
  - row_count > 0
  - duplicate_count(station_id) = 0
  - freshness(observed_at) < 12h
""",
        history=[(v1, "2026-03-02T10:00:00Z")],
        deployed="2026-06-22T18:45:00Z",
        formats={"raw_obs": "parquet"},
        before={"raw_obs": obs},
        after={"raw_obs": _grow(obs, new)},
        category="config_regression",
        remediation="rollback",
        root_cause="The deploy of 2026-06-22 18:45, a tidy-up of the filter, also dropped DESC from the window's "
        "ORDER BY: each station now keeps its oldest reading instead of its latest. Rolling back to the version of "
        "2026-03-02 restores the output.",
        reference=Reference(kind="rollback"),
    )


def payroll_coalesce_dropped() -> Case:
    emp = w.employees(70, seed=431)
    ids = emp["employee_no"].to_pylist()
    lines = w.pay_lines(ids + [4900, 4901, 4902], ["2026-08-28"], seed=432)
    new = w.pay_lines(ids + [4900, 4901, 4902, 4903], ["2026-09-25"], seed=433)
    v1 = """SELECT COALESCE(e.department, 'unassigned') AS department, p.pay_date, COUNT(*) AS staff,
       ROUND(SUM(p.gross_pay), 2) AS gross_pay
FROM pay_register p
LEFT JOIN staff_directory e ON e.employee_no = p.employee_no
GROUP BY 1, 2
"""
    current = """SELECT e.department AS department, p.pay_date, COUNT(*) AS staff,
       ROUND(SUM(p.gross_pay), 2) AS gross_pay
FROM pay_register AS p
LEFT JOIN staff_directory AS e ON e.employee_no = p.employee_no
GROUP BY 1, 2
ORDER BY 1, 2
"""
    return Case(
        id="payroll-coalesce-dropped",
        now="2026-09-26T06:00:00Z",
        asset="payroll_by_department",
        description="Gross pay and staff paid per department and pay date; new starters not yet in the directory "
        "count as unassigned.",
        sql=current,
        checks="""checks for payroll_by_department:
  - row_count > 0
  - missing_count(department) = 0
""",
        history=[(v1, "2026-01-05T09:00:00Z")],
        deployed="2026-09-24T15:00:00Z",
        formats={"pay_register": "csv", "staff_directory": "csv"},
        before={"pay_register": lines, "staff_directory": emp},
        after={"pay_register": _grow(lines, new)},
        category="config_regression",
        remediation="rollback",
        root_cause="The deploy of 2026-09-24, a restyle that also sorts the output, dropped the "
        "COALESCE that files new starters (not yet in staff_directory) under 'unassigned'; their pay now lands in a "
        "null department. Rolling back to the version of 2026-01-05 restores the output.",
        reference=Reference(kind="rollback"),
    )


def cell_traffic_filter_case_changed() -> Case:
    c = w.calls(2000, "2026-02-09", 5, seed=441, cells=20)
    new = derive(
        "SELECT call_id + 500000 AS call_id, cell_id, started_at + INTERVAL 5 DAY AS started_at, duration_s, "
        "call_type FROM c WHERE call_id % 5 = 0",
        c=c,
    )
    v1 = """SELECT cell_id, date_trunc('day', started_at) AS day, COUNT(*) AS voice_calls,
       SUM(duration_s) AS voice_seconds
FROM switch_cdrs
WHERE call_type IN ('voice', 'volte')
GROUP BY 1, 2
"""
    current = v1.replace("WHERE call_type IN ('voice', 'volte')", "WHERE call_type IN ('Voice', 'VoLTE')")
    return Case(
        id="cell-traffic-filter-case-changed",
        now="2026-02-15T04:00:00Z",
        asset="cell_voice_daily",
        description="Voice calls (circuit and VoLTE) and their seconds per cell and day, for interconnect billing.",
        sql=current,
        checks="""checks for cell_voice_daily:
  - row_count > 0
  - missing_count(voice_seconds) = 0
""",
        history=[(v1, "2025-12-01T08:00:00Z")],
        deployed="2026-02-14T17:30:00Z",
        formats={"switch_cdrs": "parquet"},
        before={"switch_cdrs": c},
        after={"switch_cdrs": _grow(c, new)},
        category="config_regression",
        remediation="rollback",
        root_cause="The deploy of 2026-02-14 17:30 wrote the call types as 'Voice' and 'VoLTE'; the switch writes "
        "them in lower case, so no call matches and the output is empty. Rolling back to the version of 2025-12-01 "
        "restores the output.",
        reference=Reference(kind="rollback"),
    )


def harvest_yield_ratio_inverted() -> Case:
    north = w.harvests(80, "2026-07-15", seed=451)
    south = derive(
        "SELECT 'S' || substr(field_id, 2) AS field_id, crop, harvested_on, area_ha, yield_t FROM h",
        h=w.harvests(70, "2026-07-10", seed=452),
    )
    north_more = derive(
        "SELECT 'X' || field_id AS field_id, crop, harvested_on + 20 AS harvested_on, area_ha, yield_t FROM h",
        h=w.harvests(20, "2026-08-01", seed=453),
    )
    v1 = """WITH estate AS (
    SELECT 'north' AS farm, * FROM north_farm
    UNION ALL
    SELECT 'south' AS farm, * FROM south_farm
)
SELECT farm, crop, COUNT(*) AS fields, ROUND(SUM(yield_t) / SUM(area_ha), 2) AS t_per_ha
FROM estate
GROUP BY 1, 2
"""
    current = v1.replace("SUM(yield_t) / SUM(area_ha)", "SUM(area_ha) / SUM(yield_t)")
    return Case(
        id="harvest-yield-ratio-inverted",
        now="2026-08-30T06:00:00Z",
        asset="farm_crop_yields",
        description="Yield per hectare of each crop on the north and south farms.",
        sql=current,
        checks="""checks for farm_crop_yields:
  - row_count > 0
  - invalid_count(t_per_ha) = 0:
      valid min: 0.5
      valid max: 15
""",
        history=[(v1, "2026-05-18T12:00:00Z")],
        deployed="2026-08-29T10:00:00Z",
        formats={"north_farm": "csv", "south_farm": "csv"},
        before={"north_farm": north, "south_farm": south},
        after={"north_farm": _grow(north, north_more)},
        category="config_regression",
        remediation="rollback",
        root_cause="The deploy of 2026-08-29 10:00 swapped numerator and denominator: it computes hectares per "
        "tonne. The farms' files only gained newly harvested fields; rolling back to the version of 2026-05-18 "
        "restores the output.",
        reference=Reference(kind="rollback"),
    )
