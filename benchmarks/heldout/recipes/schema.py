"""Held-out schema drift: renames inside CTEs and unions, moved columns, mapping tables, widened types,
sources that legitimately gained a column, a dropped column with nowhere to come from."""

from __future__ import annotations

import datetime as dt

from generator.core import Incident

from recipes.case import T, case
from recipes.edits import added, keep, renamed, rewritten, without
from recipes.worlds import (
    Agriculture,
    Aviation,
    Education,
    Healthcare,
    Hospitality,
    Pharma,
    RealEstate,
    Streaming,
    Transit,
)

DAY = dt.datetime(2026, 4, 14)


def flight_delay_column_renamed() -> Incident:
    av = Aviation(7101)
    flights = av.flights(420, DAY - dt.timedelta(days=3), 70)
    sql = """
WITH ranked AS (
  SELECT carrier, origin, flight_id, dep_delay_min,
         ROW_NUMBER() OVER (PARTITION BY carrier ORDER BY dep_delay_min DESC, flight_id) AS delay_rank
  FROM flights
  WHERE status = 'landed'
)
SELECT carrier, delay_rank, flight_id, origin, dep_delay_min
FROM ranked
WHERE delay_rank <= 3
"""
    return case(
        "flight-delay-column-renamed", domain="aviation", shape="CTE, window function", now="2026-04-14T06:00:00Z",
        asset="worst_delays_by_carrier",
        about="The three most delayed landed flights of each carrier over the last three days, for the "
        "operations review.",
        sql=sql,
        checks=["row_count > 0", "missing_count(dep_delay_min) = 0", "duplicate_count(carrier, delay_rank) = 0"],
        before={"flights": T(flights)},
        after={"flights": T(renamed(flights, dep_delay_min="departure_delay_minutes"))},
        category="schema_drift", remediation="code_change",
        cause="The flight operations system renamed dep_delay_min to departure_delay_minutes; the values are "
        "the same.",
        fix=sql.replace("flight_id, dep_delay_min,", "flight_id, departure_delay_minutes AS dep_delay_min,")
        .replace("ORDER BY dep_delay_min", "ORDER BY departure_delay_minutes"),
    )  # fmt: skip


def visit_region_moved_to_clinics() -> Incident:
    hc = Healthcare(7102)
    clinics = hc.clinics()
    region = {c["clinic_code"]: c["region"] for c in clinics}
    visits = added(hc.visits(500, DAY - dt.timedelta(days=7), 160), "region", lambda r: region[r["clinic_code"]])
    sql = """
SELECT region, COUNT(*) AS visits, ROUND(SUM(cost_cents) / 100.0, 2) AS cost_eur
FROM visits
GROUP BY region
"""
    return case(
        "visit-region-moved-to-clinics", domain="healthcare", shape="aggregate", now="2026-04-14T05:00:00Z",
        asset="regional_visit_costs",
        about="Number of clinic visits and their cost in euro per health region over the last week.",
        sql=sql,
        checks=["row_count > 0", "missing_count(region) = 0", "duplicate_count(region) = 0"],
        before={"visits": T(visits), "clinics": T(clinics)},
        after={"visits": T(without(visits, "region"))},
        category="schema_drift", remediation="code_change",
        cause="The visit feed stopped carrying the clinic's region; the clinics table of the catalog has it by "
        "clinic_code. The asset must read clinics as a new source.",
        fix="""
SELECT c.region, COUNT(*) AS visits, ROUND(SUM(v.cost_cents) / 100.0, 2) AS cost_eur
FROM visits v
LEFT JOIN clinics c ON c.clinic_code = v.clinic_code
GROUP BY c.region
""",
    )  # fmt: skip


def harvest_hectares_moved_to_fields() -> Incident:
    ag = Agriculture(7103)
    fields = ag.fields()
    area = {f["field_id"]: f["hectares"] for f in fields}
    lots = added(ag.harvests(300, dt.date(2026, 3, 20), 20), "hectares", lambda r: area[r["field_id"]])
    sql = """
SELECT field_id, crop, COUNT(*) AS lots, ROUND(SUM(weight_kg) / MAX(hectares), 1) AS kg_per_hectare
FROM harvests
GROUP BY field_id, crop
"""
    return case(
        "harvest-hectares-moved-to-fields", domain="agriculture", shape="aggregate", now="2026-04-10T04:00:00Z",
        asset="field_yields",
        about="Yield in kilograms per hectare for each field and crop this season, from the harvest lots.",
        sql=sql,
        checks=["row_count > 0", "missing_count(kg_per_hectare) = 0",
                ("invalid_count(kg_per_hectare) = 0", {"valid min": 0})],
        before={"harvests": T(lots), "fields": T(fields)},
        after={"harvests": T(without(lots, "hectares"))},
        category="schema_drift", remediation="code_change",
        cause="The weighbridge system no longer copies the field's area onto each lot; fields (already in "
        "the catalog) holds hectares per field_id.",
        fix="""
SELECT h.field_id, h.crop, COUNT(*) AS lots, ROUND(SUM(h.weight_kg) / MAX(f.hectares), 1) AS kg_per_hectare
FROM harvests h
JOIN fields f ON f.field_id = h.field_id
GROUP BY h.field_id, h.crop
""",
    )  # fmt: skip


def enrolment_feed_gained_campus() -> Incident:
    ed = Education(7104)
    rows = ed.enrolments(260, "2025-FA") + ed.enrolments(120, "2025-SP", first_id=800_000)
    sql = "SELECT * FROM enrolments WHERE term = '2025-FA'"
    columns = {"enrolment_id": "bigint", "student_id": "bigint", "course_code": "varchar", "term": "varchar",
               "credits": "bigint", "score": "bigint"}  # fmt: skip
    evolved = {**columns, "campus": "varchar"}
    schema = {"fail": {"when mismatching columns": columns}}
    after = added(rows, "campus", lambda r: "north" if r["student_id"] % 3 else "city")
    return case(
        "enrolment-feed-gained-campus", domain="education", shape="projection with filter", now="2026-01-20T07:00:00Z",
        asset="fall_enrolments",
        about="Every enrolment of the fall 2025 term, with every column the registry delivers, for the "
        "faculty dashboards.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(enrolment_id) = 0", ("schema", schema)],
        before={"enrolments": T(rows)},
        after={"enrolments": T(after)},
        category="schema_drift", remediation="schema_evolution",
        cause="The registry added the campus of each enrolment. The asset passes every column through, so its "
        "output gained campus and the exact schema check fails: the table and its schema check evolve.",
        fix=sql, fix_checks=["row_count > 0", "duplicate_count(enrolment_id) = 0",
                             ("schema", {"fail": {"when mismatching columns": evolved}})],
    )  # fmt: skip


def departures_gained_terminal() -> Incident:
    av = Aviation(7105)
    flights = keep(av.flights(300, DAY - dt.timedelta(days=1), 22), "flight_id", "carrier", "origin", "dest",
                   "sched_dep", "status")  # fmt: skip
    sql = "SELECT * FROM departures WHERE status <> 'cancelled'"
    cols = {"flight_id": "bigint", "carrier": "varchar", "origin": "varchar", "dest": "varchar",
            "sched_dep": "timestamp", "status": "varchar"}  # fmt: skip
    after = added(flights, "terminal", lambda r: f"T{1 + r['flight_id'] % 2}")
    return case(
        "departures-gained-terminal", domain="aviation", shape="projection with filter", now="2026-04-14T01:00:00Z",
        asset="operated_departures",
        about="Yesterday's departures that operated (not cancelled), every column of the departures feed, "
        "for the airport's slot report.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(flight_id) = 0",
                ("schema", {"fail": {"when mismatching columns": cols}})],
        before={"departures": T(flights)},
        after={"departures": T(after)},
        category="schema_drift", remediation="schema_evolution",
        cause="The departures feed now states the terminal of each flight: a legitimate new column. The "
        "output's exact schema check must evolve with it.",
        fix=sql, fix_checks=["row_count > 0", "duplicate_count(flight_id) = 0",
                             ("schema", {"fail": {"when mismatching columns": {**cols, "terminal": "varchar"}}})],
    )  # fmt: skip


def room_keys_remapped() -> Incident:
    ho = Hospitality(7106)
    hotels = ho.hotels()
    bookings = ho.bookings(360, DAY - dt.timedelta(days=5), 110)
    codes = {h["hotel_id"]: f"PT-{h['city'][:3].upper()}-{h['hotel_id']:02d}" for h in hotels}
    mapping = [{"property_code": c, "hotel_id": h} for h, c in codes.items()]
    after = renamed(rewritten(bookings, "hotel_id", lambda v: codes[v]), hotel_id="property_code")
    sql = """
SELECT h.city, COUNT(*) AS bookings, SUM(b.nights) AS room_nights
FROM bookings b
LEFT JOIN hotels h ON h.hotel_id = b.hotel_id
GROUP BY h.city
"""
    return case(
        "room-keys-remapped", domain="hospitality", shape="left join, aggregate", now="2026-04-14T03:00:00Z",
        asset="city_room_nights",
        about="Bookings and room nights per city over the last five days, for revenue management.",
        sql=sql,
        checks=["row_count > 0", "missing_count(city) = 0", "duplicate_count(city) = 0"],
        before={"bookings": T(bookings), "hotels": T(hotels)},
        after={"bookings": T(after), "property_codes": T(mapping)},
        category="schema_drift", remediation="code_change",
        cause="The booking engine re-keyed hotels from numeric hotel_id to property codes; the mapping "
        "table property_codes landed with the change. Join through it.",
        fix="""
SELECT h.city, COUNT(*) AS bookings, SUM(b.nights) AS room_nights
FROM bookings b
LEFT JOIN property_codes p ON p.property_code = b.property_code
LEFT JOIN hotels h ON h.hotel_id = p.hotel_id
GROUP BY h.city
""",
    )  # fmt: skip


def batch_sites_rekeyed() -> Incident:
    ph = Pharma(7107)
    sites = ph.sites()
    batches = ph.batches(240, DAY - dt.timedelta(days=10), 230)
    codes = {1: "CH-BSL", 2: "IE-ORK", 3: "DE-LEV", 4: "GB-SWH"}
    mapping = [{"site_code": c, "site_id": s} for s, c in codes.items()]
    after = renamed(rewritten(batches, "site_id", lambda v: codes[v]), site_id="site_code")
    sql = """
WITH per_site AS (
  SELECT s.site_name, b.product, b.yield_pct
  FROM batches b
  JOIN sites s ON s.site_id = b.site_id
)
SELECT site_name, product, COUNT(*) AS batches, ROUND(AVG(yield_pct), 2) AS mean_yield_pct
FROM per_site
GROUP BY site_name, product
"""
    return case(
        "batch-sites-rekeyed", domain="pharma", shape="CTE, join, aggregate", now="2026-04-14T02:00:00Z",
        asset="site_yields",
        about="Mean batch yield per manufacturing site and product over the last ten days, for the quality "
        "review board.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(site_name, product) = 0",
                ("invalid_count(mean_yield_pct) = 0", {"valid max": 100})],
        before={"batches": T(batches), "sites": T(sites)},
        after={"batches": T(after), "site_codes": T(mapping)},
        category="schema_drift", remediation="code_change",
        cause="The manufacturing execution system now names sites by location code; a site_codes mapping "
        "table to the old site_id arrived with it.",
        fix=sql.replace("JOIN sites s ON s.site_id = b.site_id",
                        "JOIN site_codes c ON c.site_code = b.site_code\n  JOIN sites s ON s.site_id = c.site_id"),
    )  # fmt: skip


def stream_bytes_outgrew_integer() -> Incident:
    st = Streaming(7108)
    plays = added(st.plays(400, DAY - dt.timedelta(days=2), 46), "bytes_sent", lambda r: r["watched_s"] * 310_000)
    after = [dict(r, bytes_sent=r["watched_s"] * 2_400_000) for r in plays]  # 4K streams: up to 13 GB a play
    sql = """
SELECT title_id, COUNT(*) AS plays, SUM(CAST(bytes_sent AS INTEGER)) AS bytes_sent
FROM plays
GROUP BY title_id
"""
    return case(
        "stream-bytes-outgrew-integer", domain="streaming", shape="cast, aggregate", now="2026-04-14T00:30:00Z",
        asset="title_traffic",
        about="Plays and bytes delivered per title over the last two days, for CDN capacity planning.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(title_id) = 0", ("invalid_count(bytes_sent) = 0", {"valid min": 0})],
        before={"plays": T(plays)},
        after={"plays": T(after)},
        category="schema_drift", remediation="code_change",
        cause="4K streaming went live: single plays now exceed 2^31 bytes, which the INTEGER cast cannot hold. "
        "Widen the cast to BIGINT.",
        fix=sql.replace("AS INTEGER", "AS BIGINT"),
    )  # fmt: skip


def tram_fare_column_renamed() -> Incident:
    tr = Transit(7109)
    metro = tr.taps(260, DAY - dt.timedelta(days=1), 20)
    tram = tr.taps(200, DAY - dt.timedelta(days=1), 20, first_id=6_000_000)
    sql = """
WITH all_taps AS (
  SELECT 'metro' AS mode, stop_id, fare_cents FROM taps_metro
  UNION ALL
  SELECT 'tram' AS mode, stop_id, fare_cents FROM taps_tram
)
SELECT mode, COUNT(*) AS taps, SUM(fare_cents) / 100.0 AS revenue_eur
FROM all_taps
GROUP BY mode
"""
    return case(
        "tram-fare-column-renamed", domain="transit", shape="CTE, union all", now="2026-04-14T03:30:00Z",
        asset="daily_fare_revenue",
        about="Yesterday's taps and fare revenue in euro for metro and tram together.",
        sql=sql,
        checks=["row_count = 2", "missing_count(revenue_eur) = 0"],
        before={"taps_metro": T(metro), "taps_tram": T(tram)},
        after={"taps_tram": T(renamed(tram, fare_cents="fare_amount_cents"))},
        category="schema_drift", remediation="code_change",
        cause="The tram operator's validators renamed fare_cents to fare_amount_cents; metro is unchanged.",
        fix=sql.replace("'tram' AS mode, stop_id, fare_cents",
                        "'tram' AS mode, stop_id, fare_amount_cents AS fare_cents"),
    )  # fmt: skip


def listing_area_dropped() -> Incident:
    re_ = RealEstate(7110)
    rows = re_.listings(220, dt.date(2026, 3, 1), 40)
    sql = """
SELECT city, COUNT(*) AS listings, ROUND(SUM(price_eur) / SUM(floor_area_m2), 0) AS eur_per_m2
FROM listings
GROUP BY city
"""
    return case(
        "listing-area-dropped", domain="real estate", shape="aggregate", now="2026-04-12T06:00:00Z",
        asset="city_price_per_m2",
        about="Listings and asking price per square metre for each city, for the market report.",
        sql=sql,
        checks=["row_count > 0", "missing_count(eur_per_m2) = 0"],
        before={"listings": T(rows)},
        after={"listings": T(without(rows, "floor_area_m2"))},
        category="schema_drift", remediation="escalate",
        cause="The listing portal stopped delivering floor_area_m2 and no other table holds the areas; the "
        "rooms count is not an area. A person must decide (ask the portal, or change the metric).",
    )  # fmt: skip


BUILDERS = [
    flight_delay_column_renamed,
    visit_region_moved_to_clinics,
    harvest_hectares_moved_to_fields,
    enrolment_feed_gained_campus,
    departures_gained_terminal,
    room_keys_remapped,
    batch_sites_rekeyed,
    stream_bytes_outgrew_integer,
    tram_fare_column_renamed,
    listing_area_dropped,
]
