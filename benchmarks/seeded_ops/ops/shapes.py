"""SQL shapes of the asset: the grain, the joins, CTEs, windows and FILTER clauses an asset is written in.

A shape reads the event table through one name (`src`), so a repair can put a cleaning CTE in front of it
without touching the rest; `ctes` are the CTEs that go before the shape's own.
"""

from __future__ import annotations

import random

from pydantic import BaseModel

from .world import World

SHAPES = ("entity_daily", "group_daily", "running_total", "kind_weekly", "named_filter", "ranked_daily")


class Shape(BaseModel):
    name: str
    asset: str
    description: str
    grain: list[str]  # output columns that identify a row
    count: str  # events per row
    total: str  # the measure summed per row
    last_at: str  # the latest event time per row (a timestamp: freshness checks go here)
    reads_dim: bool
    body_ctes: list[str]
    select: str

    def sql(self, src: str, ctes: list[str] | None = None) -> str:
        parts = list(ctes or []) + [c.replace("{src}", src) for c in self.body_ctes]
        head = ("WITH " + ",\n".join(parts) + "\n") if parts else ""
        return head + self.select.replace("{src}", src)


def with_cte(name: str, body: str) -> str:
    return f"{name} AS (\n    {body}\n)"


def make_shape(w: World, rng: random.Random, name: str | None = None) -> Shape:  # noqa: PLR0915
    name = name or rng.choice(SHAPES)
    c, d, dim = w.c, w.domain, w.dim
    day, n = w.col("event_day"), w.col(f"{d.event}_count")
    total, last = w.col(f"total_{d.measure}"), w.col(f"last_{d.ts}")
    grp, what = c["group"], d.what
    if name == "entity_daily":
        return Shape(
            name=name, asset=f"{d.entity}_daily_{d.fact}", reads_dim=False, grain=[c["key"], day], count=n,
            total=total, last_at=last, body_ctes=[],
            description=f"Per {d.entity.replace('_', ' ')} and day: the {what}, their total "
            f"{d.measure.replace('_', ' ')} and the latest event time.",
            select=f"SELECT {c['key']}, CAST({c['ts']} AS DATE) AS {day}, COUNT(*) AS {n},\n"
            f"       ROUND(SUM({c['measure']}), 2) AS {total}, MAX({c['ts']}) AS {last}\n"
            f"FROM {{src}}\nGROUP BY 1, 2\n",
        )  # fmt: skip
    if name == "group_daily":
        return Shape(
            name=name, asset=f"{d.group}_daily_{d.fact}", reads_dim=True, grain=[grp, day], count=n, total=total,
            last_at=last, body_ctes=[],
            description=f"Per {d.group.replace('_', ' ')} and day: the {what} of its "
            f"{d.entity.replace('_', ' ')}s, their total {d.measure.replace('_', ' ')} and the latest event time.",
            select=f"SELECT d.{grp}, CAST(f.{c['ts']} AS DATE) AS {day}, COUNT(*) AS {n},\n"
            f"       ROUND(SUM(f.{c['measure']}), 2) AS {total}, MAX(f.{c['ts']}) AS {last}\n"
            f"FROM {{src}} f\nJOIN {dim} d ON d.{c['key']} = f.{c['key']}\nGROUP BY 1, 2\n",
        )  # fmt: skip
    if name == "running_total":
        running = w.col(f"running_{d.measure}")
        return Shape(
            name=name, asset=f"{d.entity}_running_{d.measure}", reads_dim=False, grain=[c["key"], day], count=n,
            total=total, last_at=last,
            body_ctes=[with_cte("daily", f"SELECT {c['key']}, CAST({c['ts']} AS DATE) AS {day}, COUNT(*) AS {n}, "
                                f"SUM({c['measure']}) AS day_sum, MAX({c['ts']}) AS {last}\n    FROM {{src}}\n"
                                f"    GROUP BY 1, 2")],
            description=f"Per {d.entity.replace('_', ' ')} and day: the {what}, the day's "
            f"{d.measure.replace('_', ' ')} and its running total since the first day.",
            select=f"SELECT {c['key']}, {day}, {n}, ROUND(day_sum, 2) AS {total}, {last},\n"
            f"       ROUND(SUM(day_sum) OVER (PARTITION BY {c['key']} ORDER BY {day}), 2) AS {running}\n"
            f"FROM daily\n",
        )  # fmt: skip
    if name == "kind_weekly":
        week = w.col("week_start")
        return Shape(
            name=name, asset=f"{d.kind}_weekly_{d.fact}", reads_dim=False, grain=[c["kind"], week], count=n,
            total=total, last_at=last, body_ctes=[],
            description=f"Per {d.kind.replace('_', ' ')} and week: the {what}, their total "
            f"{d.measure.replace('_', ' ')}, the average {d.qty.replace('_', ' ')} and the latest event time.",
            select=f"SELECT {c['kind']}, date_trunc('week', {c['ts']}) AS {week}, COUNT(*) AS {n},\n"
            f"       ROUND(SUM({c['measure']}), 2) AS {total}, ROUND(AVG({c['qty']}), 3) AS "
            f"{w.col('avg_' + d.qty)},\n       MAX({c['ts']}) AS {last}\nFROM {{src}}\nGROUP BY 1, 2\n",
        )  # fmt: skip
    if name == "named_filter":
        k0 = d.kinds[0]
        nk = w.col(f"{k0}_count")
        return Shape(
            name=name, asset=f"{d.entity}_daily_{k0}_share", reads_dim=True, grain=[c["key"], day], count=n,
            total=total, last_at=last, body_ctes=[],
            description=f"Per {d.entity.replace('_', ' ')} (with its name) and day: the {what}, how many were "
            f"{k0.replace('_', ' ')}, the total {d.measure.replace('_', ' ')} and the latest event time.",
            select=f"SELECT f.{c['key']}, d.{c['name']}, CAST(f.{c['ts']} AS DATE) AS {day}, COUNT(*) AS {n},\n"
            f"       COUNT(*) FILTER (WHERE f.{c['kind']} = '{k0}') AS {nk},\n"
            f"       ROUND(SUM(f.{c['measure']}), 2) AS {total}, MAX(f.{c['ts']}) AS {last}\n"
            f"FROM {{src}} f\nJOIN {dim} d ON d.{c['key']} = f.{c['key']}\nGROUP BY 1, 2, 3\n",
        )  # fmt: skip
    rank = w.col("rank_in_day")
    return Shape(
        name="ranked_daily", asset=f"{d.entity}_daily_rank", reads_dim=False, grain=[c["key"], day], count=n,
        total=total, last_at=last,
        body_ctes=[with_cte("daily", f"SELECT {c['key']}, CAST({c['ts']} AS DATE) AS {day}, COUNT(*) AS {n}, "
                            f"ROUND(SUM({c['measure']}), 2) AS {total}, MAX({c['ts']}) AS {last}\n    FROM {{src}}\n"
                            f"    GROUP BY 1, 2")],
        description=f"Per {d.entity.replace('_', ' ')} and day: the {what}, their total "
        f"{d.measure.replace('_', ' ')} and the {d.entity.replace('_', ' ')}'s rank that day by it.",
        select=f"SELECT *, RANK() OVER (PARTITION BY {day} ORDER BY {total} DESC, {c['key']}) AS {rank}\n"
        f"FROM daily\n",
    )  # fmt: skip


def standard_checks(asset: str, shape: Shape, *, fresh_h: int = 40, extra: list[str] | None = None) -> str:
    lines = [
        f"checks for {asset}:",
        "  - row_count > 0",
        f"  - duplicate_count({', '.join(shape.grain)}) = 0",
        f"  - missing_count({shape.grain[0]}) = 0",
        f"  - invalid_count({shape.total}) = 0:",
        "      valid min: 0",
        f"  - freshness({shape.last_at}) < {fresh_h}h",
    ]
    return "\n".join(lines + (extra or [])) + "\n"


def enriched_events(w: World) -> Shape:
    """The event grain: every event with its entity's name and group, for the operational screens."""
    c, d = w.c, w.domain
    return Shape(
        name="enriched_events", asset=f"{d.event}_register", reads_dim=True, grain=[c["id"]], count=c["qty"],
        total=c["measure"], last_at=c["ts"], body_ctes=[],
        description=f"Every one of the {d.what}, with its {d.entity.replace('_', ' ')}'s name and "
        f"{d.group.replace('_', ' ')}, for the operational screens.",
        select=f"SELECT f.{c['id']}, f.{c['key']}, d.{c['name']}, d.{c['group']}, f.{c['ts']}, "
        f"f.{c['measure']}, f.{c['kind']}\nFROM {{src}} f\nLEFT JOIN {w.dim} d ON d.{c['key']} = f.{c['key']}\n",
    )  # fmt: skip


def event_checks(w: World, shape: Shape) -> str:
    c = w.c
    return (
        f"checks for {shape.asset}:\n  - row_count > 0\n  - duplicate_count({c['id']}) = 0\n"
        f"  - missing_count({c['key']}) = 0\n  - invalid_count({c['measure']}) = 0:\n      valid min: 0\n"
        f"  - freshness({c['ts']}) < 40h\n"
    )
