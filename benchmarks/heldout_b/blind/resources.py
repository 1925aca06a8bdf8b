"""Resource exhaustion: a backfill grew the input past the run's time or memory limit; the transform is right.

The backfilled tables are generated in DuckDB (`range`), as a bulk re-delivery of history would arrive.
"""

from __future__ import annotations

from .case import Case, Reference, derive


def _pings(vehicles: int, minutes: int, start: str) -> object:
    return derive(
        f"SELECT {vehicles} * m + v AS ping_id, 'VH' || (300 + v) AS vehicle_id, TIMESTAMP '{start}' + m * "
        "INTERVAL 1 MINUTE AS pinged_at, round(((m * 7 + v * 3) % 17) * 0.09, 2) AS km "
        f"FROM range({minutes}) a(m), range({vehicles}) b(v) ORDER BY ping_id"
    )


def fleet_ping_backfill_time_limit() -> Case:
    sql = """WITH rolling AS (
    SELECT a.vehicle_id, a.pinged_at, SUM(b.km) AS km_last_hour
    FROM vehicle_pings a
    JOIN vehicle_pings b
      ON b.vehicle_id = a.vehicle_id
     AND b.pinged_at > a.pinged_at - INTERVAL 1 HOUR
     AND b.pinged_at <= a.pinged_at
    GROUP BY 1, 2
)
SELECT vehicle_id, CAST(pinged_at AS DATE) AS day, ROUND(MAX(km_last_hour), 2) AS max_km_in_an_hour,
       COUNT(*) AS pings
FROM rolling
GROUP BY 1, 2
"""
    return Case(
        id="fleet-ping-backfill-time-limit",
        now="2026-03-09T06:00:00Z",
        asset="vehicle_hourly_distance",
        description="Per vehicle and day, the most distance covered in any hour (a rolling hour up to each "
        "telematics ping), for tachograph compliance.",
        sql=sql,
        checks="""checks for vehicle_hourly_distance:
  - row_count > 0
  - missing_count(max_km_in_an_hour) = 0
  - invalid_count(max_km_in_an_hour) = 0:
      valid min: 0
""",
        faults={"timeout_s": 2},
        formats={"vehicle_pings": "parquet"},
        before={"vehicle_pings": _pings(12, 900, "2026-03-08 08:00:00")},
        after={"vehicle_pings": _pings(12, 11500, "2026-02-28 11:00:00")},
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="The telematics provider backfilled eight days of minute pings after an outage: the run reads "
        "138,000 pings instead of about 11,000 and the per-vehicle range join no longer finishes within the 2 s "
        "limit. The transform is right for the data; the run's time limit must rise with its measured run time.",
        reference=Reference(kind="limit"),
    )


def _calls(cells: int, per_cell: int, start: str) -> object:
    return derive(
        f"SELECT {cells} * k + c AS call_id, 'C' || lpad(CAST(c AS VARCHAR), 3, '0') AS cell_id, "
        f"TIMESTAMP '{start}' + (k * 37 + c * 11) * INTERVAL 1 SECOND AS started_at, "
        "30 + (k * 53 + c * 29) % 900 AS duration_s "
        f"FROM range({per_cell}) a(k), range({cells}) b(c) ORDER BY call_id"
    )


def cell_concurrency_backfill_time_limit() -> Case:
    sql = """WITH load AS (
    SELECT a.call_id, a.cell_id, a.started_at, COUNT(*) AS concurrent_calls
    FROM call_legs a
    JOIN call_legs b
      ON b.cell_id = a.cell_id
     AND b.started_at <= a.started_at
     AND b.started_at + b.duration_s * INTERVAL 1 SECOND > a.started_at
    GROUP BY 1, 2, 3
)
SELECT cell_id, date_trunc('hour', started_at) AS hour, COUNT(*) AS calls_started,
       MAX(concurrent_calls) AS peak_concurrent_calls
FROM load
GROUP BY 1, 2
"""
    return Case(
        id="cell-concurrency-backfill-time-limit",
        now="2026-05-20T04:00:00Z",
        asset="call_concurrency",
        description="Per cell and hour, calls started and the peak number of calls in progress when one started, "
        "for congestion analysis.",
        sql=sql,
        checks="""checks for call_concurrency:
  - row_count > 0
  - duplicate_count(cell_id, hour) = 0
  - invalid_count(peak_concurrent_calls) = 0:
      valid min: 1
""",
        faults={"timeout_s": 2},
        formats={"call_legs": "parquet"},
        before={"call_legs": _calls(10, 1200, "2026-05-19 00:00:00")},
        after={"call_legs": _calls(10, 12500, "2026-05-14 12:00:00")},
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="The mediation platform re-delivered five days of call legs at once: 125,000 calls instead of "
        "12,000, and the per-cell overlap join runs past the 2 s limit. The transform is right; the run's time limit "
        "must rise with its measured run time.",
        reference=Reference(kind="limit"),
    )


def _intervals(meters: int, per_meter: int, start: str) -> object:
    return derive(
        f"SELECT 70000 + m AS meter_id, TIMESTAMP '{start}' + k * INTERVAL 30 MINUTE AS interval_start, "
        "round(0.05 + ((k * 13 + m * 7) % 40) * 0.021, 3) AS kwh "
        f"FROM range({per_meter}) a(k), range({meters}) b(m) ORDER BY interval_start, meter_id"
    )


def meter_baseline_backfill_time_limit() -> Case:
    sql = """WITH baseline AS (
    SELECT a.meter_id, a.interval_start, a.kwh, AVG(b.kwh) AS trailing_week_mean
    FROM meter_intervals a
    LEFT JOIN meter_intervals b
      ON b.meter_id = a.meter_id
     AND b.interval_start BETWEEN a.interval_start - INTERVAL 7 DAY AND a.interval_start - INTERVAL 30 MINUTE
    GROUP BY 1, 2, 3
)
SELECT meter_id, CAST(interval_start AS DATE) AS day, ROUND(SUM(kwh), 3) AS kwh,
       ROUND(SUM(kwh - COALESCE(trailing_week_mean, kwh)), 3) AS kwh_above_baseline
FROM baseline
GROUP BY 1, 2
"""
    return Case(
        id="meter-baseline-backfill-time-limit",
        now="2026-10-12T05:00:00Z",
        asset="interval_vs_baseline",
        description="Per meter and day, consumption and how far its half-hourly reads ran above the meter's mean "
        "over the preceding week, for the demand-response baseline.",
        sql=sql,
        checks="""checks for interval_vs_baseline:
  - row_count > 0
  - invalid_count(kwh) = 0:
      valid min: 0
""",
        faults={"timeout_s": 3},
        formats={"meter_intervals": "parquet"},
        before={"meter_intervals": _intervals(16, 700, "2026-09-27 12:00:00")},
        after={"meter_intervals": _intervals(16, 8500, "2026-04-20 12:00:00")},
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="Sixteen meters were migrated from another head-end with their full half-hourly history: "
        "136,000 intervals instead of about 11,000. The trailing-week join is correct but no longer finishes within "
        "the 3 s limit; the time limit must rise with the measured run time.",
        reference=Reference(kind="limit"),
    )


def _messages(stations: int, per_station: int, start: str) -> object:
    return derive(
        f"SELECT 'WS-' || (100 + s) AS station_id, TIMESTAMP '{start}' + k * INTERVAL 1 MINUTE AS observed_at, "
        "'METAR WS' || (100 + s) || ' ' || lpad(CAST(k % 10000 AS VARCHAR), 4, '0') || 'Z ' || "
        "lpad(CAST((k * 7 + s) % 360 AS VARCHAR), 3, '0') || '0' || lpad(CAST((k + s) % 30 AS VARCHAR), 2, '0') "
        "|| 'KT 9999 FEW0' || ((k + s) % 9) || '0 ' || lpad(CAST((k * 3 + s) % 25 AS VARCHAR), 2, '0') || "
        "'/05 Q10' || lpad(CAST(10 + (k + s) % 30 AS VARCHAR), 2, '0') AS raw_message "
        f"FROM range({per_station}) a(k), range({stations}) b(s) ORDER BY observed_at, station_id"
    )


def station_archive_backfill_out_of_memory() -> Case:
    sql = """SELECT station_id, CAST(observed_at AS DATE) AS day, COUNT(*) AS messages,
       md5(string_agg(raw_message, chr(10) ORDER BY observed_at)) AS archive_md5
FROM raw_messages
GROUP BY 1, 2
"""
    return Case(
        id="station-archive-backfill-out-of-memory",
        now="2026-11-03T05:00:00Z",
        asset="station_daily_archive",
        description="One archive record per station and day: its message count and the MD5 of all its raw weather "
        "messages joined in order, for the tamper-evident climate record.",
        sql=sql,
        checks="""checks for station_daily_archive:
  - row_count > 0
  - missing_count(archive_md5) = 0
  - invalid_count(messages) = 0:
      valid max: 1440
""",
        faults={"memory_limit_mb": 40},
        formats={"raw_messages": "parquet"},
        before={"raw_messages": _messages(8, 2880, "2026-11-01 00:00:00")},
        after={"raw_messages": _messages(8, 30240, "2026-10-13 00:00:00")},
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="The message switch re-sent three weeks of minute messages for eight stations after a disk "
        "recovery: 241,920 messages instead of 23,040. Joining each station-day's messages for the digest is "
        "correct but needs more than the run's 40 MB; twice the memory limit is enough.",
        reference=Reference(kind="limit"),
    )


def _labels(stores: int, per_store: int, start: str) -> object:
    return derive(
        f"SELECT 300000 + {stores} * k + s AS rx_id, 200 + s AS store_id, TIMESTAMP '{start}' + k * INTERVAL 90 "
        "SECOND AS dispensed_at, ['AMX500', 'IBU200', 'MET850', 'ATV020', 'SAL100'][1 + (k + s) % 5] AS product, "
        "'Take ' || (1 + k % 3) || ' tablet(s) ' || ['once', 'twice', 'three times'][1 + (k + s) % 3] || "
        "' daily with water. Batch ' || lpad(CAST((k * 31 + s) % 100000 AS VARCHAR), 5, '0') || '. Do not "
        "exceed the stated dose.' AS label_text "
        f"FROM range({per_store}) a(k), range({stores}) b(s) ORDER BY rx_id"
    )


def dispensing_label_audit_out_of_memory() -> Case:
    # Delta tables have no unsigned 64-bit type: the hash is taken modulo the largest prime below 2^53, which
    # keeps it a BIGINT that also reads back exactly as a double.
    sql = """SELECT store_id, product, COUNT(*) AS dispensings,
       CAST(hash(list(label_text ORDER BY dispensed_at)) % 9007199254740881 AS BIGINT) AS labels_hash
FROM label_log
GROUP BY 1, 2
"""
    return Case(
        id="dispensing-label-audit-out-of-memory",
        now="2026-12-02T05:00:00Z",
        asset="label_audit",
        description="Per store and product, the number of labels printed and a hash of all of them in order, "
        "for the pharmacy regulator's audit.",
        sql=sql,
        checks="""checks for label_audit:
  - row_count > 0
  - missing_count(labels_hash) = 0
""",
        faults={"memory_limit_mb": 40},
        formats={"label_log": "parquet"},
        before={"label_log": _labels(6, 4000, "2026-11-25 08:00:00")},
        after={"label_log": _labels(6, 45000, "2026-10-18 08:00:00")},
        category="resource_exhaustion",
        remediation="resource_increase",
        root_cause="The label printers' history since mid-October was loaded for the audit: 270,000 labels instead "
        "of 24,000. Collecting each store's labels for the digest is correct but needs more than the run's "
        "40 MB; twice the memory limit is enough.",
        reference=Reference(kind="limit"),
    )
