"""Resource exhaustion: the sources grew and the same transform now runs out of memory (holistic aggregates,
an ordered aggregate over a wide join, a fan-out join) or out of time (self-joins over ranges that grow with the
square of the rows). The right answer is a higher limit: twice the memory limit is enough for the repaired run.

Limits were chosen from the memory each transform needs at 1, 2 and 4 threads: the last good transform fits
under the limit on before/, the current one needs more than the limit and less than twice it on after/; the
verifier checks all three thread counts again on every run."""

from __future__ import annotations

from .case import Case, Reference, derive


def _sensor_rows(machines: int, start: str, seconds: int, every_s: int, offset: int = 0):  # noqa: ANN202
    return derive(
        f"SELECT 'M' || (m // 10 + 1)::VARCHAR || lpad((m % 10 + 1)::VARCHAR, 2, '0') AS mach_id, "
        f"'L' || (m // 10 + 1)::VARCHAR AS line_cd, "
        f"TIMESTAMP '{start}' + to_seconds(s * {every_s}) AS ts, "
        f"round(61 + ((m * 13 + s * 7 + {offset}) % 97 - 48) / 12.0, 2) AS tmp_c, "
        f"round(2.2 + ((m * 31 + s * 17 + {offset}) % 89) / 60.0, 3) AS vib_mm_s "
        f"FROM range({machines}) a(m), range({seconds // every_s}) b(s) ORDER BY ts, mach_id"
    )


def machine_daily_vibration_percentiles_oom() -> Case:
    day = 86400
    old = _sensor_rows(30, "2026-11-02 00:00:00", 5 * day, 60)
    # The new gateways sample every 20 seconds instead of every minute, from 2026-11-07.
    new = _sensor_rows(30, "2026-11-07 00:00:00", 2 * day, 20, offset=5)
    sql = """SELECT mach_id, line_cd, CAST(ts AS DATE) AS dt, COUNT(*) AS n_rdg,
       quantile_cont(vib_mm_s, 0.5) AS p50_vib_mm_s,
       quantile_cont(vib_mm_s, 0.95) AS p95_vib_mm_s,
       quantile_cont(vib_mm_s, 0.99) AS p99_vib_mm_s,
       quantile_cont(tmp_c, 0.95) AS p95_tmp_c
FROM sensor_rdg
GROUP BY 1, 2, 3
"""
    return Case(
        id="machine-daily-vibration-percentiles-oom",
        now="2026-11-09T02:00:00Z",
        asset="mach_daily_vib_pctl",
        description="Per machine and day: the number of readings and the 50th, 95th and 99th percentiles of "
        "vibration and the 95th of temperature, for condition monitoring.",
        sql=sql,
        checks="""checks for mach_daily_vib_pctl:
  - row_count > 0
  - duplicate_count(mach_id, dt) = 0
  - invalid_count(p99_vib_mm_s) = 0:
      valid min: 0
      valid max: 25
""",
        formats={"sensor_rdg": "parquet"},
        before={"sensor_rdg": old},
        after={"sensor_rdg": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=old, b=new)},
        faults={"memory_limit_mb": 36},
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="The new gateways sample every 20 seconds instead of every minute since 2026-11-07, so the last "
        "two days carry three times the readings. Exact percentiles keep every value of a group in memory; the "
        "same transform now needs more than the run's limit. The data and the transform are right: the run needs "
        "a higher memory limit.",
        reference=Reference(kind="limit"),
    )


def _shop_orders(n: int):  # noqa: ANN202
    return derive(
        f"SELECT 5000000 + i AS orderId, 300 + (i * 7919) % 6000 AS customerId, "
        f"TIMESTAMP '2026-01-01' + to_seconds(i * 97) AS orderedAt, "
        f"lpad(((i * 31) % 99999)::VARCHAR, 5, '0') AS shipPostcode, "
        f"'Flat ' || (i % 40 + 1)::VARCHAR || ', ' || ((i * 13) % 300 + 1)::VARCHAR || ' ' || "
        f"(['High Street', 'Station Road', 'Church Lane', 'Mill Way', 'Park Avenue'])[i % 5 + 1] AS shipAddress, "
        f"round(12 + (i * 37 % 4000) / 10.0, 2) AS orderTotal "
        f"FROM range({n}) t(i)"
    )


def _shop_returns(orders: int, n: int, first: int):  # noqa: ANN202
    return derive(
        f"SELECT 90000000 + {first} + i AS returnId, "
        f"5000000 + ((i * 104729 + {first}) % {orders}) AS orderId, "
        f"TIMESTAMP '2026-02-01' + to_seconds(({first} + i) * 53) AS returnedAt, "
        f"(['too_small', 'too_large', 'damaged', 'not_as_described', 'changed_mind'])[(i * 7 + {first}) % 5 + 1] "
        f"AS returnReason, round(4 + ((i * 211 + {first}) % 3000) / 10.0, 2) AS refundAmount "
        f"FROM range({n}) t(i)"
    )


def return_reason_weekly_stats_oom() -> Case:
    orders = _shop_orders(40_000)
    old = _shop_returns(40_000, 400_000, 0)
    # The marketplace's returns joined the feed on 2026-03-20 with their whole history: three times the rows.
    new = _shop_returns(40_000, 800_000, 400_000)
    sql = """SELECT r.returnReason, date_trunc('week', r.returnedAt) AS weekStart,
       COUNT(*) AS returnCount,
       ROUND(SUM(r.refundAmount), 2) AS refundTotal,
       median(r.refundAmount / o.orderTotal) AS medianRefundShare,
       quantile_cont(date_diff('hour', o.orderedAt, r.returnedAt), 0.9) AS p90HoursToReturn
FROM returns r
JOIN orders o ON o.orderId = r.orderId
GROUP BY 1, 2
"""
    return Case(
        id="return-reason-weekly-stats-oom",
        now="2026-03-21T04:00:00Z",
        asset="return_reason_weekly_stats",
        description="Per return reason and week: returns, refunds, the median share of the order refunded and the "
        "90th percentile of hours from order to return, for the returns policy review.",
        sql=sql,
        checks="""checks for return_reason_weekly_stats:
  - row_count > 0
  - duplicate_count(returnReason, weekStart) = 0
  - invalid_count(medianRefundShare) = 0:
      valid min: 0
""",
        formats={"orders": "parquet", "returns": "parquet"},
        before={"orders": orders, "returns": old},
        after={"returns": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=old, b=new)},
        faults={"memory_limit_mb": 52},
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="The marketplace's returns joined the feed with their whole history: the returns table grew "
        "threefold. The exact median and percentile keep every value of a group in memory, joined to its order, and "
        "the same transform now needs more than the run's limit. Nothing is wrong with the data or the transform: "
        "the run needs a higher memory limit.",
        reference=Reference(kind="limit"),
    )


def _museum_visits(n: int):  # noqa: ANN202
    return derive(
        f"SELECT 1 + i AS VisitId, (['EGY', 'ROM', 'IMP', 'MOD', 'NAT', 'ASI', 'MED'])[(i * 7 + i // 11) % 7 + 1] "
        f"AS GalleryCode, TIMESTAMP '2026-04-01 10:00:00' + to_days(i // 2400) + to_seconds((i * 7919) % 27000) "
        f"AS EnteredAt, 1 + (i * 13) % 5 AS PartySize, "
        f"10 + (i * 31) % 170 AS DwellMinutes FROM range({n}) t(i)"
    )


def _exhibits(per_gallery: int):  # noqa: ANN202
    return derive(
        f"SELECT g.code || '-' || lpad((k + 1)::VARCHAR, 3, '0') AS ExhibitCode, g.code AS GalleryCode, "
        f"'Exhibit ' || (k + 1)::VARCHAR || ' of ' || g.code AS ExhibitTitle "
        f"FROM (VALUES ('EGY'), ('ROM'), ('IMP'), ('MOD'), ('NAT'), ('ASI'), ('MED')) g(code), "
        f"range({per_gallery}) t(k) ORDER BY 1"
    )


def exhibit_exposure_profile_oom() -> Case:
    vis = _museum_visits(130_000)
    sql = """SELECT x.ExhibitCode, x.GalleryCode, COUNT(*) AS Exposures, SUM(v.PartySize) AS Visitors,
       quantile_cont(v.DwellMinutes, 0.5) AS MedianDwellMinutes,
       quantile_cont(hour(v.EnteredAt) * 60 + minute(v.EnteredAt), [0.1, 0.5, 0.9]) AS EntryMinuteDeciles
FROM visits v
JOIN exhibits x ON x.GalleryCode = v.GalleryCode
GROUP BY 1, 2
"""
    return Case(
        id="exhibit-exposure-profile-oom",
        now="2026-08-20T05:00:00Z",
        asset="exhibit_exposure_profile",
        description="Per exhibit on display: visits to its gallery (exposures), visitors, the median dwell time and "
        "the 10th, 50th and 90th percentile of entry time of day, for the exhibition designers.",
        sql=sql,
        checks="""checks for exhibit_exposure_profile:
  - row_count > 0
  - duplicate_count(ExhibitCode) = 0
  - invalid_count(MedianDwellMinutes) = 0:
      valid min: 0
      valid max: 240
""",
        formats={"visits": "csv", "exhibits": "csv"},
        before={"visits": vis, "exhibits": _exhibits(8)},
        after={"exhibits": _exhibits(22)},
        faults={"memory_limit_mb": 82},
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="The collections team put the whole display on the exhibits register: from eight to twenty-two "
        "exhibits per gallery. Every visit fans out to each exhibit of its gallery, and the exact percentiles keep "
        "every fanned-out value in memory: the same transform now needs more than the run's limit. The register "
        "is right and so is the transform; the run needs a higher memory limit.",
        reference=Reference(kind="limit"),
    )


def _depot_scans(parcels: int, kinds: list[str]):  # noqa: ANN202
    """Each parcel's scans spread evenly over the 28 hours from pickup to delivery."""
    n = len(kinds)
    return derive(
        f"SELECT 1 + p * {n} + k AS scan_id, 'PX' || lpad(p::VARCHAR, 7, '0') AS parcel_id, "
        f"(['LHR1', 'MAN2', 'BHX1', 'GLA3', 'BRS1', 'LDS2'])[p % 6 + 1] AS depot, "
        f"{kinds}[k + 1] AS scan_type, "
        f"TIMESTAMP '2026-10-05 06:00:00' + to_seconds((p * 28) + k * (100800 // {n - 1})) AS scanned_at "
        f"FROM range({parcels}) a(p), range({n}) b(k) ORDER BY scanned_at, scan_id"
    )


def depot_rolling_load_timeout() -> Case:
    old = _depot_scans(9_000, ["pickup", "delivered"])
    # The new sorters scan every parcel at each conveyor: eight scans a parcel instead of two.
    new = _depot_scans(
        9_000, ["pickup", "hub_in", "sort_in", "sort_out", "hub_out", "load", "out_for_delivery", "delivered"]
    )
    sql = """WITH load AS (
    SELECT s.scan_id, s.depot, s.scanned_at, COUNT(*) AS depot_scans_24h
    FROM parcel_scans s
    JOIN parcel_scans p
      ON p.depot = s.depot
     AND p.scanned_at > s.scanned_at - INTERVAL 24 HOUR
     AND p.scanned_at <= s.scanned_at
    GROUP BY 1, 2, 3
)
SELECT depot, date_trunc('hour', scanned_at) AS hr, COUNT(*) AS scans, MAX(depot_scans_24h) AS peak_scans_24h
FROM load
GROUP BY 1, 2
"""
    return Case(
        id="depot-rolling-load-timeout",
        now="2026-10-10T06:00:00Z",
        asset="depot_rolling_load",
        description="Per depot and hour: the scans, and the peak over them of the depot's scans in the 24 hours "
        "up to a scan, the load signal for the depot staffing model.",
        sql=sql,
        checks="""checks for depot_rolling_load:
  - row_count > 0
  - duplicate_count(depot, hr) = 0
  - invalid_count(peak_scans_24h) = 0:
      valid min: 1
""",
        formats={"parcel_scans": "parquet"},
        before={"parcel_scans": old},
        after={"parcel_scans": new},
        faults={"timeout_s": 2},
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="The new sorters scan every parcel at each conveyor, eight scans a parcel instead of two, over the "
        "same days. The rolling 24-hour count pairs each scan with every scan of its depot in the window, so "
        "the work grows with the square of the scan density and the same transform now runs past the time limit. "
        "Data and transform are right; the run needs a longer time limit.",
        reference=Reference(kind="limit"),
    )


def _meter_zone_reads(meters: int, start: str, hours: int, every_h: int, first: int):  # noqa: ANN202
    return derive(
        f"SELECT {first} + s * {meters} + m AS rdg_id, 880000 + m AS mtr_id, "
        f"TIMESTAMP '{start}' + to_hours(s * {every_h}) + to_minutes(m % 10) AS rdg_ts, "
        f"round((5 + (m * 37 + s * 11) % 150) * {every_h} / 6.0, 1) AS cons_l "
        f"FROM range({meters}) a(m), range({hours // every_h}) b(s) ORDER BY rdg_ts, rdg_id"
    )


def zone_rolling_day_use_timeout() -> Case:
    mtrs = derive(
        "SELECT 880000 + m AS mtr_id, 'Z0' || (m % 3 + 1)::VARCHAR AS zone_cd, "
        "CASE WHEN m % 9 = 0 THEN 'COM' ELSE 'RES' END AS svc_cls FROM range(900) t(m)"
    )
    old = _meter_zone_reads(900, "2026-02-01 00:00:00", 20 * 24, 6, 1)
    # From 2026-02-21 the head-end delivers hourly interval reads instead of six-hourly ones.
    new = _meter_zone_reads(900, "2026-02-21 00:00:00", 14 * 24, 1, 10_000_000)
    sql = """WITH rdg AS (
    SELECT r.rdg_id, r.mtr_id, m.zone_cd, r.rdg_ts, r.cons_l
    FROM mtr_rdg r
    JOIN mtr m ON m.mtr_id = r.mtr_id
),
rolling AS (
    SELECT zone_cd, rdg_id, rdg_ts,
           (SELECT SUM(p.cons_l) / 1000.0
            FROM rdg p
            WHERE p.zone_cd = rdg.zone_cd
              AND p.rdg_ts > rdg.rdg_ts - INTERVAL 7 DAY
              AND p.rdg_ts <= rdg.rdg_ts) AS m3_7d
    FROM rdg
)
SELECT zone_cd, date_trunc('hour', rdg_ts) AS rdg_hr, COUNT(*) AS n_rdg, ROUND(MAX(m3_7d), 3) AS zone_m3_7d
FROM rolling
GROUP BY 1, 2
"""
    return Case(
        id="zone-rolling-day-use-timeout",
        now="2026-03-07T03:00:00Z",
        asset="zone_rolling_use",
        description="Per zone and hour: the reads, and the zone's consumption in cubic metres over the seven days "
        "up to the hour's last read, the baseline of the night-flow leak detector.",
        sql=sql,
        checks="""checks for zone_rolling_use:
  - row_count > 0
  - duplicate_count(zone_cd, rdg_hr) = 0
  - missing_count(zone_m3_7d) = 0
""",
        formats={"mtr": "csv", "mtr_rdg": "parquet"},
        before={"mtr": mtrs, "mtr_rdg": old},
        after={"mtr_rdg": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=old, b=new)},
        faults={"timeout_s": 2},
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="Since 2026-02-21 the meter head-end delivers hourly interval reads instead of six-hourly ones. "
        "The rolling seven-day zone total pairs each read with every read of its zone in the window, six times as "
        "many reads each paired with six times as many: the same transform now runs past the time limit. The reads "
        "are right; the run needs a longer time limit.",
        reference=Reference(kind="limit"),
    )


def event_sales_velocity_timeout() -> Case:
    evs = derive(
        "SELECT 900 + i AS event_id, (ARRAY[3011, 3017, 3023, 3029, 3031, 3043])[i % 6 + 1] AS venue_id, "
        "'Show ' || i::VARCHAR AS event_name, DATE '2026-07-01' + INTERVAL (i * 3) DAY AS event_date, "
        "CASE WHEN i = 0 THEN 90000 ELSE 2500 END AS capacity FROM range(30) t(i)"
    )
    old = derive(
        "SELECT 1 + i AS ticket_id, 901 + (i * 7) % 29 AS event_id, "
        "TIMESTAMP '2026-05-01 08:00:00' + to_seconds(i * 29) AS sold_at, "
        "round(25 + (i * 37) % 120, 2) AS price, (['web', 'app', 'box_office'])[i % 3 + 1] AS channel "
        "FROM range(30000) t(i)"
    )
    # The stadium tour (event 900) went on sale at 10:00 on 2026-05-11: 62,000 tickets in 90 minutes.
    onsale = derive(
        "SELECT 1000000 + i AS ticket_id, 900 AS event_id, "
        "TIMESTAMP '2026-05-11 10:00:00' + to_microseconds((i * 5400000000 // 62000)::BIGINT) AS sold_at, "
        "round(45 + (i * 53) % 160, 2) AS price, (['web', 'app'])[i % 2 + 1] AS channel FROM range(62000) t(i)"
    )
    sql = """WITH velocity AS (
    SELECT s.ticket_id, s.event_id, s.sold_at,
           COUNT(*) AS sales_10min, SUM(p.price) AS takings_10min
    FROM ticket_sales s
    JOIN ticket_sales p
      ON p.event_id = s.event_id
     AND p.sold_at BETWEEN s.sold_at - INTERVAL 10 MINUTE AND s.sold_at
    GROUP BY 1, 2, 3
)
SELECT event_id, date_trunc('minute', sold_at) AS sold_minute, COUNT(*) AS sales,
       MAX(sales_10min) AS peak_sales_10min, ROUND(MAX(takings_10min), 2) AS peak_takings_10min
FROM velocity
GROUP BY 1, 2
"""
    return Case(
        id="event-sales-velocity-timeout",
        now="2026-05-11T12:00:00Z",
        asset="event_sales_velocity",
        description="Per event and minute: the sales, and the peak over them of the event's sales and takings in "
        "the ten minutes up to a sale, for the on-sale queue controller.",
        sql=sql,
        checks="""checks for event_sales_velocity:
  - row_count > 0
  - duplicate_count(event_id, sold_minute) = 0
  - invalid_count(peak_sales_10min) = 0:
      valid min: 1
""",
        formats={"ticket_sales": "parquet", "events": "csv"},
        before={"ticket_sales": old, "events": evs},
        after={"ticket_sales": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=old, b=onsale)},
        faults={"timeout_s": 3},
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="The stadium tour went on sale at 10:00: 62,000 tickets for one event in 90 minutes, against a "
        "few thousand a day across all events until then. The ten-minute velocity pairs each sale with every sale "
        "of its event in the window, so the on-sale's work grows with the square of its rate: the same transform "
        "now runs past the time limit. The sales are real; the run needs a longer time limit.",
        reference=Reference(kind="limit"),
    )
