"""A transient read whose retry the sandbox showed still failing a check: the check's own cause joins the retry."""

from __future__ import annotations

from typing import Any

from agentic_assets.repair.failure_signal import FailureSignal
from agentic_assets.repair.observations import FailedRunInfo, FailedRunReport, GoodRunInfo
from agentic_assets.repair.planner.analysis import next_step
from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.schema_diff import SchemaDiff, SourceDiff

COLS = {"site": "string", "kwh": "double"}
CHECKS = "checks for per_site:\n  - row_count > 0\n  - missing_count(site) = 0\n"


def _observations() -> dict[str, Any]:
    report = FailedRunReport(
        asset="per_site", tier=2, sources=["readings"],
        failed_run=FailedRunInfo(run_id="r2", started_at="2026-03-02T00:00:00", status="error",
                                 error="IO Error: connection reset by peer",
                                 signal=FailureSignal(family="io", exception_types=["IOException"])),
        last_good_run=GoodRunInfo(run_id="r1", started_at="2026-03-01T00:00:00", input_schemas={"readings": COLS}),
        sql="SELECT site, SUM(kwh) AS kwh FROM readings GROUP BY 1", checks=CHECKS,
    )  # fmt: skip
    diff = SchemaDiff(
        last_good_run="r1",
        sources=[SourceDiff(source="readings", rows_now=10, columns_now=COLS, used_by_transform=["site", "kwh"])],
    )
    return {"failed_run": report.model_dump(mode="json"), "schema_diff": diff.model_dump(mode="json")}


def test_without_a_verdict_the_retry_stands_alone() -> None:
    [finding] = next_step(Evidence(_observations(), {}), [0.5]).findings
    assert (finding.category, finding.remediation) == ("transient", "retry")


def test_a_check_the_retry_still_fails_is_profiled_then_repaired_beside_it() -> None:
    step = next_step(Evidence(_observations(), {}), [0.5], ["missing_count(site) = 0"])
    assert step.tool == "column_profiles" and step.args["columns"] == {"readings": ["site"]}
    profile = {"site": {"rows": 10, "nulls": 2, "null_rate": 0.2, "distinct": 3, "duplicated_values": 3}}
    step = next_step(Evidence(_observations(), {"readings": profile}), [0.5], ["missing_count(site) = 0"])
    assert sorted((f.category, f.remediation) for f in step.findings) == [
        ("data_quality", "dead_letter"),
        ("transient", "retry"),
    ]
