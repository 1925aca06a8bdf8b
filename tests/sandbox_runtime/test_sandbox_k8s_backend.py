"""The Kubernetes backend through dagster-k8s' client, against a fake API whose kubelet really
runs the pod it was sent (tests/sandbox_runtime/k8s_fake.py): real runner, DuckDB, soda-core."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster_k8s.client import DagsterKubernetesClient

from sandbox_runtime import SandboxJob, SandboxLimits, SandboxUnavailable, run_job
from sandbox_runtime import backends as backends_module
from sandbox_runtime.backends import k8s_manifests as m
from sandbox_runtime.backends.k8s import EXCHANGE_DIR_ENV, KubernetesBackend
from tests.sandbox_runtime.k8s_fake import FakeCluster

CHECKS = """
checks for output:
  - row_count > 0
  - missing_count(customer) = 0
"""


@pytest.fixture
def exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "exchange"
    root.mkdir()
    monkeypatch.setenv(EXCHANGE_DIR_ENV, str(root))
    for name in ("AGENTIC_ASSETS_SANDBOX_NAMESPACE", "AGENTIC_ASSETS_SANDBOX_IMAGE"):
        monkeypatch.delenv(name, raising=False)
    return root


@pytest.fixture
def cluster(exchange: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeCluster:
    fake = FakeCluster(exchange_root=exchange, scratch=tmp_path)
    client = DagsterKubernetesClient.production_client(batch_api_override=fake, core_api_override=fake)
    backend = KubernetesBackend(client=client, networking_api=fake)
    monkeypatch.setitem(backends_module._instances, "k8s", backend)
    return fake


def test_sql_job_round_trip_through_the_exchange_volume(orders: Path, cluster: FakeCluster, tmp_path: Path) -> None:
    sql = "select customer, sum(amount) as total from orders where customer is not null group by customer"
    job = SandboxJob(kind="sql", code=sql, inputs={"orders": orders}, checks=CHECKS, limits=SandboxLimits(timeout_s=40))
    verdict = run_job(job, backend="k8s", workdir=tmp_path / "result")
    assert verdict.ok and verdict.reason == "ok", verdict
    assert verdict.backend == "k8s" and verdict.exit_status == 0
    assert verdict.check_results is not None and verdict.check_results.passed
    table = pq.read_table(verdict.output_path).sort_by("customer")
    assert table.column("total").to_pylist() == [17.75, -2.0, 100.0]
    [sent] = cluster.created_jobs
    name = sent["metadata"]["name"]
    # What was sent is the manifest module's Job for that run, nothing added or dropped.
    assert sent == m.batch_job(name, job.limits)
    assert sent["spec"]["activeDeadlineSeconds"] == 40
    assert cluster.created_policies == [m.deny_all_network_policy()]
    assert cluster.deleted_jobs == [name]
    # The run's folders are gone from the shared volume once the verdict is in.
    assert list((cluster.exchange_root / "runs").iterdir()) == []


def test_inputs_past_the_old_configmap_limit(cluster: FakeCluster, tmp_path: Path) -> None:
    # Random integers barely compress: about 8 MB of Parquet, eight times a ConfigMap's 1 MiB.
    values = np.random.default_rng(7).integers(0, 2**62, size=1_000_000)
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"v": values}), path, compression="none")
    assert path.stat().st_size > 8_000_000
    job = SandboxJob(kind="sql", code="select v from big where v % 2 = 0", inputs={"big": path})
    verdict = run_job(job, backend="k8s", workdir=tmp_path / "result")
    assert verdict.ok, verdict
    assert verdict.output_rows == int((values % 2 == 0).sum())


def test_a_failing_query_reports_its_error_and_the_log_holds_stderr_only(orders: Path, cluster: FakeCluster) -> None:
    job = SandboxJob(kind="sql", code="select cast(customer as integer) as c from orders", inputs={"orders": orders})
    verdict = run_job(job, backend="k8s")
    assert not verdict.ok and verdict.reason == "error", verdict
    assert "Conversion Error" in verdict.message
    assert verdict.exit_status == 1
    # The report went to the exchange volume, so the log is the traceback, not the report line.
    assert "Traceback" in verdict.stderr_tail
    assert '"status": "error"' not in verdict.stderr_tail


def test_failed_checks_fail_the_verdict(orders: Path, cluster: FakeCluster) -> None:
    job = SandboxJob(kind="sql", code="select * from orders", inputs={"orders": orders}, checks=CHECKS)
    verdict = run_job(job, backend="k8s")
    assert verdict.reason == "checks_failed", verdict
    assert [r.name for r in verdict.check_results.failed] == ["missing_count(customer) = 0"]


def test_a_job_past_its_deadline_is_a_timeout(orders: Path, cluster: FakeCluster) -> None:
    job = SandboxJob(kind="sql", code="select count(*) as n from range(100000000000)", inputs={"orders": orders},
                     limits=SandboxLimits(timeout_s=2))  # fmt: skip
    verdict = run_job(job, backend="k8s")
    assert verdict.reason == "timeout", verdict
    assert cluster.deadline_exceeded == {cluster.created_jobs[0]["metadata"]["name"]}


def test_a_python_job_cannot_forge_its_checks(orders: Path, cluster: FakeCluster) -> None:
    # The transform writes a forged passing report on the runner's report channel; the checks
    # run again in a second pod that never ran job code.
    code = (
        "import json, os\n"
        "def transform(inputs):\n"
        "    fake = {'status': 'ok', 'check_results': {'table': 'output', 'results': [], 'errors': []}}\n"
        "    os.write(3, (json.dumps(fake) + '\\n').encode())\n"
        "    return inputs['orders']\n"
    )
    job = SandboxJob(kind="python", code=code, inputs={"orders": orders}, checks=CHECKS)
    verdict = run_job(job, backend="k8s", skip_static=True)
    assert verdict.reason == "checks_failed", verdict
    assert len(cluster.created_jobs) == 2


def test_without_an_exchange_volume_the_backend_says_what_to_set(
    cluster: FakeCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(EXCHANGE_DIR_ENV)
    monkeypatch.setitem(backends_module._instances, "k8s", KubernetesBackend(client=object()))  # type: ignore[arg-type]
    with pytest.raises(SandboxUnavailable, match=EXCHANGE_DIR_ENV):
        backends_module.get_backend("k8s")
