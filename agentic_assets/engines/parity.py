"""The parity check an asset passes before it may run on Spark: same SQL, same rows on both engines.

Two parts. Statically, the DuckDB SQL must transpile to Spark SQL and hold none of the constructs the two
engines evaluate differently (parity_rules). Dynamically, the frozen SQL runs on DuckDB and its Spark SQL on
Spark over the same sample of the real inputs, and the rows must be the same (order ignored, numbers to
1e-9) in the same schema. Both engines see identical rows, so any sample size is a valid test of
equivalence; a larger one only exercises more values.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads
from pydantic import BaseModel, Field

from agentic_assets.engines.duckdb_engine import ArrowInput, run_sql
from agentic_assets.engines.parity_rules import ParityFinding, static_findings
from agentic_assets.engines.row_parity import row_differences
from agentic_assets.engines.spark_engine import SparkRunError, run_sql_spark, to_arrow_table
from agentic_assets.engines.spark_sql import SparkTranspileError, to_spark_sql
from agentic_assets.state_db import StateDb

# Rows per input in the sample: enough for every branch of a demo-sized transform to see data, small
# enough that both engines finish it in about a second on one core (Spark's per-query cost dominates).
SAMPLE_ROWS = 5_000


class ParityReport(BaseModel):
    asset: str
    ok: bool
    spark_sql: str | None = None
    findings: list[ParityFinding] = Field(default_factory=list)
    differences: list[str] = Field(default_factory=list)
    sample_rows: dict[str, int] = Field(default_factory=dict)

    @property
    def blocking(self) -> list[ParityFinding]:
        return [f for f in self.findings if f.severity == "blocking"]

    def message(self) -> str:
        if self.ok:
            return f"{self.asset}: DuckDB and Spark agree on {sum(self.sample_rows.values())} sample input rows"
        lines = [f"{self.asset} may not run on Spark: it would not give DuckDB's results"]
        lines += [f"  - {f.describe()}" for f in self.blocking]
        lines += [f"  - on the sample: {d}" for d in self.differences]
        lines.append("  (rewrite the construct, or set `engine: duckdb` in the spec)")
        return "\n".join(lines)


class SparkParityError(RuntimeError):
    """The asset's SQL does not give the same result on Spark as on DuckDB; the report says where."""

    def __init__(self, report: ParityReport) -> None:
        super().__init__(report.message())
        self.report = report


def duckdb_types(inputs: dict[str, pa.Table | pads.Dataset]) -> dict[str, dict[str, str]]:
    """Column -> DuckDB type per input, for sqlglot's type inference."""
    con = duckdb.connect()
    try:
        types = {}
        for name, source in inputs.items():
            con.register("t", source.schema.empty_table())
            types[name] = {row[0]: row[1] for row in con.execute("DESCRIBE SELECT * FROM t").fetchall()}
            con.unregister("t")
        return types
    finally:
        con.close()


def sample_inputs(inputs: dict[str, ArrowInput | object], rows: int = SAMPLE_ROWS) -> dict[str, pa.Table]:
    """The first `rows` rows of every input (a dataset reads no more than that)."""
    sample = {}
    for name, source in inputs.items():
        if isinstance(source, pads.Dataset):
            sample[name] = source.head(rows)
        else:
            sample[name] = to_arrow_table(source).slice(0, rows)
    return sample


def check_parity(session, sql: str, inputs: dict[str, ArrowInput | object], *, asset: str = "") -> ParityReport:
    """Transpile, look for constructs that differ, and compare both engines on a sample of `inputs`."""
    report = ParityReport(asset=asset, ok=False)
    try:
        report.spark_sql = to_spark_sql(sql)
    except SparkTranspileError as err:
        report.findings.append(ParityFinding(name="transpilation", sql=sql.strip()[:120], detail=str(err)))
        return report
    sample = sample_inputs(inputs)
    report.sample_rows = {name: table.num_rows for name, table in sample.items()}
    report.findings = static_findings(sql, report.spark_sql, duckdb_types(sample))
    expected = run_sql(sql, sample)
    try:
        actual = run_sql_spark(session, sql, sample, native_files=False)
    except SparkRunError as err:
        report.differences.append(str(err).splitlines()[0])
    else:
        report.differences = row_differences(expected, actual)
    report.ok = not report.blocking and not report.differences
    return report


class ParityLog(StateDb):
    """Passed parity checks, by the SQL and its input schemas: a check runs once per code version."""

    ddl = """CREATE TABLE IF NOT EXISTS spark_parity (
        key TEXT PRIMARY KEY, asset TEXT NOT NULL, checked_at TEXT NOT NULL, report TEXT NOT NULL)"""

    def passed(self, key: str) -> ParityReport | None:
        with self.reading() as con:
            row = con.execute("SELECT report FROM spark_parity WHERE key = ?", (key,)).fetchone()
        return ParityReport.model_validate_json(row[0]) if row else None

    def record(self, key: str, report: ParityReport) -> None:
        with self.transaction() as con:
            con.execute(
                "INSERT OR REPLACE INTO spark_parity VALUES (?, ?, ?, ?)",
                (key, report.asset, datetime.now(UTC).isoformat(timespec="seconds"), report.model_dump_json()),
            )


def parity_key(sql: str, inputs: dict[str, ArrowInput | object]) -> str:
    schemas = {name: str(getattr(src, "schema", "")) for name, src in sorted(inputs.items())}
    return hashlib.sha256(json.dumps([sql, schemas]).encode()).hexdigest()


def require_parity(
    session, sql: str, inputs: dict[str, ArrowInput | object], *, asset: str, log: ParityLog | None = None
) -> ParityReport:
    """The parity report of `sql` over inputs of these schemas; raises SparkParityError when it fails."""
    key = parity_key(sql, inputs)
    if log is not None and (cached := log.passed(key)) is not None:
        return cached
    report = check_parity(session, sql, inputs, asset=asset)
    if not report.ok:
        raise SparkParityError(report)
    if log is not None:
        log.record(key, report)
    return report
