"""A fake Kubernetes API at the client boundary, whose "kubelet" really runs the pod it is sent.

No API server can run here. The fake answers the calls dagster-k8s' DagsterKubernetesClient
makes with the official client's model objects, records every object it is sent, and runs
each Job's pod from its own spec: the container's command, args, env and working directory,
its volume mounts (the exchange volume's subPaths bound read-only or writable as the mount
says, tmpfs for emptyDirs), in a bubblewrap namespace without network. The image is the
project itself: /app/.venv and /app/sandbox_runtime are this environment's.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from kubernetes import client
from kubernetes.client.rest import ApiException

from sandbox_runtime.backends import k8s_manifests as m
from sandbox_runtime.backends.base import RUNNER


def _host_runtime_paths() -> tuple[str, ...]:
    """Host directories the runner needs, at their own paths: the fake kubelet stands in for
    the image, whose interpreter is where this environment's is."""
    import asset_checks

    candidates = [
        Path(sys.base_prefix),
        Path(sys.prefix),
        Path(sys.executable).resolve().parent.parent,
        RUNNER.parent,
        Path(asset_checks.__file__).resolve().parent,
    ]
    chosen: list[Path] = []
    for path in sorted({c.resolve() for c in candidates}, key=lambda p: len(p.parts)):
        if path == Path("/usr") or path.is_relative_to("/usr"):
            continue  # /usr is bound as a whole
        if not any(path.is_relative_to(parent) for parent in chosen):
            chosen.append(path)
    # Paths as the venv refers to them (symlinks unresolved) must also exist inside.
    for raw in (Path(sys.prefix), Path(sys.base_prefix)):
        if raw.resolve() != raw and not raw.is_relative_to("/usr"):
            chosen.append(raw)
    return tuple(str(p) for p in chosen)


def _bwrap_argv(pod: dict, exchange_root: Path, scratch: Path) -> list[str]:
    [container] = pod["containers"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    argv = ["bwrap", "--tmpfs", "/", "--ro-bind", "/usr", "/usr", "--dev", "/dev", "--proc", "/proc"]
    for link in ("bin", "lib", "lib64", "sbin"):
        if Path(f"/{link}").is_symlink():
            argv += ["--symlink", f"usr/{link}", f"/{link}"]
    # The image's layout (k8s_manifests.PYTHON_IN_IMAGE, RUNNER_IN_IMAGE) on this environment.
    argv += ["--ro-bind", sys.prefix, f"{m.APP_DIR_IN_IMAGE}/.venv"]
    argv += ["--ro-bind", str(RUNNER.parent), f"{m.APP_DIR_IN_IMAGE}/sandbox_runtime"]
    for mount in container["volumeMounts"]:
        volume = volumes[mount["name"]]
        if "emptyDir" in volume:
            if volume["emptyDir"].get("medium") == "Memory":
                argv += ["--tmpfs", mount["mountPath"]]
            else:
                folder = Path(tempfile.mkdtemp(dir=scratch))
                argv += ["--bind", str(folder), mount["mountPath"]]
        else:
            assert volume["persistentVolumeClaim"]["claimName"] == m.DEFAULT_EXCHANGE_CLAIM
            source = exchange_root / mount["subPath"]
            argv += ["--ro-bind" if mount.get("readOnly") else "--bind", str(source), mount["mountPath"]]
    # The host paths standing for the image go last: a pod's /tmp emptyDir must not hide a project that
    # lives under /tmp on this host.
    for path in _host_runtime_paths():
        argv += ["--ro-bind", path, path]
    # No user namespace: the host side handed out/ and report/ to the pod's uid, which this
    # process (root in tests) reaches only with its own capabilities.
    argv += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session"]
    argv += ["--clearenv"]
    for env in container["env"]:
        argv += ["--setenv", env["name"], env["value"]]
    argv += ["--chdir", container["workingDir"], "--", *container["command"], *container["args"]]
    return argv


@dataclass
class FakeCluster:
    exchange_root: Path
    scratch: Path
    created_jobs: list[dict] = field(default_factory=list)
    created_policies: list[dict] = field(default_factory=list)
    deleted_jobs: list[str] = field(default_factory=list)
    results: dict[str, tuple[int, str]] = field(default_factory=dict)
    deadline_exceeded: set[str] = field(default_factory=set)

    # -- batch/v1 ---------------------------------------------------------------------------------
    def create_namespaced_job(self, body: dict, namespace: str, **_: object) -> dict:
        assert body["metadata"]["namespace"] == namespace
        self.created_jobs.append(copy.deepcopy(body))
        name, pod = body["metadata"]["name"], body["spec"]["template"]["spec"]
        try:
            proc = subprocess.run(  # noqa: S603 - the pod's own command, inside bubblewrap
                _bwrap_argv(pod, self.exchange_root, self.scratch),
                capture_output=True, timeout=body["spec"]["activeDeadlineSeconds"],
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            # The Job controller kills the pod at activeDeadlineSeconds (SIGKILL: exit 137).
            self.deadline_exceeded.add(name)
            self.results[name] = (137, ((exc.stdout or b"") + (exc.stderr or b"")).decode())
            return body
        # The pod log is the container's stdout and stderr together, as a kubelet keeps it.
        self.results[name] = (proc.returncode, (proc.stdout + proc.stderr).decode())
        return body

    def list_namespaced_job(self, namespace: str, field_selector: str, **_: object) -> client.V1JobList:
        name = field_selector.removeprefix("metadata.name=")
        items = [client.V1Job(metadata=client.V1ObjectMeta(name=name))] if name in self.results else []
        return client.V1JobList(items=items)

    def read_namespaced_job_status(self, name: str, namespace: str, **_: object) -> client.V1Job:
        code, _log = self.results[name]
        status = client.V1JobStatus(active=0, succeeded=1 if code == 0 else None, failed=None if code == 0 else 1)
        if name in self.deadline_exceeded:
            status.conditions = [client.V1JobCondition(type="Failed", status="True", reason="DeadlineExceeded")]
        return client.V1Job(metadata=client.V1ObjectMeta(name=name), status=status)

    def delete_namespaced_job(self, name: str, namespace: str, **_: object) -> None:
        self.deleted_jobs.append(name)

    # -- core/v1 ----------------------------------------------------------------------------------
    def list_namespaced_pod(self, namespace: str, label_selector: str, **_: object) -> client.V1PodList:
        name = label_selector.removeprefix("job-name=")
        code, _log = self.results[name]
        terminated = client.V1ContainerStateTerminated(exit_code=code, reason="Completed" if code == 0 else "Error")
        status = client.V1ContainerStatus(
            name=m.CONTAINER_NAME, image="image", image_id="", ready=False, restart_count=0,
            state=client.V1ContainerState(terminated=terminated),
        )  # fmt: skip
        pod = client.V1Pod(metadata=client.V1ObjectMeta(name=f"{name}-pod"), status=client.V1PodStatus(
            container_statuses=[status]))  # fmt: skip
        return client.V1PodList(items=[pod])

    def read_namespaced_pod_log(self, name: str, namespace: str, container: str, **kwargs: object) -> object:
        assert container == m.CONTAINER_NAME
        _code, log = self.results[name.removesuffix("-pod")]
        lines = log.splitlines(keepends=True)[-int(kwargs.get("tail_lines") or 0) :]
        return SimpleNamespace(data="".join(lines).encode())

    def delete_namespaced_pod(self, name: str, namespace: str, **_: object) -> None:
        pass

    # -- networking.k8s.io/v1 ---------------------------------------------------------------------
    def read_namespaced_network_policy(self, name: str, namespace: str, **_: object) -> dict:
        for policy in self.created_policies:
            if policy["metadata"]["name"] == name:
                return policy
        raise ApiException(status=404, reason="Not Found")

    def create_namespaced_network_policy(self, namespace: str, body: dict, **_: object) -> dict:
        self.created_policies.append(copy.deepcopy(body))
        return body
