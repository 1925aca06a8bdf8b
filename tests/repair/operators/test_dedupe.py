"""Dedupe: a delivery sent twice, keyed on what the source still has."""

from __future__ import annotations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.operators.dedupe import duplicate_row_findings


def test_a_replayed_delivery_is_deduplicated_on_the_columns_the_source_still_has() -> None:
    diff = {"source": "s", "columns_now": {"a": "int64", "b": "string"}, "duplicate_rows": 3,
            "used_by_transform": ["a", "b", "gone"], "dropped": ["gone"]}  # fmt: skip
    (finding,) = duplicate_row_findings(Evidence({"schema_diff": {"sources": [diff]}}, {}))
    assert finding.keys == ["a", "b"]
