"""Config regressions: the latest deploy of the asset's own transform broke a filter, a join, the grain or a
cast; the sources only gained a day. Look-alikes: a harmless deploy just before data that went bad, where
rolling back would not help."""

from __future__ import annotations

import random
import re

from ..harness import Case, Reference
from ..shapes import with_cte
from . import quality
from .common import Setup, case, setup

VARIANTS = ("filter", "join", "grain", "cast", "lookalike_duplicates", "lookalike_null_keys")


def _filtered(s: Setup, codes: list[str]) -> str:
    c, fact = s.w.c, s.w.fact
    listed = ", ".join(f"'{k}'" for k in codes)
    return s.shape.sql("kept", [with_cte("kept", f"SELECT * FROM {fact} WHERE {c['kind']} IN ({listed})")])


def _decimal_for(hi: float) -> str:
    """A DECIMAL one digit too narrow for the measure's largest values."""
    digits = len(str(int(hi)))
    return f"DECIMAL({digits + 1}, 2)"


def broken(s: Setup, rng: random.Random, variant: str) -> tuple[str, str, str]:
    """(last good SQL, current SQL, what the deploy changed)."""
    c, d = s.w.c, s.w.domain
    if variant == "filter":
        codes = d.kinds[: max(1, len(d.kinds) - 1)]
        good = _filtered(s, codes)
        bad = _filtered(s, [k.upper() for k in codes])
        return good, bad, (f"upper-cased the {c['kind']} codes of the filter ({', '.join(k.upper() for k in codes)})"
                           f" while the source writes them in lower case, so no row passes it")  # fmt: skip
    good = s.shape.sql(s.w.fact)
    if variant == "join":
        bad = good.replace(f"ON d.{c['key']} = f.{c['key']}", f"ON d.{c['name']} = f.{c['key']}")
        return good, bad, f"joined the dimension on {c['name']} instead of {c['key']}, so no event finds its entity"
    if variant == "grain":
        bad = good.replace("GROUP BY 1, 2", f"GROUP BY 1, 2, {c['qty']}", 1)
        return good, bad, (f"added {c['qty']} to the GROUP BY, so the output has one row per {c['qty']} "
                           f"within each {', '.join(s.shape.grain)}")  # fmt: skip
    dec = _decimal_for(d.hi)
    bad = re.sub(rf"SUM\(((?:f\.)?{re.escape(c['measure'])})\)", rf"SUM(CAST(\1 AS {dec}))", good, count=1)
    return good, bad, f"casts {c['measure']} to {dec} before summing it, too narrow for values of {int(d.hi)}"


def build(rng: random.Random, incident_id: str, variant: str) -> Case:
    w_days = rng.uniform(0.2, 0.9)
    if variant.startswith("lookalike"):
        return _lookalike(rng, incident_id, variant, w_days)
    shapes = ("group_daily", "named_filter") if variant == "join" else None
    if variant == "cast":
        shapes = ("entity_daily", "group_daily", "running_total", "named_filter", "ranked_daily", "kind_weekly")
    s = setup(rng, shapes)
    good, bad, change = broken(s, rng, variant)
    w = s.w
    history = [(good, w.deploy_time(rng.randint(20, 90)))]
    if rng.random() < 0.5:
        # An older version, for a history that is more than one step deep.
        history.insert(0, (good.replace("COUNT(*)", "COUNT(1)"), w.deploy_time(rng.randint(120, 200))))
    deployed = w.deploy_time(w_days)
    return case(
        s,
        incident_id,
        sql=bad,
        history=history,
        deployed=deployed,
        category="config_regression",
        remediation="rollback",
        root_cause=f"The deploy of {deployed} {change}. The {w.domain.what} only gained the day {w.last_day}; "
        f"rolling back to the version of {history[-1][1]} restores the output.",
        reference=Reference(kind="rollback"),
    )


def _lookalike(rng: random.Random, incident_id: str, variant: str, w_days: float) -> Case:
    fault = "replayed_batch" if variant == "lookalike_duplicates" else "null_keys"
    s = quality.prepare(rng, fault)
    w = s.w
    good = s.shape.sql(w.fact)
    # The deploy only reworded the count, which changes nothing in the output.
    current = good.replace("COUNT(*)", "COUNT(1)", 1) if "COUNT(*)" in good else good + "-- reviewed\n"
    dmg = quality.damage(s, rng, fault, sql=current)
    deployed = w.deploy_time(w_days)
    ref = dmg.ref_sql.replace("COUNT(*)", "COUNT(1)", 1) if "COUNT(*)" in good else dmg.ref_sql
    return case(
        s,
        incident_id,
        sql=current,
        checks=dmg.checks,
        history=[(good, w.deploy_time(rng.randint(20, 90)))],
        deployed=deployed,
        after={w.fact: dmg.after},
        category=dmg.category,
        remediation=dmg.remediation,
        root_cause=f"Not the deploy: the change of {deployed} only rewrote COUNT(*) as COUNT(1), which gives the "
        f"same rows, and the last good version fails the same way on these sources. The data changed: "
        f"{dmg.story}.",
        # Rolling back must not be enough: the last good version still fails on after/.
        reference=Reference(kind="sql", sql=ref, partials=[good]),
    )
