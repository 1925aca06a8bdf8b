"""Data quality: bad rows arrived (impossible values, missing keys, sentinels, re-sent batches)."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def parking_sessions_negative_durations() -> Case:
    p = w.parking(1200, "2026-03-02", 10, seed=211)
    new = w.parking(240, "2026-03-12", 2, seed=212)
    # One pay-station firmware computes end minus start across midnight: 19 sessions get a negative length.
    new = derive(
        "SELECT session_id + 50000 AS session_id, zone, started_at, CASE WHEN zone = 'Z3' AND session_id % 7 = 3 "
        "THEN minutes - 1440 ELSE minutes END AS minutes, CASE WHEN zone = 'Z3' AND session_id % 7 = 3 THEN "
        "round((minutes - 1440) / 60 * 1.2, 2) ELSE fee END AS fee FROM n",
        n=new,
    )
    sql = """SELECT session_id, zone, started_at, minutes, fee,
       CASE WHEN minutes < 30 THEN 'under 30 min'
            WHEN minutes < 120 THEN '30 min to 2 h'
            ELSE 'over 2 h' END AS stay_band
FROM parking_sessions
"""
    return Case(
        id="parking-sessions-negative-durations",
        now="2026-03-14T02:00:00Z",
        asset="parking_stays",
        description="Every parking session with its length, fee and stay band, for the tariff review.",
        sql=sql,
        checks="""checks for parking_stays:
  - row_count > 0
  - duplicate_count(session_id) = 0
  - invalid_count(minutes) = 0:
      valid min: 1
  - invalid_count(fee) = 0:
      valid min: 0
""",
        formats={"parking_sessions": "csv"},
        before={"parking_sessions": p},
        after={"parking_sessions": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=p, b=new)},
        category="data_quality",
        remediation="dead_letter",
        root_cause="Pay stations in zone Z3 reported sessions that cross midnight with a negative length (and a "
        "negative fee). Their true length cannot be recovered from the row; they go to a dead-letter table (reason: "
        "negative duration) and the other sessions flow on.",
        reference=Reference(kind="sql", sql=sql + "WHERE minutes >= 1 AND fee >= 0\n"),
    )


def fleet_trips_batch_resent() -> Case:
    vh = w.vehicles(15, seed=221)
    t = w.trips(vh["vehicle_id"].to_pylist(), "2026-06-08", 8, seed=222)
    t2 = w.trips(vh["vehicle_id"].to_pylist(), "2026-06-16", 1, seed=223, first_id=t.num_rows + 1)
    # The gateway re-sent the last day's batch after a reconnect: every one of its rows arrives twice.
    after = derive(
        "SELECT * FROM (SELECT * FROM a UNION ALL SELECT * FROM b UNION ALL SELECT * FROM b) ORDER BY trip_id",
        a=t,
        b=t2,
    )
    sql = """SELECT trip_id, vehicle_id, started_at, km, fuel_l,
       ROUND(100 * fuel_l / km, 2) AS litres_per_100km
FROM trip_log
WHERE km > 0
"""
    return Case(
        id="fleet-trips-batch-resent",
        now="2026-06-17T03:00:00Z",
        asset="trip_fuel_economy",
        description="Every trip with its distance, fuel and fuel economy, for the driver coaching scheme.",
        sql=sql,
        checks="""checks for trip_fuel_economy:
  - row_count > 0
  - duplicate_count(trip_id) = 0
  - missing_count(litres_per_100km) = 0
""",
        formats={"trip_log": "parquet"},
        before={"trip_log": t},
        after={"trip_log": after},
        category="data_quality",
        remediation="dedupe",
        root_cause="After a reconnect the telematics gateway re-sent the whole 2026-06-16 batch: its 45 trips arrive "
        "twice, identical in every column. Removing duplicates by trip_id before the transform restores the output.",
        reference=Reference(
            kind="sql",
            sql="""SELECT trip_id, vehicle_id, started_at, km, fuel_l,
       ROUND(100 * fuel_l / km, 2) AS litres_per_100km
FROM (SELECT DISTINCT * FROM trip_log)
WHERE km > 0
""",
        ),
    )


def dispensing_rows_without_store() -> Case:
    d = w.dispensing(2000, "2026-04-06", 7, seed=231)
    new = w.dispensing(400, "2026-04-13", 1, seed=232)
    # The new tablet app in the mobile clinic does not stamp a store: 31 dispensings arrive with no store_id.
    new = derive(
        "SELECT rx_id + 10000 AS rx_id, CASE WHEN rx_id % 13 = 0 THEN NULL ELSE store_id END AS store_id, "
        "product, qty, dispensed_at FROM n",
        n=new,
    )
    sql = """SELECT store_id, product, CAST(dispensed_at AS DATE) AS day, COUNT(*) AS dispensings,
       SUM(qty) AS units
FROM dispensing_events
GROUP BY 1, 2, 3
"""
    return Case(
        id="dispensing-rows-without-store",
        now="2026-04-14T04:00:00Z",
        asset="store_daily_dispensing",
        description="Dispensings and units per pharmacy store, product and day, for stock replenishment.",
        sql=sql,
        checks="""checks for store_daily_dispensing:
  - row_count > 0
  - missing_count(store_id) = 0
  - invalid_count(units) = 0:
      valid min: 1
""",
        formats={"dispensing_events": "csv"},
        before={"dispensing_events": d},
        after={"dispensing_events": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=d, b=new)},
        category="data_quality",
        remediation="dead_letter",
        root_cause="A mobile clinic's new tablet app does not stamp the store: about 8% of the latest day's "
        "dispensings arrive with a null store_id. They cannot be attributed to a store; they go to a dead-letter "
        "table (reason: missing store_id) and the rest flows on.",
        reference=Reference(
            kind="sql",
            sql=sql.replace("FROM dispensing_events\n", "FROM dispensing_events\nWHERE store_id IS NOT NULL\n"),
        ),
    )


def meter_reads_redelivered() -> Case:
    m = w.meters(50, seed=241)
    reads = w.meter_reads(m["meter_id"].to_pylist(), "2026-11-02", 12, seed=242)
    new = w.meter_reads(m["meter_id"].to_pylist(), "2026-11-14", 2, seed=243)
    # The data collector redelivered the first new day's file: each of its reads arrives twice.
    dup = derive("SELECT * FROM n WHERE read_at < TIMESTAMP '2026-11-15'", n=new)
    after = derive(
        "SELECT * FROM (SELECT * FROM a UNION ALL SELECT * FROM b UNION ALL SELECT * FROM d) "
        "ORDER BY read_at, meter_id",
        a=reads,
        b=new,
        d=dup,
    )
    sql = """SELECT meter_id, read_at, kwh,
       ROUND(kwh - LAG(kwh) OVER (PARTITION BY meter_id ORDER BY read_at), 3) AS change_kwh
FROM daily_reads
"""
    return Case(
        id="meter-reads-redelivered",
        now="2026-11-16T04:00:00Z",
        asset="meter_read_changes",
        description="Each meter's daily read with its change from the previous read, for anomaly review.",
        sql=sql,
        checks="""checks for meter_read_changes:
  - row_count > 0
  - duplicate_count(meter_id, read_at) = 0
  - missing_count(kwh) = 0
""",
        formats={"daily_reads": "csv"},
        before={"daily_reads": reads},
        after={"daily_reads": after},
        category="data_quality",
        remediation="dedupe",
        root_cause="The data collector redelivered the 2026-11-14 file: its 50 reads arrive twice, identical. "
        "Removing duplicates by (meter_id, read_at) before the transform restores the output.",
        reference=Reference(
            kind="sql", sql=sql.replace("FROM daily_reads", "FROM (SELECT DISTINCT * FROM daily_reads)")
        ),
    )


def station_sensor_sentinel_values() -> Case:
    st = w.stations(14, seed=251)
    obs = w.observations(st["station_id"].to_pylist(), "2026-01-19", 72, seed=252)
    new = w.observations(st["station_id"].to_pylist(), "2026-01-22", 24, seed=253)
    # One station's thermometer failed: its logger writes the sentinel -999.9 for every hour since.
    bad = st["station_id"][5].as_py()
    new = derive(
        f"SELECT station_id, observed_at, CASE WHEN station_id = '{bad}' AND hour(observed_at) >= 9 THEN -999.9 "
        "ELSE temp_c END AS temp_c, precip_mm, wind_kmh, qc_flag FROM n",
        n=new,
    )
    sql = """SELECT o.station_id, s.region, CAST(o.observed_at AS DATE) AS day,
       MIN(o.temp_c) AS temp_min, MAX(o.temp_c) AS temp_max, ROUND(AVG(o.wind_kmh), 1) AS wind_mean
FROM hourly_obs o
JOIN station_list s USING (station_id)
GROUP BY 1, 2, 3
"""
    return Case(
        id="station-sensor-sentinel-values",
        now="2026-01-23T02:00:00Z",
        asset="station_daily_extremes",
        description="Daily minimum and maximum temperature and mean wind per station and region.",
        sql=sql,
        checks="""checks for station_daily_extremes:
  - row_count > 0
  - invalid_count(temp_min) = 0:
      valid min: -60
      valid max: 60
  - missing_count(region) = 0
""",
        formats={"hourly_obs": "csv", "station_list": "csv"},
        before={"hourly_obs": obs, "station_list": st},
        after={"hourly_obs": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=obs, b=new)},
        category="data_quality",
        remediation="dead_letter",
        root_cause=f"The thermometer of station {bad} failed at 09:00 on 2026-01-22; its logger writes the sentinel "
        "-999.9 for every hour since. Those readings are not temperatures; they go to a dead-letter table (reason: "
        "sensor sentinel) and the daily extremes are computed over the remaining hours.",
        reference=Reference(
            kind="sql",
            sql=sql.replace(
                "JOIN station_list s USING (station_id)\n",
                "JOIN station_list s USING (station_id)\nWHERE o.temp_c > -999\n",
            ),
        ),
    )
