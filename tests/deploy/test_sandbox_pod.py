"""The pod the sandbox backend sends is the one deploy/sandbox/ describes, field by field.

The job really runs: the fake API's kubelet (tests/sandbox_runtime/k8s_fake.py) starts the
pod from the object dagster-k8s' client sent, so what is asserted here is what ran.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster_k8s.client import DagsterKubernetesClient

from sandbox_runtime import SandboxJob, SandboxLimits, run_job
from sandbox_runtime import backends as backends_module
from sandbox_runtime.backends import k8s_manifests as m
from sandbox_runtime.backends.k8s import EXCHANGE_DIR_ENV, KubernetesBackend
from tests.deploy.conftest import DEPLOY, documents
from tests.sandbox_runtime.k8s_fake import FakeCluster


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The Job the backend sent for one real SQL job with the default limits."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("pod")
    exchange = root / "exchange"
    exchange.mkdir()
    orders = root / "orders.parquet"
    pq.write_table(pa.table({"order_id": [1, 2, 3], "amount": [1.5, 2.5, 4.0]}), orders)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(EXCHANGE_DIR_ENV, str(exchange))
        for name in ("AGENTIC_ASSETS_SANDBOX_NAMESPACE", "AGENTIC_ASSETS_SANDBOX_IMAGE",
                     "AGENTIC_ASSETS_SANDBOX_RUNTIME_CLASS", "AGENTIC_ASSETS_SANDBOX_EXCHANGE_CLAIM"):  # fmt: skip
            patch.delenv(name, raising=False)
        fake = FakeCluster(exchange_root=exchange, scratch=root)
        client = DagsterKubernetesClient.production_client(batch_api_override=fake, core_api_override=fake)
        patch.setitem(backends_module._instances, "k8s", KubernetesBackend(client=client, networking_api=fake))
        job = SandboxJob(kind="sql", code="select sum(amount) as total from orders", inputs={"orders": orders},
                         limits=SandboxLimits())  # fmt: skip
        verdict = run_job(job, backend="k8s", workdir=root / "out")
    assert verdict.ok and verdict.output_rows == 1, verdict
    [batch] = fake.created_jobs
    return batch


def _one(path: Path) -> dict:
    [doc] = documents(path)
    return doc


def _with_run_name(obj: dict, name: str) -> dict:
    return json.loads(json.dumps(obj).replace(name, m.TEMPLATE_RUN))


def test_the_sent_pod_is_the_reference_pod_template(sent: dict) -> None:
    reference = _one(DEPLOY / "sandbox" / "sandbox-job-pod.yaml")
    assert _with_run_name(sent["spec"]["template"], sent["metadata"]["name"]) == reference["template"]
    assert sent["metadata"]["namespace"] == reference["metadata"]["namespace"]


def test_security_fields_of_the_sent_pod_one_by_one(sent: dict) -> None:
    pod = sent["spec"]["template"]["spec"]
    [container] = pod["containers"]
    ctx, pod_ctx = container["securityContext"], pod["securityContext"]
    assert pod_ctx["runAsNonRoot"] is True and ctx["runAsNonRoot"] is True
    assert pod_ctx["runAsUser"] == ctx["runAsUser"] == m.SANDBOX_UID != 0
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx["privileged"] is False
    assert ctx["capabilities"] == {"drop": ["ALL"]}
    assert ctx["seccompProfile"] == pod_ctx["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert pod["hostNetwork"] is False and pod["hostPID"] is False and pod["hostIPC"] is False
    assert not any("hostPath" in v for v in pod["volumes"])
    limits = container["resources"]["limits"]
    assert limits["memory"] == f"{SandboxLimits().memory_mb}Mi" and limits["cpu"] == "1"
    assert "ephemeral-storage" in limits
    assert sent["spec"]["activeDeadlineSeconds"] == int(SandboxLimits().timeout_s)
    assert sent["spec"]["backoffLimit"] == 0


def test_the_runtime_class_is_one_the_cluster_is_given(sent: dict) -> None:
    classes = {d["metadata"]["name"]: d["handler"] for d in documents(DEPLOY / "sandbox" / "runtimeclasses.yaml")}
    assert classes == {"gvisor": "runsc", "kata": "kata-qemu"}
    assert sent["spec"]["template"]["spec"]["runtimeClassName"] == "gvisor"


def test_the_deny_all_policy_selects_the_sent_pod(sent: dict) -> None:
    policy = _one(DEPLOY / "sandbox" / "networkpolicy-deny-all.yaml")
    labels = sent["spec"]["template"]["metadata"]["labels"]
    selector = policy["spec"]["podSelector"]["matchLabels"]
    assert selector and selector.items() <= labels.items()
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["spec"]["ingress"] == [] and policy["spec"]["egress"] == []
    assert policy["metadata"]["namespace"] == sent["metadata"]["namespace"]


def test_the_sent_pod_mounts_the_exchange_claim_the_deploy_creates(sent: dict) -> None:
    claim = _one(DEPLOY / "sandbox" / "exchange-pvc.yaml")
    pod = sent["spec"]["template"]["spec"]
    claims = [v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v]
    assert claims == [claim["metadata"]["name"]]
    assert claim["metadata"]["namespace"] == sent["metadata"]["namespace"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    # The code location may start, read and delete the Jobs and pods it sends, nothing else.
    role = next(d for d in documents(DEPLOY / "sandbox" / "rbac.yaml") if d["kind"] == "Role")
    granted = {(r, v) for rule in role["rules"] for r in rule["resources"] for v in rule["verbs"]}
    assert {("jobs", "create"), ("jobs", "delete"), ("pods/log", "get"), ("pods", "list")} <= granted
    assert not any(r in {"secrets", "configmaps"} for r, _ in granted)
