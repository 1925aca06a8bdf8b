"""Kubernetes manifests: validated with kubernetes-validate --strict, security fields one by one."""

from __future__ import annotations

import kubernetes_validate
import pytest

from sandbox_runtime import SandboxLimits
from sandbox_runtime.backends import k8s_manifests as m

K8S_VERSION = "1.33.0"
LIMITS = SandboxLimits(memory_mb=768, timeout_s=45, max_output_mb=128)


def strict(manifest: dict) -> None:
    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


@pytest.fixture
def job_manifests() -> list[dict]:
    return m.job_manifests("sandbox-test", LIMITS, runtime="gvisor")


def assert_pod_is_locked_down(pod: dict, runtime: str = "gvisor", writable_mounts: set[str] | None = None) -> None:
    assert pod["runtimeClassName"] == runtime
    assert pod["automountServiceAccountToken"] is False
    assert pod["hostNetwork"] is False and pod["hostPID"] is False and pod["hostIPC"] is False
    assert pod["enableServiceLinks"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    [container] = pod["containers"]
    ctx = container["securityContext"]
    assert ctx["runAsNonRoot"] is True
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx["privileged"] is False
    assert ctx["capabilities"] == {"drop": ["ALL"]}
    assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["resources"]["limits"]["memory"] == "768Mi"
    assert container["resources"]["limits"]["cpu"] == "1"
    assert "ephemeral-storage" in container["resources"]["limits"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["ARROW_DEFAULT_MEMORY_POOL"] == "system"
    writable = {v["mountPath"] for v in container["volumeMounts"] if not v.get("readOnly")}
    assert writable == (writable_mounts or {"/tmp", "/out"})
    assert not any("hostPath" in v for v in pod["volumes"])


def test_every_job_manifest_validates_strictly(job_manifests: list[dict]) -> None:
    assert [x["kind"] for x in job_manifests] == ["NetworkPolicy", "Job"]
    for manifest in [*job_manifests, m.runtime_class("gvisor"), m.runtime_class("kata")]:
        strict(manifest)


def test_strict_validation_catches_a_typo(job_manifests: list[dict]) -> None:
    broken = job_manifests[1]
    broken["spec"]["template"]["spec"]["containers"][0]["securityContxt"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        strict(broken)


def test_job_security_fields(job_manifests: list[dict]) -> None:
    batch = job_manifests[1]
    assert batch["spec"]["activeDeadlineSeconds"] == 45
    assert batch["spec"]["ttlSecondsAfterFinished"] == m.TTL_AFTER_FINISHED_S
    assert batch["spec"]["backoffLimit"] == 0
    pod = batch["spec"]["template"]["spec"]
    assert_pod_is_locked_down(pod, writable_mounts={"/tmp", "/out", "/report"})
    assert pod["restartPolicy"] == "Never"
    assert batch["spec"]["template"]["metadata"]["labels"][m.COMPONENT_LABEL] == m.COMPONENT


def test_network_policy_denies_everything_explicitly(job_manifests: list[dict]) -> None:
    policy = job_manifests[0]["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["ingress"] == [] and policy["egress"] == []
    assert policy["podSelector"] == {"matchLabels": {m.COMPONENT_LABEL: m.COMPONENT}}


def test_runtime_classes() -> None:
    assert m.runtime_class("gvisor")["handler"] == "runsc"
    assert m.runtime_class("kata")["handler"] == "kata-qemu"
    with pytest.raises(ValueError):
        m.runtime_class("runc")


def test_the_run_sees_only_its_own_folders_of_the_exchange_volume(job_manifests: list[dict]) -> None:
    pod = job_manifests[1]["spec"]["template"]["spec"]
    assert {"name": "exchange", "persistentVolumeClaim": {"claimName": m.DEFAULT_EXCHANGE_CLAIM}} in pod["volumes"]
    [container] = pod["containers"]
    exchange = {v["mountPath"]: v for v in container["volumeMounts"] if v["name"] == "exchange"}
    assert {path: (v["subPath"], v["readOnly"]) for path, v in exchange.items()} == {
        "/in": ("runs/sandbox-test/in", True),
        "/job": ("runs/sandbox-test/job", True),
        "/out": ("runs/sandbox-test/out", False),
        "/report": ("runs/sandbox-test/report", False),
    }
    assert container["args"] == ["--job-file", "/job/job.json"]
    assert container["command"][-3:] == [m.PYTHON_IN_IMAGE, "-I", m.RUNNER_IN_IMAGE]
    assert not any("configMap" in v for v in pod["volumes"])


def test_agent_sandbox_variant() -> None:
    template = m.sandbox_template(LIMITS, runtime="kata")
    pool = m.sandbox_warm_pool(3)
    claim = m.sandbox_claim("sandbox-claim-1")
    assert template["apiVersion"] == pool["apiVersion"] == claim["apiVersion"] == m.AGENT_SANDBOX_API
    assert pool["spec"] == {"replicas": 3, "sandboxTemplateRef": {"name": template["metadata"]["name"]}}
    assert claim["spec"]["sandboxTemplateRef"] == {"name": template["metadata"]["name"]}
    assert template["spec"]["networkPolicy"] == {"ingress": [], "egress": []}
    assert template["spec"]["networkPolicyManagement"] == "Managed"
    pod_template = template["spec"]["podTemplate"]
    assert_pod_is_locked_down(pod_template["spec"], runtime="kata")
    assert pod_template["spec"]["containers"][0]["stdin"] is True
    # The CRDs are not in the Kubernetes schemas; the pod they carry is validated as a PodTemplate.
    strict({"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"}, "template": pod_template})
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        strict(claim)
