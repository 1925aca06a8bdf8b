"""Held-out operations: late partitions (scored once the data lands), transient read failures, and
regressions of the asset's own transform (roll back to the last good version)."""

from __future__ import annotations

import datetime as dt

from generator.core import Incident

from recipes.case import T, case
from recipes.worlds import Agriculture, Aviation, Education, Healthcare, Hospitality, Pharma, RealEstate, Streaming

NOW = dt.datetime(2026, 7, 1, 6, 0)


# --- late data: the rows the asset needs have not landed; `landed` is the data once they have ----------


def hub_departures_not_landed() -> Incident:
    av = Aviation(7401)
    flights = av.flights(420, NOW - dt.timedelta(hours=30), 29.5)
    late = [f for f in flights if f["origin"] == "FRA" and f["sched_dep"] >= NOW - dt.timedelta(hours=6)]
    sql = """
SELECT origin, COUNT(*) AS departures, MAX(sched_dep) AS last_departure
FROM flights
WHERE sched_dep >= TIMESTAMP '2026-07-01 00:00:00'
GROUP BY origin
"""
    return case(
        "hub-departures-not-landed", domain="aviation", shape="filter, aggregate", now="2026-07-01T06:00:00Z",
        asset="departures_today",
        about="Today's departures so far per origin airport, with the latest scheduled departure.",
        sql=sql,
        checks=["row_count = 8", "freshness(last_departure) < 2h"],
        before={"flights": T([f for f in flights if f["sched_dep"] < NOW - dt.timedelta(hours=1)])},
        after={"flights": T([f for f in flights if f not in late])},
        landed={"flights": T(flights)},
        category="late_data", remediation="retry",
        cause="The Frankfurt hub's export of this morning's departures is late; the other airports are in. "
        "Wait for the partition and run again.",
    )  # fmt: skip


def bookings_feed_stale() -> Incident:
    ho = Hospitality(7402)
    rows = ho.bookings(300, NOW - dt.timedelta(hours=48), 47.8)
    cut = NOW - dt.timedelta(hours=9)
    sql = """
SELECT hotel_id, COUNT(*) AS bookings, MAX(booked_at) AS last_booking_at
FROM bookings
GROUP BY hotel_id
"""
    return case(
        "bookings-feed-stale", domain="hospitality", shape="aggregate", now="2026-07-01T06:00:00Z",
        asset="hotel_booking_pulse",
        about="Bookings per hotel over the last two days and when the last one came in.",
        sql=sql,
        checks=["row_count > 0", "freshness(last_booking_at) < 4h"],
        before={"bookings": T([r for r in rows if r["booked_at"] < NOW - dt.timedelta(hours=1)])},
        after={"bookings": T([r for r in rows if r["booked_at"] < cut])},
        landed={"bookings": T(rows)},
        category="late_data", remediation="retry",
        cause="The channel manager's export has delivered nothing since 21:00; the overnight bookings are "
        "still queued upstream. Retry once they land.",
    )  # fmt: skip


def lab_results_partially_landed() -> Incident:
    hc = Healthcare(7403)
    visits = hc.visits(260, NOW - dt.timedelta(days=3), 66)
    results = [{"visit_id": v["visit_id"], "crp_mg_l": round(1 + (int(v["visit_id"][1:]) * 37 % 90) / 3, 1)}
               for v in visits]  # fmt: skip
    recent = {v["visit_id"] for v in visits if v["visit_at"] >= NOW - dt.timedelta(hours=20)}
    sql = """
SELECT v.visit_id, v.clinic_code, v.visit_at, r.crp_mg_l
FROM visits v
LEFT JOIN lab_results r ON r.visit_id = v.visit_id
"""
    return case(
        "lab-results-partially-landed", domain="healthcare", shape="left join", now="2026-07-01T06:00:00Z",
        asset="visits_with_crp",
        about="Every visit of the last three days with its CRP lab result.",
        sql=sql,
        checks=["row_count > 0", "missing_count(crp_mg_l) = 0"],
        before={"visits": T([v for v in visits if v["visit_id"] not in recent]),
                "lab_results": T([r for r in results if r["visit_id"] not in recent])},
        after={"visits": T(visits)},
        landed={"lab_results": T(results)},
        category="late_data", remediation="retry",
        cause="The laboratory posts results in the morning batch; yesterday's visits have none yet.",
    )  # fmt: skip


def new_titles_not_in_catalog() -> Incident:
    st = Streaming(7404)
    titles = st.titles(34)
    plays = st.plays(300, NOW - dt.timedelta(hours=30), 29)
    fresh = [dict(p, title_id=10_030 + i % 4) for i, p in enumerate(plays[-30:])]
    sql = """
SELECT t.genre, COUNT(*) AS plays
FROM plays p
LEFT JOIN titles t ON t.title_id = p.title_id
GROUP BY t.genre
"""
    return case(
        "new-titles-not-in-catalog", domain="streaming", shape="left join, aggregate", now="2026-07-01T06:00:00Z",
        asset="plays_by_genre",
        about="Plays per genre over the last day.",
        sql=sql,
        checks=["row_count > 0", "missing_count(genre) = 0"],
        before={"plays": T(plays[:-30]), "titles": T(titles[:30])},
        after={"plays": T(plays[:-30] + fresh)},
        landed={"titles": T(titles)},
        category="late_data", remediation="retry",
        cause="Four titles premiered at midnight and were watched at once, but the content team's title "
        "export with their genres lands at 08:00.",
    )  # fmt: skip


# --- transient: the same run succeeds when retried ------------------------------------------------------


def plays_store_connection_reset() -> Incident:
    st = Streaming(7405)
    plays = st.plays(300, NOW - dt.timedelta(hours=24), 23)
    sql = "SELECT title_id, COUNT(DISTINCT user_id) AS viewers FROM plays GROUP BY title_id"
    return case(
        "plays-store-connection-reset", domain="streaming", shape="distinct aggregate", now="2026-07-01T06:00:00Z",
        asset="title_viewers",
        about="Distinct viewers per title over the last day.",
        sql=sql, checks=["row_count > 0", "duplicate_count(title_id) = 0"],
        before={"plays": T(plays)}, after=None, faults={"read_failures": {"plays": 2}},
        category="transient", remediation="retry",
        cause="The object store reset two connections during a failover; the data is fine.",
    )  # fmt: skip


def listings_read_throttled() -> Incident:
    re_ = RealEstate(7406)
    rows = re_.listings(200, dt.date(2026, 6, 1), 29)
    sql = "SELECT agent_id, COUNT(*) AS listings, MAX(price_eur) AS top_price_eur FROM listings GROUP BY agent_id"
    return case(
        "listings-read-throttled", domain="real estate", shape="aggregate", now="2026-07-01T06:00:00Z",
        asset="agent_portfolio",
        about="Listings and the highest asking price per agent.",
        sql=sql, checks=["row_count > 0", "duplicate_count(agent_id) = 0"],
        before={"listings": T(rows)}, after=None, faults={"read_failures": {"listings": 1}},
        category="transient", remediation="retry",
        cause="The storage gateway throttled one read during the nightly backup window.",
    )  # fmt: skip


def field_registry_read_flaky() -> Incident:
    ag = Agriculture(7407)
    fields = ag.fields()
    lots = ag.harvests(220, dt.date(2026, 6, 10), 20)
    sql = """
SELECT f.farm, COUNT(*) AS lots, ROUND(SUM(h.weight_kg), 1) AS weight_kg
FROM harvests h
JOIN fields f ON f.field_id = h.field_id
GROUP BY f.farm
"""
    return case(
        "field-registry-read-flaky", domain="agriculture", shape="join, aggregate", now="2026-07-01T06:00:00Z",
        asset="farm_harvest",
        about="Lots and harvested weight per farm this season.",
        sql=sql, checks=["row_count > 0", "duplicate_count(farm) = 0"],
        before={"harvests": T(lots), "fields": T(fields)}, after=None, faults={"read_failures": {"fields": 3}},
        category="transient", remediation="retry",
        cause="The field registry's file share dropped three reads while it failed over to its replica.",
    )  # fmt: skip


# --- config regressions: the asset's own last deploy broke it -------------------------------------------


GOOD_BANDS = """
SELECT band, COUNT(*) AS enrolments, MIN(score) AS lowest_score
FROM (
  SELECT score,
         CASE WHEN score >= 90 THEN 'A' WHEN score >= 75 THEN 'B' WHEN score >= 50 THEN 'C' ELSE 'D' END AS band
  FROM enrolments
) banded
GROUP BY band
"""


def grade_bands_reordered() -> Incident:
    ed = Education(7408)
    rows = ed.enrolments(300, "2026-SP")
    bad = GOOD_BANDS.replace(
        "WHEN score >= 90 THEN 'A' WHEN score >= 75 THEN 'B' WHEN score >= 50 THEN 'C'",
        "WHEN score >= 50 THEN 'C' WHEN score >= 75 THEN 'B' WHEN score >= 90 THEN 'A'",
    )
    return case(
        "grade-bands-reordered", domain="education", shape="CASE in a subquery", now="2026-07-01T06:00:00Z",
        asset="grade_band_counts",
        about="Enrolments and the lowest score per grade band A (90+), B (75+), C (50+) and D.",
        sql=bad,
        checks=["row_count = 4", "duplicate_count(band) = 0"],
        history=[(GOOD_BANDS, "2026-02-01T10:00:00Z")], deployed="2026-06-30T16:00:00Z",
        before={"enrolments": T(rows)}, after=None,
        category="config_regression", remediation="rollback",
        cause="Yesterday's deploy reordered the CASE branches, so every score of 50 or more lands in C.",
    )  # fmt: skip


GOOD_OPERATED = """
SELECT carrier, COUNT(*) AS flights, ROUND(AVG(pax * 1.0 / seats), 3) AS load_factor,
       ROUND(MIN(pax * 1.0 / seats), 3) AS worst_load_factor
FROM flights
WHERE status <> 'cancelled'
GROUP BY carrier
"""


def load_factor_filter_misspelt() -> Incident:
    av = Aviation(7409)
    rows = av.flights(400, NOW - dt.timedelta(days=3), 70)
    return case(
        "load-factor-filter-misspelt", domain="aviation", shape="filter, aggregate", now="2026-07-01T06:00:00Z",
        asset="carrier_load_factor",
        about="Operated flights and mean seat load factor per carrier over the last three days; cancelled "
        "flights do not count.",
        sql=GOOD_OPERATED.replace("'cancelled'", "'canceled'"),
        checks=["row_count > 0", ("invalid_count(worst_load_factor) = 0", {"valid min": 0.01, "valid max": 1})],
        history=[(GOOD_OPERATED, "2026-03-10T09:00:00Z")], deployed="2026-06-30T12:00:00Z",
        before={"flights": T(rows)}, after=None,
        category="config_regression", remediation="rollback",
        cause="A style clean-up changed the filter to the American spelling 'canceled', which the status "
        "never has: cancelled flights with no passengers now drag the load factor down.",
    )  # fmt: skip


GOOD_TOP = """
SELECT city, listing_id, price_eur, price_rank
FROM (
  SELECT city, listing_id, price_eur,
         ROW_NUMBER() OVER (PARTITION BY city ORDER BY price_eur DESC, listing_id) AS price_rank
  FROM listings
) ranked
WHERE price_rank <= 3
"""


def top_listings_partition_changed() -> Incident:
    re_ = RealEstate(7410)
    rows = re_.listings(260, dt.date(2026, 6, 1), 29)
    return case(
        "top-listings-partition-changed", domain="real estate", shape="window function, subquery",
        now="2026-07-01T06:00:00Z", asset="top_listings_by_city",
        about="The three most expensive listings of each city.",
        sql=GOOD_TOP.replace("PARTITION BY city", "PARTITION BY agent_id"),
        checks=["row_count > 0", "duplicate_count(city, price_rank) = 0"],
        history=[(GOOD_TOP, "2026-04-02T08:00:00Z")], deployed="2026-06-30T15:30:00Z",
        before={"listings": T(rows)}, after=None,
        category="config_regression", remediation="rollback",
        cause="The last deploy ranks within agent instead of city, so each city gets many 'top 3' rows.",
    )  # fmt: skip


GOOD_SITES = """
SELECT b.batch_id, s.site_name, b.product, b.yield_pct
FROM batches b
LEFT JOIN sites s ON s.site_id = b.site_id
"""


def batch_site_join_fans_out() -> Incident:
    ph = Pharma(7411)
    return case(
        "batch-site-join-fans-out", domain="pharma", shape="left join", now="2026-07-01T06:00:00Z",
        asset="batches_with_site",
        about="Every batch of the last week with the name of the site that made it.",
        sql=GOOD_SITES.replace("s.site_id = b.site_id", "s.site_id <= b.site_id"),
        checks=["row_count > 0", "duplicate_count(batch_id) = 0"],
        history=[(GOOD_SITES, "2026-01-12T08:00:00Z")], deployed="2026-06-30T17:45:00Z",
        before={"batches": T(ph.batches(180, NOW - dt.timedelta(days=7), 160)), "sites": T(ph.sites())}, after=None,
        category="config_regression", remediation="rollback",
        cause="An edit of the join condition turned = into <=, so batches of later sites repeat once per "
        "earlier site.",
    )  # fmt: skip


BUILDERS = [
    hub_departures_not_landed,
    bookings_feed_stale,
    lab_results_partially_landed,
    new_titles_not_in_catalog,
    plays_store_connection_reset,
    listings_read_throttled,
    field_registry_read_flaky,
    grade_bands_reordered,
    load_factor_filter_misspelt,
    top_listings_partition_changed,
    batch_site_join_fans_out,
]
