"""No host path the runner knows shows inside a job, on bubblewrap and gVisor alike: not the
checkout, the venv, the interpreter, the home, the job's input files, nor the run folder the
host made for that very sandbox (mountinfo, maps, environ, sys.path, cwd, module files)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from security_harness import LOOK_AROUND

import sandbox_runtime
from sandbox_runtime import SandboxJob, SandboxLimits, run_job
from sandbox_runtime.rundir import RunDir


@pytest.fixture
def run_folders(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Every run folder the host makes while the test runs."""
    made: list[Path] = []
    original = RunDir.__init__

    def recording(self: RunDir, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        made.append(self.root)

    monkeypatch.setattr(RunDir, "__init__", recording)
    yield made


def _known_host_paths(data: Path, run_folders: list[Path]) -> dict[str, str]:
    """Host paths a job must never learn, as written and resolved."""
    paths = {
        "checkout": Path(sandbox_runtime.__file__).parent.parent,
        "venv": Path(sys.prefix),
        "interpreter prefix": Path(sys.base_prefix),
        "interpreter": Path(os.path.realpath(sys.executable)).parent,
        "home": Path.home(),
        "input file": data.parent,
        "temporary folder": Path(tempfile.gettempdir()) / "agentic-sandbox-",
        **{f"run folder {i}": folder for i, folder in enumerate(run_folders)},
    }
    known = {}
    for kind, path in paths.items():
        for text in {str(path), os.path.realpath(path)}:
            # A system interpreter is bound at its own path under /usr, which says nothing.
            if text not in ("/", "/usr", "/tmp") and not text.startswith("/usr/"):
                known[f"{kind} {text}"] = text
    return known


@pytest.mark.parametrize("backend", ["bwrap", pytest.param("gvisor", marks=pytest.mark.slow)])
def test_no_host_path_the_runner_knows_shows_inside(
    backend: str, data: Path, run_folders: list[Path], tmp_path: Path
) -> None:
    if backend == "gvisor" and shutil.which("runsc") is None:
        pytest.fail("gVisor is not installed: run `apt-get install -y runsc` (make test does)")
    job = SandboxJob(kind="python", code=LOOK_AROUND, inputs={"data": data}, limits=SandboxLimits(timeout_s=30))
    verdict = run_job(job, backend=backend, workdir=tmp_path / "out", skip_static=True)
    assert verdict.ok and verdict.output_path is not None, verdict
    seen = dict(zip(*pq.read_table(verdict.output_path).to_pydict().values(), strict=True))
    assert run_folders, "the job made no run folder"
    assert seen["in"] == "/in/data.parquet" and seen["cwd"] == "/tmp"
    hits = [
        f"{kind} in {where}"
        for kind, host in _known_host_paths(data, run_folders).items()
        for where, text in seen.items()
        if host in text
    ]
    assert hits == [], "\n".join(hits) + "\n" + seen["mountinfo"]
