"""Materializations recorded as DataProcessInstances and assertion results; a new code version reaches the job."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentic_assets.codegen.versioning import body_of
from agentic_assets.lineage import record_materialization, wait_for_delivery
from agentic_assets.lineage.queue import LineageQueue
from agentic_assets.lineage.targets import lineage_file
from agentic_assets.materialize.wap import materialize
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset, Project

ASSET = "customer_segments"
JOB = "urn:li:dataJob:(urn:li:dataFlow:(dagster,agentic_assets,PROD),customer_segments)"
TABLE = "urn:li:dataset:(urn:li:dataPlatform:iceberg,agentic.analytics.customer_segments,PROD)"

REPAIRED_HEADER = """-- agentic-assets generated transform
-- spec_fingerprint: {fingerprint}
-- model_id: hosted:model-b
-- prompt_hash: 7e57ab1e
-- approved_by: carol@example.com
-- approved_at: 2025-07-01T09:30:00Z
-- proposal_id: rp-0042
"""


def _mcps(path: Path) -> list[dict]:
    return json.loads(path.read_text())


def _latest(mcps: list[dict], urn: str, aspect: str) -> dict:
    return [o["aspect"]["json"] for o in mcps if o["entityUrn"] == urn and o["aspectName"] == aspect][-1]


def _delivered() -> None:
    """materialize() records every run itself; wait for the background delivery."""
    assert wait_for_delivery(30)


def test_runs_checks_and_a_repaired_code_version_reach_datahub(project: Project, lineage_settings: Settings) -> None:
    asset = project.assets[ASSET]
    first = materialize(asset, project, lineage_settings)
    assert first.status == "published"
    _delivered()

    mcps = _mcps(lineage_file(lineage_settings))
    props = _latest(mcps, JOB, "dataJobInfo")["customProperties"]
    # The fixture's code was written by the built-in model; the repair below comes from another model.
    assert props["code_version"] == asset.code_version and props["model_id"] == "builtin"
    runs = [o for o in mcps if o["aspectName"] == "dataProcessInstanceRunEvent"]
    dpi = runs[0]["entityUrn"]
    assert _latest(mcps, dpi, "dataProcessInstanceRelationships")["parentTemplate"] == JOB
    assert _latest(mcps, dpi, "dataProcessInstanceProperties")["customProperties"]["run_id"] == first.run_id
    assert _latest(mcps, dpi, "dataProcessInstanceOutput")["outputs"] == [TABLE]
    end = [r["aspect"]["json"] for r in runs if r["aspect"]["json"]["status"] == "COMPLETE"][0]
    assert end["result"]["type"] == "SUCCESS"
    checks = [o["aspect"]["json"] for o in mcps if o["aspectName"] == "assertionRunEvent"]
    assert len(checks) == len(first.checks.results) > 0
    assert all(c["asserteeUrn"] == TABLE and c["result"]["type"] == "SUCCESS" for c in checks)
    assert {c["assertionUrn"] for c in checks} <= {o["entityUrn"] for o in mcps if o["aspectName"] == "assertionInfo"}

    # A repair: new SQL with a new model, prompt, approver and proposal, promoted through materialize(sql=...).
    repaired = REPAIRED_HEADER.format(fingerprint=asset.spec.fingerprint()) + body_of(asset.sql or "")
    second = materialize(asset, project, lineage_settings, sql=repaired)
    assert second.status == "published"
    _delivered()

    mcps = _mcps(lineage_file(lineage_settings))
    props = _latest(mcps, JOB, "dataJobInfo")["customProperties"]
    assert props["code_version"] != asset.code_version
    assert props["model_id"] == "hosted:model-b"
    assert props["approver"] == "carol@example.com"
    assert props["prompt_hash"] == "7e57ab1e"
    assert props["proposal_id"] == "rp-0042"
    assert props["generated_for_spec_hash"] == props["spec_hash"] == asset.spec.fingerprint()
    assert _latest(mcps, JOB, "dataTransformLogic")["transforms"][0]["queryStatement"]["value"] == repaired
    assert len({o["entityUrn"] for o in mcps if o["aspectName"] == "dataProcessInstanceProperties"}) == 2
    assert len(LineageQueue.for_settings(lineage_settings)) == 0

    # Runs and assertion results pass DataHub's own file check too.
    datahub_cli = Path(sys.executable).with_name("datahub")
    env = {**os.environ, "DATAHUB_TELEMETRY_ENABLED": "false"}
    path = lineage_file(lineage_settings)
    check = subprocess.run(
        [str(datahub_cli), "check", "metadata-file", str(path)], capture_output=True, text=True, env=env
    )
    assert check.returncode == 0 and "all valid" in check.stdout, check.stdout + check.stderr


def test_failed_checks_show_as_failed_run_and_failed_assertion(project: Project, lineage_settings: Settings) -> None:
    asset = project.assets[ASSET]
    failing = LoadedAsset(
        spec=asset.spec,
        path=asset.path,
        checks_text=asset.checks_text.rstrip() + "\n  - row_count > 100000000\n",
        checks_path=None,
        sql=asset.sql,
        sql_path=asset.sql_path,
        output_schema=asset.output_schema,
    )
    outcome = materialize(failing, project, lineage_settings)
    assert outcome.status == "checks_failed"
    _delivered()

    mcps = _mcps(lineage_file(lineage_settings))
    end = [
        o["aspect"]["json"]
        for o in mcps
        if o["aspectName"] == "dataProcessInstanceRunEvent" and o["aspect"]["json"]["status"] == "COMPLETE"
    ]
    assert end[0]["result"] == {"type": "FAILURE", "nativeResultType": "checks_failed"}
    results = {o["aspect"]["json"]["result"]["type"] for o in mcps if o["aspectName"] == "assertionRunEvent"}
    assert results == {"SUCCESS", "FAILURE"}
    dpi = [o["entityUrn"] for o in mcps if o["aspectName"] == "dataProcessInstanceProperties"][0]
    assert not [o for o in mcps if o["entityUrn"] == dpi and o["aspectName"] == "dataProcessInstanceOutput"]


def test_recording_never_raises(project: Project, lineage_settings: Settings, tmp_path: Path, caplog) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the state folder should be")
    settings = lineage_settings.model_copy(update={"data_dir": blocked})
    asset = project.assets[ASSET]
    from agentic_assets.materialize.wap import MaterializationOutcome

    outcome = MaterializationOutcome(asset=ASSET, run_id="r1", status="error", table_format="iceberg", table="x")
    assert record_materialization(outcome, asset, project, settings) is None
    assert "could not record lineage" in caplog.text


def test_lineage_can_be_switched_off_or_left_queued(
    project: Project, lineage_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentic_assets.materialize.wap import MaterializationOutcome

    outcome = MaterializationOutcome(asset=ASSET, run_id="r2", status="published", table_format="iceberg", table="x")
    queue = LineageQueue.for_settings(lineage_settings)
    monkeypatch.setenv("AGENTIC_LINEAGE", "off")
    record_materialization(outcome, project.assets[ASSET], project, lineage_settings)
    assert len(queue) == 0
    monkeypatch.setenv("AGENTIC_LINEAGE", "queue")
    record_materialization(outcome, project.assets[ASSET], project, lineage_settings)
    assert wait_for_delivery(5) and len(queue) == 1 and not lineage_file(lineage_settings).exists()
