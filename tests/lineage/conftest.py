"""Fixtures for the lineage tests: a small generated data set, and a GMS recorder on 127.0.0.1.

The recorder is not a DataHub. It implements only the GMS endpoints the SDK's REST emitter calls (`GET /config`,
`POST /aspects?action=ingestProposal` and `ingestProposalBatch`) and records every proposal it receives, so the
tests can assert on what would have reached DataHub. It listens on 127.0.0.1 only; no test sends traffic elsewhere.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from gms_recorder import GmsRecorder

from agentic_assets.sample_data.retail_bank import DatasetSize, generate
from agentic_assets.settings import PROJECT_ROOT, Settings
from agentic_assets.specs.loader import load_project
from agentic_assets.specs.project import Project

ROWS = 2_000


@pytest.fixture(scope="session")
def lineage_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("lineage-raw")
    generate(raw, DatasetSize(ROWS))
    return raw


@pytest.fixture
def lineage_settings(
    tmp_path: Path, lineage_raw: Path, generated_specs: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """The demo specs (code generated and frozen) over a private data folder; no DataHub configured (the file
    target)."""
    import shutil

    monkeypatch.delenv("DATAHUB_GMS_URL", raising=False)
    monkeypatch.delenv("DATAHUB_GMS_TOKEN", raising=False)
    data_dir = tmp_path / "data"
    shutil.copytree(lineage_raw, data_dir / "raw")
    return Settings(specs_dir=generated_specs, checks_dir=PROJECT_ROOT / "asset_checks", data_dir=data_dir)


@pytest.fixture
def project(lineage_settings: Settings) -> Project:
    return load_project(lineage_settings)


@pytest.fixture
def gms() -> Iterator[GmsRecorder]:
    recorder = GmsRecorder().start()
    yield recorder
    recorder.stop()


@pytest.fixture
def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (yet): a DataHub that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
