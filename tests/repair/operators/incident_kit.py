"""Small made-up incidents in the incident format, replayed through the production repair path."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from agentic_assets.incidents.replay import ReplayResult, replay


def write_incident(
    root: Path,
    *,
    name: str,
    sql: str,
    checks: str,
    before: dict[str, pa.Table],
    after: dict[str, pa.Table],
    faults: dict | None = None,
    now: str = "2026-03-05T06:00:00Z",
) -> Path:
    folder = root / name
    for phase, tables in (("before", before), ("after", after)):
        (folder / phase).mkdir(parents=True, exist_ok=True)
        for table_name, table in tables.items():
            pq.write_table(table, folder / phase / f"{table_name}.parquet")
    doc = {
        "id": name,
        "title": f"{name} failed",
        "now": now,
        "asset": {"name": name.replace("-", "_"), "description": "A test asset.", "sql": sql, "checks": checks},
        "faults": faults or {},
        "expected": {"category": "unknown", "remediation": "unknown"},
    }
    (folder / "incident.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


def run(folder: Path, workdir: Path) -> ReplayResult:
    return replay(folder, workdir)
