"""Repair tests: real DuckDB, Delta/Iceberg, soda, bubblewrap and pydantic-ai; only the builtin FunctionModel."""

from __future__ import annotations

import shutil

import pytest
from pydantic_ai import models

models.ALLOW_MODEL_REQUESTS = False


@pytest.fixture(scope="session", autouse=True)
def _bwrap_installed() -> None:
    if shutil.which("bwrap") is None:
        pytest.fail("bubblewrap is not installed: run `apt-get install -y bubblewrap` (make test does)")
