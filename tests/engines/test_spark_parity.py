"""Every demo asset on both engines gives the same rows; the parity check stops SQL Spark would read otherwise.

One local[2] Spark session for the module (the JVM is the expensive part), on the small demo data set.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from agentic_assets.engines.parity import SparkParityError, check_parity
from agentic_assets.engines.row_parity import row_differences
from agentic_assets.engines.spark_runner import check_fix_on_spark, parity_log
from agentic_assets.engines.spark_session import spark_session
from agentic_assets.materialize.inputs import read_inputs
from agentic_assets.materialize.wap import MaterializationOutcome, materialize
from agentic_assets.settings import PROJECT_ROOT, Settings
from agentic_assets.specs.loader import load_project
from agentic_assets.tables.registry import store_for

# One worker runs the whole module under `pytest -n 2 --dist loadgroup` (make test): one JVM, one demo run.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="module", autouse=True)
def _java_installed() -> None:
    if shutil.which("java") is None:
        pytest.fail("Java is not installed: run `apt-get install -y openjdk-17-jre-headless` (make test does)")


def _settings(root: Path, raw: Path, specs: Path, engine: str) -> Settings:
    data = root / engine
    shutil.copytree(raw, data / "raw")
    return Settings(
        specs_dir=specs, checks_dir=PROJECT_ROOT / "asset_checks", data_dir=data, transform_runner="in-process",
        engine=engine,
    )  # fmt: skip


@pytest.fixture(scope="module")
def both_engines(
    tmp_path_factory: pytest.TempPathFactory, raw_data_template: Path, generated_specs: Path
) -> dict[str, tuple[Settings, dict[str, MaterializationOutcome]]]:
    """The whole demo materialized through write-audit-publish once on DuckDB and once on Spark."""
    root = tmp_path_factory.mktemp("engines")
    runs = {}
    for engine in ("duckdb", "spark"):
        settings = _settings(root, raw_data_template, generated_specs, engine)
        project = load_project(settings)
        order = project.topological_order()
        runs[engine] = (settings, {n: materialize(project.assets[n], project, settings) for n in order})
    return runs


def test_every_demo_asset_gives_the_same_rows_on_duckdb_and_spark(both_engines) -> None:
    duck_settings, duck_runs = both_engines["duckdb"]
    spark_settings, spark_runs = both_engines["spark"]
    project = load_project(spark_settings)
    assert set(spark_runs) == set(project.assets) and len(project.assets) == 6
    for name, asset in project.assets.items():
        duck, spark = duck_runs[name], spark_runs[name]
        assert (duck.engine, spark.engine) == ("duckdb", "spark")
        assert spark.published and duck.published, (name, spark.error, spark.checks)
        assert spark.checks.passed and len(spark.checks.results) == len(duck.checks.results) > 0
        expected = store_for(duck_settings, asset.spec.sink).read()
        actual = store_for(spark_settings, asset.spec.sink).read()
        assert expected.num_rows > 0, name
        assert actual.schema == expected.schema, name  # one table, one schema, whichever engine wrote it
        assert row_differences(expected, actual) == [], name


def test_each_spark_asset_passed_its_parity_check_once(both_engines) -> None:
    spark_settings, _ = both_engines["spark"]
    log = parity_log(spark_settings)
    with log.reading() as con:
        rows = con.execute("SELECT asset, report FROM spark_parity").fetchall()
    assert sorted(a for a, _ in rows) == sorted(load_project(spark_settings).assets)
    # A second check of unchanged code is answered from the log, without running either engine.
    project = load_project(spark_settings)
    report = check_fix_on_spark(spark_settings, project, "channel_country_daily")
    assert report is not None and report.ok and report.sample_rows["transactions"] > 0


def test_the_seed_decimal_cast_is_stopped_before_it_runs_on_spark(both_engines) -> None:
    spark_settings, _ = both_engines["spark"]
    project = load_project(spark_settings)
    asset = project.assets["monthly_customer_totals"]
    store = store_for(spark_settings, asset.spec.sink)
    before = store.published_version()
    narrow = asset.sql.replace("SUM(amount)", "SUM(CAST(amount AS DECIMAL(10,2)))")
    assert narrow != asset.sql
    with pytest.raises(SparkParityError) as raised:
        materialize(asset, project, spark_settings, sql=narrow)
    message = str(raised.value)
    assert "narrowing DECIMAL cast" in message and "DECIMAL(10, 2)" in message and "line " in message
    assert store.published_version() == before  # nothing was written


def test_the_sample_run_catches_a_difference_no_rule_knows(both_engines) -> None:
    spark_settings, _ = both_engines["spark"]
    project = load_project(spark_settings)
    inputs = read_inputs(project.assets["channel_country_daily"], project, spark_settings)
    # DuckDB counts substring positions from 1 and takes position 0 as before the string; Spark treats 0 as 1.
    sql = "SELECT transaction_id, substring(transaction_id, 0, 3) AS prefix FROM transactions"
    report = check_parity(spark_session(spark_settings), sql, inputs, asset="probe")
    assert not report.ok and report.blocking == []
    assert any("differs in prefix" in d for d in report.differences), report.differences


def test_duckdb_only_syntax_is_named_before_spark_sees_it(both_engines) -> None:
    spark_settings, _ = both_engines["spark"]
    project = load_project(spark_settings)
    inputs = read_inputs(project.assets["high_value_transactions"], project, spark_settings)
    # sqlglot writes POSITIONAL JOIN through unchanged; Spark has no such join.
    sql = "SELECT t.transaction_id, m.merchant_name\nFROM transactions AS t POSITIONAL JOIN merchants AS m"
    report = check_parity(spark_session(spark_settings), sql, inputs, asset="probe")
    assert not report.ok
    (finding,) = report.blocking
    assert finding.name == "transpilation" and "POSITIONAL JOIN" in finding.detail, finding


def test_sql_spark_cannot_run_is_reported_with_spark_s_reason(both_engines) -> None:
    spark_settings, _ = both_engines["spark"]
    project = load_project(spark_settings)
    inputs = read_inputs(project.assets["high_value_transactions"], project, spark_settings)
    # A function DuckDB has and Spark does not: sqlglot renames it and passes it on; Spark's analyzer refuses it.
    sql = "SELECT transaction_id, jaro_winkler_similarity(currency, 'EUR') AS score FROM transactions"
    report = check_parity(spark_session(spark_settings), sql, inputs, asset="probe")
    assert not report.ok
    assert report.blocking == []
    assert report.differences and report.differences[0].startswith("Spark could not run the transform"), report
    assert "jarowinkler_similarity" in report.differences[0].lower()


def test_a_repair_of_a_spark_asset_is_parity_checked_and_one_on_duckdb_is_not(both_engines) -> None:
    spark_settings, _ = both_engines["spark"]
    project = load_project(spark_settings)
    asset = project.assets["channel_country_daily"]
    fixed = dataclasses.replace(asset, sql=asset.sql.replace("COUNT(*)", "COUNT(*) / COUNT(channel)"))
    project.assets["channel_country_daily"] = fixed
    with pytest.raises(SparkParityError, match="division by a value that may be zero"):
        check_fix_on_spark(spark_settings, project, "channel_country_daily")
    on_duckdb = spark_settings.model_copy(update={"engine": "duckdb"})
    assert check_fix_on_spark(on_duckdb, project, "channel_country_daily") is None


def test_an_upstream_delta_table_reaches_spark_through_dagster_deltalake(both_engines) -> None:
    from deltalake import DeltaTable

    from agentic_assets.engines.duckdb_engine import run_sql
    from agentic_assets.engines.spark_engine import run_sql_spark
    from agentic_assets.engines.spark_runner import spark_inputs

    spark_settings, _ = both_engines["spark"]
    project = load_project(spark_settings)
    upstream = "merchant_subcategory_daily_totals"  # published to Delta by the Spark run
    assert project.assets[upstream].spec.sink.format == "delta"
    reader = project.assets["segment_monthly_summary"]
    reader = dataclasses.replace(reader, spec=reader.spec.model_copy(update={"sources": [upstream]}))
    inputs = {upstream: store_for(spark_settings, project.assets[upstream].spec.sink).read()}
    bound = spark_inputs(reader, project, spark_settings, inputs)
    assert isinstance(bound[upstream], DeltaTable)
    sql = f"SELECT merchant_subcategory, SUM(txn_count) AS txns FROM {upstream} GROUP BY merchant_subcategory"
    on_spark = run_sql_spark(spark_session(spark_settings), sql, bound)
    assert on_spark.num_rows > 0
    assert row_differences(run_sql(sql, inputs), on_spark) == []
