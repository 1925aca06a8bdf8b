"""Multi-cause incidents: two things changed at once, and the repair needs a change for each."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def hotel_suffixed_rates_and_missing_hotel() -> Case:
    b = w.bookings(1400, "2026-04-01", 14, seed=611)
    new = w.bookings(300, "2026-04-15", 2, seed=612, first_id=520001)
    text = (
        "SELECT booking_id, {h} AS hotel_code, booked_at, arrival, nights, {r} AS rate, channel FROM b "
        "ORDER BY booking_id"
    )
    before = derive(text.format(h="hotel_code", r="printf('%.2f', rate)"), b=b)
    # The new booking engine writes rates with a currency suffix, and its walk-in bookings carry no hotel code.
    changed = derive(
        text.format(
            h="CASE WHEN booking_id % 23 = 0 THEN NULL ELSE hotel_code END", r="printf('%.2f', rate) || ' EUR'"
        ),
        b=new,
    )
    sql = """SELECT hotel_code, CAST(booked_at AS DATE) AS booking_day, COUNT(*) AS bookings,
       ROUND(SUM(nights * CAST(rate AS DOUBLE)), 2) AS booked_revenue
FROM booking_engine
GROUP BY 1, 2
"""
    fixed = """SELECT hotel_code, CAST(booked_at AS DATE) AS booking_day, COUNT(*) AS bookings,
       ROUND(SUM(nights * CAST(trim(replace(rate, 'EUR', '')) AS DOUBLE)), 2) AS booked_revenue
FROM booking_engine
WHERE hotel_code IS NOT NULL
GROUP BY 1, 2
"""
    return Case(
        id="hotel-suffixed-rates-and-missing-hotel",
        now="2026-04-17T03:00:00Z",
        asset="daily_booked_revenue",
        description="Bookings and booked room revenue per hotel and booking day, for the sales pace report.",
        sql=sql,
        checks="""checks for daily_booked_revenue:
  - row_count > 0
  - missing_count(hotel_code) = 0
  - invalid_count(booked_revenue) = 0:
      valid min: 0
""",
        formats={"booking_engine": "parquet"},
        before={"booking_engine": before},
        after={"booking_engine": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=before, b=changed)},
        category=["format_drift", "data_quality"],
        remediation=["code_change", "dead_letter"],
        root_cause="The new booking engine (from 2026-04-15) writes rates as '129.00 EUR', and its walk-in bookings "
        "(13 of 300) carry no hotel_code. Stripping the suffix restores every rate; the bookings without a hotel "
        "cannot be attributed and go to a dead-letter table (reason: missing hotel_code).",
        reference=Reference(kind="sql", sql=fixed),
    )


def meter_channel_renamed_and_redelivered() -> Case:
    m = w.meters(40, seed=621)
    reads = w.meter_reads(m["meter_id"].to_pylist(), "2026-05-04", 10, seed=622)
    new = w.meter_reads(m["meter_id"].to_pylist(), "2026-05-14", 2, seed=623)
    renamed = derive(
        "SELECT meter_id, read_at, kwh AS import_kwh FROM t ORDER BY read_at, meter_id",
        t=derive("SELECT * FROM a UNION ALL SELECT * FROM b UNION ALL SELECT * FROM b", a=reads, b=new),
    )
    sql = """SELECT meter_id, CAST(read_at AS DATE) AS day, kwh,
       ROUND(SUM(kwh) OVER (PARTITION BY meter_id ORDER BY read_at), 3) AS cumulative_kwh
FROM register_reads
"""
    fixed = """SELECT meter_id, CAST(read_at AS DATE) AS day, import_kwh AS kwh,
       ROUND(SUM(import_kwh) OVER (PARTITION BY meter_id ORDER BY read_at), 3) AS cumulative_kwh
FROM (SELECT DISTINCT * FROM register_reads)
"""
    return Case(
        id="meter-channel-renamed-and-redelivered",
        now="2026-05-16T04:00:00Z",
        asset="meter_cumulative_use",
        description="Each meter's daily consumption with its running total since the start of the feed.",
        sql=sql,
        checks="""checks for meter_cumulative_use:
  - row_count > 0
  - duplicate_count(meter_id, day) = 0
  - missing_count(kwh) = 0
""",
        formats={"register_reads": "csv"},
        before={"register_reads": reads},
        after={"register_reads": renamed},
        category=["schema_drift", "data_quality"],
        remediation=["code_change", "dedupe"],
        root_cause="Two changes arrived together: the head-end renamed kwh to import_kwh (export channels are "
        "coming), and its last two days of reads were delivered twice, identical. The transform must read "
        "import_kwh and remove the duplicates by (meter_id, read_at) first.",
        reference=Reference(kind="sql", sql=fixed),
    )


def call_durations_clock_text_with_placeholders() -> Case:
    c = w.calls(1600, "2026-11-09", 4, seed=631, cells=20)
    new = derive(
        "SELECT call_id + 200000 AS call_id, cell_id, started_at + INTERVAL 4 DAY AS started_at, duration_s, "
        "call_type FROM c WHERE call_id % 3 = 0",
        c=c,
    )
    # The new mediation release writes m:ss, and writes '--:--' where the switch lost the call's end record.
    after = derive(
        "SELECT call_id, cell_id, started_at, CASE WHEN call_id > 200000 AND call_id % 41 = 0 THEN '--:--' ELSE "
        "CAST(duration_s // 60 AS VARCHAR) || ':' || lpad(CAST(duration_s % 60 AS VARCHAR), 2, '0') END AS "
        "duration_s, call_type FROM (SELECT * FROM a UNION ALL SELECT * FROM b) ORDER BY call_id",
        a=c,
        b=new,
    )
    sql = """SELECT call_type, CAST(started_at AS DATE) AS day, COUNT(*) AS calls,
       ROUND(AVG(duration_s), 1) AS mean_call_s, MAX(duration_s) AS longest_call_s
FROM mediation_cdrs
GROUP BY 1, 2
"""
    secs = "(CAST(split_part(duration_s, ':', 1) AS INTEGER) * 60 + CAST(split_part(duration_s, ':', 2) AS INTEGER))"
    fixed = f"""SELECT call_type, CAST(started_at AS DATE) AS day, COUNT(*) AS calls,
       ROUND(AVG({secs}), 1) AS mean_call_s, MAX({secs}) AS longest_call_s
FROM mediation_cdrs
WHERE duration_s <> '--:--'
GROUP BY 1, 2
"""
    return Case(
        id="call-durations-clock-text-with-placeholders",
        now="2026-11-14T05:00:00Z",
        asset="call_type_daily",
        description="Calls, mean and longest call length per call type and day, for the service quality report.",
        sql=sql,
        checks="""checks for call_type_daily:
  - row_count > 0
  - missing_count(mean_call_s) = 0
  - invalid_count(longest_call_s) = 0:
      valid min: 1
""",
        formats={"mediation_cdrs": "parquet"},
        before={"mediation_cdrs": c},
        after={"mediation_cdrs": after},
        category=["format_drift", "data_quality"],
        remediation=["code_change", "dead_letter"],
        root_cause="The mediation release writes durations as m:ss text for every record, and writes '--:--' for "
        "the calls whose end record the switch lost. Converting m:ss restores every other duration; the calls "
        "without a duration go to a dead-letter table (reason: unknown duration).",
        reference=Reference(kind="sql", sql=fixed),
    )


def station_filter_regression_and_epoch_times() -> Case:
    st = w.stations(10, seed=641)
    obs = w.observations(st["station_id"].to_pylist(), "2026-12-01", 72, seed=642)
    new = w.observations(st["station_id"].to_pylist(), "2026-12-04", 3, seed=643)
    after = derive(
        "SELECT station_id, CAST(epoch(observed_at) AS BIGINT) AS observed_at, temp_c, precip_mm, wind_kmh, "
        "qc_flag FROM (SELECT * FROM a UNION ALL SELECT * FROM b) ORDER BY 2, 1",
        a=obs,
        b=new,
    )
    v1 = """SELECT station_id, date_trunc('hour', observed_at) AS hour, AVG(temp_c) AS temp_c,
       SUM(precip_mm) AS precip_mm
FROM gateway_obs
WHERE qc_flag = 'ok'
GROUP BY 1, 2
"""
    current = v1.replace("WHERE qc_flag = 'ok'", "WHERE qc_flag <> 'ok'")
    fixed = v1.replace(
        "date_trunc('hour', observed_at)",
        "date_trunc('hour', TIMESTAMP '1970-01-01' + observed_at * INTERVAL 1 SECOND)",
    )
    return Case(
        id="station-filter-regression-and-epoch-times",
        now="2026-12-04T04:00:00Z",
        asset="station_hourly_clean",
        description="Hourly mean temperature and precipitation per station over quality-controlled readings.",
        sql=current,
        checks="""checks for station_hourly_clean:
  - row_count > 100
  - missing_count(hour) = 0
  - freshness(hour) < 1d
""",
        history=[(v1, "2026-06-15T09:00:00Z")],
        deployed="2026-12-03T17:00:00Z",
        formats={"gateway_obs": "csv"},
        before={"gateway_obs": obs},
        after={"gateway_obs": after},
        category=["config_regression", "format_drift"],
        remediation="code_change",
        root_cause="Two changes in one evening: the deploy of 2026-12-03 17:00 inverted the quality filter "
        "(qc_flag <> 'ok'), and the gateway began writing observed_at as epoch seconds. Rolling back alone still "
        "fails on the epoch values; the repair is the last good transform with observed_at converted from seconds.",
        reference=Reference(kind="sql", sql=fixed),
    )


def dispensing_gained_channel_and_resent() -> Case:
    d = w.dispensing(1500, "2026-09-07", 6, seed=651, stores=8)
    new = derive(
        "SELECT rx_id + 20000 AS rx_id, store_id, product, qty, dispensed_at + INTERVAL 6 DAY AS dispensed_at "
        "FROM d WHERE rx_id % 4 = 0",
        d=d,
    )
    grown = derive(
        "SELECT *, CASE WHEN rx_id % 5 = 0 THEN 'online' ELSE 'counter' END AS channel FROM "
        "(SELECT * FROM a UNION ALL SELECT * FROM b UNION ALL SELECT * FROM b WHERE rx_id % 2 = 0) "
        "ORDER BY rx_id",
        a=d,
        b=new,
    )
    sql = """SELECT *
FROM rx_events
WHERE qty > 0
"""
    cols = "rx_id: bigint, store_id: bigint, product: varchar, qty: bigint, dispensed_at: timestamp"
    checks = """checks for dispensing_ledger:
  - row_count > 0
  - duplicate_count(rx_id) = 0
  - schema:
      fail:
        when mismatching columns: {COLS}
""".replace("COLS", cols)
    return Case(
        id="dispensing-gained-channel-and-resent",
        now="2026-09-14T03:00:00Z",
        asset="dispensing_ledger",
        description="The ledger of every dispensing with all its recorded fields, for controlled-drug audits.",
        sql=sql,
        checks=checks,
        formats={"rx_events": "csv"},
        before={"rx_events": d},
        after={"rx_events": grown},
        category=["schema_drift", "data_quality"],
        remediation=["schema_evolution", "dedupe"],
        root_cause="The dispensing system added a channel column (counter or online) to rx_events, and its latest "
        "export repeated half of the newest day's rows. The ledger's exact schema check must list channel, and the "
        "duplicates must be removed by rx_id.",
        reference=Reference(
            kind="sql",
            sql="SELECT *\nFROM (SELECT DISTINCT * FROM rx_events)\nWHERE qty > 0\n",
            checks=checks.replace("dispensed_at: timestamp", "dispensed_at: timestamp, channel: varchar"),
        ),
    )
