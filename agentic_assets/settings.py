"""Where things live and which model writes code: one settings object, read from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseModel):
    """Paths and choices for one deployment of the code location.

    Every field has an `AGENTIC_*` environment variable; the defaults keep everything inside
    the project folder so that a fresh clone runs with no configuration at all.
    """

    project_root: Path = PROJECT_ROOT
    specs_dir: Path = PROJECT_ROOT / "specs"
    checks_dir: Path = PROJECT_ROOT / "asset_checks"
    data_dir: Path = PROJECT_ROOT / "data"
    iceberg_catalog_name: str = "agentic"
    # Any SQLAlchemy URL pyiceberg's SqlCatalog accepts; default: SQLite under data_dir.
    iceberg_catalog_uri: str | None = None
    model: str = "builtin"
    # The codegen model that takes over an asset every candidate refused (e.g. the built-in model
    # first, offline and free, then a hosted one for the descriptions it cannot read); none by default.
    model_fallback: str | None = None
    # Where frozen transforms run at materialization: "in-process" (a locked-down embedded DuckDB) or
    # "sandbox" (a single-use sandbox from the warm pool). Generated code always passes the sandbox first.
    transform_runner: Literal["in-process", "sandbox"] = "sandbox"
    # Frozen code is committed to this git branch when the specs folder is in a git work tree
    # (agentic_assets/codegen/git_history.py); AGENTIC_GIT_HISTORY=off keeps the history in SQLite only.
    git_history: bool = True
    git_branch: str = "agentic-assets/code"
    # The engine of assets whose spec names none: "duckdb" (embedded) or "spark" (dagster-pyspark).
    engine: Literal["duckdb", "spark"] = "duckdb"
    # Spark's master: local[N], spark://host:7077, or a Spark Connect server sc://host:15002.
    spark_master: str = "local[2]"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {}
        for field, var in (
            ("specs_dir", "AGENTIC_SPECS_DIR"),
            ("checks_dir", "AGENTIC_CHECKS_DIR"),
            ("data_dir", "AGENTIC_DATA_DIR"),
            ("iceberg_catalog_name", "AGENTIC_ICEBERG_CATALOG"),
            ("iceberg_catalog_uri", "AGENTIC_ICEBERG_CATALOG_URI"),
            ("model", "AGENTIC_MODEL"),
            ("model_fallback", "AGENTIC_MODEL_FALLBACK"),
            ("transform_runner", "AGENTIC_TRANSFORM_RUNNER"),
            ("git_history", "AGENTIC_GIT_HISTORY"),
            ("git_branch", "AGENTIC_GIT_BRANCH"),
            ("engine", "AGENTIC_ENGINE"),
            ("spark_master", "AGENTIC_SPARK_MASTER"),
        ):
            if env.get(var):
                values[field] = env[var]
        values.update(overrides)
        return cls(**values)

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def iceberg_dir(self) -> Path:
        return self.data_dir / "iceberg"

    @property
    def delta_dir(self) -> Path:
        return self.data_dir / "delta"

    @property
    def state_dir(self) -> Path:
        """Platform state: run records, schema snapshots, audit log."""
        return self.data_dir / "state"

    def catalog_uri(self) -> str:
        return self.iceberg_catalog_uri or f"sqlite:///{self.iceberg_dir / 'catalog.db'}"
