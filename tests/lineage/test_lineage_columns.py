"""Column-level lineage computed from the demo SQL."""

from __future__ import annotations

from agentic_assets.lineage.column_lineage import column_edges
from agentic_assets.specs.project import Project


def _edges(project: Project, name: str) -> dict[str, set[tuple[str, str]]]:
    asset = project.assets[name]
    schemas = {s: project.schema_of(s) for s in asset.spec.sources}
    return {e.downstream: set(e.upstreams) for e in column_edges(asset.sql or "", schemas)}


def test_join_asset_columns_come_from_both_sides_and_through_the_cte(project: Project) -> None:
    edges = _edges(project, "customer_segments")
    assert edges["customer_id"] == {("customers", "customer_id")}
    assert edges["country"] == {("customers", "country")}  # not transactions.country: the alias decides
    assert edges["settled_spend"] == {("transactions", "amount")}  # through the `spend` CTE
    assert edges["segment"] == {("transactions", "amount")}
    assert "txn_count" not in edges  # COUNT(*) reads no column


def test_downstream_asset_reads_the_upstream_assets_columns(project: Project) -> None:
    edges = _edges(project, "segment_monthly_summary")
    assert edges == {
        "segment": {("customer_segments", "segment")},
        "month": {("monthly_customer_totals", "month")},
        "active_customers": {("monthly_customer_totals", "customer_id")},
        "total_amount": {("monthly_customer_totals", "total_amount")},
    }


def test_sql_that_does_not_parse_gives_no_edges() -> None:
    assert column_edges("SELEC nothing FROM", {"t": {"a": "INT"}}) == []
