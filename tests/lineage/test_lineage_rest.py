"""The REST path against a GMS recorder on 127.0.0.1 (see conftest: a recorder, not a DataHub), and the queue.

A DataHub that is down must cost a materialization nothing: the run is queued durably, survives a restart
(a new queue object, a new process), and `lineage flush` sends it once DataHub is back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from gms_recorder import GmsRecorder

from agentic_assets.lineage import emit_all, flush, record_materialization, wait_for_delivery
from agentic_assets.lineage.queue import LineageQueue
from agentic_assets.lineage.snapshot import materialization_event
from agentic_assets.materialize.wap import MaterializationOutcome
from agentic_assets.settings import Settings
from agentic_assets.specs.project import Project

JOB = "urn:li:dataJob:(urn:li:dataFlow:(dagster,agentic_assets,PROD),customer_segments)"
FLUSH_IN_A_NEW_PROCESS = (
    "from agentic_assets.lineage import flush; from agentic_assets.settings import Settings; "
    "print(flush(Settings.from_env()).model_dump_json())"
)
SEGMENTS = "urn:li:dataset:(urn:li:dataPlatform:iceberg,agentic.analytics.customer_segments,PROD)"


def _outcome(run_id: str) -> MaterializationOutcome:
    # A recorded outcome is all lineage needs; these tests are about delivery, not about running SQL.
    return MaterializationOutcome(
        asset="customer_segments",
        run_id=run_id,
        status="published",
        table_format="iceberg",
        table="analytics.customer_segments",
        rows_written=10,
        table_rows=10,
        version_after=1,
        seconds=0.5,
    )


def test_emit_to_a_gms_url(project: Project, lineage_settings: Settings, gms: GmsRecorder) -> None:
    report = emit_all(project, lineage_settings, target=gms.url)

    assert report.ok and report.target == gms.url
    assert ("GET", "/config") in gms.requests
    assert ("POST", "/aspects?action=ingestProposalBatch") in gms.requests
    assert len(gms.proposals) == report.mcps
    assert all(p["changeType"] == "UPSERT" for p in gms.proposals)
    lineage = gms.aspects(SEGMENTS, "upstreamLineage")[-1]
    assert len(lineage["upstreams"]) == 2 and lineage["fineGrainedLineages"]
    assert gms.aspects(JOB, "dataTransformLogic")[-1]["transforms"][0]["queryStatement"]["language"] == "SQL"


def test_gms_down_then_up(
    project: Project, lineage_settings: Settings, free_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAHUB_GMS_URL", f"http://127.0.0.1:{free_port}")
    asset = project.assets["customer_segments"]

    record_materialization(_outcome("run-down"), asset, project, lineage_settings)
    assert wait_for_delivery(30)

    queue = LineageQueue.for_settings(lineage_settings)
    state = queue.status()
    assert state.pending == 1 and state.last_error  # the background attempt failed and kept the event
    assert not flush(lineage_settings).ok  # still down: still queued
    assert len(queue) == 1

    gms = GmsRecorder(port=free_port).start()
    try:
        report = flush(lineage_settings)
        assert report.ok and report.delivered == 1 and report.pending == 0
        runs = [p for p in gms.proposals if p["aspectName"] == "dataProcessInstanceProperties"]
        assert [json.loads(p["aspect"]["value"])["customProperties"]["run_id"] for p in runs] == ["run-down"]
        assert gms.aspects(JOB, "dataJobInfo")

        sent = len(gms.proposals)
        assert flush(lineage_settings).delivered == 0  # nothing is sent twice
        assert len(gms.proposals) == sent
    finally:
        gms.stop()


def test_a_materialization_does_not_wait_for_datahub(
    project: Project, lineage_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A GMS that is up but answers nothing until released: had recording waited for DataHub, it could not
    # return while the recorder is held, and the delivery would not still be running when it did.
    gms = GmsRecorder(held=True).start()
    monkeypatch.setenv("DATAHUB_GMS_URL", gms.url)
    queue = LineageQueue.for_settings(lineage_settings)
    try:
        record_materialization(_outcome("run-held"), project.assets["customer_segments"], project, lineage_settings)
        assert gms.reached.wait(30)  # the delivery is under way, on a thread of its own
        assert not wait_for_delivery(0)
        assert queue.status().pending == 1
        assert not gms.proposals
    finally:
        gms.release()
    try:
        assert wait_for_delivery(30)
        assert queue.status().pending == 0
        runs = [p for p in gms.proposals if p["aspectName"] == "dataProcessInstanceProperties"]
        assert [json.loads(p["aspect"]["value"])["customProperties"]["run_id"] for p in runs] == ["run-held"]
    finally:
        gms.stop()


def test_queue_survives_a_restart(project: Project, lineage_settings: Settings, gms: GmsRecorder) -> None:
    asset = project.assets["customer_segments"]
    for run in ("run-1", "run-2"):
        LineageQueue.for_settings(lineage_settings).put(
            materialization_event(_outcome(run), asset, project, lineage_settings)
        )

    # A new object over the same file sees both events, oldest first.
    reopened = LineageQueue.for_settings(lineage_settings)
    assert [q.event.run.run_id for q in reopened.peek()] == ["run-1", "run-2"]

    # A new process flushes them to the recorder.
    env = {
        **os.environ,
        "AGENTIC_DATA_DIR": str(lineage_settings.data_dir),
        "DATAHUB_GMS_URL": gms.url,
        "DATAHUB_TELEMETRY_ENABLED": "false",
    }
    done = subprocess.run(
        [sys.executable, "-c", FLUSH_IN_A_NEW_PROCESS],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["delivered"] == 2
    run_ids = [
        json.loads(p["aspect"]["value"])["customProperties"]["run_id"]
        for p in gms.proposals
        if p["aspectName"] == "dataProcessInstanceProperties"
    ]
    assert run_ids == ["run-1", "run-2"]
    assert len(LineageQueue.for_settings(lineage_settings)) == 0
