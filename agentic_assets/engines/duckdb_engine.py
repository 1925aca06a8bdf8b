"""Run a transform on DuckDB, embedded, over Arrow inputs, with file and network access switched off.

The SQL is already validated and frozen, but the engine is locked down anyway: it sees only the
tables it is handed, cannot read or write files, load extensions, or change its own settings.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads

ArrowInput = pa.Table | pads.Dataset | pa.RecordBatchReader

LOCKED_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def locked_connection(
    inputs: dict[str, ArrowInput], *, memory_limit_mb: int | None = None, threads: int | None = None
) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB that can see `inputs` (by name) and nothing else."""
    config: dict[str, object] = dict(LOCKED_CONFIG)
    if memory_limit_mb:
        config["memory_limit"] = f"{memory_limit_mb}MB"
    if threads:
        config["threads"] = threads
    con = duckdb.connect(config=config)
    for name, table in inputs.items():
        con.register(name, table)
    con.execute("SET lock_configuration = true")
    return con


def as_table(result: pa.Table | pa.RecordBatchReader) -> pa.Table:
    return result.read_all() if isinstance(result, pa.RecordBatchReader) else result


def run_sql(sql: str, inputs: dict[str, ArrowInput], *, memory_limit_mb: int | None = None) -> pa.Table:
    """Execute one SELECT over the inputs and return its rows as an Arrow table."""
    con = locked_connection(inputs, memory_limit_mb=memory_limit_mb)
    try:
        return as_table(con.sql(sql).arrow())
    finally:
        con.close()
