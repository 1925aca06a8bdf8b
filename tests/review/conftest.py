"""A real repair waiting at the gate: a small project, a green run, a renamed upstream column, a failed run, the
repair agent (builtin model) and its sandbox-validated proposal. Everything lives in the test's own folder."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from pydantic_ai import models

from agentic_assets.materialize.wap import materialize
from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.repair.service import start_repair
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project

models.ALLOW_MODEL_REQUESTS = False

ASSET = "daily_totals"
SQL = """SELECT merchant_subcategory, CAST(event_time AS DATE) AS day,
       SUM(amount) AS total_amount, COUNT(*) AS txn_count
FROM transactions
WHERE status = 'settled'
GROUP BY 1, 2
"""
CHECKS = """checks for daily_totals:
  - row_count > 0
  - missing_count(merchant_subcategory) = 0
  - duplicate_count(merchant_subcategory, day) = 0
"""
SOURCES = """# The feed as the processor delivers it (a comment a promotion must keep).
sources:
  - name: transactions
    path: raw/transactions.parquet
    columns:
      - {name: transaction_id, type: VARCHAR}
      - {name: merchant_subcategory, type: VARCHAR}  # renamed upstream in the test
      - {name: amount, type: DOUBLE}
      - {name: event_time, type: TIMESTAMP}
      - {name: status, type: VARCHAR}
"""


def feed(n: int = 300, seed: int = 5) -> pa.Table:
    rng = random.Random(seed)
    start = dt.datetime(2026, 3, 1)
    return pa.table(
        {
            "transaction_id": [f"TX{i:06d}" for i in range(n)],
            "merchant_subcategory": [rng.choice(["grocery", "fuel", "travel", "dining"]) for _ in range(n)],
            "amount": [round(rng.uniform(1, 200), 2) for _ in range(n)],
            "event_time": [start + dt.timedelta(minutes=41 * i) for i in range(n)],
            "status": [rng.choice(["settled"] * 9 + ["declined"]) for _ in range(n)],
        }
    )


def write_project(root: Path, tier: int) -> Settings:
    specs, data = root / "specs", root / "data"
    (specs / "bank").mkdir(parents=True)
    (data / "raw").mkdir(parents=True)
    pq.write_table(feed(), data / "raw" / "transactions.parquet")
    (specs / "sources.yaml").write_text(SOURCES)
    spec = {
        "name": ASSET,
        "description": "Daily totals of card transactions for the test.",
        "owner": "review-tests",
        "tier": tier,
        "sources": ["transactions"],
        "sink": {"format": "delta", "table": ASSET, "mode": "overwrite"},
        "checks": CHECKS,
    }
    (specs / "bank" / f"{ASSET}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    (specs / "bank" / f"{ASSET}.sql").write_text(SQL)
    return Settings(specs_dir=specs, checks_dir=specs, data_dir=data)


def rename_upstream(settings: Settings) -> None:
    path = settings.data_dir / "raw" / "transactions.parquet"
    table = pq.read_table(path)
    names = ["merchant_subcategory_v2" if n == "merchant_subcategory" else n for n in table.column_names]
    pq.write_table(table.rename_columns(names), path)


def pending_repair(root: Path, tier: int) -> tuple[Settings, RepairRecord]:
    settings = write_project(root, tier)
    project = load_project(settings)
    assert materialize(project.assets[ASSET], project, settings).published
    rename_upstream(settings)
    with pytest.raises(Exception, match="merchant_subcategory"):
        materialize(project.assets[ASSET], project, settings)
    repair = start_repair(settings, ASSET, trigger="test")
    assert repair.status == "awaiting_approval", repair.error or repair.diagnosis
    return settings, repair


@pytest.fixture
def tier2(tmp_path: Path) -> tuple[Settings, RepairRecord]:
    return pending_repair(tmp_path / "project", tier=2)


@pytest.fixture
def tier3(tmp_path: Path) -> tuple[Settings, RepairRecord]:
    return pending_repair(tmp_path / "project", tier=3)


@pytest.fixture(scope="session", autouse=True)
def _bwrap_installed() -> None:
    if shutil.which("bwrap") is None:
        pytest.fail("bubblewrap is not installed: run `apt-get install -y bubblewrap` (make test does)")


@pytest.fixture
def fresh_tier2(tmp_path: Path) -> Settings:
    """The tier-2 project before any run: a test drives the failure itself."""
    return write_project(tmp_path / "project", tier=2)


@pytest.fixture
def drift() -> object:
    """Renames the upstream column, as the feed does in these tests."""
    return rename_upstream
