"""Late data: a source whose latest rows have not all landed (empty, stale, thin or behind the others)."""

from __future__ import annotations

from typing import Any

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.signals import Check
from agentic_assets.repair.types import family

# The latest partition below this share of the typical earlier one is still arriving: partitions of one
# source vary by a few percent from day to day, so a tenth missing is more than that variation.
THIN_PARTITION = 0.9

# Rows per calendar day of an event stream vary more than partitions do (weekday effects of about 15%), so
# the latest day counts as still arriving only with a fifth of its rows missing, against at least three
# earlier days (the fewest that have a median distinct from their extremes).
THIN_DAY = 0.8
MIN_HISTORY_DAYS = 3

# A feed whose latest time value is more than a day behind the incident's clock has missed a daily delivery
# (the slowest schedule a freshness check is written for here).
STALE_HOURS = 24


def time_columns(ev: Evidence) -> dict[str, list[str]]:
    """Columns the transform uses whose type is a date or timestamp now, per source (by type, not by name)."""
    out: dict[str, list[str]] = {}
    for d in ev.diffs():
        types = d.get("columns_now") or {}
        cols = [c for c in d.get("used_by_transform", []) if family(types.get(c, "")) in ("date", "timestamp")]
        if cols:
            out[d["source"]] = cols
    return out


def late_findings(ev: Evidence, checks: list[Check]) -> list[Finding]:
    """Late or missing data: an empty source, a stale time column, a thin latest partition, a lagging source."""
    out: list[Finding] = []
    latest: list[tuple[str, str, str, int]] = []
    lagging = []
    thin = []
    for source, cols in time_columns(ev).items():
        for col in cols:
            p = ev.profile(source, col)
            if not p or not p.get("recent_days"):
                continue
            days = sorted(p["recent_days"].items())
            latest.append((source, col, days[-1][0], days[-1][1]))
            if p.get("lag_to_now_hours") is not None:
                lagging.append((source, col, p["lag_to_now_hours"]))
            earlier = [n for _, n in days[:-1]]
            if len(earlier) >= MIN_HISTORY_DAYS and days[-1][1] < THIN_DAY * sorted(earlier)[len(earlier) // 2]:
                thin.append(f"{source}.{col} has {days[-1][1]} rows for {days[-1][0]} against about "
                            f"{sorted(earlier)[len(earlier) // 2]} a day before")  # fmt: skip
        for col in cols:
            p = ev.profile(source, col)
            partial = partial_partition(p) if p else None
            if partial and not any(t.startswith(f"{source}.{col} ") for t in thin):
                thin.append(f"{source}.{col} {partial}")
    freshness = [c for c in checks if c.metric == "freshness"]
    empty = [d["source"] for d in ev.diffs() if d.get("rows_now") == 0]
    behind = []
    if len({day for _, _, day, _ in latest}) > 1:
        newest = max(day for _, _, day, _ in latest)
        behind = [f"{s}.{c} ends {day}, the other sources {newest}" for s, c, day, _ in latest if day < newest]
    stale = freshness and lagging and max(h for _, _, h in lagging) > STALE_HOURS
    if empty or stale or thin or behind:
        if empty:
            where = ", ".join(empty) + " delivered no rows"
        elif stale:
            where = ", ".join(f"{s}.{c} latest {h:.0f} h ago" for s, c, h in lagging)
        else:
            where = "; ".join(thin or behind)
        out.append(
            Finding(
                category="late_data",
                remediation="retry",
                cause=f"the expected data has not arrived yet ({where})",
                evidence=["column_profiles", "schema_diff"],
                confidence=0.82,
                wait_for_data=True,
            )
        )
    return out


def partial_partition(profile: dict[str, Any]) -> str | None:
    """Why the latest partition of a partition-like column (few values, many rows each) is still arriving."""
    parts = profile.get("partitions") or []
    # Partition-like: each value holds several rows (5, so that a thin partition can be told from noise); a
    # continuous timestamp has about one row per value and no partitions to compare.
    if len(parts) < 2 or not profile.get("distinct") or profile["rows"] < 5 * profile["distinct"]:
        return None
    earlier = sorted(n for _, n in parts[:-1])
    typical = earlier[len(earlier) // 2]
    value, n = parts[-1]
    if typical >= 5 and n < THIN_PARTITION * typical:
        return f"has {n} rows for its latest value {value} against {typical} for a typical earlier one"
    return None
