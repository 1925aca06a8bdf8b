"""End to end through Dagster: a failing run, the repair sensor, the repair job, the gate, promotion."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from agentic_assets.audit import audit_log_for
from agentic_assets.repair.code_history import CodeHistory
from agentic_assets.repair.gate import GateError, approve
from agentic_assets.repair.promotion import ApprovalMissing, promote
from agentic_assets.repair.service import start_repair
from agentic_assets.repair.store import RepairStore
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project
from agentic_assets.tables.registry import store_for

from .project import land, materialize, run_repair_job, sensor_requests, write_project

SUBCATS = ["grocery", "fuel", "travel", "pharmacy", "dining"]
DAILY_SQL = """SELECT merchant_subcategory, CAST(event_time AS DATE) AS day,
       SUM(amount) AS total_amount, COUNT(*) AS txn_count
FROM transactions
WHERE status = 'settled'
GROUP BY 1, 2
"""
DAILY_CHECKS = """checks for daily_totals:
  - row_count > 0
  - missing_count(merchant_subcategory) = 0
  - duplicate_count(merchant_subcategory, day) = 0
"""


def feed(n: int = 400, seed: int = 3) -> pa.Table:
    rng = random.Random(seed)
    start = dt.datetime(2026, 3, 1)
    rows = {
        "transaction_id": [f"TX{i:07d}" for i in range(n)],
        "customer_id": [rng.randrange(1000, 1100) for _ in range(n)],
        "merchant_subcategory": [rng.choice(SUBCATS) for _ in range(n)],
        "amount": [round(rng.uniform(1, 200), 2) for _ in range(n)],
        "event_time": [start + dt.timedelta(minutes=37 * i) for i in range(n)],
        "status": [rng.choice(["settled"] * 9 + ["declined"]) for _ in range(n)],
    }
    return pa.table(rows)


def published(settings: Settings, asset: str = "daily_totals") -> pa.Table:
    project = load_project(settings)
    return store_for(settings, project.assets[asset].spec.sink).read()


def rows(table: pa.Table) -> list[tuple]:
    return sorted(tuple(str(v) for v in r.values()) for r in table.to_pylist())


def fail_and_repair(settings: Settings, instance: dg.DagsterInstance, after: pa.Table | None):  # noqa: ANN201
    """Land `after`, watch the run fail, let the sensor start the repair job; return the repair record."""
    if after is not None:
        land(settings, after)
    result = materialize(settings, instance)
    assert not result.success
    requests = sensor_requests(settings, instance, result)
    assert len(requests) == 1 and requests[0].run_key.endswith(":daily_totals")
    repair_id = run_repair_job(settings, instance, requests[0])
    repair = RepairStore.for_settings(settings).get(repair_id)
    assert repair is not None
    return repair


def assert_audit(settings: Settings, repair_id: str, *kinds: str) -> None:
    log = audit_log_for(settings)
    report = log.verify()
    assert report.ok, report.problems
    mine = [r for r in log.records() if r.payload.get("repair_id") == repair_id]
    found = {r.kind for r in mine}
    for kind in ("repair.opened", "repair.agent_run", "repair.tool_call", "repair.reasoning", "repair.diagnosis",
                 *kinds):  # fmt: skip
        assert kind in found, (kind, sorted(found))
    calls = [r for r in mine if r.kind == "repair.tool_call"]
    assert all(c.payload["tool"] for c in calls)
    assert any(c.payload.get("observation_digest") for c in calls)


@pytest.fixture
def instance() -> dg.DagsterInstance:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


@pytest.mark.slow
def test_a_renamed_column_is_repaired_by_a_code_change(tmp_path: Path, instance: dg.DagsterInstance) -> None:
    before = feed()
    settings = write_project(tmp_path, source=before, sql=DAILY_SQL, checks=DAILY_CHECKS)
    assert materialize(settings, instance).success
    good = published(settings)
    renamed = before.rename_columns(["merchant_subcategory_v2" if c == "merchant_subcategory" else c
                                     for c in before.column_names])  # fmt: skip
    repair = fail_and_repair(settings, instance, renamed)

    assert repair.status == "awaiting_approval"
    assert repair.diagnosis.category == ["schema_drift"]
    assert "merchant_subcategory_v2" in repair.diagnosis.root_cause
    assert {"schema_diff", "code_history"} <= {s.tool for s in repair.trace if s.kind == "tool_call"}
    assert [p.kind for p in repair.plan.proposals] == ["code_change"]
    assert repair.verdict.ok and all(c.outcome == "pass" for c in repair.verdict.checks)
    assert rows(published(settings)) == rows(good)  # nothing published while it waits

    # A second failure while the repair is open joins it.
    again = materialize(settings, instance)
    assert not again.success
    joined = start_repair(settings, "daily_totals", trigger=f"run:{again.run_id}")
    assert joined.repair_id == repair.repair_id and len(joined.triggers) == 2

    promoted = approve(settings, repair.repair_id, "alice@bank.example")
    assert promoted.status == "promoted"
    after = published(settings)
    assert rows(after) == rows(good)
    project = load_project(settings)
    frozen = project.assets["daily_totals"].sql
    assert "merchant_subcategory_v2" in frozen and "-- proposal_id: " + repair.repair_id in frozen
    assert "-- approver: alice@bank.example" in frozen
    declared = [c.name for c in project.raw_sources["transactions"].columns]
    assert "merchant_subcategory_v2" in declared and "merchant_subcategory" not in declared
    assert materialize(settings, instance).success  # the next scheduled run is green too
    assert_audit(settings, repair.repair_id, "repair.proposal", "repair.sandbox_verdict", "decision.approved",
                 "repair.promotion")  # fmt: skip


@pytest.mark.slow
def test_an_identifier_retyped_as_padded_text_is_cast_back(tmp_path: Path, instance: dg.DagsterInstance) -> None:
    sql = """SELECT customer_id, COUNT(*) AS txn_count, ROUND(SUM(amount), 2) AS total
FROM transactions WHERE customer_id >= 1000 GROUP BY 1
"""
    checks = "checks for daily_totals:\n  - row_count > 0\n  - missing_count(customer_id) = 0\n"
    before = feed()
    settings = write_project(tmp_path, source=before, sql=sql, checks=checks)
    assert materialize(settings, instance).success
    good = published(settings)
    padded = before.set_column(1, "customer_id", pa.array([f"{v:06d}" for v in before["customer_id"].to_pylist()]))
    repair = fail_and_repair(settings, instance, padded)

    assert repair.diagnosis.category == ["schema_drift"]
    assert [p.kind for p in repair.plan.proposals] == ["code_change"]
    assert "CAST(customer_id AS BIGINT)" in repair.repaired_sql
    assert repair.verdict.ok
    promoted = approve(settings, repair.repair_id, "bob@bank.example")
    assert promoted.status == "promoted"
    assert rows(published(settings)) == rows(good)
    assert_audit(settings, repair.repair_id, "decision.approved")


@pytest.mark.slow
def test_null_keys_go_to_a_dead_letter_table_tier_1_at_once(tmp_path: Path, instance: dg.DagsterInstance) -> None:
    sql = """SELECT customer_id, COUNT(*) AS txn_count, ROUND(SUM(amount), 2) AS total
FROM transactions GROUP BY 1
"""
    checks = "checks for daily_totals:\n  - row_count > 0\n  - missing_count(customer_id) = 0\n"
    before = feed()
    settings = write_project(tmp_path, source=before, sql=sql, checks=checks, tier=1)
    assert materialize(settings, instance).success
    ids = before["customer_id"].to_pylist()
    nulled = [None if i % 9 == 0 else v for i, v in enumerate(ids)]
    after = before.set_column(1, "customer_id", pa.array(nulled, pa.int64()))
    repair = fail_and_repair(settings, instance, after)

    assert repair.diagnosis.category == ["data_quality"]
    assert [p.kind for p in repair.plan.proposals] == ["dead_letter"]
    assert repair.verdict.ok and repair.verdict.dead_letter_rows == sum(v is None for v in nulled)
    assert repair.status == "promoted" and repair.approved_by.startswith("policy:")  # tier 1: no wait
    table = published(settings)
    assert None not in table["customer_id"].to_pylist()
    assert sum(table["txn_count"].to_pylist()) == sum(v is not None for v in nulled)
    dead = published(settings, "daily_totals_dead_letter")
    assert dead.num_rows == sum(v is None for v in nulled)
    assert set(dead["error_reason"].to_pylist()) == {"missing customer_id"} and "error_ts" in dead.column_names
    assert_audit(settings, repair.repair_id, "repair.promotion")


@pytest.mark.slow
def test_a_replayed_batch_is_deduplicated(tmp_path: Path, instance: dg.DagsterInstance) -> None:
    sql = "SELECT transaction_id, customer_id, amount FROM transactions WHERE status = 'settled'\n"
    checks = "checks for daily_totals:\n  - row_count > 0\n  - duplicate_count(transaction_id) = 0\n"
    before = feed()
    settings = write_project(tmp_path, source=before, sql=sql, checks=checks)
    assert materialize(settings, instance).success
    good = published(settings)
    replayed = pa.concat_tables([before, before.slice(100, 60)])
    repair = fail_and_repair(settings, instance, replayed)

    assert repair.diagnosis.category == ["data_quality"]
    assert [(p.kind, p.keys) for p in repair.plan.proposals] == [("dedupe", ["transaction_id"])]
    assert repair.verdict.ok
    assert approve(settings, repair.repair_id, "carol@bank.example").status == "promoted"
    assert rows(published(settings)) == rows(good)
    assert_audit(settings, repair.repair_id, "decision.approved")


@pytest.mark.slow
def test_a_regressed_deploy_is_rolled_back(tmp_path: Path, instance: dg.DagsterInstance) -> None:
    good_sql = "SELECT transaction_id, amount, status FROM transactions WHERE status = 'settled' AND amount > 0\n"
    bad_sql = "SELECT transaction_id, amount, status FROM transactions WHERE status = 'settled' AND amount >= 0\n"
    checks = "checks for daily_totals:\n  - row_count > 0\n  - invalid_count(amount) = 0:\n      valid min: 0.01\n"
    before = feed()
    amounts = [0.0 if i % 10 == 0 else v for i, v in enumerate(before["amount"].to_pylist())]
    with_holds = before.set_column(3, "amount", pa.array(amounts))
    settings = write_project(tmp_path, source=with_holds, sql=good_sql, checks=checks)
    history = CodeHistory.for_settings(settings)
    history.record("daily_totals", good_sql, approved_by="dana@bank.example")
    assert materialize(settings, instance).success
    good = published(settings)
    sql_path = settings.specs_dir / "bank" / "daily_totals.sql"
    sql_path.write_text(bad_sql)
    history.record("daily_totals", bad_sql, approved_by="erin@bank.example")
    repair = fail_and_repair(settings, instance, None)

    assert repair.diagnosis.category == ["config_regression"]
    proposal = repair.plan.proposals[0]
    assert [p.kind for p in repair.plan.proposals] == ["rollback"]
    assert proposal.rollback_to == history.recorded("daily_totals")[0].version
    assert repair.verdict.ok
    assert approve(settings, repair.repair_id, "frank@bank.example").status == "promoted"
    assert rows(published(settings)) == rows(good)
    assert "amount > 0" in sql_path.read_text()
    assert_audit(settings, repair.repair_id, "decision.approved")


@pytest.mark.slow
def test_a_transient_read_failure_is_retried(
    tmp_path: Path, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    import agentic_assets.materialize.inputs as inputs

    before = feed()
    settings = write_project(tmp_path, source=before, sql=DAILY_SQL, checks=DAILY_CHECKS)
    assert materialize(settings, instance).success
    version = store_for(settings, load_project(settings).assets["daily_totals"].spec.sink).published_version()
    real = inputs.read_raw
    calls = {"n": 0}

    def flaky(settings_, source):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("IO Error: connection reset by peer while reading the object store")
        return real(settings_, source)

    monkeypatch.setattr(inputs, "read_raw", flaky)
    repair = fail_and_repair(settings, instance, None)
    assert repair.diagnosis.category == ["transient"]
    assert [p.kind for p in repair.plan.proposals] == ["retry"]
    assert repair.verdict.ok
    assert approve(settings, repair.repair_id, "gina@bank.example").status == "promoted"
    sink = store_for(settings, load_project(settings).assets["daily_totals"].spec.sink)
    assert sink.published_version() > version
    assert_audit(settings, repair.repair_id, "decision.approved")


@pytest.mark.slow
def test_an_identifier_that_changed_meaning_is_escalated(tmp_path: Path, instance: dg.DagsterInstance) -> None:
    sql = """SELECT customer_id, COUNT(*) AS txn_count, ROUND(SUM(amount), 2) AS total
FROM transactions WHERE customer_id >= 1000 GROUP BY 1
"""
    checks = "checks for daily_totals:\n  - row_count > 0\n"
    before = feed()
    settings = write_project(tmp_path, source=before, sql=sql, checks=checks, tier=3)
    assert materialize(settings, instance).success
    good = published(settings)
    rekeyed = before.set_column(
        1, "customer_id", pa.array([f"CUST-{(v * 7919) % 100000:05x}" for v in before["customer_id"].to_pylist()])
    )
    repair = fail_and_repair(settings, instance, rekeyed)
    assert repair.status == "escalated"
    assert repair.diagnosis.escalate and repair.diagnosis.category == ["schema_drift"]
    assert repair.plan.proposals == [] and repair.remediation == ["escalate"]
    assert rows(published(settings)) == rows(good)
    assert_audit(settings, repair.repair_id, "repair.escalated")


@pytest.mark.slow
def test_a_tier_3_change_cannot_be_applied_without_a_recorded_approver(
    tmp_path: Path, instance: dg.DagsterInstance
) -> None:
    before = feed()
    settings = write_project(tmp_path, source=before, sql=DAILY_SQL, checks=DAILY_CHECKS, tier=3)
    assert materialize(settings, instance).success
    good = published(settings)
    renamed = before.rename_columns(["merchant_subcategory_v2" if c == "merchant_subcategory" else c
                                     for c in before.column_names])  # fmt: skip
    repair = fail_and_repair(settings, instance, renamed)
    assert repair.status == "awaiting_approval"
    # No path applies it without a person: not promotion itself, not a policy, not a name without a decision.
    with pytest.raises(ApprovalMissing):
        promote(settings, repair)
    with pytest.raises(GateError):
        approve(settings, repair.repair_id, "policy:tier-1-autonomy")
    forged = repair.model_copy(update={"approved_by": "mallory@bank.example"})
    with pytest.raises(ApprovalMissing):
        promote(settings, forged)
    assert rows(published(settings)) == rows(good)
    # A modified proposal is validated again before it can be approved.
    with pytest.raises(GateError):
        approve(settings, repair.repair_id, "ivan@bank.example", modified_sql="SELECT 1 AS nothing_like_the_checks")
    assert approve(settings, repair.repair_id, "ivan@bank.example").status == "promoted"
    assert rows(published(settings)) == rows(good)
