"""Stand-in repair paths for the runner tests, importable by the runner's child processes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import yaml

from agentic_assets.bench.results import AgentAnswer


def _seen(folder: Path, out_dir: Path) -> None:
    """Record everything the repair path could reach: every file, and the incident's top-level keys."""
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    doc = yaml.safe_load((folder / "incident.yaml").read_text())
    text = "\n".join(p.read_text(errors="replace") for p in folder.rglob("*.yaml"))
    (out_dir / "seen.json").write_text(
        json.dumps({"files": files, "keys": sorted(doc), "root_cause_visible": "root_cause" in text})
    )


def retry(folder: Path, model: str, out_dir: Path) -> AgentAnswer:
    """Re-run the asset's SQL on after/ (falling back to before/) and answer transient/retry."""
    _seen(folder, out_dir)
    doc = yaml.safe_load((folder / "incident.yaml").read_text())
    con = duckdb.connect()
    for phase in ("before", "after"):
        if (folder / phase).is_dir():
            for path in sorted((folder / phase).glob("*.csv")):
                con.execute(f"CREATE OR REPLACE TABLE {path.stem} AS SELECT * FROM read_csv('{path.as_posix()}')")
    table = con.sql(doc["asset"]["sql"]).arrow()
    table = table.read_all() if hasattr(table, "read_all") else table
    out = out_dir / "output.parquet"
    pq.write_table(table, out)
    (out_dir / "trace.md").write_text(f"# {doc['id']}\n\nmodel {model}\n")
    return AgentAnswer(category="transient", remediation="retry", tool_calls=3, seconds_to_proposal=0.5,
                       sandbox_ok=True, output=out, trace=out_dir / "trace.md")  # fmt: skip


def escalate(folder: Path, model: str, out_dir: Path) -> AgentAnswer:
    _seen(folder, out_dir)
    (out_dir / "output.parquet").write_text("left behind")  # an escalation has no output, whatever is left
    return AgentAnswer(category="transient", escalated=True, remediation="escalate", tool_calls=12)


def boom(folder: Path, model: str, out_dir: Path) -> AgentAnswer:
    raise RuntimeError("the agent fell over")


def crash(folder: Path, model: str, out_dir: Path) -> AgentAnswer:
    os._exit(3)


def sleepy(folder: Path, model: str, out_dir: Path) -> AgentAnswer:
    time.sleep(120)
    raise AssertionError("not reached")
