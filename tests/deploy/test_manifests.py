"""Every Kubernetes object under deploy/ validates with kubernetes-validate --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest

from sandbox_runtime.backends import k8s_manifests as m
from tests.deploy.conftest import DEPLOY, K8S_VERSION, documents, strict

# Files that are not Kubernetes objects: the Dagster instance, the chart's values and schema.
NOT_MANIFESTS = {DEPLOY / "dagster.yaml", DEPLOY / "helm" / "values.yaml"}
MANIFEST_FILES = sorted(p for p in DEPLOY.rglob("*.yaml") if p not in NOT_MANIFESTS)
AGENT_SANDBOX_KINDS = {"SandboxTemplate", "SandboxWarmPool"}


def test_the_deploy_folder_has_what_an_operator_applies() -> None:
    kinds = {d["kind"] for p in MANIFEST_FILES for d in documents(p)}
    assert {
        "RuntimeClass", "NetworkPolicy", "PersistentVolumeClaim", "Role", "RoleBinding", "PodTemplate",
        "SandboxTemplate", "SandboxWarmPool", "ConfigMap", "Deployment", "Service",
    } <= kinds  # fmt: skip


@pytest.mark.parametrize("path", MANIFEST_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_manifest_validates_strictly(path: Path) -> None:
    for doc in documents(path):
        if doc["kind"] in AGENT_SANDBOX_KINDS:
            # agent-sandbox CRDs have no schema in Kubernetes; the pod they carry is validated.
            assert doc["apiVersion"] == m.AGENT_SANDBOX_API
            if doc["kind"] == "SandboxTemplate":
                strict({"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"},
                        "template": doc["spec"]["podTemplate"]})  # fmt: skip
            continue
        strict(doc)


def test_strict_validation_rejects_an_unknown_field() -> None:
    [template] = documents(DEPLOY / "sandbox" / "sandbox-job-pod.yaml")
    template["template"]["spec"]["containers"][0]["securityContxt"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        strict(template)


def test_the_sandbox_manifests_are_the_ones_the_backend_builds(tmp_path: Path) -> None:
    # deploy/sandbox/ is written by the manifest module; it must not drift from it.
    subprocess.run([sys.executable, "-m", "sandbox_runtime.backends.k8s_manifests", str(tmp_path)], check=True)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in (DEPLOY / "sandbox").glob("*.yaml"))
    for name in written:
        assert (DEPLOY / "sandbox" / name).read_text() == (tmp_path / name).read_text(), (
            f"deploy/sandbox/{name} is stale: run python -m sandbox_runtime.backends.k8s_manifests deploy/sandbox"
        )


def test_kubernetes_validate_command_line_agrees(tmp_path: Path) -> None:
    # The same check an operator runs: kubernetes-validate --strict on the files themselves.
    files = [str(p) for p in MANIFEST_FILES if not any(d["kind"] in AGENT_SANDBOX_KINDS for d in documents(p))]
    result = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", "-k", K8S_VERSION, "--quiet", *files],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
