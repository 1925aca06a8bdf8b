"""Widening an outgrown cast: a schema evolution when the output widens, a code change when it does not."""

from __future__ import annotations

from agentic_assets.repair.observations import FailedRunReport, GoodRunInfo
from agentic_assets.repair.planner.operators.widening import widening_finding, widenings

SCHEMAS = {"readings": {"device": "string", "pulses": "int64"}}


def _report() -> FailedRunReport:
    good = GoodRunInfo(run_id="r1", started_at="2026-03-01T00:00:00", input_schemas=SCHEMAS)
    return FailedRunReport(asset="a", tier=2, last_good_run=good)


def test_a_cast_that_is_an_output_column_widens_the_output() -> None:
    sql = "SELECT device, CAST(MAX(pulses) AS INTEGER) AS last_counter FROM readings GROUP BY device"
    finding = widening_finding(sql, widenings(sql), _report(), "Conversion Error: out of range")
    assert (finding.category, finding.remediation) == ("schema_drift", "schema_evolution")


def test_a_cast_inside_an_aggregate_keeps_the_output_schema() -> None:
    # SUM over INTEGER and over BIGINT are both HUGEINT in DuckDB: the output table does not change.
    sql = "SELECT device, SUM(CAST(pulses AS INTEGER)) AS total FROM readings GROUP BY device"
    finding = widening_finding(sql, widenings(sql), _report(), "Conversion Error: out of range")
    assert (finding.category, finding.remediation) == ("schema_drift", "code_change")
    assert finding.sql is not None and "BIGINT" in finding.sql.upper()


def test_a_schema_check_listing_the_widened_column_evolves_with_it() -> None:
    sql = "SELECT CAST(device AS INTEGER) AS device, SUM(pulses) AS total FROM readings GROUP BY 1"
    schemas = {"readings": {"device": "int64", "pulses": "int64"}}
    good = GoodRunInfo(run_id="r1", started_at="2026-03-01T00:00:00", input_schemas=schemas)
    checks = (
        "checks for out:\n  - row_count > 0\n  - schema:\n      fail:\n        when wrong column type:\n"
        "          device: integer\n"
    )
    finding = widening_finding(sql, widenings(sql), FailedRunReport(asset="a", tier=2, last_good_run=good),
                               "Conversion Error", checks)  # fmt: skip
    assert finding.remediation == "schema_evolution"
    assert finding.checks is not None and "device: bigint" in finding.checks and "row_count > 0" in finding.checks
    # Without a schema check that lists it, the checks stay as they are.
    plain = widening_finding(sql, widenings(sql), FailedRunReport(asset="a", tier=2, last_good_run=good),
                             "Conversion Error", "checks for out:\n  - row_count > 0\n")  # fmt: skip
    assert plain.checks is None
