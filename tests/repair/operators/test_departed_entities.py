"""Departed entities: a short latest period explained by a catalog dimension, on small made-up tables."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from agentic_assets.repair.departures import departures
from agentic_assets.repair.freshness import FreshnessReport, Shortfall
from agentic_assets.repair.planner.operators.departed_entities import departed_findings

DAY = datetime(2026, 1, 4)


def _events(per_day: dict[str, list[int]], closed: dict[str, int] | None = None) -> pa.Table:
    """Events per site and day (four days); a closed site's last day stops at the given hour."""
    sites, stamps = [], []
    for site, counts in per_day.items():
        for day, n in enumerate(counts):
            for i in range(n):
                hour = i if closed is None or site not in closed or day < 3 else min(i, closed[site] - 1)
                sites.append(site)
                stamps.append(datetime(2026, 1, 1 + day, hour, i))
    return pa.table({"site": sites, "at": pa.array(stamps, pa.timestamp("us"))})


def _find(table: pa.Table, catalog: dict[str, pa.Table]):
    return departures("events", table, "at", DAY, timedelta(days=1), "day", catalog)


def test_delisted_sites_explain_the_short_day() -> None:
    table = _events({"A": [5, 5, 5, 5], "B": [4, 4, 4, 4], "C": [3, 3, 3, 0]})
    dim = pa.table({"site_id": ["A", "B"], "name": ["a", "b"]})
    found = _find(table, {"sites": dim})
    assert [(d.kind, d.dimension, d.key, d.entities) for d in found] == [("delisted", "sites", "site_id", 1)]


def test_a_dimension_still_listing_the_site_is_late_data() -> None:
    table = _events({"A": [5, 5, 5, 5], "B": [4, 4, 4, 4], "C": [3, 3, 3, 0]})
    dim = pa.table({"site_id": ["A", "B", "C"]})
    assert _find(table, {"sites": dim}) == []


def test_closed_inside_the_period_after_the_last_row() -> None:
    table = _events({"A": [5, 5, 5, 5], "B": [6, 6, 6, 2]}, closed={"B": 2})
    dim = pa.table(
        {
            "site_id": ["A", "B"],
            "closed_at": pa.array([None, datetime(2026, 1, 4, 3)], pa.timestamp("us")),
        }
    )
    found = _find(table, {"sites": dim})
    assert [(d.kind, d.closed_column) for d in found] == [("closed", "closed_at")]


def test_closed_before_rows_that_still_came_is_not_a_closure() -> None:
    table = _events({"A": [5, 5, 5, 5], "B": [6, 6, 6, 2]})
    dim = pa.table({"site_id": ["A", "B"], "closed_at": pa.array([None, DAY], pa.timestamp("us"))})
    assert _find(table, {"sites": dim}) == []


def test_every_site_short_is_no_departure() -> None:
    table = _events({"A": [5, 5, 5, 1], "B": [4, 4, 4, 1]})
    assert _find(table, {"sites": pa.table({"site_id": ["A"]})}) == []


def test_finding_escalates_only_when_every_shortfall_is_explained() -> None:
    table = _events({"A": [5, 5, 5, 5], "B": [4, 4, 4, 4], "C": [3, 3, 3, 0]})
    found = _find(table, {"sites": pa.table({"site_id": ["A", "B"]})})
    partial = Shortfall(source="events", column="at", kind="partial", detail="short", period=DAY)
    report = FreshnessReport(shortfalls=[partial], departures=found)
    (finding,) = departed_findings(report)
    assert (finding.category, finding.remediation) == ("data_quality", "escalate")
    stale = Shortfall(source="other", column="ts", kind="stale", detail="stale", period=DAY)
    assert departed_findings(report.model_copy(update={"shortfalls": [partial, stale]})) == []
