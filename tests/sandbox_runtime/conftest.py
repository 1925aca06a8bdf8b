"""Fixtures for sandbox tests: real bubblewrap, real DuckDB, real Parquet files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest


@pytest.fixture(scope="session", autouse=True)
def bwrap_installed() -> None:
    """The sandbox tests never run unsandboxed and never skip: a missing bwrap is a failure."""
    if shutil.which("bwrap") is None:
        pytest.fail("bubblewrap is not installed: run `apt-get install -y bubblewrap` (make test does)")


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    path = tmp_path / "orders.parquet"
    pq.write_table(
        pa.table(
            {
                "order_id": [1, 2, 3, 4, 5],
                "customer": ["ann", "bob", "ann", "cid", None],
                "amount": [10.5, -2.0, 7.25, 100.0, 3.0],
            }
        ),
        path,
    )
    return path


@pytest.fixture(autouse=True)
def outputs_in_tmp_path(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """run_job without a workdir makes a folder the caller owns; in tests, pytest owns it."""
    from sandbox_runtime import execution

    monkeypatch.setattr(execution, "output_dir", lambda: tmp_path_factory.mktemp("sandbox-output"))
