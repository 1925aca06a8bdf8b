"""Held-out multi-cause incidents: a fix that needs a second change beside the first (normalise then
cast, and dead-letter the few rows that still fail), or a drift together with a replayed batch."""

from __future__ import annotations

import datetime as dt

from generator.core import Incident

from recipes.case import T, case
from recipes.edits import renamed, replayed, rewritten, spoiled
from recipes.worlds import Agriculture, Hospitality, Streaming, Transit

DAY = dt.datetime(2026, 8, 3)


def booking_rates_suffix_and_blanks() -> Incident:
    ho = Hospitality(7501)
    rows = ho.bookings(320, DAY - dt.timedelta(days=2), 46)
    after = spoiled(rewritten(rows, "rate_eur", lambda v: f"{v:.2f} EUR"), 59, "rate_eur", "on request")
    sql = """
SELECT hotel_id, COUNT(*) AS bookings, ROUND(AVG(rate_eur), 2) AS mean_rate_eur
FROM bookings
GROUP BY hotel_id
"""
    return case(
        "booking-rates-suffix-and-blanks", domain="hospitality", shape="aggregate", now="2026-08-03T02:00:00Z",
        asset="hotel_mean_rate",
        about="Bookings and mean nightly rate in euro per hotel over the last two days.",
        sql=sql,
        checks=["row_count > 0", ("invalid_count(mean_rate_eur) = 0", {"valid min": 1})],
        before={"bookings": T(rows[:250])},
        after={"bookings": T(after)},
        category=["format_drift", "data_quality"], remediation=["code_change", "dead_letter"],
        cause="Rates now carry their currency ('129.00 EUR'), and a few corporate bookings say 'on request'. "
        "Dropping the suffix restores the rest; the few that are not numbers go to the dead-letter table.",
        fix="""
WITH parsed AS (SELECT hotel_id, TRY_CAST(replace(rate_eur, ' EUR', '') AS DOUBLE) AS rate_eur FROM bookings)
SELECT hotel_id, COUNT(*) AS bookings, ROUND(AVG(rate_eur), 2) AS mean_rate_eur
FROM parsed
WHERE rate_eur IS NOT NULL
GROUP BY hotel_id
""",
    )  # fmt: skip


def tap_fares_text_with_voids() -> Incident:
    tr = Transit(7502)
    rows = tr.taps(340, DAY - dt.timedelta(days=1), 20)
    after = spoiled(rewritten(rows, "fare_cents", lambda v: f"{v}c"), 71, "fare_cents", "VOID")
    sql = """
SELECT stop_id, COUNT(*) AS taps, SUM(fare_cents) AS fare_cents
FROM taps
GROUP BY stop_id
"""
    return case(
        "tap-fares-text-with-voids", domain="transit", shape="aggregate", now="2026-08-03T03:00:00Z",
        asset="stop_fares",
        about="Yesterday's taps and fares per stop.",
        sql=sql,
        checks=["row_count > 0", "missing_count(fare_cents) = 0"],
        before={"taps": T(rows[:260])},
        after={"taps": T(after)},
        category=["format_drift", "data_quality"], remediation=["code_change", "dead_letter"],
        cause="The new validators suffix fares with 'c' (240c) and write VOID for cancelled taps: strip the "
        "suffix, and dead-letter the voided taps.",
        fix="""
SELECT stop_id, COUNT(*) AS taps, SUM(fare) AS fare_cents
FROM (SELECT stop_id, TRY_CAST(rtrim(fare_cents, 'c') AS INTEGER) AS fare FROM taps) t
WHERE fare IS NOT NULL
GROUP BY stop_id
""",
    )  # fmt: skip


def harvest_weight_renamed_and_resent() -> Incident:
    ag = Agriculture(7503)
    rows = ag.harvests(260, dt.date(2026, 7, 10), 20)
    sql = "SELECT lot_id, crop, weight_kg FROM harvests WHERE weight_kg >= 1000"
    return case(
        "harvest-weight-renamed-and-resent", domain="agriculture", shape="projection with filter",
        now="2026-08-01T04:00:00Z", asset="full_lots",
        about="Every harvested lot of at least one tonne, with its crop and weight.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(lot_id) = 0"],
        before={"harvests": T(rows[:200])},
        after={"harvests": T(replayed(renamed(rows, weight_kg="net_weight_kg"), 120, 30))},
        category=["schema_drift", "data_quality"], remediation=["code_change", "dedupe"],
        cause="The weighbridge software renamed weight_kg to net_weight_kg, and its first upload after the "
        "update re-sent 30 lots.",
        fix="SELECT lot_id, crop, net_weight_kg AS weight_kg FROM (SELECT DISTINCT * FROM harvests) h "
        "WHERE net_weight_kg >= 1000",
    )  # fmt: skip


def plays_title_prefix_and_replay() -> Incident:
    st = Streaming(7504)
    titles = st.titles()
    plays = st.plays(320, DAY - dt.timedelta(days=1), 22)
    after = replayed(rewritten(plays, "title_id", lambda v: f"tt{v}"), 200, 40)
    sql = """
SELECT p.play_id, t.genre, p.watched_s
FROM plays p
JOIN titles t ON t.title_id = p.title_id
"""
    return case(
        "plays-title-prefix-and-replay", domain="streaming", shape="join, aggregate", now="2026-08-03T00:30:00Z",
        asset="genre_watch_time",
        about="Every play of yesterday with the genre of its title (every play once).",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(play_id) = 0", "missing_count(genre) = 0"],
        before={"plays": T(plays[:250]), "titles": T(titles)},
        after={"plays": T(after)},
        category=["format_drift", "data_quality"], remediation=["code_change", "dedupe"],
        cause="Title ids are now written 'tt10004', and the collector re-sent 40 plays after a restart.",
        fix="""
SELECT p.play_id, t.genre, p.watched_s
FROM (SELECT DISTINCT * FROM plays) p
JOIN titles t ON t.title_id = CAST(ltrim(p.title_id, 't') AS INTEGER)
""",
    )  # fmt: skip


BUILDERS = [
    booking_rates_suffix_and_blanks,
    tap_fares_text_with_voids,
    harvest_weight_renamed_and_resent,
    plays_title_prefix_and_replay,
]
