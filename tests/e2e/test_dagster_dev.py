"""`dagster dev` serves the code location: every demo asset with its blocking checks, over GraphQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from agentic_assets.settings import PROJECT_ROOT, Settings
from agentic_assets.specs.loader import load_project
from asset_checks.sodacl import check_definitions

QUERY = """
{ assetNodes { assetKey { path } isMaterializable
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } } } }
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_dagster_dev_lists_assets_and_checks(settings: Settings, tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "AGENTIC_DATA_DIR": str(settings.data_dir),
        "AGENTIC_SPECS_DIR": str(settings.specs_dir),
    }
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.Popen(
        [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        nodes = None
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            try:
                reply = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": QUERY}, timeout=10)
                data = reply.json().get("data") or {}
                nodes = data.get("assetNodes")
                if nodes:
                    break
            except (httpx.HTTPError, ValueError):
                pass
            assert proc.poll() is None, "dagster dev exited early"
            time.sleep(1)
        assert nodes, "dagster dev did not serve the code location in time"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)

    project = load_project(settings)
    served = {"/".join(n["assetKey"]["path"]): n for n in nodes}
    assert set(project.assets) | set(project.raw_sources) == set(served)
    for name, asset in project.assets.items():
        node = served[name]
        assert node["isMaterializable"]
        checks = {c["name"]: c["blocking"] for c in node["assetChecksOrError"]["checks"]}
        assert checks == {d.dagster_name: True for d in check_definitions(asset.checks_text, name)}
