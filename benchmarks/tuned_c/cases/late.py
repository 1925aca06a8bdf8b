"""Late data: a partition that has not landed, a partial landing, a stale snapshot, a lagging rate feed; and a
look-alike where the volume drop is bad rows, not lateness. landed/ holds the sources once the late rows are in."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def parcel_depot_lag_check_failed() -> Case:
    full = w.parcel_scans("2026-11-02", 6, 220, seed=1501)
    cut_before, cut_after = "2026-11-07 06:00:00", "2026-11-08 06:00:00"
    before = derive(f"SELECT * FROM f WHERE scanned_at < TIMESTAMP '{cut_before}'", f=full)
    # GLA3's upload for the last day has not arrived: its scans stop at the previous upload.
    after = derive(
        f"SELECT * FROM f WHERE scanned_at < TIMESTAMP '{cut_after}' "
        f"AND NOT (depot = 'GLA3' AND scanned_at >= TIMESTAMP '{cut_before}')",
        f=full,
    )
    landed = derive(f"SELECT * FROM f WHERE scanned_at < TIMESTAMP '{cut_after}'", f=full)
    sql = """WITH per_depot AS (
    SELECT depot, MAX(scanned_at) AS last_scan_at,
           COUNT(*) FILTER (WHERE scan_type = 'pickup') AS pickups,
           COUNT(*) FILTER (WHERE scan_type = 'delivered') AS deliveries
    FROM parcel_scans
    GROUP BY depot
)
SELECT depot, last_scan_at, pickups, deliveries,
       ROUND(date_diff('minute', last_scan_at, MAX(last_scan_at) OVER ()) / 60.0, 1) AS hours_behind_network
FROM per_depot
"""
    return Case(
        id="parcel-depot-lag-check-failed",
        now="2026-11-08T06:20:00Z",
        asset="depot_scan_status",
        description="Per depot: the latest scan, pickups and deliveries so far, and how many hours the depot's "
        "latest scan is behind the network's, for the operations control room.",
        sql=sql,
        checks="""checks for depot_scan_status:
  - row_count > 0
  - duplicate_count(depot) = 0
  - invalid_count(hours_behind_network) = 0:
      valid min: 0
      valid max: 8
  - freshness(last_scan_at) < 30h
""",
        formats={"parcel_scans": "csv"},
        before={"parcel_scans": before},
        after={"parcel_scans": after},
        landed={"parcel_scans": landed},
        category="late_data",
        remediation="retry",
        root_cause="The GLA3 depot's scan upload for the last day has not landed: its scans stop at the previous "
        "upload (2026-11-07 06:00) while the other five depots run to 06:00 today, so it is 24 hours behind the "
        "network. Nothing is wrong with the rows that are there; the run succeeds once the upload lands.",
        reference=Reference(kind="wait"),
    )


def dock_availability_freshness_failed() -> Case:
    st = w.stations(30, seed=1511)

    def snapshot(at: str, seed: int):  # noqa: ANN202
        return derive(
            f"SELECT station_id, ((station_id * {seed} * 7919 + {seed}) % (docks + 1))::BIGINT AS bikes_available, "
            f"docks, TIMESTAMP '{at}' AS snapshot_at FROM s ORDER BY station_id",
            s=st,
        ).drop_columns(["docks"])

    before = snapshot("2026-12-01 07:55:00", 3)
    stale = snapshot("2026-12-01 04:10:00", 5)
    fresh = snapshot("2026-12-01 08:10:00", 7)
    sql = """SELECT s.station_id, s.station_name, s.neighbourhood, d.bikes_available,
       s.docks - d.bikes_available AS docks_free, d.snapshot_at,
       CASE WHEN d.bikes_available = 0 THEN 'empty'
            WHEN d.bikes_available = s.docks THEN 'full'
            WHEN d.bikes_available * 1.0 / s.docks < 0.2 THEN 'low'
            ELSE 'ok' END AS availability
FROM stations s
JOIN dock_status d ON d.station_id = s.station_id
"""
    return Case(
        id="dock-availability-freshness-failed",
        now="2026-12-01T08:15:00Z",
        asset="station_availability",
        description="Bikes available and docks free at every station from the latest dock-status snapshot, with "
        "an availability band (empty, low under 20%, full, ok), for the rebalancing vans.",
        sql=sql,
        checks="""checks for station_availability:
  - row_count > 0
  - duplicate_count(station_id) = 0
  - freshness(snapshot_at) < 1h
  - invalid_count(docks_free) = 0:
      valid min: 0
""",
        formats={"stations": "csv", "dock_status": "csv"},
        before={"stations": st, "dock_status": before},
        after={"dock_status": stale},
        landed={"dock_status": fresh},
        category="late_data",
        remediation="retry",
        root_cause="The dock-status export is stale: the file in place is the 04:10 snapshot, re-delivered after "
        "the 07:55 one, so at 08:15 it is four hours old. The next snapshot (08:10) lands shortly; the stations and "
        "the transform are fine.",
        reference=Reference(kind="wait"),
    )
