"""Kubernetes manifests for a sandbox run: pure functions from a job to plain dicts.

Two shapes of the same pod:
  * a batch/v1 Job (one pod per job, the job and its inputs in a ConfigMap), and
  * the agent-sandbox variant (kubernetes-sigs/agent-sandbox): a SandboxTemplate holding the
    pod, a SandboxWarmPool of pre-started pods, and one SandboxClaim per job.
Both run under a gVisor or Kata RuntimeClass, with a deny-all NetworkPolicy set explicitly,
non-root, a read-only root filesystem, no capabilities, the runtime's default seccomp
profile, no service-account token, resource limits and a deadline.
"""

from __future__ import annotations

import base64
import json
import math
import re

from sandbox_runtime.backends.base import sandbox_env
from sandbox_runtime.models import SandboxJob, SandboxLimits

DEFAULT_NAMESPACE = "agentic-sandbox"
DEFAULT_IMAGE = "ghcr.io/agentic-assets/sandbox-runner:0.1.0"
RUNNER_IN_IMAGE = "/app/sandbox_runtime/runner.py"
PYTHON_IN_IMAGE = "/app/.venv/bin/python"
SANDBOX_UID = 65532
COMPONENT_LABEL = "app.kubernetes.io/component"
COMPONENT = "sandbox-job"
RUNTIME_HANDLERS = {"gvisor": "runsc", "kata": "kata-qemu"}
AGENT_SANDBOX_API = "extensions.agents.x-k8s.io/v1alpha1"
TTL_AFTER_FINISHED_S = 300
# A ConfigMap holds at most 1 MiB; base64 costs a third.
CONFIGMAP_MAX_BYTES = 1_000_000


def _labels(name: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "agentic-assets",
        COMPONENT_LABEL: COMPONENT,
        "agentic-assets/sandbox-run": name,
    }


def dns_name(text: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return cleaned[:63].rstrip("-") or "sandbox"


def runtime_class(name: str = "gvisor") -> dict:
    if name not in RUNTIME_HANDLERS:
        raise ValueError(f"runtime class must be one of {', '.join(RUNTIME_HANDLERS)}")
    return {
        "apiVersion": "node.k8s.io/v1",
        "kind": "RuntimeClass",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/name": "agentic-assets"}},
        "handler": RUNTIME_HANDLERS[name],
    }


def deny_all_network_policy(namespace: str = DEFAULT_NAMESPACE) -> dict:
    """No ingress, no egress, for every sandbox pod: written out, not left to a default."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "sandbox-deny-all", "namespace": namespace},
        "spec": {
            "podSelector": {"matchLabels": {COMPONENT_LABEL: COMPONENT}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [],
            "egress": [],
        },
    }


def _security_context() -> dict:
    return {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": SANDBOX_UID,
        "runAsGroup": SANDBOX_UID,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def pod_spec(
    limits: SandboxLimits,
    *,
    image: str = DEFAULT_IMAGE,
    runtime: str = "gvisor",
    args: list[str],
    job_configmap: str | None = None,
    restart_policy: str = "Never",
    stdin: bool = False,
) -> dict:
    memory = f"{limits.memory_mb}Mi"
    volumes: list[dict] = [
        {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
        {"name": "out", "emptyDir": {"sizeLimit": f"{limits.max_output_mb}Mi"}},
    ]
    mounts = [{"name": "tmp", "mountPath": "/tmp"}, {"name": "out", "mountPath": "/out"}]
    if job_configmap:
        volumes.append({"name": "job", "configMap": {"name": job_configmap, "defaultMode": 0o444}})
        mounts.append({"name": "job", "mountPath": "/job", "readOnly": True})
    container = {
        "name": "runner",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": [PYTHON_IN_IMAGE, "-I", RUNNER_IN_IMAGE],
        "args": args,
        "env": [{"name": k, "value": v} for k, v in sandbox_env().items()],
        "securityContext": _security_context(),
        "resources": {
            "limits": {"cpu": "1", "memory": memory, "ephemeral-storage": f"{limits.max_output_mb + 64}Mi"},
            "requests": {"cpu": "250m", "memory": memory, "ephemeral-storage": "64Mi"},
        },
        "volumeMounts": mounts,
        "workingDir": "/tmp",
    }
    if stdin:
        container.update({"stdin": True, "stdinOnce": True, "tty": False})
    return {
        "runtimeClassName": runtime,
        "restartPolicy": restart_policy,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "hostNetwork": False,
        "hostPID": False,
        "hostIPC": False,
        "dnsPolicy": "None",
        "dnsConfig": {"nameservers": ["127.0.0.1"]},  # no resolver: nothing to resolve anyway
        "terminationGracePeriodSeconds": 0,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": SANDBOX_UID,
            "runAsGroup": SANDBOX_UID,
            "fsGroup": SANDBOX_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
        "volumes": volumes,
    }


def job_payload(job: SandboxJob, spec: dict) -> dict:
    """The runner's job line with the inputs inline (there is no shared disk with a pod)."""
    inline = {name: base64.b64encode(path.read_bytes()).decode() for name, path in job.inputs.items()}
    return {**spec, "inputs": {}, "inputs_inline": inline, "emit_output": True}


def job_configmap(name: str, payload: dict, namespace: str = DEFAULT_NAMESPACE) -> dict:
    text = json.dumps(payload)
    if len(text) > CONFIGMAP_MAX_BYTES:
        raise ValueError(
            f"the job and its inputs are {len(text)} bytes; the Kubernetes backend carries them in a "
            f"ConfigMap (at most {CONFIGMAP_MAX_BYTES}); sample the inputs down or use a local backend"
        )
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": _labels(name)},
        "immutable": True,
        "data": {"job.json": text},
    }


def batch_job(
    name: str,
    limits: SandboxLimits,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    image: str = DEFAULT_IMAGE,
    runtime: str = "gvisor",
) -> dict:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": namespace, "labels": _labels(name)},
        "spec": {
            "backoffLimit": 0,
            "completions": 1,
            "parallelism": 1,
            "activeDeadlineSeconds": max(1, math.ceil(limits.timeout_s)),
            "ttlSecondsAfterFinished": TTL_AFTER_FINISHED_S,
            "template": {
                "metadata": {"labels": _labels(name)},
                "spec": pod_spec(
                    limits,
                    image=image,
                    runtime=runtime,
                    args=["--job-file", "/job/job.json"],
                    job_configmap=name,
                ),
            },
        },
    }


def job_manifests(
    job: SandboxJob,
    spec: dict,
    name: str,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    image: str = DEFAULT_IMAGE,
    runtime: str = "gvisor",
) -> list[dict]:
    """Everything one Job run needs, in creation order."""
    return [
        deny_all_network_policy(namespace),
        job_configmap(name, job_payload(job, spec), namespace),
        batch_job(name, job.limits, namespace=namespace, image=image, runtime=runtime),
    ]


# -- the agent-sandbox variant --------------------------------------------------------------------


def sandbox_template(
    limits: SandboxLimits,
    *,
    name: str = "agentic-assets-runner",
    namespace: str = DEFAULT_NAMESPACE,
    image: str = DEFAULT_IMAGE,
    runtime: str = "gvisor",
) -> dict:
    """Pods that pre-import DuckDB and pyarrow, then wait for one job line on stdin (attach)."""
    return {
        "apiVersion": AGENT_SANDBOX_API,
        "kind": "SandboxTemplate",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "podTemplate": {
                "metadata": {"labels": _labels(name)},
                "spec": pod_spec(
                    limits, image=image, runtime=runtime, args=["--preload"], restart_policy="Never", stdin=True
                ),
            },
            "networkPolicyManagement": "Managed",
            "networkPolicy": {"ingress": [], "egress": []},
        },
    }


def sandbox_warm_pool(
    replicas: int, *, template: str = "agentic-assets-runner", namespace: str = DEFAULT_NAMESPACE
) -> dict:
    return {
        "apiVersion": AGENT_SANDBOX_API,
        "kind": "SandboxWarmPool",
        "metadata": {"name": f"{template}-pool", "namespace": namespace},
        "spec": {"replicas": replicas, "sandboxTemplateRef": {"name": template}},
    }


def sandbox_claim(name: str, *, template: str = "agentic-assets-runner", namespace: str = DEFAULT_NAMESPACE) -> dict:
    return {
        "apiVersion": AGENT_SANDBOX_API,
        "kind": "SandboxClaim",
        "metadata": {"name": name, "namespace": namespace, "labels": _labels(name)},
        "spec": {
            "sandboxTemplateRef": {"name": template},
            "warmpool": f"{template}-pool",
            "lifecycle": {"shutdownPolicy": "Delete"},
        },
    }
