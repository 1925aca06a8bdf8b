"""A dropped column: renamed, replaced by one column written another way, or gone."""

from __future__ import annotations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.operators.rename_map import rename_findings


def _ev(added: dict[str, str]) -> Evidence:
    diff = {
        "source": "orders",
        "columns_now": {"order_id": "int64", "total": "double", **added},
        "dropped": ["takeaway"],
        "dropped_types": {"takeaway": "bool"},
        "added": list(added),
        "used_by_transform": ["order_id", "takeaway"],
        "rename_candidates": [],
    }
    return Evidence({"schema_diff": {"sources": [diff]}}, {})


def test_one_column_in_place_of_the_dropped_one_is_another_representation_and_escalates() -> None:
    (finding,) = rename_findings(_ev({"service_cd": "int64"}))
    assert (finding.category, finding.remediation) == ("format_drift", "escalate")
    assert "service_cd" in finding.cause


def test_a_column_dropped_with_nothing_or_several_in_its_place_is_schema_drift() -> None:
    for added in ({}, {"net": "double", "gross": "double"}):
        (finding,) = rename_findings(_ev(added))
        assert (finding.category, finding.remediation) == ("schema_drift", "escalate")
