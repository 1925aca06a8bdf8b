"""Every materialization leaves a record: inputs' and output's schemas, versions, check outcome.

These records are what the repair agent diffs against ("what did the sources look like at the
last good run?"). SQLite, append-only, in the platform state folder.
"""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel, Field

from agentic_assets.materialize.watermarks import Watermark
from agentic_assets.state_db import StateDb


class RunRecord(BaseModel):
    run_id: str
    asset: str
    started_at: datetime
    seconds: float
    code_version: str | None
    status: str = Field(description="published, checks_failed or error")
    input_schemas: dict[str, dict[str, str]] = Field(default_factory=dict)
    output_schema: dict[str, str] = Field(default_factory=dict)
    input_rows: dict[str, int] = Field(default_factory=dict, description="rows read per input")
    input_watermarks: dict[str, list[Watermark]] = Field(
        default_factory=dict, description="per input, how far its time columns reached (freshness history)"
    )
    clock: datetime | None = Field(default=None, description="the clock the run ran at (naive UTC)")
    rows: int | None = None
    version_before: int | None = None
    version_after: int | None = None
    failed_checks: list[str] = Field(default_factory=list)
    error: str | None = None
    error_types: list[str] = Field(
        default_factory=list, description="the exception's class lineage, most specific first (repair reads it)"
    )


def exception_lineage(err: BaseException) -> list[str]:
    """Qualified class names of `err` and of its causes, each class's MRO in order, without repeats."""
    out: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for cls in type(current).__mro__:
            if cls in (BaseException, Exception, object):
                continue
            name = cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__name__}"
            if name not in out:
                out.append(name)
        current = current.__cause__ or current.__context__
    return out


class RunLog(StateDb):
    ddl = (
        "CREATE TABLE IF NOT EXISTS runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, asset TEXT, "
        "status TEXT, started_at TEXT, record TEXT)"
    )

    def append(self, record: RunRecord) -> None:
        with self.transaction() as con:
            con.execute(
                "INSERT INTO runs (asset, status, started_at, record) VALUES (?, ?, ?, ?)",
                (record.asset, record.status, record.started_at.isoformat(), record.model_dump_json()),
            )

    def for_asset(self, asset: str, limit: int = 50) -> list[RunRecord]:
        """Newest first."""
        with self.reading() as con:
            rows = con.execute(
                "SELECT record FROM runs WHERE asset = ? ORDER BY seq DESC LIMIT ?", (asset, limit)
            ).fetchall()
        return [RunRecord.model_validate(json.loads(r[0])) for r in rows]

    def last_good(self, asset: str) -> RunRecord | None:
        return next((r for r in self.for_asset(asset, 500) if r.status == "published"), None)
