"""Schema evolution of an exact schema check when a source gained a column the transform passes through."""

from __future__ import annotations

import yaml

from agentic_assets.repair.planner.operators.schema_check import evolve, output_columns
from agentic_assets.repair.schema_diff import SchemaDiff, SourceDiff

CHECKS = """
checks for feed:
  - row_count > 0
  - schema:
      fail:
        when mismatching columns:
          reading_id: bigint
          device: varchar
          value: double
"""
BEFORE = {"reading_id": "int64", "device": "string", "value": "double"}


def _diff(columns: dict[str, str], added: list[str], dropped: list[str] | None = None) -> SchemaDiff:
    return SchemaDiff(sources=[SourceDiff(source="readings", columns_now=columns, added=added, dropped=dropped or [])])


def test_a_gained_column_passed_through_is_listed_with_its_type() -> None:
    now = {**BEFORE, "ingested_on": "date32[day]"}
    finding = evolve(CHECKS, "SELECT * FROM readings WHERE value >= 0", _diff(now, ["ingested_on"]), ["Schema Check"])
    assert finding is not None
    assert (finding.category, finding.remediation) == ("schema_drift", "schema_evolution")
    listed = yaml.safe_load(finding.checks or "")["checks for feed"][1]["schema"]["fail"]["when mismatching columns"]
    assert listed == {"reading_id": "bigint", "device": "varchar", "value": "double", "ingested_on": "date"}


def test_a_listed_column_that_changed_type_is_not_an_evolution() -> None:
    now = {**BEFORE, "value": "string", "ingested_on": "date32[day]"}
    assert evolve(CHECKS, "SELECT * FROM readings", _diff(now, ["ingested_on"]), ["Schema Check"]) is None


def test_a_column_the_transform_does_not_pass_on_explains_nothing() -> None:
    now = {**BEFORE, "ingested_on": "date32[day]"}
    sql = "SELECT reading_id, device, value FROM readings"
    assert evolve(CHECKS, sql, _diff(now, ["ingested_on"]), ["Schema Check"]) is None


def test_a_forbidden_column_that_arrived_is_left_to_a_person() -> None:
    checks = CHECKS.replace("        when mismatching columns:", "        when forbidden column present: [ssn]\n"
                            "        when mismatching columns:")  # fmt: skip
    now = {**BEFORE, "ssn": "string"}
    assert evolve(checks, "SELECT * FROM readings", _diff(now, ["ssn"]), ["Schema Check"]) is None


def test_output_columns_are_computed_by_duckdb_over_the_current_schemas() -> None:
    cols = output_columns("SELECT device, SUM(value) AS total FROM readings GROUP BY 1", {"readings": BEFORE})
    assert cols == {"device": "varchar", "total": "double"}
    assert output_columns("SELECT missing FROM readings", {"readings": BEFORE}) is None
