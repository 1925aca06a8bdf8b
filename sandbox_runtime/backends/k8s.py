"""The Kubernetes backend: one batch/v1 Job per job under a gVisor (or Kata) RuntimeClass.

Jobs are created, awaited, read and deleted with dagster-k8s' `DagsterKubernetesClient` (the
client `execute_k8s_job`, the k8s executor and the run launcher are built on, with their
retries on transient API errors). `execute_k8s_job` and `PipesK8sClient` themselves need a
Dagster op or asset context, and sandbox runs also happen outside any run (the codegen
agent, repair validation), so the backend drives the client with the pod spec from
`k8s_manifests`.

Inputs, the job line, the output and the report travel through the exchange volume (see
`k8s_manifests`): the code location writes `runs/<name>/in` and `job`, the pod writes `out`
and `report`, and the host takes them back with the same untrusted-output rules as a local
sandbox (no symlinks followed, regular files only, size-checked). The pod log holds only
the job's stderr.

Settings: AGENTIC_ASSETS_SANDBOX_EXCHANGE_DIR (where this process mounts the exchange
volume; required), AGENTIC_ASSETS_SANDBOX_EXCHANGE_CLAIM, AGENTIC_ASSETS_SANDBOX_IMAGE,
AGENTIC_ASSETS_SANDBOX_NAMESPACE, AGENTIC_ASSETS_SANDBOX_RUNTIME_CLASS (gvisor | kata).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox_runtime.backends import k8s_manifests as m
from sandbox_runtime.backends.base import Backend
from sandbox_runtime.models import SandboxJob, SandboxLimits, SandboxVerdict
from sandbox_runtime.process import REPORT_MAX_BYTES, STDERR_TAIL_BYTES, RawOutcome
from sandbox_runtime.rundir import RunDir

if TYPE_CHECKING:
    from dagster_k8s.client import DagsterKubernetesClient

EXCHANGE_DIR_ENV = "AGENTIC_ASSETS_SANDBOX_EXCHANGE_DIR"
# Time a pod may spend being scheduled and pulling its image on top of the job's own wall
# clock (activeDeadlineSeconds counts from the Job's start, so it includes that time too).
SCHEDULING_MARGIN_S = 120.0
POLL_S = 1.0
# Lines of the pod log read back: its end is all the verdict keeps (STDERR_TAIL_BYTES).
LOG_TAIL_LINES = 200


def cluster_configured() -> bool:
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return True
    kubeconfig = os.environ.get("KUBECONFIG")
    if kubeconfig:
        return any(Path(p).is_file() for p in kubeconfig.split(os.pathsep) if p)
    return (Path.home() / ".kube" / "config").is_file()


class ExchangeRun(RunDir):
    """One run's folders on the exchange volume; the verdict reads them like a local run dir."""

    def __init__(self, exchange_root: Path, name: str) -> None:
        # Not RunDir.__init__: the folders live on the shared volume, not in a private temp dir.
        self.root = exchange_root / m.run_folder(name)
        self.uid, self.gid = os.getuid(), os.getgid()
        self.inputs, self.outputs = self.root / "in", self.root / "out"
        self.job, self.report = self.root / "job", self.root / "report"
        self.stage = self.root / "stage"
        # No owner lock or sized tmpfs here: the volume is the cluster's, and the Job's own
        # limits and the volume's quota bound what the pod writes.
        self._lock = None
        self.sized = False
        self.root.mkdir(parents=True)
        for folder in (self.inputs, self.job):
            folder.mkdir(mode=0o755)
            os.chmod(folder, 0o755)
        # The pod runs as the sandbox uid; when this process is root it hands it the two
        # folders it may write, otherwise both run as the same uid (deploy/helm/values.yaml).
        for folder in (self.outputs, self.report):
            folder.mkdir(mode=0o700)
            if os.geteuid() == 0:
                os.chown(folder, m.SANDBOX_UID, m.SANDBOX_UID)

    def write_job(self, spec: dict) -> None:
        path = self.job / m.JOB_FILE
        path.write_text(json.dumps(spec), encoding="utf-8")
        os.chmod(path, 0o644)

    def read_report(self) -> dict | None:
        """The runner's report, if it left a regular file within the size limit."""
        try:
            fd = os.open(self.report / m.REPORT_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            text = fh.read(REPORT_MAX_BYTES).decode("utf-8", "replace")
        for line in reversed(text.splitlines()):
            with contextlib.suppress(ValueError):
                report = json.loads(line)
                if isinstance(report, dict) and "status" in report:
                    return report
        return None


def _exit_status(code: int | None) -> int | None:
    # A container killed by signal N exits 128+N; the verdict wants -N, as locally.
    if code is not None and code > 128:
        return -(code - 128)
    return code


class KubernetesBackend(Backend):
    name = "k8s"
    remote = True

    def __init__(self, client: DagsterKubernetesClient | None = None, networking_api: object | None = None) -> None:
        """`client`, `networking_api`: given, they are used as they are (no kube config is loaded)."""
        self.namespace = os.environ.get("AGENTIC_ASSETS_SANDBOX_NAMESPACE", m.DEFAULT_NAMESPACE)
        self.image = os.environ.get("AGENTIC_ASSETS_SANDBOX_IMAGE", m.DEFAULT_IMAGE)
        self.runtime = os.environ.get("AGENTIC_ASSETS_SANDBOX_RUNTIME_CLASS", "gvisor")
        self.claim = os.environ.get("AGENTIC_ASSETS_SANDBOX_EXCHANGE_CLAIM", m.DEFAULT_EXCHANGE_CLAIM)
        exchange = os.environ.get(EXCHANGE_DIR_ENV)
        self.exchange_root = Path(exchange) if exchange else None
        self._client = client
        self._networking = networking_api

    def unavailable_reason(self) -> str | None:
        try:
            import dagster_k8s  # noqa: F401
            import kubernetes  # noqa: F401
        except ImportError:
            return "dagster-k8s is not installed (`uv add dagster-k8s`)"
        if self._client is None and not cluster_configured():
            return (
                "no Kubernetes cluster is configured (set KUBECONFIG, create ~/.kube/config, or run "
                "inside a pod); locally use --backend bwrap (`apt-get install -y bubblewrap`)"
            )
        if self.exchange_root is None or not self.exchange_root.is_dir():
            return (
                f"{EXCHANGE_DIR_ENV} must name the folder where this process mounts the sandbox exchange "
                f"volume (PersistentVolumeClaim {self.claim!r}, deploy/sandbox/exchange-pvc.yaml)"
            )
        return None

    def start(self, limits: SandboxLimits, *, preload: bool):  # noqa: ANN201
        raise NotImplementedError("the k8s backend runs whole jobs (run()); its warm pool is a SandboxWarmPool")

    def manifests(self, name: str, limits: SandboxLimits) -> list[dict]:
        return m.job_manifests(
            name, limits, namespace=self.namespace, image=self.image, runtime=self.runtime, claim=self.claim
        )

    def client(self) -> DagsterKubernetesClient:
        if self._client is None:
            from dagster_k8s.client import DagsterKubernetesClient
            from kubernetes import config

            if os.environ.get("KUBERNETES_SERVICE_HOST"):
                config.load_incluster_config()
            else:
                config.load_kube_config()
            self._client = DagsterKubernetesClient.production_client()
        return self._client

    def networking(self):  # noqa: ANN201 - a kubernetes.client.NetworkingV1Api
        if self._networking is None:
            from kubernetes import client

            self.client()  # loads the kube config
            self._networking = client.NetworkingV1Api()
        return self._networking

    def run(self, job: SandboxJob, dest: Path) -> SandboxVerdict:
        self.ensure_available()
        verdict = self._run(job, job.kind, dest)
        if verdict.ok and job.kind == "python" and job.checks:
            verdict = self._checks_in_fresh_pod(verdict, job)
        return verdict

    def _run(self, job: SandboxJob, kind: str, dest: Path | None) -> SandboxVerdict:
        from sandbox_runtime.execution import sandbox_spec
        from sandbox_runtime.verdict import build_verdict

        assert self.exchange_root is not None
        name = m.dns_name(f"sandbox-{uuid.uuid4().hex[:12]}")
        run = ExchangeRun(self.exchange_root, name)
        try:
            inputs = {table: run.add_input(table, path) for table, path in job.inputs.items()}
            run.write_job(sandbox_spec(job, kind, inputs))
            policy, batch = self.manifests(name, job.limits)
            api = self.client()
            self._ensure_policy(policy)
            started = time.monotonic()
            api.create_namespaced_job_with_retries(batch, self.namespace)
            try:
                outcome = self._wait(api, name, job.limits.timeout_s)
            finally:
                with contextlib.suppress(Exception):  # the Job's TTL removes it anyway
                    api.delete_job(name, self.namespace)
            outcome.seconds = time.monotonic() - started
            outcome.report = run.read_report()
            return build_verdict(outcome, run, job, dest, self.name)
        finally:
            run.remove()

    def _ensure_policy(self, policy: dict) -> None:
        """The deny-all policy is namespace-wide and usually applied once (deploy/sandbox/);
        it is created here when missing, so no sandbox pod ever starts without it."""
        from kubernetes.client.rest import ApiException

        net = self.networking()
        try:
            net.read_namespaced_network_policy(policy["metadata"]["name"], self.namespace)
        except ApiException as exc:
            if exc.status != 404:
                raise
            net.create_namespaced_network_policy(self.namespace, policy)

    def _wait(self, api: DagsterKubernetesClient, name: str, timeout_s: float) -> RawOutcome:
        from dagster_k8s.client import DagsterK8sError, DagsterK8sTimeoutError

        outcome = RawOutcome()
        try:
            api.wait_for_job_success(
                name, self.namespace, wait_timeout=timeout_s + SCHEDULING_MARGIN_S, wait_time_between_attempts=POLL_S
            )
        except DagsterK8sTimeoutError:
            outcome.timed_out = True
        except DagsterK8sError:
            pass  # a failed pod: its exit status and report say why
        status = api.get_job_status(name, self.namespace)
        if status is not None and any(c.reason == "DeadlineExceeded" for c in status.conditions or []):
            outcome.timed_out = True
        pods = api.get_pods_in_job(name, self.namespace)
        if not pods:
            outcome.timed_out = True
            return outcome
        pod = pods[0]
        for state in pod.status.container_statuses or []:
            terminated = state.state.terminated if state.state else None
            if state.name == m.CONTAINER_NAME and terminated is not None:
                outcome.exit_status = _exit_status(terminated.exit_code)
                if terminated.reason == "OOMKilled":
                    outcome.stderr_tail += "MemoryError: OOMKilled\n"
        with contextlib.suppress(Exception):  # a log that cannot be read loses only the stderr tail
            log = api.retrieve_pod_logs(
                pod.metadata.name, self.namespace, container_name=m.CONTAINER_NAME, tail_lines=LOG_TAIL_LINES
            )
            outcome.stderr_tail += log[-STDERR_TAIL_BYTES:]
        return outcome

    def _checks_in_fresh_pod(self, verdict: SandboxVerdict, job: SandboxJob) -> SandboxVerdict:
        """Python job code shared a process with the runner, so its own check report could be
        forged: the checks run again on its output in a pod it never touched."""
        from sandbox_runtime.verdict import apply_checks

        assert verdict.output_path is not None
        checks_job = job.model_copy(update={"inputs": {job.output_name: verdict.output_path}})
        checked = self._run(checks_job, "checks", None)
        if checked.check_results is None:
            verdict.ok, verdict.reason = False, "error" if checked.ok else checked.reason
            verdict.message = f"checks could not run: {checked.message}"
            verdict.stderr_tail = checked.stderr_tail
            return verdict
        apply_checks(verdict, checked.check_results)
        return verdict
