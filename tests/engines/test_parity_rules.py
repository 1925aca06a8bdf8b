"""The static half of the parity check, the row comparison, and the engine setting: no Spark needed."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from agentic_assets.engines.choice import engine_for
from agentic_assets.engines.parity_rules import static_findings
from agentic_assets.engines.row_parity import row_differences
from agentic_assets.engines.spark_session import spark_config
from agentic_assets.engines.spark_sql import to_spark_sql
from agentic_assets.settings import Settings
from agentic_assets.specs.errors import SpecError
from agentic_assets.specs.loader import load_project

SCHEMAS = {"t": {"n": "BIGINT", "amount": "DECIMAL(18,2)", "x": "DOUBLE", "ts": "TIMESTAMP", "s": "VARCHAR"}}


def findings(sql: str) -> list:
    return static_findings(sql, to_spark_sql(sql), SCHEMAS)


def names(sql: str) -> list[str]:
    return [f.name for f in findings(sql) if f.severity == "blocking"]


def test_the_narrowing_decimal_cast_is_named_with_its_line_and_types() -> None:
    sql = "SELECT n,\n  CAST(amount AS DECIMAL(10,2)) AS amount\nFROM t"
    (finding,) = findings(sql)
    assert finding.name == "narrowing DECIMAL cast"
    assert finding.line == 2
    assert "DECIMAL(18, 2) to DECIMAL(10, 2)" in finding.detail
    assert "spark.sql.ansi.enabled=false" in finding.detail
    # Widening, or wide enough for the integer type, is not a finding.
    assert names("SELECT CAST(amount AS DECIMAL(38,2)) AS a, CAST(n AS DECIMAL(38,0)) AS b FROM t") == []
    assert names("SELECT CAST(n AS DECIMAL(18,0)) AS b FROM t") == ["narrowing DECIMAL cast"]
    assert names("SELECT CAST(amount AS DECIMAL(18,1)) AS a FROM t") == ["narrowing DECIMAL cast"]


def test_division_that_may_be_by_zero_or_in_decimal_is_named() -> None:
    assert names("SELECT n / x AS r FROM t") == ["division by a value that may be zero"]
    assert names("SELECT n / NULLIF(x, 0) AS r, n / 4 AS q FROM t") == []
    assert names("SELECT amount / 4 AS r FROM t") == ["DECIMAL division"]
    assert names("SELECT x // 2 AS r FROM t") == ["integer division of a non-integer"]
    assert names("SELECT n // 2 AS r FROM t") == []


def test_time_zone_dependent_expressions_are_named() -> None:
    assert names("SELECT CAST(ts AS TIMESTAMPTZ) AS z FROM t") == ["cast to a time-zone aware type"]
    assert names("SELECT current_timestamp AS z FROM t") == ["time-zone dependent expression"]
    assert names("SELECT CAST(ts AS DATE) AS d, date_trunc('month', ts) AS m FROM t") == []


def test_null_ordering_must_survive_transpilation() -> None:
    sql = "SELECT n, row_number() OVER (ORDER BY x) AS r FROM t ORDER BY s DESC"
    assert [f for f in findings(sql) if f.name == "NULL ordering"] == []  # sqlglot writes NULLS LAST
    unordered = "SELECT n, row_number() OVER (ORDER BY x) AS r FROM t"
    bad = static_findings(unordered, "SELECT n, ROW_NUMBER() OVER (ORDER BY x) AS r FROM t", SCHEMAS)
    assert [f.name for f in bad] == ["NULL ordering"]


def test_order_dependent_results_are_named() -> None:
    assert names("SELECT n FROM t LIMIT 3") == ["LIMIT without ORDER BY"]
    assert names("SELECT n FROM t ORDER BY n LIMIT 3") == []
    assert names("SELECT string_agg(s, ',') AS a FROM t") == ["order-dependent aggregate"]


def test_every_demo_transform_is_free_of_blocking_constructs(generated_specs: Path, settings: Settings) -> None:
    project = load_project(settings)
    for name, asset in project.assets.items():
        schemas = {src: project.schema_of(src) for src in asset.spec.sources}
        blocking = [f for f in static_findings(asset.sql, to_spark_sql(asset.sql), schemas) if f.severity == "blocking"]
        assert blocking == [], (name, [f.describe() for f in blocking])


def test_rows_compare_as_multisets_with_numbers_to_1e_9() -> None:
    a = pa.table({"k": ["a", "b", None], "v": [Decimal("1.10"), Decimal("2.00"), None], "x": [1.0, 2.0, 3.0]})
    shuffled = pa.table({"k": [None, "b", "a"], "v": [None, 2.0, 1.1], "x": [3.0, 2.0 * (1 + 1e-11), 1.0]})
    assert row_differences(a, shuffled) == []
    off = pa.table({"k": ["a", "b", None], "v": [1.1, 2.0, None], "x": [1.0, 2.0 * (1 + 1e-8), 3.0]})
    (problem,) = row_differences(a, off)
    assert "differs in x" in problem
    assert row_differences(a, a.slice(0, 2)) == ["row counts differ: DuckDB 3, Spark 2"]
    assert "columns differ" in row_differences(a, a.rename_columns(["k", "v", "y"]))[0]


def test_the_spec_engine_wins_over_the_deployment_setting(settings: Settings, monkeypatch) -> None:
    project = load_project(settings)
    spec = project.assets["monthly_customer_totals"].spec
    assert engine_for(spec, settings) == "duckdb"
    monkeypatch.setenv("AGENTIC_ENGINE", "spark")
    on_spark = Settings.from_env(specs_dir=settings.specs_dir, data_dir=settings.data_dir)
    assert engine_for(spec, on_spark) == "spark"
    assert engine_for(spec.model_copy(update={"engine": "duckdb"}), on_spark) == "duckdb"


def test_an_unknown_engine_in_a_spec_is_an_error_naming_the_file_and_field(settings: Settings, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(settings.specs_dir, specs)
    path = specs / "retail_bank" / "channel_country_daily.yaml"
    path.write_text(path.read_text() + "engine: flink\n")
    with pytest.raises(SpecError) as raised:
        load_project(settings.model_copy(update={"specs_dir": specs}))
    assert "channel_country_daily.yaml" in str(raised.value) and "engine" in str(raised.value)


def test_spark_settings_for_local_and_spark_connect() -> None:
    local = spark_config("local[2]")
    assert local["spark.master"] == "local[2]" and local["spark.ui.enabled"] == "false"
    assert local["spark.sql.session.timeZone"] == "UTC" and "spark.jars.packages" not in local
    remote = spark_config("sc://spark-connect:15002")
    assert remote["spark.remote"] == "sc://spark-connect:15002"
    assert "spark.master" not in remote and "spark.ui.enabled" not in remote


def test_the_code_location_binds_the_pyspark_resource_when_an_asset_runs_on_spark(settings: Settings) -> None:
    from dagster_pyspark import LazyPySparkResource

    from agentic_assets.definitions import build_definitions

    assert "pyspark" not in (build_definitions(settings).resources or {})
    defs = build_definitions(settings.model_copy(update={"engine": "spark"}))
    resource = defs.resources["pyspark"]
    assert isinstance(resource, LazyPySparkResource)
    assert resource.spark_config == spark_config("local[2]")
    defs.validate_loadable(defs)
