"""Kubernetes manifests for a sandbox run: pure functions from a job to plain dicts.

Two shapes of the same pod:
  * a batch/v1 Job (one pod per job). Its inputs, its job line, its output and its report
    travel through the exchange volume, a ReadWriteMany PersistentVolumeClaim the code location
    also mounts: each run gets `runs/<name>/{in,job,out,report}` on it, and the pod sees only
    those four folders (subPath mounts; `in` and `job` read-only). No size limit but the
    volume's and the job's own output limit; nothing travels in a ConfigMap or in the log.
  * the agent-sandbox variant (kubernetes-sigs/agent-sandbox): a SandboxTemplate holding the
    pod, a SandboxWarmPool of pre-started pods, and one SandboxClaim per job.
Both run under a gVisor or Kata RuntimeClass, with a deny-all NetworkPolicy set explicitly,
non-root, a read-only root filesystem, no capabilities, the runtime's default seccomp
profile, no service-account token, resource limits and a deadline.

`python -m sandbox_runtime.backends.k8s_manifests DIR` writes the cluster-wide objects an
operator applies once (deploy/sandbox/); a test keeps those files equal to this module.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

from sandbox_runtime.backends.base import sandbox_env
from sandbox_runtime.models import SandboxLimits

# Sandboxes run beside the code location, in its namespace: the exchange volume is a
# namespaced PersistentVolumeClaim both must mount. The deny-all policy selects only them.
DEFAULT_NAMESPACE = "agentic-assets"
DEFAULT_IMAGE = "ghcr.io/agentic-assets/agentic-assets:0.1.0"
DEFAULT_EXCHANGE_CLAIM = "agentic-sandbox-exchange"
APP_DIR_IN_IMAGE = "/app"
RUNNER_IN_IMAGE = f"{APP_DIR_IN_IMAGE}/sandbox_runtime/runner.py"
PYTHON_IN_IMAGE = f"{APP_DIR_IN_IMAGE}/.venv/bin/python"
SANDBOX_UID = 65532
CONTAINER_NAME = "runner"
COMPONENT_LABEL = "app.kubernetes.io/component"
COMPONENT = "sandbox-job"
RUN_LABEL = "agentic-assets/sandbox-run"
RUNTIME_HANDLERS = {"gvisor": "runsc", "kata": "kata-qemu"}
AGENT_SANDBOX_API = "extensions.agents.x-k8s.io/v1alpha1"
TTL_AFTER_FINISHED_S = 300
# The four folders of one run on the exchange volume, and where the pod sees them.
EXCHANGE_FOLDERS = {"in": "/in", "job": "/job", "out": "/out", "report": "/report"}
READ_ONLY_FOLDERS = {"in", "job"}
JOB_FILE = "job.json"
REPORT_FILE = "report.json"
# The runner writes its report on its stdout; the shell sends that to the report folder, so
# the pod log holds only the job's stderr (the local backends keep the two apart the same way).
REPORT_REDIRECT = 'exec "$@" > /report/' + REPORT_FILE
# A placeholder run name, for the reference pod template in deploy/sandbox/.
TEMPLATE_RUN = "run-name"


def _labels(name: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "agentic-assets",
        COMPONENT_LABEL: COMPONENT,
        RUN_LABEL: name,
    }


def dns_name(text: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return cleaned[:63].rstrip("-") or "sandbox"


def run_folder(name: str) -> str:
    """The run's folder on the exchange volume, relative to its root."""
    return f"runs/{name}"


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


def exchange_claim(
    name: str = DEFAULT_EXCHANGE_CLAIM, *, namespace: str = DEFAULT_NAMESPACE, size: str = "50Gi"
) -> dict:
    """The volume the code location and its sandbox pods share (pods on any node: ReadWriteMany)."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": "agentic-assets"}},
        "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": size}}},
    }


def launcher_role(namespace: str = DEFAULT_NAMESPACE, *, service_account: str = "agentic-assets") -> list[dict]:
    """What the code location (and its run workers) may do: start, watch and delete sandbox Jobs."""
    rules = [
        {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["create", "get", "list", "watch", "delete"]},
        {"apiGroups": ["batch"], "resources": ["jobs/status"], "verbs": ["get"]},
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch", "delete"]},
        {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
        {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": ["get", "create"]},
    ]
    meta = {"name": "agentic-sandbox-launcher", "namespace": namespace}
    return [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta, "rules": rules},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": meta["name"]},
            "subjects": [{"kind": "ServiceAccount", "name": service_account, "namespace": namespace}],
        },
    ]


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


def _exchange_mounts(name: str) -> list[dict]:
    folder = run_folder(name)
    return [
        {"name": "exchange", "mountPath": path, "subPath": f"{folder}/{sub}", "readOnly": sub in READ_ONLY_FOLDERS}
        for sub, path in EXCHANGE_FOLDERS.items()
    ]


def pod_spec(
    limits: SandboxLimits,
    *,
    image: str = DEFAULT_IMAGE,
    runtime: str = "gvisor",
    args: list[str],
    exchange: tuple[str, str] | None = None,
    restart_policy: str = "Never",
    stdin: bool = False,
) -> dict:
    """`exchange`: (claim, run name) mounts that run's folders of the exchange volume; without
    it (the agent-sandbox pods, which get their job on stdin) `/out` is a private emptyDir."""
    memory = f"{limits.memory_mb}Mi"
    volumes: list[dict] = [{"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}]
    mounts = [{"name": "tmp", "mountPath": "/tmp"}]
    command = [PYTHON_IN_IMAGE, "-I", RUNNER_IN_IMAGE]
    if exchange:
        claim, name = exchange
        volumes.append({"name": "exchange", "persistentVolumeClaim": {"claimName": claim}})
        mounts.extend(_exchange_mounts(name))
        command = ["/bin/sh", "-c", REPORT_REDIRECT, "runner", *command]
    else:
        volumes.append({"name": "out", "emptyDir": {"sizeLimit": f"{limits.max_output_mb}Mi"}})
        mounts.append({"name": "out", "mountPath": "/out"})
    container = {
        "name": CONTAINER_NAME,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": command,
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


def job_pod_template(
    name: str,
    limits: SandboxLimits,
    *,
    image: str = DEFAULT_IMAGE,
    runtime: str = "gvisor",
    claim: str = DEFAULT_EXCHANGE_CLAIM,
) -> dict:
    """The pod of one sandbox Job: metadata and spec."""
    return {
        "metadata": {"labels": _labels(name)},
        "spec": pod_spec(
            limits, image=image, runtime=runtime, args=["--job-file", f"/job/{JOB_FILE}"], exchange=(claim, name)
        ),
    }


def batch_job(
    name: str,
    limits: SandboxLimits,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    image: str = DEFAULT_IMAGE,
    runtime: str = "gvisor",
    claim: str = DEFAULT_EXCHANGE_CLAIM,
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
            "template": job_pod_template(name, limits, image=image, runtime=runtime, claim=claim),
        },
    }


def job_manifests(
    name: str,
    limits: SandboxLimits,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    image: str = DEFAULT_IMAGE,
    runtime: str = "gvisor",
    claim: str = DEFAULT_EXCHANGE_CLAIM,
) -> list[dict]:
    """Everything one Job run needs, in creation order."""
    return [
        deny_all_network_policy(namespace),
        batch_job(name, limits, namespace=namespace, image=image, runtime=runtime, claim=claim),
    ]


def reference_pod_template(limits: SandboxLimits, *, namespace: str = DEFAULT_NAMESPACE) -> dict:
    """The pod every sandbox Job runs, for the operator to read (its run name: run-name)."""
    return {
        "apiVersion": "v1",
        "kind": "PodTemplate",
        "metadata": {"name": "agentic-sandbox-job", "namespace": namespace},
        "template": job_pod_template(TEMPLATE_RUN, limits),
    }


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


def deploy_objects(limits: SandboxLimits | None = None) -> dict[str, list[dict]]:
    """The objects an operator applies once, by file name under deploy/sandbox/."""
    limits = limits or SandboxLimits()
    return {
        "runtimeclasses.yaml": [runtime_class("gvisor"), runtime_class("kata")],
        "networkpolicy-deny-all.yaml": [deny_all_network_policy()],
        "exchange-pvc.yaml": [exchange_claim()],
        "rbac.yaml": launcher_role(),
        "sandbox-job-pod.yaml": [reference_pod_template(limits)],
        "agent-sandbox.yaml": [sandbox_template(limits), sandbox_warm_pool(2)],
    }


def render_yaml(objects: list[dict]) -> str:
    import yaml

    header = "# Generated by `python -m sandbox_runtime.backends.k8s_manifests deploy/sandbox`; do not edit.\n"
    return header + "---\n".join(yaml.safe_dump(o, sort_keys=False) for o in objects)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m sandbox_runtime.backends.k8s_manifests DIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for filename, objects in deploy_objects().items():
        (folder / filename).write_text(render_yaml(objects), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
