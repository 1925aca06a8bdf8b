"""One incident as this generator describes it: sources per phase, the asset, the right answer.

Source tables are Arrow tables; a drift is a DuckDB statement over the last good tables (see `derive`), so
what changed between before/ and after/ reads as one query. The reference repair stays here: it is never
written into the incident folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, ConfigDict, Field

Format = Literal["csv", "parquet"]


class Reference(BaseModel):
    """The right repair, run by the verifier over after/ (or landed/) to write expected/output.csv.

    kind: "sql" a new transform (code change, schema evolution, dead letter, dedupe); "rollback" the last
    `history` transform; "retry" the same run without the read faults; "wait" the same run once landed/ is
    in place; "limit" the same SQL under a raised memory or time limit; "escalate" no safe automatic repair.
    """

    kind: Literal["sql", "rollback", "retry", "wait", "limit", "escalate"]
    sql: str | None = None
    # A new transform for an incident that is also late: it is run once landed/ is in place.
    on_landed: bool = False
    checks: str | None = None  # the evolved checks, where the repair evolves them
    # Escalations with two readings: transforms that each pass the checks on after/ yet disagree on the
    # rows, which is what "a fix would have to guess at meaning" looks like.
    readings: list[str] = Field(default_factory=list)


class Case(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    id: str
    now: str
    asset: str
    description: str
    sql: str
    checks: str
    history: list[tuple[str, str]] = Field(default_factory=list)  # (sql, deployed), oldest first
    deployed: str | None = None
    formats: dict[str, Format]
    before: dict[str, pa.Table]
    after: dict[str, pa.Table] = Field(default_factory=dict)  # only the tables that changed or arrived
    landed: dict[str, pa.Table] = Field(default_factory=dict)
    faults: dict = Field(default_factory=dict)
    category: str | list[str]
    remediation: str | list[str]
    root_cause: str
    reference: Reference

    def document(self, title: str) -> dict:
        asset: dict = {"name": self.asset, "description": self.description, "sql": self.sql, "checks": self.checks}
        if self.history:
            asset["history"] = [{"sql": s, "deployed": d} for s, d in self.history]
        if self.deployed:
            asset["deployed"] = self.deployed
        doc: dict = {"id": self.id, "title": title, "now": self.now, "asset": asset}
        if self.faults:
            doc["faults"] = self.faults
        doc["expected"] = {"category": self.category, "remediation": self.remediation, "root_cause": self.root_cause}
        return doc


class _Literal(str):
    """A multi-line string written as a YAML block scalar."""


def _block(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


yaml.SafeDumper.add_representer(_Literal, _block)


def _blocks(value: object) -> object:
    if isinstance(value, dict):
        return {k: _blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blocks(v) for v in value]
    if isinstance(value, str) and "\n" in value:
        return _Literal(value if value.endswith("\n") else value + "\n")
    return value


def write_yaml(case: Case, folder: Path, title: str) -> None:
    text = yaml.safe_dump(_blocks(case.document(title)), sort_keys=False, width=110, allow_unicode=True)
    (folder / "incident.yaml").write_text(text, encoding="utf-8")


def write_table(table: pa.Table, path: Path, fmt: Format) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        # Integers and timestamps delta-encoded (ids and clocks that step evenly shrink to almost nothing),
        # text dictionary-encoded, floats plain.
        delta = [f.name for f in table.schema if pa.types.is_integer(f.type) or pa.types.is_temporal(f.type)]
        text = [f.name for f in table.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        pq.write_table(table, path, compression="zstd", use_dictionary=text,
                       column_encoding=dict.fromkeys(delta, "DELTA_BINARY_PACKED"))  # fmt: skip
        return
    con = duckdb.connect(config={"threads": 1})
    try:
        con.register("t", table)
        con.execute(f"COPY t TO '{path.as_posix()}' (HEADER, DELIMITER ',')")
    finally:
        con.close()


def write_sources(case: Case, folder: Path) -> None:
    for phase, tables in (("before", case.before), ("after", case.after), ("landed", case.landed)):
        for name, table in tables.items():
            write_table(table, folder / phase / f"{name}.{case.formats[name]}", case.formats[name])


def derive(sql: str, **tables: pa.Table) -> pa.Table:
    """A drift or a derived table as one DuckDB statement over named Arrow tables (single thread: row order
    and floating sums are the same on every run)."""
    con = duckdb.connect(config={"threads": 1})
    try:
        for name, table in tables.items():
            con.register(name, table)
        result = con.sql(sql).arrow()
        return result.read_all() if isinstance(result, pa.RecordBatchReader) else result
    finally:
        con.close()
