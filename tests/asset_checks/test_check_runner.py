"""The soda-core v3 runner against real DuckDB (newer than soda-core-duckdb's own pin)."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa
import yaml

from asset_checks.runner import _configure_soda, run_checks, run_checks_on_arrow
from asset_checks.sodacl import check_definitions, slug

TABLE = pa.table({"id": [1, 2, 2, None], "amount": [10.0, -5.0, 3.0, None]})


def test_checks_pass_and_fail_as_written() -> None:
    result = run_checks_on_arrow(
        TABLE,
        "payments",
        """
checks for payments:
  - row_count = 4
  - missing_count(id) = 0
  - duplicate_count(id) = 0
  - invalid_count(amount) = 0:
      valid min: 0
""",
    )
    outcomes = {r.name: r.outcome for r in result.results}
    assert outcomes == {
        "row_count = 4": "pass",
        "missing_count(id) = 0": "fail",
        "duplicate_count(id) = 0": "fail",
        "invalid_count(amount) = 0": "fail",
    }
    assert not result.passed
    invalid = next(r for r in result.results if r.name.startswith("invalid_count"))
    assert invalid.value == 1 and invalid.failing_rows_sample == [{"id": 2, "amount": -5.0}]


def test_a_scan_error_fails_the_suite_and_says_why() -> None:
    result = run_checks_on_arrow(TABLE, "payments", "checks for payments:\n  - missing_count(nope) = 0\n")
    assert not result.passed
    assert any("nope" in e for e in result.errors)


def test_freshness_uses_the_given_clock() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE events AS SELECT TIMESTAMP '2026-03-01 10:00:00' AS ts")
    sodacl = "checks for events:\n  - freshness(ts) < 1d\n"
    fresh = run_checks(con, sodacl, now=datetime(2026, 3, 1, 12, 0))
    stale = run_checks(con, sodacl, now=datetime(2026, 3, 5, 12, 0))
    assert fresh.passed and not stale.passed


def test_usage_statistics_are_off() -> None:
    _configure_soda()
    from soda.common.config_helper import ConfigHelper

    assert ConfigHelper.get_instance().send_anonymous_usage_stats is False


def test_each_check_gets_a_stable_dagster_name() -> None:
    defs = check_definitions(
        "checks for t:\n  - row_count > 0\n  - duplicate_count(a, b) = 0\n  - invalid_count(x) = 0:\n"
        "      name: amounts are positive\n      valid min: 0\n",
        "t",
    )
    assert [d.dagster_name for d in defs] == ["row_count_gt_0", "duplicate_count_a_b_eq_0", "amounts_are_positive"]
    assert [d.soda_name for d in defs][2] == "amounts are positive"
    assert slug(">= <=") == "ge_le"
    assert yaml.safe_load("a: 1")  # the SodaCL parser and the loader agree on YAML
