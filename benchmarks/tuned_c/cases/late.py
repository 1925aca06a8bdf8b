"""Late data: a partition that has not landed, a partial landing, a stale snapshot, a lagging rate feed; and a
look-alike where the volume drop is bad rows, not lateness. landed/ holds the sources once the late rows are in."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def _grow(a, b):  # noqa: ANN001, ANN202
    return derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=a, b=b)


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


def country_stores_reporting_short() -> Case:
    st = w.stores(seed=1521)
    ids = st["store_id"].to_pylist()
    old = w.orders(ids, "2026-03-09", 13, 28, seed=1522)
    last = w.orders(ids, "2026-03-22", 1, 28, seed=1523, first=old.num_rows + 1)
    # Only the first five stores' end-of-day files for 2026-03-22 have landed.
    partial = derive("SELECT * FROM l WHERE store_id < 16", l=last)
    sql = """WITH daily AS (
    SELECT s.country, CAST(o.ordered_at AS DATE) AS order_date,
           COUNT(DISTINCT o.store_id) AS stores_reporting, COUNT(*) AS orders,
           ROUND(SUM(o.order_total), 2) AS revenue
    FROM orders o
    JOIN stores s ON s.store_id = o.store_id
    GROUP BY 1, 2
),
estate AS (
    SELECT country, COUNT(*) AS stores_open FROM stores GROUP BY country
)
SELECT d.country, d.order_date, d.stores_reporting, e.stores_open, d.orders, d.revenue
FROM daily d
JOIN estate e ON e.country = d.country
"""
    return Case(
        id="country-stores-reporting-short",
        now="2026-03-23T05:00:00Z",
        asset="country_daily_sales",
        description="Orders and revenue per country and day, with how many of the country's restaurants reported, "
        "for the finance flash report.",
        sql=sql,
        checks="""checks for country_daily_sales:
  - row_count > 0
  - duplicate_count(country, order_date) = 0
  - failed rows:
      name: every restaurant of the country reported
      fail condition: stores_reporting < stores_open
""",
        formats={"orders": "csv", "stores": "csv"},
        before={"orders": old, "stores": st},
        after={"orders": _grow(old, partial)},
        landed={"orders": _grow(old, last)},
        category="late_data",
        remediation="retry",
        root_cause="The end-of-day files for 2026-03-22 have landed for five of the twelve restaurants (store ids "
        "11-15); the other seven upload later in the morning. The rows that are there are sound; the report is "
        "complete once the remaining files land.",
        reference=Reference(kind="wait"),
    )


def daily_footfall_web_visitors_missing() -> Case:
    desk = w.visits("2026-06-01", 15, 180, seed=1531, channel="Kiosk")
    web = w.visits("2026-06-01", 15, 120, seed=1532, first=500_000, channel="Web")
    sql = """WITH feeds AS (
    SELECT VisitDate, Channel, PartySize, TicketPrice FROM kiosk_visits
    UNION ALL
    SELECT VisitDate, Channel, PartySize, TicketPrice FROM web_visits
)
SELECT VisitDate,
       SUM(PartySize) FILTER (WHERE Channel = 'Kiosk') AS KioskVisitors,
       SUM(PartySize) FILTER (WHERE Channel = 'Web') AS WebVisitors,
       ROUND(SUM(PartySize * TicketPrice), 2) AS TicketRevenue
FROM feeds
GROUP BY VisitDate
"""

    def upto(t, day: str):  # noqa: ANN001, ANN202
        return derive(f"SELECT * FROM t WHERE VisitDate <= DATE '{day}'", t=t)

    return Case(
        id="daily-footfall-web-visitors-missing",
        now="2026-06-15T07:00:00Z",
        asset="daily_footfall",
        description="Visitors per day from the kiosk and web ticket feeds, and the day's ticket revenue, for the "
        "museum's footfall report.",
        sql=sql,
        checks="""checks for daily_footfall:
  - row_count > 0
  - duplicate_count(VisitDate) = 0
  - missing_count(KioskVisitors) = 0
  - missing_count(WebVisitors) = 0
""",
        formats={"kiosk_visits": "csv", "web_visits": "csv"},
        before={"kiosk_visits": upto(desk, "2026-06-13"), "web_visits": upto(web, "2026-06-13")},
        after={"kiosk_visits": upto(desk, "2026-06-14")},
        landed={"web_visits": upto(web, "2026-06-14")},
        category="late_data",
        remediation="retry",
        root_cause="The web shop's visits for 2026-06-14 have not landed yet: web_visits stops at 2026-06-13 while "
        "the kiosk feed already has the 14th, so that day has no web visitors. The web export runs later; the "
        "report is complete once it lands.",
        reference=Reference(kind="wait"),
    )


def carrier_daily_spend_eur_missing() -> Case:
    ccys = ("EUR", "USD", "GBP", "PLN", "SEK")
    inv = w.invoices("2026-04-01", 12, 40, seed=1541, currencies=ccys)
    rates = derive(
        "SELECT DATE '2026-04-01' + INTERVAL (d) DAY AS RATE_DT, c.CCY, "
        "round(c.BASE * (1 + ((d * 13 + c.K) % 21 - 10) / 1000.0), 6) AS EUR_PER_UNIT "
        "FROM range(12) t(d), (VALUES ('EUR', 1.0, 0), ('USD', 0.92, 3), ('GBP', 1.17, 5), ('PLN', 0.232, 7), "
        "('SEK', 0.087, 11)) c(CCY, BASE, K) ORDER BY 1, 2"
    )
    rates = derive("SELECT RATE_DT, CCY, CASE WHEN CCY = 'EUR' THEN 1.0 ELSE EUR_PER_UNIT END AS EUR_PER_UNIT FROM r",
                   r=rates)  # fmt: skip
    sql = """SELECT c.CARRIER_NM AS CARRIER, i.INV_DT,
       COUNT(*) AS INVOICES,
       ROUND(SUM(i.INV_AMT * x.EUR_PER_UNIT), 2) AS SPEND_EUR
FROM freight_invoices i
JOIN carriers c ON c.CARRIER_CD = i.CARRIER_CD
LEFT JOIN fx_daily x ON x.RATE_DT = i.INV_DT AND x.CCY = i.CCY
GROUP BY 1, 2
"""

    def upto(t, col: str, day: str):  # noqa: ANN001, ANN202
        return derive(f"SELECT * FROM t WHERE {col} <= DATE '{day}'", t=t)

    return Case(
        id="carrier-daily-spend-eur-missing",
        now="2026-04-12T18:30:00Z",
        asset="carrier_daily_spend",
        description="Invoices and spend in euros per carrier and invoice day, converted at the day's reference "
        "rate, for the treasury's cash forecast.",
        sql=sql,
        checks="""checks for carrier_daily_spend:
  - row_count > 0
  - missing_count(SPEND_EUR) = 0
  - duplicate_count(CARRIER, INV_DT) = 0
""",
        formats={"freight_invoices": "csv", "carriers": "csv", "fx_daily": "csv"},
        before={
            "freight_invoices": upto(inv, "INV_DT", "2026-04-11"),
            "carriers": w.carriers(),
            "fx_daily": upto(rates, "RATE_DT", "2026-04-11"),
        },  # fmt: skip
        after={"freight_invoices": inv},
        landed={"fx_daily": rates},
        category="late_data",
        remediation="retry",
        root_cause="The reference rates for 2026-04-12 have not landed: fx_daily stops at 2026-04-11, while the "
        "invoices of the 12th are in, so none of them can be converted. The rates are published later in the "
        "evening; nothing else is wrong, and the run succeeds once they land.",
        reference=Reference(kind="wait"),
    )


def latest_day_station_trips_row_count() -> Case:
    st = w.stations(24, seed=1551)
    ids = st["station_id"].to_pylist()
    old = w.trips(ids, "2026-09-07", 6, 520, seed=1552)
    new = w.trips(ids, "2026-09-13", 1, 520, seed=1553, first=old.num_rows + 1)
    # Station 417's dock lost its clock after a power cut: its trips of the day are stamped a day ahead, so they
    # start after the moment they were uploaded.
    skewed = derive(
        "SELECT * REPLACE (CASE WHEN start_station = 417 AND started_at >= TIMESTAMP '2026-09-13 14:00' "
        "THEN started_at + INTERVAL 1 DAY ELSE started_at END AS started_at, "
        "CASE WHEN start_station = 417 AND started_at >= TIMESTAMP '2026-09-13 14:00' "
        "THEN ended_at + INTERVAL 1 DAY ELSE ended_at END AS ended_at) FROM n",
        n=new,
    )
    after = _grow(old, skewed)
    sql = """WITH latest AS (
    SELECT MAX(CAST(started_at AS DATE)) AS trip_date FROM trips
)
SELECT s.station_id, s.station_name, l.trip_date, COUNT(*) AS trips,
       COUNT(*) FILTER (WHERE t.end_station = t.start_station) AS round_trips
FROM trips t
JOIN latest l ON CAST(t.started_at AS DATE) = l.trip_date
JOIN stations s ON s.station_id = t.start_station
GROUP BY 1, 2, 3
"""
    ref = """WITH valid AS (
    SELECT * FROM trips WHERE started_at <= uploaded_at
),
latest AS (
    SELECT MAX(CAST(started_at AS DATE)) AS trip_date FROM valid
)
SELECT s.station_id, s.station_name, l.trip_date, COUNT(*) AS trips,
       COUNT(*) FILTER (WHERE t.end_station = t.start_station) AS round_trips
FROM valid t
JOIN latest l ON CAST(t.started_at AS DATE) = l.trip_date
JOIN stations s ON s.station_id = t.start_station
GROUP BY 1, 2, 3
"""
    return Case(
        id="latest-day-station-trips-row-count",
        now="2026-09-14T03:00:00Z",
        asset="latest_day_station_trips",
        description="Trips started at each station on the latest day of the trips feed, and how many returned to "
        "the same station, for the morning rebalancing plan.",
        sql=sql,
        checks="""checks for latest_day_station_trips:
  - row_count >= 20
  - duplicate_count(station_id) = 0
""",
        formats={"trips": "csv", "stations": "csv"},
        before={"trips": old, "stations": st},
        after={"trips": after},
        landed={"trips": after},
        category="data_quality",
        remediation="dead_letter",
        root_cause="Not late: the feed for 2026-09-13 is complete. Station 417's dock lost its clock after a power "
        "cut and stamped its afternoon trips a day ahead (they start after they were uploaded). The latest day is "
        "then 2026-09-14 with a handful of trips from one station, which looks like a partial landing. Those rows "
        "go to a dead-letter table (reason: trip starts after its upload) and the report covers the rest.",
        reference=Reference(kind="sql", sql=ref),
    )
