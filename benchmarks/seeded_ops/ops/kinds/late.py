"""Late data: a business day whose partition has not landed, a stale snapshot re-delivered, one of several
unioned feeds behind, a day partially landed. landed/ holds the sources once the late rows are in.

Look-alikes that are not late (the rows will never come), verified to still fail once landed/ is in place:
a site that closed on the day, a source that legitimately shrank (entities handed over), rows stamped in
the future by a device clock.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pyarrow as pa

from ..harness import Case, Reference, derive
from ..shapes import Shape, with_cte
from ..world import World, make_world
from .common import Setup, case

VARIANTS = ("missing_partition", "stale_snapshot", "feed_late", "short_partition",
            "lookalike_closed_site", "lookalike_shrank", "lookalike_future_rows")  # fmt: skip


def _plain(w: World, name: str, asset: str, description: str, grain: list[str], count: str, total: str,
           last_at: str, select: str, ctes: list[str] | None = None) -> Shape:  # fmt: skip
    return Shape(name=name, asset=asset, description=description, grain=grain, count=count, total=total,
                 last_at=last_at, reads_dim=False, body_ctes=ctes or [], select=select)  # fmt: skip


def _names(w: World) -> tuple[str, str, str, str]:
    d = w.domain
    return w.col("event_day"), w.col(f"{d.event}_count"), w.col(f"total_{d.measure}"), w.col(f"last_{d.ts}")


def build(rng: random.Random, incident_id: str, variant: str) -> Case:
    return {
        "missing_partition": _missing_partition,
        "stale_snapshot": _stale_snapshot,
        "feed_late": _feed_late,
        "short_partition": _short,
        "lookalike_closed_site": _short,
        "lookalike_shrank": _short,
        "lookalike_future_rows": _future_rows,
    }[variant](rng, incident_id, variant)


def _missing_partition(rng: random.Random, incident_id: str, variant: str) -> Case:
    w = make_world(rng)
    c, d = w.c, w.domain
    day, n, total, last = _names(w)
    cal, bd = w.table_name(f"{d.key}_business_calendar"), w.col("business_date")
    sql = (f"WITH bd AS (\n    SELECT MAX({bd}) AS {bd} FROM {cal}\n)\n"
           f"SELECT f.{c['key']}, bd.{bd} AS {day}, COUNT(*) AS {n}, ROUND(SUM(f.{c['measure']}), 2) AS {total},\n"
           f"       MAX(f.{c['ts']}) AS {last}\nFROM {w.fact} f\nJOIN bd ON CAST(f.{c['ts']} AS DATE) = bd.{bd}\n"
           f"GROUP BY 1, 2\n")  # fmt: skip
    asset = f"{d.entity}_business_day_{d.fact}"
    checks = (
        f"checks for {asset}:\n  - row_count >= {len(w.entities)}\n  - duplicate_count({c['key']}) = 0\n"
        f"  - freshness({last}) < 40h\n"
    )

    def calendar(upto):  # noqa: ANN001, ANN202
        return pa.table({bd: w.calendar(upto), w.col("closed_by"): ["eod_batch"] * len(w.calendar(upto))})

    s = Setup(w=w, shape=_plain(w, "business_day", asset, "", [c["key"]], n, total, last, ""),
              before={w.fact: w.table(w.rows(days=w.history_days)), cal: calendar(w.last_day - timedelta(days=1))},
              grown=w.table(w.rows()))  # fmt: skip
    return case(
        s, incident_id, sql=sql, checks=checks,
        description=f"Per {d.entity.replace('_', ' ')}: the {d.what} of the current business date (the latest "
        f"date of {cal}), their total {d.measure.replace('_', ' ')} and the latest event time.",
        after={cal: calendar(w.last_day)}, landed={w.fact: s.grown},
        category="late_data", remediation="retry",
        root_cause=f"The business calendar closed {w.last_day}, but that date's partition of {w.fact} has not "
        f"landed: the table still ends on {w.last_day - timedelta(days=1)}, so no event matches the business date. "
        "Nothing is wrong with the rows that are there; the run succeeds once the partition lands.",
        reference=Reference(kind="wait"),
    )  # fmt: skip


def _stale_snapshot(rng: random.Random, incident_id: str, variant: str) -> Case:
    w = make_world(rng)
    c, d = w.c, w.domain
    snap, at, backlog = w.table_name(f"{d.entity}_status"), w.col("snapshot_at"), w.col("open_items")
    limit_h = rng.choice([1, 2, 3])
    now = w.now

    def snapshot(minutes_old: int, salt: int) -> pa.Table:
        keys = [k for k, _, _ in w.entities]
        return pa.table({c["key"]: keys, backlog: [(i * 7 + salt * 13) % 40 for i in range(len(keys))],
                         at: [now - timedelta(minutes=minutes_old)] * len(keys)})  # fmt: skip

    fresh_min = rng.randint(10, 30)
    stale_min = limit_h * 60 + rng.randint(90, 400)
    asset = f"{d.entity}_live_backlog"
    sql = (f"SELECT s.{c['key']}, d.{c['name']}, d.{c['group']}, s.{backlog}, s.{at},\n"
           f"       SUM(s.{backlog}) OVER (PARTITION BY d.{c['group']}) AS {w.col('group_open_items')}\n"
           f"FROM {snap} s\nJOIN {w.dim} d ON d.{c['key']} = s.{c['key']}\n")  # fmt: skip
    checks = (
        f"checks for {asset}:\n  - row_count = {len(w.entities)}\n  - duplicate_count({c['key']}) = 0\n"
        f"  - freshness({at}) < {limit_h}h\n  - invalid_count({backlog}) = 0:\n      valid min: 0\n"
    )
    before = {snap: snapshot(limit_h * 60 - rng.randint(15, 40), 1), w.dim: w.dim_table()}
    stale = snapshot(stale_min, 2)
    s = Setup(w=w, shape=_plain(w, "snapshot", asset, "", [c["key"]], backlog, backlog, at, ""), before=before,
              grown=stale)  # fmt: skip
    return case(
        s, incident_id, sql=sql, checks=checks,
        description=f"Open items per {d.entity.replace('_', ' ')} from the latest status snapshot, with its name, "
        f"{d.group.replace('_', ' ')} and the {d.group.replace('_', ' ')}'s total, for the live operations board.",
        after={snap: stale}, landed={snap: snapshot(fresh_min, 3)},
        category="late_data", remediation="retry",
        root_cause=f"The status export is stale: the file in place is a snapshot taken {stale_min // 60} h "
        f"{stale_min % 60} min before the run, re-delivered after a failed export, while the check wants one "
        f"younger than {limit_h} h. The next snapshot lands shortly; the dimension and the transform are fine.",
        reference=Reference(kind="wait"),
    )  # fmt: skip


def _feed_late(rng: random.Random, incident_id: str, variant: str) -> Case:
    w = make_world(rng, entities=(6, 10))
    c, d = w.c, w.domain
    groups = sorted({g for _, _, g in w.entities})
    feeds = {g: w.table_name(f"{d.fact}_{g}") for g in groups}
    late_group = rng.choice(groups)
    feed, behind, last = w.col("feed"), w.col("hours_behind"), w.col(f"last_{d.ts}")
    n = w.col(f"{d.event}_count")
    union = "\n    UNION ALL\n    ".join(f"SELECT '{g}' AS {feed}, * FROM {t}" for g, t in feeds.items())
    sql = (f"WITH all_feeds AS (\n    {union}\n),\nper_feed AS (\n"
           f"    SELECT {feed}, MAX({c['ts']}) AS {last}, COUNT(*) AS {n}\n    FROM all_feeds\n    GROUP BY {feed}\n)\n"
           f"SELECT {feed}, {last}, {n},\n"
           f"       ROUND(date_diff('minute', {last}, MAX({last}) OVER ()) / 60.0, 1) AS {behind}\n"
           "FROM per_feed\n")  # fmt: skip
    asset = f"{d.fact}_feed_status"
    max_h = rng.choice([6, 8, 12])
    checks = (
        f"checks for {asset}:\n  - row_count = {len(groups)}\n  - invalid_count({behind}) = 0:\n"
        f"      valid min: 0\n      valid max: {max_h}\n  - freshness({last}) < 40h\n"
    )
    members = {g: {k for k, _, gg in w.entities if gg == g} for g in groups}
    before = {feeds[g]: w.table(w.rows(days=w.history_days, keys=members[g])) for g in groups}
    full = {feeds[g]: w.table(w.rows(keys=members[g])) for g in groups}
    after = {t: tab for t, tab in full.items() if t != feeds[late_group]}
    s = Setup(
        w=w, shape=_plain(w, "feeds", asset, "", [feed], n, n, last, ""), before=before, grown=full[feeds[late_group]]
    )
    return case(
        s, incident_id, sql=sql, checks=checks,
        description=f"Per {d.group.replace('_', ' ')} feed of the {d.what}: the latest event, the events so far "
        "and how many hours the feed's latest event is behind the latest of all feeds.",
        after=after, landed={feeds[late_group]: full[feeds[late_group]]},
        category="late_data", remediation="retry",
        root_cause=f"The {late_group} feed ({feeds[late_group]}) has not delivered {w.last_day} yet: it stops on "
        f"{w.last_day - timedelta(days=1)} while the other feeds run to the end of {w.last_day}, about a day behind. "
        "The rows that are there are fine; the run succeeds once the feed catches up.",
        reference=Reference(kind="wait"),
    )  # fmt: skip


def _short(rng: random.Random, incident_id: str, variant: str) -> Case:  # noqa: PLR0914
    """A per-partition row-count bound: late when the day is partly landed; not late when the rows will never
    come (a site closed, entities handed over)."""
    w = make_world(rng, entities=(5, 9), rate=(5, 10))
    c, d = w.c, w.domain
    day, n, total, last = _names(w)
    per_site = variant == "lookalike_closed_site"
    grain = [c["key"], day] if per_site else [day]
    cols = f"{c['key']}, " if per_site else ""
    sql = (f"SELECT {cols}CAST({c['ts']} AS DATE) AS {day}, COUNT(*) AS {n}, "
           f"ROUND(SUM({c['measure']}), 2) AS {total},\n       MAX({c['ts']}) AS {last}\n"
           f"FROM {w.fact}\nGROUP BY {'1, 2' if per_site else '1'}\n")  # fmt: skip
    asset = f"{d.entity}_daily_volume" if per_site else f"daily_{d.fact}_volume"
    full = w.rows()
    counts = derive(f"SELECT MIN({n}) AS m FROM ({sql})", **{w.fact: w.table(full)})
    bound = max(2, math.floor(int(counts.column("m")[0].as_py()) * rng.uniform(0.55, 0.7)))
    checks = (
        f"checks for {asset}:\n  - row_count > 0\n  - duplicate_count({', '.join(grain)}) = 0\n"
        f"  - min({n}) >= {bound}\n  - freshness({last}) < 40h\n"
    )
    before = {w.fact: w.table(w.rows(days=w.history_days))}
    history = w.rows(days=w.history_days)
    today = [r for r in full if r[c["ts"]].date() == w.last_day]
    desc = (
        f"Per {'{} and '.format(d.entity.replace('_', ' ')) if per_site else ''}day: the {d.what}, their total "
        f"{d.measure.replace('_', ' ')} and the latest event time, with a lower bound on each day's volume."
    )
    s = Setup(w=w, shape=_plain(w, "volume", asset, desc, grain, n, total, last, sql), before=before,
              grown=w.table(full))  # fmt: skip
    if variant == "short_partition":
        # The day's files arrive in time order; the upload stopped part-way through the day.
        keep = max(1, math.floor(len(today) * rng.uniform(0.15, 0.35)))
        while keep >= bound and keep > 1:
            keep -= 1
        partial = w.table(history + today[:keep])
        cut = today[keep - 1][c["ts"]]
        return case(
            s, incident_id, sql=sql, checks=checks, description=desc, after={w.fact: partial},
            landed={w.fact: w.table(full)}, category="late_data", remediation="retry",
            root_cause=f"The day {w.last_day} is only partly landed: its upload stopped after the events up to "
            f"{cut:%H:%M} ({keep} of {len(today)}), below the bound of {bound} a day. The rest of the day's files "
            "are still in transit; the run succeeds once they land.",
            reference=Reference(kind="wait"),
        )  # fmt: skip
    if per_site:
        key = rng.choice([k for k, _, _ in w.entities])
        mine = [r for r in today if r[c["key"]] == key]
        keep = max(1, min(bound - 1, len(mine) // 3))
        closed = mine[keep - 1][c["ts"]]
        after_rows = history + [r for r in today if r[c["key"]] != key or r in mine[:keep]]
        after_rows.sort(key=lambda r: (r[c["ts"]], r[c["id"]]))
        dim = w.dim_table({w.col("closed_at"): pa.array([closed.isoformat(sep=" ") if k == key else None
                                                         for k, _, _ in w.entities], pa.string())})  # fmt: skip
        after = {w.fact: w.table(after_rows), w.dim: dim}
        s.before[w.dim] = w.dim_table({w.col("closed_at"): pa.array([None] * len(w.entities), pa.string())})
        return case(
            s, incident_id, sql=sql, checks=checks, description=desc, after=after, landed=after,
            category="data_quality", remediation="escalate",
            root_cause=f"Not late: {key} closed for good at {closed:%H:%M} on {w.last_day} ({w.dim} records its "
            f"closed_at), so its last day has {keep} event(s), below the per-site bound of {bound}. No more rows "
            "will come; whether the bound should exempt closed sites is a person's call.",
            reference=Reference(kind="escalate"),
        )  # fmt: skip
    # A source that legitimately shrank: one group's entities were handed over to another operator.
    group = rng.choice(sorted({g for _, _, g in w.entities}))
    gone = {k for k, _, g in w.entities if g == group}
    kept_today = [r for r in today if r[c["key"]] not in gone]
    while len(kept_today) >= bound:
        gone.add(next(k for k, _, _ in w.entities if k not in gone))
        kept_today = [r for r in today if r[c["key"]] not in gone]
    if not kept_today:
        kept_today = today[:1]
    after_rows = history + kept_today
    remaining = [e for e in w.entities if e[0] not in gone]
    dim = pa.table({c["key"]: [k for k, _, _ in remaining], c["name"]: [nm for _, nm, _ in remaining],
                    c["group"]: [g for _, _, g in remaining]})  # fmt: skip
    after = {w.fact: w.table(after_rows), w.dim: dim}
    s.before[w.dim] = w.dim_table()
    return case(
        s, incident_id, sql=sql, checks=checks, description=desc, after=after, landed=after,
        category="data_quality", remediation="escalate",
        root_cause=f"Not late: from {w.last_day} the {len(gone)} {d.entity.replace('_', ' ')}(s) "
        f"{', '.join(sorted(gone))} are run by another operator and left this source ({w.dim} no longer lists "
        f"them), so the day has {len(kept_today)} events against a bound of {bound} set for the old volume. The rows "
        "will not come; a person must decide the new bound.",
        reference=Reference(kind="escalate"),
    )  # fmt: skip


def _future_rows(rng: random.Random, incident_id: str, variant: str) -> Case:
    w = make_world(rng, entities=(5, 9))
    c, d = w.c, w.domain
    day, n, total, last = _names(w)
    sql_tail = (f"SELECT f.{c['key']}, l.{day}, COUNT(*) AS {n}, ROUND(SUM(f.{c['measure']}), 2) AS {total},\n"
                f"       MAX(f.{c['ts']}) AS {last}\nFROM {{src}} f\n"
                f"JOIN latest l ON CAST(f.{c['ts']} AS DATE) = l.{day}\n"
                "GROUP BY 1, 2\n")  # fmt: skip
    latest = with_cte("latest", f"SELECT MAX(CAST({c['ts']} AS DATE)) AS {day} FROM {{src}}")
    shape = _plain(w, "latest_day", f"{d.entity}_latest_day_{d.fact}", "", [c["key"]], n, total, last, sql_tail,
                   [latest])  # fmt: skip
    asset = shape.asset
    checks = (
        f"checks for {asset}:\n  - row_count >= {len(w.entities) - 1}\n  - duplicate_count({c['key']}) = 0\n"
        f"  - freshness({last}) < 40h\n"
    )
    full = w.rows()
    key = rng.choice([k for k, _, _ in w.entities])
    skew = timedelta(days=rng.choice([1, 2, 365]))
    hour = rng.randint(9, 14)
    bad = [r for r in full if r[c["key"]] == key and r[c["ts"]].date() == w.last_day and r[c["ts"]].hour >= hour]
    if not bad:
        bad = [next(r for r in reversed(full) if r[c["key"]] == key)]
    bad_ids = {r[c["id"]] for r in bad}
    after_rows = [dict(r, **{c["ts"]: r[c["ts"]] + skew}) if r[c["id"]] in bad_ids else r for r in full]
    after = {w.fact: w.table(after_rows)}
    s = Setup(w=w, shape=shape, before={w.fact: w.table(w.rows(days=w.history_days))}, grown=w.table(full))
    ref = shape.sql("valid", [with_cte("valid", f"SELECT * FROM {w.fact} WHERE {c['ts']} <= TIMESTAMP "
                                                f"'{w.now:%Y-%m-%d %H:%M:%S}'")])  # fmt: skip
    return case(
        s, incident_id, sql=shape.sql(w.fact), checks=checks,
        description=f"Per {d.entity.replace('_', ' ')}: the {d.what} of the latest day in the feed, their total "
        f"{d.measure.replace('_', ' ')} and the latest event time, for the morning review.",
        after=after, landed=after, category="data_quality", remediation="dead_letter",
        root_cause=f"Not late: {w.last_day} is complete. {key}'s device clock jumped {skew.days} day(s) ahead, so "
        f"{len(bad)} of its events are stamped after the run itself; the latest day is then that future date with "
        f"one {d.entity.replace('_', ' ')}, which looks like a partial landing. Those rows go to a dead-letter table "
        "(reason: event time after the load) and the report covers the rest.",
        reference=Reference(kind="sql", sql=ref),
    )  # fmt: skip
