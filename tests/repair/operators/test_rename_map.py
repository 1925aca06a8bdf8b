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


def _dimension(overlap: float, kept: float) -> Evidence:
    candidate = {"dropped": "store_name", "added": "store_title", "type_compatible": True, "name_similarity": 0.7,
                 "value_overlap": overlap, "known_kept": kept, "values_from": "published daily.store_name"}  # fmt: skip
    diff = {
        "source": "stores",
        "columns_now": {"store_id": "int64", "store_title": "string"},
        "dropped": ["store_name"],
        "dropped_types": {"store_name": "string"},
        "added": ["store_title"],
        "used_by_transform": ["store_id", "store_name"],
        "rename_candidates": [candidate],
    }
    return Evidence({"schema_diff": {"sources": [diff]}}, {})


def test_a_dimension_rename_keeps_every_value_the_last_output_knew_though_it_holds_more() -> None:
    # Six stores, four of which the last good output showed: 67% of the new values known, all known ones kept.
    (finding,) = rename_findings(_dimension(overlap=0.6667, kept=1.0))
    assert finding.remediation == "code_change" and finding.renames == {"store_title": "store_name"}
    # A column that shares few values either way is not the rename.
    (other,) = rename_findings(_dimension(overlap=0.3, kept=0.4))
    assert other.remediation == "escalate"
