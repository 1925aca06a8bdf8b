"""Held-out data quality: a few bad rows (dead-letter them) and batches delivered twice (dedupe)."""

from __future__ import annotations

import datetime as dt

from generator.core import Incident

from recipes.case import T, case
from recipes.edits import replayed, spoiled
from recipes.worlds import Agriculture, Aviation, Education, Hospitality, Pharma, RealEstate, Streaming, Transit

DAY = dt.datetime(2026, 6, 8)


def flights_missing_origin() -> Incident:
    av = Aviation(7301)
    before = av.flights(300, DAY - dt.timedelta(days=2), 44)
    after = spoiled(before + av.flights(80, DAY - dt.timedelta(hours=4), 3.5, first_id=41_000), 37, "origin", None)
    sql = """
SELECT origin, carrier, COUNT(*) AS flights,
       SUM(CASE WHEN dep_delay_min > 15 THEN 1 ELSE 0 END) AS late_flights
FROM flights
GROUP BY origin, carrier
"""
    return case(
        "flights-missing-origin", domain="aviation", shape="CASE inside aggregate", now="2026-06-08T00:00:00Z",
        asset="punctuality_by_origin",
        about="Flights and flights more than 15 minutes late per origin airport and carrier.",
        sql=sql,
        checks=["row_count > 0", "missing_count(origin) = 0"],
        before={"flights": T(before)},
        after={"flights": T(after)},
        category="data_quality", remediation="dead_letter",
        cause="A few flight records of the last hours arrived without an origin airport; they go to the "
        "dead-letter table and the rest flows on.",
        fix=sql.replace("FROM flights", "FROM flights\nWHERE origin IS NOT NULL"),
    )  # fmt: skip


def enrolments_negative_credits() -> Incident:
    ed = Education(7302)
    rows = ed.enrolments(320, "2026-SU")
    sql = """
SELECT enrolment_id, student_id, course_code, credits,
       CASE WHEN score >= 85 THEN 'distinction' WHEN score >= 50 THEN 'pass' ELSE 'fail' END AS outcome
FROM enrolments
"""
    return case(
        "enrolments-negative-credits", domain="education", shape="CASE projection", now="2026-06-08T06:00:00Z",
        asset="enrolment_outcomes",
        about="Every summer enrolment with its credits and its outcome (distinction, pass or fail).",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(enrolment_id) = 0", ("invalid_count(credits) = 0", {"valid min": 1})],
        before={"enrolments": T(rows[:250])},
        after={"enrolments": T(spoiled(rows, 53, "credits", -3))},
        category="data_quality", remediation="dead_letter",
        cause="A handful of enrolments carry negative credits (a reversal entered as a row); dead-letter them.",
        fix=sql.replace("FROM enrolments", "FROM enrolments\nWHERE credits >= 1"),
    )  # fmt: skip


def batches_yield_over_hundred() -> Incident:
    ph = Pharma(7303)
    rows = ph.batches(260, DAY - dt.timedelta(days=5), 118)
    sql = """
SELECT batch_id, site_id, product, yield_pct,
       RANK() OVER (PARTITION BY product ORDER BY yield_pct DESC) AS yield_rank
FROM batches
"""
    return case(
        "batches-yield-over-hundred", domain="pharma", shape="window function", now="2026-06-08T02:00:00Z",
        asset="batch_yield_ranking",
        about="Every batch of the last five days ranked by yield within its product.",
        sql=sql,
        checks=["row_count > 0", ("invalid_count(yield_pct) = 0", {"valid min": 0, "valid max": 100})],
        before={"batches": T(rows[:200])},
        after={"batches": T(spoiled(rows, 61, "yield_pct", 104.5))},
        category="data_quality", remediation="dead_letter",
        cause="Four batches report yields above 100 %, a weighing error at the line; they go to the dead-letter "
        "table.",
        fix=sql.replace("FROM batches", "FROM batches\nWHERE yield_pct BETWEEN 0 AND 100"),
    )  # fmt: skip


def plays_without_user() -> Incident:
    st = Streaming(7304)
    rows = st.plays(400, DAY - dt.timedelta(days=1), 23)
    sql = """
SELECT user_id, COUNT(DISTINCT title_id) AS titles, SUM(watched_s) AS watched_s
FROM plays
GROUP BY user_id
"""
    return case(
        "plays-without-user", domain="streaming", shape="distinct aggregate", now="2026-06-08T00:10:00Z",
        asset="user_daily_viewing",
        about="Titles watched and watch time per user yesterday, for recommendations.",
        sql=sql,
        checks=["row_count > 0", "missing_count(user_id) = 0", "duplicate_count(user_id) = 0"],
        before={"plays": T(rows[:300])},
        after={"plays": T(spoiled(rows, 47, "user_id", None, offset=11))},
        category="data_quality", remediation="dead_letter",
        cause="Some plays from logged-out smart TVs arrived without a user id; dead-letter them.",
        fix=sql.replace("FROM plays", "FROM plays\nWHERE user_id IS NOT NULL"),
    )  # fmt: skip


def listings_negative_price() -> Incident:
    re_ = RealEstate(7305)
    rows = re_.listings(260, dt.date(2026, 5, 1), 35)
    sql = """
WITH priced AS (
  SELECT listing_id, city, price_eur,
         AVG(price_eur) OVER (PARTITION BY city) AS city_mean_eur
  FROM listings
)
SELECT listing_id, city, price_eur, ROUND(price_eur / city_mean_eur, 3) AS price_index
FROM priced
"""
    return case(
        "listings-negative-price", domain="real estate", shape="CTE, window average", now="2026-06-06T05:00:00Z",
        asset="listing_price_index",
        about="Every listing with its price relative to its city's mean asking price.",
        sql=sql,
        checks=["row_count > 0", ("invalid_count(price_eur) = 0", {"valid min": 1})],
        before={"listings": T(rows[:200])},
        after={"listings": T(spoiled(rows, 43, "price_eur", -1))},
        category="data_quality", remediation="dead_letter",
        cause="The portal uses -1 for 'price on request' in a few new listings; they are not prices and go to "
        "the dead-letter table.",
        fix=sql.replace("FROM listings", "FROM listings\n  WHERE price_eur >= 1"),
    )  # fmt: skip


def bookings_replayed() -> Incident:
    ho = Hospitality(7306)
    rows = ho.bookings(300, DAY - dt.timedelta(days=2), 44)
    sql = """
SELECT booking_ref, hotel_id, check_in, nights, ROUND(rate_eur * nights, 2) AS stay_value_eur,
       SUM(nights) OVER (PARTITION BY hotel_id ORDER BY booked_at, booking_ref) AS hotel_running_nights
FROM bookings
"""
    return case(
        "bookings-replayed", domain="hospitality", shape="window running total", now="2026-06-08T01:00:00Z",
        asset="booking_values",
        about="Every booking of the last two days with its stay value and the hotel's running total of nights.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(booking_ref) = 0"],
        before={"bookings": T(rows[:220])},
        after={"bookings": T(replayed(rows, 150, 40))},
        category="data_quality", remediation="dedupe",
        cause="The channel manager re-sent 40 bookings after a reconnect; the copies are identical.",
        fix=sql.replace("FROM bookings", "FROM (SELECT DISTINCT * FROM bookings)"),
    )  # fmt: skip


def taps_file_delivered_twice() -> Incident:
    tr = Transit(7307)
    rows = tr.taps(360, DAY - dt.timedelta(days=1), 20)
    sql = """
SELECT tap_id, card_id, stop_id, fare_cents,
       ROW_NUMBER() OVER (PARTITION BY card_id ORDER BY tapped_at, tap_id) AS journey_of_day
FROM taps
"""
    return case(
        "taps-file-delivered-twice", domain="transit", shape="aggregate", now="2026-06-08T02:30:00Z",
        asset="card_daily_spend",
        about="Every tap of yesterday with its journey number of the day for its card, for fare capping.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(tap_id) = 0"],
        before={"taps": T(rows[:250])},
        after={"taps": T(replayed(replayed(rows, 0, 360), 0, 360))},
        category="data_quality", remediation="dedupe",
        cause="The depot's upload was retried twice: every tap of the day arrived three times, tap ids and all.",
        fix=sql.replace("FROM taps", "FROM (SELECT DISTINCT * FROM taps)"),
    )  # fmt: skip


def harvest_lots_resent() -> Incident:
    ag = Agriculture(7308)
    rows = ag.harvests(240, dt.date(2026, 5, 20), 15)
    sql = """
SELECT lot_id, field_id, crop, weight_kg,
       CASE WHEN moisture_pct > 14.5 THEN 'dry before storage' ELSE 'store' END AS handling
FROM harvests
"""
    return case(
        "harvest-lots-resent", domain="agriculture", shape="CASE projection", now="2026-06-05T04:00:00Z",
        asset="lot_handling",
        about="Every harvested lot with its handling: dry it first when its moisture is above 14.5 %.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(lot_id) = 0"],
        before={"harvests": T(rows[:180])},
        after={"harvests": T(replayed(rows, 100, 25))},
        category="data_quality", remediation="dedupe",
        cause="A weighbridge terminal uploaded its morning lots a second time.",
        fix=sql.replace("FROM harvests", "FROM (SELECT DISTINCT * FROM harvests)"),
    )  # fmt: skip


BUILDERS = [
    flights_missing_origin,
    enrolments_negative_credits,
    batches_yield_over_hundred,
    plays_without_user,
    listings_negative_price,
    bookings_replayed,
    taps_file_delivered_twice,
    harvest_lots_resent,
]
