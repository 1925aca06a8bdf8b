"""The Kubernetes backend: one batch/v1 Job per job under a gVisor (or Kata) RuntimeClass.

Submitted with the official client when a cluster is configured (KUBECONFIG, ~/.kube/config
or in-cluster); otherwise it is unavailable and says so. The job line, inputs included,
travels in a ConfigMap; the report and the output come back in the pod's log.
Settings: AGENTIC_ASSETS_SANDBOX_IMAGE, AGENTIC_ASSETS_SANDBOX_NAMESPACE,
AGENTIC_ASSETS_SANDBOX_RUNTIME_CLASS (gvisor | kata).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
import uuid
from pathlib import Path

from sandbox_runtime.backends import k8s_manifests as m
from sandbox_runtime.backends.base import Backend
from sandbox_runtime.models import SandboxJob, SandboxLimits, SandboxVerdict
from sandbox_runtime.process import RawOutcome
from sandbox_runtime.rundir import RunDir

SCHEDULING_MARGIN_S = 120.0
POLL_S = 1.0


def cluster_configured() -> bool:
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return True
    kubeconfig = os.environ.get("KUBECONFIG")
    if kubeconfig:
        return any(Path(p).is_file() for p in kubeconfig.split(os.pathsep) if p)
    return (Path.home() / ".kube" / "config").is_file()


class KubernetesBackend(Backend):
    name = "k8s"
    remote = True

    def __init__(self) -> None:
        self.namespace = os.environ.get("AGENTIC_ASSETS_SANDBOX_NAMESPACE", m.DEFAULT_NAMESPACE)
        self.image = os.environ.get("AGENTIC_ASSETS_SANDBOX_IMAGE", m.DEFAULT_IMAGE)
        self.runtime = os.environ.get("AGENTIC_ASSETS_SANDBOX_RUNTIME_CLASS", "gvisor")

    def unavailable_reason(self) -> str | None:
        try:
            import kubernetes  # noqa: F401
        except ImportError:
            return "the `kubernetes` Python client is not installed (`uv add kubernetes`)"
        if not cluster_configured():
            return (
                "no Kubernetes cluster is configured (set KUBECONFIG, create ~/.kube/config, or run "
                "inside a pod); locally use --backend bwrap (`apt-get install -y bubblewrap`)"
            )
        return None

    def start(self, limits: SandboxLimits, *, preload: bool):  # noqa: ANN201
        raise NotImplementedError("the k8s backend runs whole jobs (run()); its warm pool is a SandboxWarmPool")

    def manifests(self, job: SandboxJob, spec: dict, name: str) -> list[dict]:
        return m.job_manifests(job, spec, name, namespace=self.namespace, image=self.image, runtime=self.runtime)

    def run(self, job: SandboxJob, dest: Path) -> SandboxVerdict:
        from kubernetes import client, config

        from sandbox_runtime.execution import sandbox_spec
        from sandbox_runtime.verdict import build_verdict

        self.ensure_available()
        if os.environ.get("KUBERNETES_SERVICE_HOST"):
            config.load_incluster_config()
        else:
            config.load_kube_config()
        name = m.dns_name(f"sandbox-{uuid.uuid4().hex[:12]}")
        policy, configmap, batch = self.manifests(job, sandbox_spec(job, job.kind, {}), name)
        core, net, jobs = client.CoreV1Api(), client.NetworkingV1Api(), client.BatchV1Api()
        with contextlib.suppress(client.ApiException):  # already there: same deny-all policy
            net.create_namespaced_network_policy(self.namespace, policy)
        core.create_namespaced_config_map(self.namespace, configmap)
        started = time.monotonic()
        try:
            jobs.create_namespaced_job(self.namespace, batch)
            outcome = self._wait(core, jobs, name, job.limits.timeout_s)
        finally:
            with contextlib.suppress(client.ApiException):
                jobs.delete_namespaced_job(name, self.namespace, propagation_policy="Background")
            with contextlib.suppress(client.ApiException):
                core.delete_namespaced_config_map(name, self.namespace)
        outcome.seconds = time.monotonic() - started
        rundir = RunDir(os.getuid(), os.getgid())
        try:
            encoded = (outcome.report or {}).pop("output_b64", None)
            if encoded:
                (rundir.outputs / "output.parquet").write_bytes(base64.b64decode(encoded))
            return build_verdict(outcome, rundir, job, dest, self.name)
        finally:
            rundir.remove()

    def _wait(self, core, jobs, name: str, timeout_s: float) -> RawOutcome:  # noqa: ANN001
        outcome = RawOutcome()
        deadline = time.monotonic() + timeout_s + SCHEDULING_MARGIN_S
        while time.monotonic() < deadline:
            status = jobs.read_namespaced_job_status(name, self.namespace).status
            if status.succeeded or status.failed:
                break
            time.sleep(POLL_S)
        else:
            outcome.timed_out = True
        pods = core.list_namespaced_pod(self.namespace, label_selector=f"job-name={name}").items
        if not pods:
            outcome.timed_out = True
            return outcome
        pod = pods[0]
        for state in pod.status.container_statuses or []:
            terminated = state.state.terminated
            if terminated is not None:
                outcome.exit_status = terminated.exit_code
                if terminated.reason == "OOMKilled":
                    outcome.stderr_tail += "MemoryError: OOMKilled\n"
        if any(c.reason == "DeadlineExceeded" for c in (jobs.read_namespaced_job_status(name, self.namespace)
                                                           .status.conditions or [])):  # fmt: skip
            outcome.timed_out = True
        log = core.read_namespaced_pod_log(pod.metadata.name, self.namespace)
        for line in reversed(log.splitlines()):
            with contextlib.suppress(ValueError):
                report = json.loads(line)
                if isinstance(report, dict) and "status" in report:
                    outcome.report = report
                    break
        outcome.stderr_tail += log[-8192:]
        return outcome
