"""Format drift: the same values in a new representation; two of them cannot be read back without a guess."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def meter_reads_decimal_comma() -> Case:
    m = w.meters(40, seed=111)
    reads = w.meter_reads(m["meter_id"].to_pylist(), "2026-07-01", 20, seed=112)
    new = w.meter_reads(m["meter_id"].to_pylist(), "2026-07-21", 3, seed=113)
    as_text = "SELECT meter_id, read_at, {} AS kwh FROM r ORDER BY read_at, meter_id"
    before = derive(as_text.format("printf('%.3f', kwh)"), r=reads)
    # The head-end's new locale writes every value, old and new, with a decimal comma.
    after = derive(
        as_text.format("replace(printf('%.3f', kwh), '.', ',')"),
        r=derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=reads, b=new),
    )
    sql = """WITH daily AS (
    SELECT meter_id, CAST(read_at AS DATE) AS day, SUM(CAST(kwh AS DOUBLE)) AS kwh
    FROM meter_reads
    GROUP BY 1, 2
)
SELECT meter_id, day, ROUND(kwh, 3) AS kwh,
       ROUND(AVG(kwh) OVER (PARTITION BY meter_id ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW), 3)
           AS kwh_7d_avg
FROM daily
"""
    return Case(
        id="meter-reads-decimal-comma",
        now="2026-07-24T05:00:00Z",
        asset="meter_daily_rolling",
        description="Daily consumption per meter with its seven-day rolling mean, for the demand forecast.",
        sql=sql,
        checks="""checks for meter_daily_rolling:
  - row_count > 0
  - missing_count(kwh) = 0
  - invalid_count(kwh_7d_avg) = 0:
      valid min: 0
""",
        formats={"meter_reads": "parquet"},
        before={"meter_reads": before},
        after={"meter_reads": after},
        category="format_drift",
        remediation="code_change",
        root_cause="The metering head-end switched locale and now writes kwh with a decimal comma (3,412 for 3.412), "
        "for the re-exported history as well. Replacing the comma by a point before the cast restores every value.",
        reference=Reference(
            kind="sql", sql=sql.replace("CAST(kwh AS DOUBLE)", "CAST(replace(kwh, ',', '.') AS DOUBLE)")
        ),
    )


def station_times_became_epoch_seconds() -> Case:
    st = w.stations(10, seed=121)
    obs = w.observations(st["station_id"].to_pylist(), "2026-08-01", 120, seed=122)
    new = w.observations(st["station_id"].to_pylist(), "2026-08-06", 4, seed=123)
    after = derive(
        "SELECT station_id, CAST(epoch(observed_at) AS BIGINT) AS observed_at, temp_c, precip_mm, wind_kmh, "
        "qc_flag FROM (SELECT * FROM a UNION ALL SELECT * FROM b) ORDER BY 2, 1",
        a=obs,
        b=new,
    )
    sql = """SELECT station_id, date_trunc('day', observed_at) AS day,
       MIN(temp_c) AS temp_min, MAX(temp_c) AS temp_max, ROUND(SUM(precip_mm), 1) AS precip_mm
FROM station_hourly
WHERE qc_flag = 'ok'
GROUP BY 1, 2
"""
    fixed = sql.replace(
        "date_trunc('day', observed_at)", "date_trunc('day', TIMESTAMP '1970-01-01' + observed_at * INTERVAL 1 SECOND)"
    )
    return Case(
        id="station-times-became-epoch-seconds",
        now="2026-08-06T05:00:00Z",
        asset="station_daily_summary",
        description="Daily minimum and maximum temperature and total precipitation per weather station.",
        sql=sql,
        checks="""checks for station_daily_summary:
  - row_count > 0
  - missing_count(day) = 0
  - invalid_count(temp_max) = 0:
      valid min: -60
      valid max: 60
""",
        formats={"station_hourly": "csv"},
        before={"station_hourly": obs},
        after={"station_hourly": after},
        category="format_drift",
        remediation="code_change",
        root_cause="The station gateway now writes observed_at as Unix epoch seconds (1785542400) instead of an ISO "
        "timestamp; the file's history was re-sent the same way. Converting the seconds to a UTC timestamp restores "
        "every value.",
        reference=Reference(kind="sql", sql=fixed),
    )


def hotel_rates_gained_currency_suffix() -> Case:
    b = w.bookings(1500, "2026-09-01", 14, seed=131)
    text = "SELECT booking_id, hotel_code, booked_at, arrival, nights, {} AS rate, channel FROM b ORDER BY booking_id"
    before = derive(text.format("printf('%.2f', rate)"), b=b)
    # The channel manager now writes the agencies' rates with their currency code.
    after = derive(
        text.format("CASE WHEN channel = 'ota' THEN printf('%.2f', rate) || ' EUR' ELSE printf('%.2f', rate) END"),
        b=derive(
            "SELECT * FROM a UNION ALL SELECT * FROM n",
            a=b,
            n=w.bookings(200, "2026-09-15", 1, seed=132, first_id=502001),
        ),
    )
    sql = """SELECT hotel_code,
       CASE WHEN CAST(rate AS DECIMAL(10, 2)) < 100 THEN 'value'
            WHEN CAST(rate AS DECIMAL(10, 2)) < 200 THEN 'standard'
            ELSE 'premium' END AS rate_band,
       COUNT(*) AS bookings, SUM(nights) AS room_nights,
       ROUND(SUM(nights * CAST(rate AS DECIMAL(10, 2))), 2) AS room_revenue
FROM room_bookings
GROUP BY 1, 2
"""
    fixed = sql.replace("CAST(rate AS", "CAST(trim(replace(rate, 'EUR', '')) AS")
    return Case(
        id="hotel-rates-gained-currency-suffix",
        now="2026-09-16T03:00:00Z",
        asset="hotel_rate_bands",
        description="Bookings, room nights and room revenue per hotel and rate band (value under 100, standard under "
        "200, premium), for revenue management.",
        sql=sql,
        checks="""checks for hotel_rate_bands:
  - row_count > 0
  - missing_count(rate_band) = 0
  - invalid_count(room_revenue) = 0:
      valid min: 0
""",
        formats={"room_bookings": "parquet"},
        before={"room_bookings": before},
        after={"room_bookings": after},
        category="format_drift",
        remediation="code_change",
        root_cause="The channel manager now appends the currency code to online-agency rates ('129.00 EUR'); every "
        "rate is still in euros. Stripping the suffix before the cast restores every value.",
        reference=Reference(kind="sql", sql=fixed),
    )


def trial_visit_codes_switched_standard() -> Case:
    v = w.trial_visits(70, "2026-01-12", seed=141, visits=5)
    schedule = derive(
        "SELECT * FROM (VALUES ('V1', 'SCRN', 'screening'), ('V2', 'BASE', 'baseline'), "
        "('V3', 'WK02', 'week 2'), ('V4', 'WK04', 'week 4'), ('V5', 'WK06', 'week 6')) "
        "s(visit, visit_code, label)"
    )
    more = w.trial_visits(10, "2026-03-02", seed=142, visits=2)
    more = derive(
        "SELECT subject_id + 70 AS subject_id, site_id, arm, visit, visit_date, systolic, diastolic FROM m", m=more
    )
    # The EDC system now exports the protocol's visit codes instead of visit numbers, for every row.
    after = derive(
        "SELECT v.subject_id, v.site_id, v.arm, s.visit_code AS visit, v.visit_date, v.systolic, v.diastolic "
        "FROM (SELECT * FROM a UNION ALL SELECT * FROM b) v JOIN s USING (visit) "
        "ORDER BY v.subject_id, v.visit_date",
        a=v,
        b=more,
        s=schedule,
    )
    sql = """SELECT arm, visit, COUNT(*) AS subjects, ROUND(AVG(systolic), 1) AS mean_systolic,
       ROUND(AVG(diastolic), 1) AS mean_diastolic
FROM visit_vitals
GROUP BY 1, 2
"""
    fixed = """SELECT v.arm, s.visit, COUNT(*) AS subjects, ROUND(AVG(v.systolic), 1) AS mean_systolic,
       ROUND(AVG(v.diastolic), 1) AS mean_diastolic
FROM visit_vitals v
JOIN visit_schedule s ON s.visit_code = v.visit
GROUP BY 1, 2
"""
    return Case(
        id="trial-visit-codes-switched-standard",
        now="2026-04-20T06:00:00Z",
        asset="vitals_by_visit",
        description="Mean systolic and diastolic blood pressure per arm and protocol visit (V1 to V5), for the "
        "interim analysis.",
        sql=sql,
        checks="""checks for vitals_by_visit:
  - row_count > 0
  - invalid_count(visit) = 0:
      valid values: [V1, V2, V3, V4, V5]
  - missing_count(mean_systolic) = 0
""",
        formats={"visit_vitals": "csv", "visit_schedule": "csv"},
        before={"visit_vitals": v, "visit_schedule": schedule},
        after={"visit_vitals": after},
        category="format_drift",
        remediation="code_change",
        root_cause="The EDC export switched from visit numbers (V1..V5) to the protocol's visit codes (SCRN, BASE, "
        "WK02, WK04, WK06) for every row. The catalog's visit_schedule table maps each code to its visit number; "
        "the transform must map through it.",
        reference=Reference(kind="sql", sql=fixed),
    )


def call_durations_became_minutes_seconds() -> Case:
    c = w.calls(1800, "2026-10-05", 4, seed=151, cells=25)
    new = derive(
        "SELECT call_id + 100000 AS call_id, cell_id, started_at + INTERVAL 4 DAY AS started_at, duration_s, "
        "call_type FROM c WHERE call_id % 4 = 0",
        c=c,
    )
    after = derive(
        "SELECT call_id, cell_id, started_at, CAST(duration_s // 60 AS VARCHAR) || ':' || "
        "lpad(CAST(duration_s % 60 AS VARCHAR), 2, '0') AS duration_s, call_type "
        "FROM (SELECT * FROM a UNION ALL SELECT * FROM b) ORDER BY call_id",
        a=c,
        b=new,
    )
    sql = """SELECT cell_id, CAST(started_at AS DATE) AS day, COUNT(*) AS calls,
       ROUND(SUM(duration_s) / 60.0, 1) AS minutes, ROUND(AVG(duration_s), 1) AS mean_call_s
FROM cdr_feed
GROUP BY 1, 2
"""
    secs = "(CAST(split_part(duration_s, ':', 1) AS INTEGER) * 60 + CAST(split_part(duration_s, ':', 2) AS INTEGER))"
    fixed = sql.replace("SUM(duration_s)", f"SUM({secs})").replace("AVG(duration_s)", f"AVG({secs})")
    return Case(
        id="call-durations-became-minutes-seconds",
        now="2026-10-09T06:00:00Z",
        asset="cell_daily_traffic",
        description="Calls, minutes of traffic and mean call length per cell and day, for the radio planners.",
        sql=sql,
        checks="""checks for cell_daily_traffic:
  - row_count > 0
  - missing_count(minutes) = 0
  - invalid_count(mean_call_s) = 0:
      valid min: 1
""",
        formats={"cdr_feed": "parquet"},
        before={"cdr_feed": c},
        after={"cdr_feed": after},
        category="format_drift",
        remediation="code_change",
        root_cause="The mediation platform now writes duration_s as minutes:seconds text ('2:35' for 155 s) for every "
        "record. Converting m:ss back to seconds restores every value.",
        reference=Reference(kind="sql", sql=fixed),
    )


def harvest_yields_changed_unit() -> Case:
    h25 = w.harvests(160, "2025-07-20", seed=161)
    h26 = w.harvests(150, "2026-07-22", seed=162)
    # The new season's yields arrive in another unit, with no column, note or factor saying which: the ratio to
    # last season differs by crop and by field.
    shifted = derive(
        "SELECT 'N' || field_id AS field_id, crop, harvested_on, area_ha, ROUND(yield_t * CASE crop "
        "WHEN 'wheat' THEN 36.74 WHEN 'beans' THEN 36.74 WHEN 'barley' THEN 45.93 ELSE 39.37 END, 1) "
        "AS yield_t FROM h",
        h=h26,
    )
    sql = """SELECT crop, EXTRACT(year FROM harvested_on) AS season, COUNT(*) AS fields,
       ROUND(SUM(area_ha), 1) AS area_ha, ROUND(SUM(yield_t) / SUM(area_ha), 2) AS t_per_ha
FROM field_harvests
GROUP BY 1, 2
"""
    return Case(
        id="harvest-yields-changed-unit",
        now="2026-09-05T07:00:00Z",
        asset="crop_yield_by_season",
        description="Yield per hectare of each crop per season across the estate's fields.",
        sql=sql,
        checks="""checks for crop_yield_by_season:
  - row_count > 0
  - invalid_count(t_per_ha) = 0:
      valid min: 0.5
      valid max: 15
""",
        formats={"field_harvests": "csv"},
        before={"field_harvests": h25},
        after={"field_harvests": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=h25, b=shifted)},
        category="format_drift",
        remediation="escalate",
        root_cause="The 2026 season's yields arrived in a different unit (bushels, at a crop-specific weight) under "
        "the same yield_t column; nothing in the data or the catalog states the unit or the factor, and the ratio to "
        "last season varies by crop. Converting would be a guess at the unit: the agronomist must confirm it.",
        reference=Reference(kind="escalate"),
    )


def trial_screening_dates_day_month_ambiguous() -> Case:
    v = w.trial_visits(60, "2026-09-01", seed=171, visits=4)
    as_text = derive(
        "SELECT subject_id, site_id, arm, visit, strftime(visit_date, '%Y-%m-%d') AS visit_date, systolic, "
        "diastolic FROM v ORDER BY subject_id, visit",
        v=v,
    )
    # A new site enters its screening visits as nn/nn/yyyy, and every day of them is 12 or less: each reads as a
    # valid date day first and month first.
    new = derive(
        "SELECT 2000 + i AS subject_id, 'S09' AS site_id, CASE WHEN i % 2 = 0 THEN 'active' ELSE 'placebo' "
        "END AS arm, 'V1' AS visit, lpad(CAST(1 + i % 12 AS VARCHAR), 2, '0') || '/' || "
        "lpad(CAST(1 + (i * 5 + 3) % 11 AS VARCHAR), 2, '0') || '/2026' AS visit_date, 130 + i % 17 AS "
        "systolic, 84 + i % 9 AS diastolic FROM range(18) r(i) WHERE 1 + i % 12 <> 1 + (i * 5 + 3) % 11"
    )
    after = derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=as_text, b=new)
    sql = """SELECT site_id, date_trunc('month', CAST(visit_date AS DATE)) AS month, COUNT(*) AS visits,
       COUNT(DISTINCT subject_id) AS subjects
FROM site_visits
GROUP BY 1, 2
"""
    reading = (
        "date_trunc('month', CASE WHEN visit_date LIKE '%/%' THEN strptime(visit_date, '{}')::DATE "
        "ELSE CAST(visit_date AS DATE) END)"
    )
    day_first = sql.replace("date_trunc('month', CAST(visit_date AS DATE))", reading.format("%d/%m/%Y"))
    month_first = sql.replace("date_trunc('month', CAST(visit_date AS DATE))", reading.format("%m/%d/%Y"))
    return Case(
        id="trial-screening-dates-day-month-ambiguous",
        now="2026-12-14T06:00:00Z",
        asset="site_monthly_visits",
        description="Visits and distinct subjects seen per trial site and month, for site monitoring.",
        sql=sql,
        checks="""checks for site_monthly_visits:
  - row_count > 0
  - missing_count(month) = 0
  - invalid_count(visits) = 0:
      valid min: 1
""",
        formats={"site_visits": "parquet"},
        before={"site_visits": as_text},
        after={"site_visits": after},
        category="format_drift",
        remediation="escalate",
        root_cause="The new site S09 writes visit dates as nn/nn/yyyy while the others keep ISO dates. Every one of "
        "its dates has both parts at 12 or less, each subject has one visit, and both readings fall inside the "
        "study period: day first and month first are equally valid and give other months. The site must say which "
        "order it uses.",
        reference=Reference(kind="escalate", readings=[day_first, month_first]),
    )
