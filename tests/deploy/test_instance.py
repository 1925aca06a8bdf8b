"""deploy/dagster.yaml loads into a DagsterInstance with dagster-k8s' K8sRunLauncher, and the
code location's jobs take dagster-k8s' k8s_job_executor when AGENTIC_ASSETS_EXECUTOR=k8s."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import kubernetes
import pytest
import yaml
from dagster._core.instance.config import dagster_instance_config
from dagster_k8s import K8sRunLauncher, k8s_job_executor

from agentic_assets.executors import EXECUTOR_ENV, executor_from_env
from tests.deploy.conftest import DEPLOY


@pytest.fixture
def in_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a pod sees of its service account; no API server is contacted by loading it."""
    from kubernetes.config import incluster_config

    token, cert = tmp_path / "token", tmp_path / "ca.crt"
    token.write_text("test-token")
    cert.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(cert))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")


def test_the_whole_instance_file_matches_dagsters_schema(tmp_path: Path) -> None:
    shutil.copy(DEPLOY / "dagster.yaml", tmp_path / "dagster.yaml")
    config, _ = dagster_instance_config(str(tmp_path))
    assert "postgres" in config["storage"]
    assert config["run_launcher"]["class"] == "K8sRunLauncher"


def test_the_k8s_run_launcher_loads_in_a_dagster_instance(tmp_path: Path, in_cluster: None) -> None:
    # PostgreSQL cannot run here: the storage section becomes a temporary SQLite one, and the
    # run launcher, coordinator and compute-log sections are loaded exactly as written.
    config = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    config["storage"] = {"sqlite": {"base_dir": str(tmp_path / "storage")}}
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        launcher = instance.run_launcher
        assert isinstance(launcher, K8sRunLauncher)
        assert launcher.job_namespace == "agentic-assets"
        assert launcher.load_incluster_config is True
        assert launcher.dagster_home == "/opt/dagster/dagster_home"
        assert [v["name"] for v in launcher.volumes] == ["agentic-data", "sandbox-exchange"]
        assert launcher.security_context["readOnlyRootFilesystem"] is True
        assert launcher.labels == {"agentic-assets/spark-client": "true"}
        # The in-cluster credentials were what the kubernetes client was configured with.
        configuration = kubernetes.client.Configuration.get_default_copy()
        assert configuration.host == "https://10.0.0.1:443"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"


class RecordingBatchApi:
    """The batch API at the client boundary: keeps what the run launcher sends."""

    def __init__(self) -> None:
        self.jobs: list[dict] = []
        self.namespaces: list[str] = []

    def create_namespaced_job(self, body: object, namespace: str, **_: object) -> None:
        self.jobs.append(kubernetes.client.ApiClient().sanitize_for_serialization(body))
        self.namespaces.append(namespace)


def test_the_run_worker_job_the_launcher_sends_validates_strictly(tmp_path: Path, in_cluster: None) -> None:
    """dagster-k8s builds the run worker's Job from deploy/dagster.yaml; that object is what
    the cluster would receive, so it is validated and its pod checked like the sandbox's."""
    from dagster._core.code_pointer import ModuleCodePointer
    from dagster._core.launcher import LaunchRunContext
    from dagster._core.origin import JobPythonOrigin, RepositoryPythonOrigin
    from dagster._core.storage.dagster_run import DagsterRun
    from dagster_k8s.client import DagsterKubernetesClient

    from sandbox_runtime.backends import k8s_manifests as m
    from tests.deploy.conftest import strict

    config = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    config["storage"] = {"sqlite": {"base_dir": str(tmp_path / "storage")}}
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    origin = JobPythonOrigin(
        "materialize_all",
        RepositoryPythonOrigin(
            executable_path=m.PYTHON_IN_IMAGE,
            code_pointer=ModuleCodePointer("agentic_assets.definitions", "defs", working_directory=m.APP_DIR_IN_IMAGE),
            container_image=m.DEFAULT_IMAGE,
        ),
    )
    recorder = RecordingBatchApi()
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        launcher = instance.run_launcher
        launcher._api_client = DagsterKubernetesClient.production_client(batch_api_override=recorder)
        run = instance.add_run(DagsterRun(job_name="materialize_all", job_code_origin=origin))
        launcher.launch_run(LaunchRunContext(dagster_run=run, workspace=None))
    [job] = recorder.jobs
    strict(job)
    assert recorder.namespaces == [m.DEFAULT_NAMESPACE]
    assert job["spec"]["ttlSecondsAfterFinished"] == 3600 and job["spec"]["backoffLimit"] == 0
    pod = job["spec"]["template"]["spec"]
    [container], volumes = pod["containers"], pod["volumes"]
    assert container["image"] == m.DEFAULT_IMAGE
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["runAsUser"] == m.SANDBOX_UID
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    mounts = {v["name"]: v["mountPath"] for v in container["volumeMounts"]}
    assert {"agentic-data": "/data", "sandbox-exchange": "/exchange", "tmp": "/tmp"}.items() <= mounts.items()
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in volumes if "persistentVolumeClaim" in v}
    assert claims == {"agentic-data": "agentic-assets-data", "sandbox-exchange": m.DEFAULT_EXCHANGE_CLAIM}
    assert job["spec"]["template"]["metadata"]["labels"]["agentic-assets/spark-client"] == "true"
    assert {"configMapRef": {"name": "agentic-assets-env"}} in container["envFrom"]


def test_the_executor_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(EXECUTOR_ENV, raising=False)
    assert executor_from_env() is None
    monkeypatch.setenv(EXECUTOR_ENV, "k8s")
    assert executor_from_env() is k8s_job_executor
    monkeypatch.setenv(EXECUTOR_ENV, "in_process")
    assert executor_from_env() is dg.in_process_executor
    monkeypatch.setenv(EXECUTOR_ENV, "kubernetes")
    with pytest.raises(ValueError, match="AGENTIC_ASSETS_EXECUTOR='kubernetes'.*in_process, multiprocess, k8s"):
        executor_from_env()


def test_the_code_locations_jobs_use_the_k8s_executor_when_deployed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from agentic_assets.definitions import MATERIALIZE_ALL, build_definitions
    from agentic_assets.settings import Settings

    monkeypatch.setenv(EXECUTOR_ENV, "k8s")
    defs = build_definitions(Settings.from_env(data_dir=tmp_path / "data"))
    job = defs.resolve_job_def(MATERIALIZE_ALL)
    assert job.executor_def is k8s_job_executor
