"""Data quality: bad rows arrived (sentinel readings, a replayed batch); the transform and the schema are right."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def press_line_hourly_temperature_range() -> Case:
    machs = w.machines(3, 4)
    old = w.sensor_readings(machs, "2026-10-12T00:00:00", 48, 5, seed=1301)
    new = w.sensor_readings(machs, "2026-10-14T00:00:00", 6, 5, seed=1302)
    # A firmware update on two line-2 machines writes -999.0 when the probe times out.
    bad = derive(
        "SELECT mach_id, line_cd, ts, CASE WHEN mach_id IN ('M202', 'M204') AND (epoch(ts)::BIGINT // 60) % 7 = 0 "
        "THEN -999.0 ELSE tmp_c END AS tmp_c, vib_mm_s, rpm FROM n",
        n=new,
    )
    sql = """SELECT mach_id, line_cd, date_trunc('hour', ts) AS hr,
       COUNT(*) AS n_rdg,
       ROUND(AVG(tmp_c), 2) AS avg_tmp_c, MIN(tmp_c) AS min_tmp_c, MAX(tmp_c) AS max_tmp_c,
       ROUND(MAX(vib_mm_s), 3) AS max_vib_mm_s
FROM sensor_rdg
GROUP BY 1, 2, 3
"""
    ref = """SELECT mach_id, line_cd, date_trunc('hour', ts) AS hr,
       COUNT(*) AS n_rdg,
       ROUND(AVG(tmp_c), 2) AS avg_tmp_c, MIN(tmp_c) AS min_tmp_c, MAX(tmp_c) AS max_tmp_c,
       ROUND(MAX(vib_mm_s), 3) AS max_vib_mm_s
FROM sensor_rdg
WHERE tmp_c BETWEEN -40 AND 200
GROUP BY 1, 2, 3
"""
    return Case(
        id="press-line-hourly-temperature-range",
        now="2026-10-14T06:30:00Z",
        asset="mach_hourly_stats",
        description="Hourly reading count, average, minimum and maximum bearing temperature and peak vibration per "
        "press machine, for the maintenance planners.",
        sql=sql,
        checks="""checks for mach_hourly_stats:
  - row_count > 0
  - missing_count(mach_id) = 0
  - invalid_count(min_tmp_c) = 0:
      valid min: -40
      valid max: 200
  - invalid_count(max_tmp_c) = 0:
      valid min: -40
      valid max: 200
""",
        formats={"sensor_rdg": "csv"},
        before={"sensor_rdg": old},
        after={"sensor_rdg": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=old, b=bad)},
        category="data_quality",
        remediation="dead_letter",
        root_cause="Since a firmware update, machines M202 and M204 write the sentinel -999.0 as tmp_c when the "
        "temperature probe times out (a few readings an hour on the newest day). Those readings carry no "
        "temperature; they go to a dead-letter table (reason: sentinel temperature) and the hourly statistics are "
        "computed over the valid readings.",
        reference=Reference(kind="sql", sql=ref),
    )


def parcel_transit_times_duplicate_check() -> Case:
    old = w.parcel_scans("2026-08-03", 6, 260, seed=1311)
    new = w.parcel_scans("2026-08-09", 1, 260, seed=1312, first_scan=10_000_000)
    # The BRS1 depot's scanner gateway re-sent its batch for the newest day after a restart.
    replay = derive("SELECT * FROM n WHERE depot = 'BRS1'", n=new)
    after = derive("SELECT * FROM (SELECT * FROM a UNION ALL SELECT * FROM b UNION ALL SELECT * FROM r) "
                   "ORDER BY scanned_at, scan_id", a=old, b=new, r=replay)  # fmt: skip
    sql = """SELECT p.parcel_id, p.depot,
       p.scanned_at AS picked_up_at, d.scanned_at AS delivered_at,
       ROUND(date_diff('minute', p.scanned_at, d.scanned_at) / 60.0, 1) AS transit_hours
FROM parcel_scans p
JOIN parcel_scans d ON d.parcel_id = p.parcel_id AND d.scan_type = 'delivered'
WHERE p.scan_type = 'pickup'
"""
    ref = """WITH scans AS (
    SELECT * EXCLUDE (rn)
    FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY scan_id ORDER BY scanned_at) AS rn FROM parcel_scans)
    WHERE rn = 1
)
SELECT p.parcel_id, p.depot,
       p.scanned_at AS picked_up_at, d.scanned_at AS delivered_at,
       ROUND(date_diff('minute', p.scanned_at, d.scanned_at) / 60.0, 1) AS transit_hours
FROM scans p
JOIN scans d ON d.parcel_id = p.parcel_id AND d.scan_type = 'delivered'
WHERE p.scan_type = 'pickup'
"""
    return Case(
        id="parcel-transit-times-duplicate-check",
        now="2026-08-11T21:00:00Z",
        asset="parcel_transit_times",
        description="One row per delivered parcel: depot, pickup and delivery time and the hours in transit, for "
        "the service-level report.",
        sql=sql,
        checks="""checks for parcel_transit_times:
  - row_count > 0
  - duplicate_count(parcel_id) = 0
  - invalid_count(transit_hours) = 0:
      valid min: 0
      valid max: 72
""",
        formats={"parcel_scans": "csv"},
        before={"parcel_scans": old},
        after={"parcel_scans": after},
        category="data_quality",
        remediation="dedupe",
        root_cause="After a restart, the BRS1 depot's scanner gateway re-sent its scans of 2026-08-09: every one of "
        "them is in the file twice with the same scan_id. The self-join then pairs each duplicated pickup with each "
        "duplicated delivery. Removing duplicates by scan_id before the join restores one row per parcel.",
        reference=Reference(kind="sql", sql=ref),
    )
