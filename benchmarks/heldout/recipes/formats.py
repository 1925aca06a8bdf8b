"""Held-out format drift: the same values written differently (codes without their dot, a currency
suffix, compact timestamps, prefixed identifiers, scores as fractions of a scale, ISO 8601 durations,
thousands separators with a unit, dotted dates, upper-cased codes) and code lists that switched to
another standard (ISO 3166 alpha-3, ISO/IEC 5218), plus a scale change that must be escalated."""

from __future__ import annotations

import datetime as dt
import random

from generator.core import Incident

from recipes.case import T, case
from recipes.edits import rewritten
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

DAY = dt.datetime(2026, 5, 4)


def diagnosis_codes_lost_dot() -> Incident:
    hc = Healthcare(7201)
    visits = hc.visits(420, DAY - dt.timedelta(days=6), 140)
    groups = [{"code": c, "care_group": g} for c, g in zip(hc.DIAGNOSES, ["respiratory", "cardio", "metabolic",
              "musculoskeletal", "digestive", "mental", "general", "renal"], strict=True)]  # fmt: skip
    sql = """
SELECT g.care_group, COUNT(*) AS visits
FROM visits v
LEFT JOIN diagnosis_groups g ON g.code = v.diagnosis
GROUP BY g.care_group
"""
    return case(
        "diagnosis-codes-lost-dot", domain="healthcare", shape="left join, aggregate", now="2026-05-04T04:00:00Z",
        asset="visits_by_care_group",
        about="Visits per care group over the last week, grouping ICD-10 diagnoses with the care group table.",
        sql=sql,
        checks=["row_count > 0", "missing_count(care_group) = 0"],
        before={"visits": T(visits), "diagnosis_groups": T(groups)},
        after={"visits": T(rewritten(visits, "diagnosis", lambda v: v.replace(".", "")))},
        category="format_drift", remediation="code_change",
        cause="The new clinical system writes ICD-10 codes without the dot (J069 for J06.9); inserting the dot "
        "after the third character restores every code.",
        fix="""
WITH v AS (
  SELECT CASE WHEN length(diagnosis) > 3 AND strpos(diagnosis, '.') = 0
              THEN substr(diagnosis, 1, 3) || '.' || substr(diagnosis, 4) ELSE diagnosis END AS diagnosis
  FROM visits
)
SELECT g.care_group, COUNT(*) AS visits
FROM v
LEFT JOIN diagnosis_groups g ON g.code = v.diagnosis
GROUP BY g.care_group
""",
    )  # fmt: skip


def booking_rate_currency_suffix() -> Incident:
    ho = Hospitality(7202)
    rows = ho.bookings(300, DAY - dt.timedelta(days=3), 70)
    sql = """
SELECT channel, COUNT(*) AS bookings, ROUND(SUM(rate_eur * nights), 2) AS revenue_eur
FROM bookings
GROUP BY channel
"""
    return case(
        "booking-rate-currency-suffix", domain="hospitality", shape="aggregate", now="2026-05-04T02:00:00Z",
        asset="channel_revenue",
        about="Bookings and room revenue in euro per sales channel over the last three days.",
        sql=sql,
        checks=["row_count > 0", ("invalid_count(revenue_eur) = 0", {"valid min": 0})],
        before={"bookings": T(rows)},
        after={"bookings": T(rewritten(rows, "rate_eur", lambda v: f"{v:.2f} EUR"))},
        category="format_drift", remediation="code_change",
        cause="The channel manager now writes the nightly rate with its currency ('129.00 EUR'); every rate "
        "is in euro, so dropping the suffix restores every value.",
        fix=sql.replace("rate_eur * nights", "CAST(replace(rate_eur, ' EUR', '') AS DOUBLE) * nights"),
    )  # fmt: skip


def departure_times_compact() -> Incident:
    av = Aviation(7203)
    flights = av.flights(320, DAY - dt.timedelta(days=2), 46)
    for f in flights:
        f["sched_dep"] = f["sched_dep"].replace(second=0)
    sql = """
SELECT CAST(sched_dep AS DATE) AS day, origin, COUNT(*) AS departures, SUM(pax) AS passengers
FROM flights
GROUP BY 1, 2
"""
    return case(
        "departure-times-compact", domain="aviation", shape="aggregate by day", now="2026-05-04T01:00:00Z",
        asset="daily_departures",
        about="Departures and passengers per origin airport and day.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(day, origin) = 0"],
        before={"flights": T(flights)},
        after={"flights": T(rewritten(flights, "sched_dep", lambda v: v.strftime("%Y%m%dT%H%M")))},
        category="format_drift", remediation="code_change",
        cause="The schedule feed switched to compact ISO 8601 timestamps (20260503T0715); parsing with "
        "%Y%m%dT%H%M restores every value.",
        fix=sql.replace("CAST(sched_dep AS DATE)", "CAST(strptime(sched_dep, '%Y%m%dT%H%M') AS DATE)"),
    )  # fmt: skip


def stop_ids_prefixed() -> Incident:
    tr = Transit(7204)
    stops = tr.stops()
    taps = tr.taps(380, DAY - dt.timedelta(days=1), 20)
    sql = """
SELECT s.zone, COUNT(*) AS taps, SUM(t.fare_cents) AS fare_cents
FROM taps t
JOIN stops s ON s.stop_id = t.stop_id
GROUP BY s.zone
"""
    return case(
        "stop-ids-prefixed", domain="transit", shape="join, aggregate", now="2026-05-04T03:00:00Z",
        asset="zone_taps",
        about="Yesterday's taps and fares per fare zone.",
        sql=sql,
        checks=["row_count = 3", "missing_count(zone) = 0"],
        before={"taps": T(taps), "stops": T(stops)},
        after={"taps": T(rewritten(taps, "stop_id", lambda v: f"STOP-{v}"))},
        category="format_drift", remediation="code_change",
        cause="New validators report stops as 'STOP-3004' instead of 3004; stripping the prefix restores "
        "every identifier.",
        fix=sql.replace("s.stop_id = t.stop_id", "s.stop_id = CAST(replace(t.stop_id, 'STOP-', '') AS INTEGER)"),
    )  # fmt: skip


def scores_written_over_scale() -> Incident:
    ed = Education(7205)
    rows = ed.enrolments(300, "2026-SP")
    sql = """
SELECT course_code, COUNT(*) AS students, ROUND(AVG(score), 2) AS mean_score
FROM enrolments
GROUP BY course_code
"""
    return case(
        "scores-written-over-scale", domain="education", shape="aggregate", now="2026-05-04T05:00:00Z",
        asset="course_scores",
        about="Students and mean exam score per course for the spring term.",
        sql=sql,
        checks=["row_count > 0", ("invalid_count(mean_score) = 0", {"valid min": 0, "valid max": 100})],
        before={"enrolments": T(rows)},
        after={"enrolments": T(rewritten(rows, "score", lambda v: f"{v}/100"))},
        category="format_drift", remediation="code_change",
        cause="The exam system writes scores with their scale ('87/100'); every scale is 100, so the number "
        "before the slash is the score.",
        fix=sql.replace("AVG(score)", "AVG(CAST(split_part(score, '/', 1) AS INTEGER))"),
    )  # fmt: skip


def _iso_duration(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s or not (h or m) else "")


def watch_time_iso_durations() -> Incident:
    st = Streaming(7206)
    plays = st.plays(360, DAY - dt.timedelta(days=1), 22)
    sql = """
SELECT country, COUNT(*) AS plays, ROUND(SUM(watched_s) / 3600.0, 3) AS hours_watched
FROM plays
GROUP BY country
"""
    part = "coalesce(CAST(NULLIF(regexp_extract(watched_s, '(\\d+){0}', 1), '') AS INTEGER), 0)"
    parsed = " + ".join(f"{part.format(u)} * {k}" for u, k in (("H", 3600), ("M", 60), ("S", 1)))
    return case(
        "watch-time-iso-durations", domain="streaming", shape="aggregate", now="2026-05-04T00:20:00Z",
        asset="country_watch_hours",
        about="Plays and hours watched per country yesterday.",
        sql=sql,
        checks=["row_count > 0", ("invalid_count(hours_watched) = 0", {"valid min": 0})],
        before={"plays": T(plays)},
        after={"plays": T(rewritten(plays, "watched_s", _iso_duration))},
        category="format_drift", remediation="code_change",
        cause="The player SDK reports watch time as ISO 8601 durations (PT1H2M5S) instead of seconds; the "
        "hours, minutes and seconds parts give back every value.",
        fix=sql.replace("SUM(watched_s)", f"SUM({parsed})"),
    )  # fmt: skip


def _grouped_kg(value: float) -> str:
    whole, frac = f"{value:.1f}".split(".")
    return f"{int(whole):,}".replace(",", ".") + "," + frac + " kg"


def lot_weights_grouped_with_unit() -> Incident:
    ag = Agriculture(7207)
    lots = ag.harvests(260, dt.date(2026, 4, 10), 20)
    sql = """
SELECT crop, COUNT(*) AS lots, ROUND(SUM(weight_kg) / 1000.0, 3) AS tonnes
FROM harvests
GROUP BY crop
"""
    return case(
        "lot-weights-grouped-with-unit", domain="agriculture", shape="aggregate", now="2026-05-01T06:00:00Z",
        asset="crop_tonnage",
        about="Harvested lots and tonnes per crop this season.",
        sql=sql,
        checks=["row_count > 0", ("invalid_count(tonnes) = 0", {"valid min": 0})],
        before={"harvests": T(lots)},
        after={"harvests": T(rewritten(lots, "weight_kg", _grouped_kg))},
        category="format_drift", remediation="code_change",
        cause="The new weighbridge writes weights the German way with their unit ('12.345,6 kg'): drop the "
        "unit and the thousands dots, read the comma as the decimal point.",
        fix=sql.replace("SUM(weight_kg)",
                        "SUM(CAST(replace(replace(replace(weight_kg, ' kg', ''), '.', ''), ',', '.') AS DOUBLE))"),
    )  # fmt: skip


def listing_dates_dotted() -> Incident:
    re_ = RealEstate(7208)
    rows = re_.listings(240, dt.date(2026, 3, 15), 45)
    sql = """
SELECT city, COUNT(*) AS new_listings, MIN(price_eur) AS cheapest_eur
FROM listings
WHERE listed_on >= DATE '2026-04-01'
GROUP BY city
"""
    return case(
        "listing-dates-dotted", domain="real estate", shape="filter, aggregate", now="2026-05-01T05:00:00Z",
        asset="april_new_listings",
        about="New listings since the first of April per city, with the cheapest asking price.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(city) = 0"],
        before={"listings": T(rows, fmt="parquet")},
        after={"listings": T(rewritten(rows, "listed_on", lambda d: d.strftime("%d.%m.%Y")), fmt="parquet")},
        category="format_drift", remediation="code_change",
        cause="The portal's export now writes dates as DD.MM.YYYY; parsing with %d.%m.%Y restores every date.",
        fix=sql.replace("WHERE listed_on", "WHERE CAST(strptime(listed_on, '%d.%m.%Y') AS DATE)"),
    )  # fmt: skip


def channel_codes_upper_cased() -> Incident:
    ho = Hospitality(7209)
    rows = ho.bookings(280, DAY - dt.timedelta(days=2), 46)
    sql = """
SELECT channel, AVG(nights) AS mean_nights, COUNT(*) AS bookings
FROM bookings
GROUP BY channel
"""
    return case(
        "channel-codes-upper-cased", domain="hospitality", shape="aggregate", now="2026-05-04T01:30:00Z",
        asset="channel_stay_length",
        about="Mean stay length and bookings per sales channel over the last two days.",
        sql=sql,
        checks=["row_count > 0", ("invalid_count(channel) = 0", {"valid values": "[direct, ota, agency, corporate]"})],
        before={"bookings": T(rows)},
        after={"bookings": T(rewritten(rows, "channel", str.upper))},
        category="format_drift", remediation="code_change",
        cause="The booking engine upgrade writes channel codes in upper case (OTA); lower-casing restores "
        "every code of the list.",
        fix=sql.replace("SELECT channel,", "SELECT lower(channel) AS channel,").replace("GROUP BY channel",
                                                                                      "GROUP BY lower(channel)"),
    )  # fmt: skip


def residence_country_alpha3() -> Incident:
    av = Aviation(7210)
    rng = random.Random(7210)
    countries = [{"iso2": a[2], "iso3": a[3]} for a in av.AIRPORTS]
    pax = [{"booking_id": 10_000 + i, "residence": rng.choice(countries)["iso2"], "bags": rng.randint(0, 3)}
           for i in range(400)]  # fmt: skip
    to3 = {c["iso2"]: c["iso3"] for c in countries}
    sql = """
SELECT residence, COUNT(*) AS passengers, SUM(bags) AS bags
FROM passengers
GROUP BY residence
"""
    return case(
        "residence-country-alpha3", domain="aviation", shape="aggregate", now="2026-05-04T02:30:00Z",
        asset="passengers_by_residence",
        about="Passengers and checked bags per country of residence (ISO 3166 alpha-2).",
        sql=sql,
        checks=["row_count > 0", ("invalid_count(residence) = 0", {"valid length": 2})],
        before={"passengers": T(pax), "countries": T(countries)},
        after={"passengers": T(rewritten(pax, "residence", lambda v: to3[v]))},
        category="format_drift", remediation="code_change",
        cause="The reservation system switched residence countries from ISO 3166 alpha-2 to alpha-3; the "
        "countries table of the catalog maps every alpha-3 code back to alpha-2.",
        fix="""
SELECT c.iso2 AS residence, COUNT(*) AS passengers, SUM(p.bags) AS bags
FROM passengers p
JOIN countries c ON c.iso3 = p.residence
GROUP BY c.iso2
""",
    )  # fmt: skip


def visit_sex_iso5218() -> Incident:
    hc = Healthcare(7211)
    visits = hc.visits(300, DAY - dt.timedelta(days=4), 90)
    codes = [{"iso5218": "1", "letter": "M"}, {"iso5218": "2", "letter": "F"}]
    sql = """
SELECT clinic_code, sex, COUNT(*) AS visits
FROM visits
GROUP BY clinic_code, sex
"""
    return case(
        "visit-sex-iso5218", domain="healthcare", shape="aggregate", now="2026-05-04T03:40:00Z",
        asset="clinic_visits_by_sex",
        about="Visits per clinic and sex (F or M) over the last four days, for the equity report.",
        sql=sql,
        checks=["row_count > 0", ("invalid_count(sex) = 0", {"valid values": "[F, M]"})],
        before={"visits": T(visits, fmt="parquet"), "sex_codes": T(codes, fmt="parquet")},
        after={"visits": T(rewritten(visits, "sex", lambda v: "1" if v == "M" else "2"), fmt="parquet")},
        category="format_drift", remediation="code_change",
        cause="The clinical system now codes sex by ISO/IEC 5218 (1 male, 2 female); the sex_codes table "
        "of the catalog maps each code to its letter.",
        fix="""
SELECT v.clinic_code, c.letter AS sex, COUNT(*) AS visits
FROM visits v
JOIN sex_codes c ON c.iso5218 = v.sex
GROUP BY v.clinic_code, c.letter
""",
    )  # fmt: skip


def batch_yield_as_fraction() -> Incident:
    ph = Pharma(7212)
    rows = ph.batches(200, DAY - dt.timedelta(days=6), 140)
    sql = """
SELECT product, COUNT(*) AS batches, MIN(yield_pct) AS worst_yield_pct
FROM batches
GROUP BY product
"""
    return case(
        "batch-yield-as-fraction", domain="pharma", shape="aggregate", now="2026-05-04T04:30:00Z",
        asset="product_worst_yield",
        about="Batches and the worst yield in percent per product over the last six days.",
        sql=sql,
        checks=["row_count > 0", ("invalid_count(worst_yield_pct) = 0", {"valid min": 50, "valid max": 100})],
        before={"batches": T(rows)},
        after={"batches": T(rewritten(rows, "yield_pct", lambda v: round(v / 100, 4)))},
        category="format_drift", remediation="escalate",
        cause="The yield column now holds a fraction (0.93) under its percent name. Whether to scale by 100 "
        "or to rename is a decision about meaning for the process owners: escalate.",
    )  # fmt: skip


BUILDERS = [
    diagnosis_codes_lost_dot,
    booking_rate_currency_suffix,
    departure_times_compact,
    stop_ids_prefixed,
    scores_written_over_scale,
    watch_time_iso_durations,
    lot_weights_grouped_with_unit,
    listing_dates_dotted,
    channel_codes_upper_cased,
    residence_country_alpha3,
    visit_sex_iso5218,
    batch_yield_as_fraction,
]
