"""Held-out resource exhaustion: jobs past their time limit after the data grew, and one memory limit.

The time-limit cases are quadratic in their data on purpose (a self-join within a time window, a
correlated rank), as real sessionization and ranking jobs are: ten times the rows is a hundred times
the work. Their limits were measured on a 2-core machine under load; the harness checks on every run
that after/'s transform alone is still running at twice the limit and that before/ fitted in
it. The memory case expands every play by the minutes it lasted and keeps holistic aggregates
(median, quantile) whose state cannot spill: measured to fail at 64 MB at 1, 2 and 4 threads and to
pass at 128 MB.
"""

from __future__ import annotations

import datetime as dt

from generator.core import Incident

from recipes.case import T, case
from recipes.worlds import Agriculture, Streaming, Transit

NOW = dt.datetime(2026, 9, 1, 4, 0)
TIME_LIMIT_S = 2  # the job's wall-clock limit in these cases: its last good run took a fraction of it


def viewing_sessions_past_time_limit() -> Incident:
    st = Streaming(7601)
    before = st.plays(3_000, NOW - dt.timedelta(hours=72), 71, users=40)
    after = before + st.plays(150_000, NOW - dt.timedelta(hours=72), 71, users=40, first_id=100_000)
    sql = """
SELECT a.user_id, COUNT(*) AS follow_on_plays, COUNT(DISTINCT a.play_id) AS plays_followed
FROM plays a
JOIN plays b ON b.user_id = a.user_id
            AND b.started_at > a.started_at
            AND b.started_at <= a.started_at + INTERVAL 90 MINUTE
GROUP BY a.user_id
"""
    return case(
        "viewing-sessions-past-time-limit", domain="streaming", shape="self-join within a time window",
        now="2026-09-01T04:00:00Z", asset="binge_pairs",
        about="For every household account, how many plays were followed by another play within 90 minutes "
        "over the last three days, for the binge-watching study.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(user_id) = 0"],
        before={"plays": T(before, fmt="parquet")}, after={"plays": T(after, fmt="parquet")},
        faults={"timeout_s": TIME_LIMIT_S},
        category="resource_exhaustion", remediation="resource_increase",
        cause="The household accounts of a partner operator were merged in: fifty times the plays on the same "
        "accounts, so the windowed self-join does far more work and runs past the job's time limit. The SQL "
        "is right; the job needs a longer limit.",
    )  # fmt: skip


def card_transfers_past_time_limit() -> Incident:
    tr = Transit(7602)
    before = tr.taps(2_500, NOW - dt.timedelta(hours=24), 23)
    after = before + tr.taps(150_000, NOW - dt.timedelta(hours=24), 23, first_id=6_000_000)
    for row in after:
        row["card_id"] = 800_000 + row["card_id"] % 30  # fleet cards: few cards, many taps
    for row in before:
        row["card_id"] = 800_000 + row["card_id"] % 30
    sql = """
SELECT t1.stop_id AS from_stop, COUNT(*) AS transfers
FROM taps t1
JOIN taps t2 ON t2.card_id = t1.card_id
            AND t2.tapped_at > t1.tapped_at
            AND t2.tapped_at <= t1.tapped_at + INTERVAL 45 MINUTE
GROUP BY t1.stop_id
"""
    return case(
        "card-transfers-past-time-limit", domain="transit", shape="self-join within a time window",
        now="2026-09-01T04:00:00Z", asset="transfers_by_stop",
        about="Transfers per boarding stop yesterday: taps followed by another tap of the same card within "
        "45 minutes.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(from_stop) = 0"],
        before={"taps": T(before, fmt="parquet")}, after={"taps": T(after, fmt="parquet")},
        faults={"timeout_s": TIME_LIMIT_S},
        category="resource_exhaustion", remediation="resource_increase",
        cause="The fleet-card programme started: a few cards now carry most taps, so the transfer self-join "
        "grew quadratically and runs past its time limit. Give the job more time.",
    )  # fmt: skip


def lot_ranking_past_time_limit() -> Incident:
    ag = Agriculture(7603)
    before = ag.harvests(1_500, dt.date(2026, 7, 1), 60)
    after = before + ag.harvests(21_000, dt.date(2026, 7, 1), 60, first_id=10_000)
    sql = """
SELECT h.lot_id, h.crop, h.weight_kg,
       (SELECT COUNT(*) FROM harvests g WHERE g.crop = h.crop AND g.weight_kg > h.weight_kg) + 1 AS weight_rank
FROM harvests h
"""
    return case(
        "lot-ranking-past-time-limit", domain="agriculture", shape="correlated subquery",
        now="2026-09-01T04:00:00Z", asset="lot_weight_rank",
        about="Every lot of the season with its rank by weight among the lots of the same crop.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(lot_id) = 0", ("invalid_count(weight_rank) = 0", {"valid min": 1})],
        before={"harvests": T(before, fmt="parquet")}, after={"harvests": T(after, fmt="parquet")},
        faults={"timeout_s": TIME_LIMIT_S},
        category="resource_exhaustion", remediation="resource_increase",
        cause="The cooperative's member farms now report through the same system: fifteen times the lots, "
        "and the correlated rank compares every lot with every other of its crop, past the time limit.",
    )  # fmt: skip


def concurrent_viewers_oom() -> Incident:
    st = Streaming(7604)
    grid = [{"minute_of_day": m} for m in range(1440)]
    before = st.plays(2_000, NOW - dt.timedelta(hours=24), 20)
    after = before + st.plays(45_000, NOW - dt.timedelta(hours=24), 20, first_id=50_000)
    sql = """
WITH watching AS (
  SELECT g.minute_of_day, p.country, p.watched_s
  FROM plays p
  JOIN minute_grid g ON g.minute_of_day BETWEEN hour(p.started_at) * 60 + minute(p.started_at)
                                          AND hour(p.started_at) * 60 + minute(p.started_at) + p.watched_s // 60
)
SELECT country, minute_of_day, COUNT(*) AS viewers,
       median(watched_s) AS median_watched_s, quantile_cont(watched_s, 0.9) AS p90_watched_s
FROM watching
GROUP BY country, minute_of_day
"""
    return case(
        "concurrent-viewers-oom", domain="streaming", shape="range join, holistic aggregates",
        now="2026-09-01T04:00:00Z", asset="viewers_by_minute",
        about="Concurrent viewers per country and minute of the day yesterday, with the median and 90th "
        "percentile watch time of the plays running at that minute.",
        sql=sql,
        checks=["row_count > 0", "duplicate_count(country, minute_of_day) = 0"],
        before={"plays": T(before, fmt="parquet"), "minute_grid": T(grid)},
        after={"plays": T(after, fmt="parquet")},
        faults={"memory_limit_mb": 64},
        category="resource_exhaustion", remediation="resource_increase",
        cause="The service launched in four more countries: twenty-three times the plays, each expanded by its "
        "minutes, and the median and quantile states no longer fit the job's 64 MB. Twice the memory is enough.",
    )  # fmt: skip


BUILDERS = [
    viewing_sessions_past_time_limit,
    card_transfers_past_time_limit,
    lot_ranking_past_time_limit,
    concurrent_viewers_oom,
]
