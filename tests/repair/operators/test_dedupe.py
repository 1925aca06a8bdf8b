"""Dedupe: a delivery sent twice, keyed on what the source still has."""

from __future__ import annotations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.operators.dedupe import duplicate_row_findings


def test_a_replayed_delivery_is_deduplicated_on_the_columns_the_source_still_has() -> None:
    diff = {"source": "s", "columns_now": {"a": "int64", "b": "string"}, "duplicate_rows": 3,
            "used_by_transform": ["a", "b", "gone"], "dropped": ["gone"]}  # fmt: skip
    (finding,) = duplicate_row_findings(Evidence({"schema_diff": {"sources": [diff]}}, {}))
    assert finding.keys == ["a", "b"]


def _evidence(sql: str) -> Evidence:
    diff = {"source": "s", "columns_now": {"a": "int64", "b": "string"}, "duplicate_rows": 3,
            "used_by_transform": ["a", "b"]}  # fmt: skip
    return Evidence({"schema_diff": {"sources": [diff]}, "failed_run": {"sql": sql}}, {})


def test_duplicates_a_latest_by_key_select_keeps_one_of_are_no_cause() -> None:
    sql = (
        "WITH latest AS (SELECT * EXCLUDE (rn) FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) AS rn "
        "FROM s) WHERE rn = 1) SELECT a, COUNT(*) AS n FROM latest GROUP BY a"
    )
    assert duplicate_row_findings(_evidence(sql)) == []
    assert duplicate_row_findings(_evidence("SELECT DISTINCT a, b FROM s")) == []
    qualify = "SELECT a, ROW_NUMBER() OVER (PARTITION BY a) AS rn FROM s QUALIFY rn = 1"
    assert duplicate_row_findings(_evidence(qualify)) == []


def test_duplicates_still_count_where_one_read_of_the_source_keeps_every_row() -> None:
    sql = (
        "SELECT a FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY a) AS rn FROM s) WHERE rn = 1 "
        "UNION ALL SELECT a FROM s"
    )
    (finding,) = duplicate_row_findings(_evidence(sql))
    assert finding.remediation == "dedupe"
    assert duplicate_row_findings(_evidence("SELECT a, SUM(b) FROM s GROUP BY a")) != []
    from agentic_assets.repair.planner.operators.absorbed_duplicates import absorbs_exact_duplicates

    assert absorbs_exact_duplicates(
        "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY a) AS rn FROM s) t WHERE rn <= 1", "s"
    )
    assert not absorbs_exact_duplicates(
        "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY a) AS rn FROM s) t WHERE rn <= 2", "s"
    )
