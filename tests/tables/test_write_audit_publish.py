"""Write-audit-publish on real Iceberg and Delta tables: green publishes, red and crashes change nothing."""

from __future__ import annotations

import pyarrow as pa
import pytest

from agentic_assets.codegen.versioning import body_of
from agentic_assets.materialize.wap import materialize
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project
from agentic_assets.specs.project import LoadedAsset, Project
from agentic_assets.tables.registry import store_for

ICEBERG_ASSET = "monthly_customer_totals"
DELTA_ASSET = "merchant_subcategory_daily_totals"


@pytest.fixture
def project(settings: Settings) -> Project:
    return load_project(settings)


def _failing_variant(asset: LoadedAsset) -> LoadedAsset:
    """The same asset with a check its data cannot pass."""
    checks = asset.checks_text.rstrip() + "\n  - row_count > 100000000\n"
    return LoadedAsset(
        spec=asset.spec,
        path=asset.path,
        checks_text=checks,
        checks_path=None,
        sql=asset.sql,
        sql_path=asset.sql_path,
        output_schema=asset.output_schema,
    )


@pytest.mark.parametrize("name", [ICEBERG_ASSET, DELTA_ASSET])
def test_green_checks_publish(project: Project, settings: Settings, name: str) -> None:
    asset = project.assets[name]
    store = store_for(settings, asset.spec.sink)
    outcome = materialize(asset, project, settings)
    assert outcome.status == "published", outcome.checks.summary() if outcome.checks else outcome.error
    assert outcome.checks is not None and outcome.checks.passed
    assert store.published_version() == outcome.version_after
    assert store.read().num_rows == outcome.table_rows > 0


@pytest.mark.parametrize("name", [ICEBERG_ASSET, DELTA_ASSET])
def test_a_failed_check_keeps_the_published_version(project: Project, settings: Settings, name: str) -> None:
    asset = project.assets[name]
    store = store_for(settings, asset.spec.sink)
    materialize(asset, project, settings)
    version, before = store.published_version(), store.read()

    outcome = materialize(_failing_variant(asset), project, settings)

    assert outcome.status == "checks_failed"
    failed = [c.name for c in outcome.checks.failed]
    assert failed == ["row_count > 100000000"]
    assert store.published_version() == version
    assert store.read().equals(before)
    if store.format == "iceberg":  # no staging branch is left behind
        assert set(store.table().metadata.refs) == {"main"}
    else:
        assert not any((settings.delta_dir / "_staging").rglob("_delta_log"))


@pytest.mark.parametrize("name", [ICEBERG_ASSET, DELTA_ASSET])
def test_a_crash_between_write_and_publish_changes_nothing(project: Project, settings: Settings, name: str) -> None:
    asset = project.assets[name]
    store = store_for(settings, asset.spec.sink)
    materialize(asset, project, settings)
    version, before = store.published_version(), store.read()

    def crash() -> None:
        raise RuntimeError("worker lost between audit and publish")

    changed = LoadedAsset(
        spec=asset.spec,
        path=asset.path,
        checks_text=asset.checks_text,
        checks_path=None,
        # Without the provenance header: frozen code changed in place would not run unapproved at all.
        sql=body_of(asset.sql).replace("SUM(amount)", "SUM(amount) * 2"),
        sql_path=None,
    )
    with pytest.raises(RuntimeError, match="worker lost"):
        materialize(changed, project, settings, before_publish=crash)

    assert store.published_version() == version
    assert store.read().equals(before)


def test_failing_rows_are_sampled(project: Project, settings: Settings) -> None:
    asset = project.assets[ICEBERG_ASSET]
    checks = asset.checks_text.rstrip() + "\n  - invalid_count(txn_count) = 0:\n      valid max: 1\n"
    variant = LoadedAsset(
        spec=asset.spec, path=asset.path, checks_text=checks, checks_path=None, sql=asset.sql, sql_path=None
    )
    outcome = materialize(variant, project, settings)
    assert outcome.status == "checks_failed"
    failed = outcome.checks.failed[0]
    assert failed.failing_rows_sample and all(row["txn_count"] > 1 for row in failed.failing_rows_sample)


def test_an_error_in_the_transform_changes_nothing(project: Project, settings: Settings) -> None:
    asset = project.assets[DELTA_ASSET]
    store = store_for(settings, asset.spec.sink)
    materialize(asset, project, settings)
    version = store.published_version()
    broken = LoadedAsset(
        spec=asset.spec,
        path=asset.path,
        checks_text=asset.checks_text,
        checks_path=None,
        sql="SELECT merchant_subcategory_v2 FROM transactions",
        sql_path=None,
    )
    with pytest.raises(Exception, match="merchant_subcategory_v2"):
        materialize(broken, project, settings)
    assert store.published_version() == version


def test_merge_mode_upserts_by_key(project: Project, settings: Settings) -> None:
    asset = project.assets["customer_segments"]  # iceberg, merge on customer_id
    store = store_for(settings, asset.spec.sink)
    materialize(asset, project, settings)
    first = store.read()
    ten_medium = (
        "SELECT customer_id, country, CAST(0 AS DECIMAL(38, 2)) AS settled_spend, CAST(0 AS BIGINT) AS txn_count,"
        " 'medium' AS segment FROM customers WHERE customer_id <= 10"
    )
    variant = LoadedAsset(
        spec=asset.spec, path=asset.path, checks_text=asset.checks_text, checks_path=None, sql=ten_medium, sql_path=None
    )
    outcome = materialize(variant, project, settings)
    assert outcome.status == "published"
    after = store.read()
    assert after.num_rows == first.num_rows  # rows replaced by key, not appended
    ids = pa.compute.less_equal(after.column("customer_id"), 10)
    assert set(after.filter(ids).column("segment").to_pylist()) == {"medium"}
    untouched = first.filter(pa.compute.greater(first.column("customer_id"), 10))
    assert after.filter(pa.compute.invert(ids)).equals(untouched)


def test_every_run_is_recorded_with_schemas(project: Project, settings: Settings) -> None:
    from agentic_assets.materialize.run_log import RunLog

    asset = project.assets[ICEBERG_ASSET]
    materialize(asset, project, settings)
    materialize(_failing_variant(asset), project, settings)
    records = RunLog(settings.state_dir / "runs.db").for_asset(ICEBERG_ASSET)
    assert [r.status for r in records] == ["checks_failed", "published"]
    assert "merchant_subcategory" in records[0].input_schemas["transactions"]
    assert records[1].output_schema["txn_count"] == "int64"


@pytest.mark.parametrize("name", [ICEBERG_ASSET, DELTA_ASSET])
def test_a_concurrent_publish_is_not_overwritten(project: Project, settings: Settings, name: str) -> None:
    from agentic_assets.tables.base import PublishConflict

    asset = project.assets[name]
    store = store_for(settings, asset.spec.sink)
    materialize(asset, project, settings)

    def another_run_publishes_first() -> None:
        materialize(asset, project, settings)

    with pytest.raises(PublishConflict):
        materialize(asset, project, settings, before_publish=another_run_publishes_first)
    winner = store.published_version()
    assert store.history()[-1].version == winner  # the other run's version stays current
    assert store.read().num_rows > 0


def test_the_transform_can_run_in_the_sandbox_pool(project: Project, settings: Settings) -> None:
    """Same rows whether the frozen SQL runs in-process or in a single-use sandbox from the warm pool."""
    asset = project.assets["high_value_transactions"]  # a join of two raw Parquet sources
    in_process = materialize(asset, project, settings.model_copy(update={"transform_runner": "in-process"}))
    store = store_for(settings, asset.spec.sink)
    expected = store.read().sort_by("transaction_id")
    sandboxed = materialize(asset, project, settings.model_copy(update={"transform_runner": "sandbox"}))
    assert in_process.status == sandboxed.status == "published"
    assert store.read().sort_by("transaction_id").equals(expected)
    assert sandboxed.version_after != in_process.version_after


def test_a_transform_the_sandbox_refuses_publishes_nothing(project: Project, settings: Settings) -> None:
    from agentic_assets.engines.sandboxed import SandboxedTransformError

    asset = project.assets[DELTA_ASSET]
    materialize(asset, project, settings)
    store = store_for(settings, asset.spec.sink)
    version = store.published_version()
    reads_a_file = LoadedAsset(spec=asset.spec, path=asset.path, checks_text=asset.checks_text, checks_path=None,
                               sql="SELECT * FROM read_csv('/etc/passwd')", sql_path=None)  # fmt: skip
    sandboxed = settings.model_copy(update={"transform_runner": "sandbox"})
    with pytest.raises(SandboxedTransformError, match="static_rejected"):
        materialize(reads_a_file, project, sandboxed)
    assert store.published_version() == version
