"""Run a frozen transform on Spark: DuckDB SQL transpiled by sqlglot, sources bound as Spark DataFrames.

Raw Parquet sources are read by Spark itself (`spark.read.parquet`, so on a cluster the executors read
the files); upstream Iceberg tables arrive as Arrow (pyiceberg) and Delta tables through dagster-deltalake's
`DeltaTableResource`, then become DataFrames. The result comes back with `toArrow()` and is cast to the
schema DuckDB gives the same SQL, so one table has one schema whichever engine wrote it; write-audit-publish
then stages, checks and publishes it exactly as for DuckDB.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.dataset as pads

from agentic_assets.engines.duckdb_engine import ArrowInput, as_table, run_sql
from agentic_assets.engines.spark_sql import to_spark_sql


class SparkRunError(RuntimeError):
    """Spark could not run the transform, or its result does not fit the schema DuckDB gives the same SQL."""


def _parquet_files(source: ArrowInput) -> list[str] | None:
    if isinstance(source, pads.FileSystemDataset) and isinstance(source.format, pads.ParquetFileFormat):
        return list(source.files)
    return None


def to_arrow_table(source: ArrowInput | object) -> pa.Table:
    if isinstance(source, pads.Dataset):
        return source.to_table()
    if hasattr(source, "to_pyarrow_table"):  # a deltalake DeltaTable
        return source.to_pyarrow_table()
    return as_table(source)  # type: ignore[arg-type]


def bind_inputs(session, inputs: dict[str, ArrowInput | object], *, native_files: bool = True) -> None:
    """Make every input a temporary view of the session, under its source name."""
    for name, source in inputs.items():
        files = _parquet_files(source) if native_files else None
        frame = session.read.parquet(*files) if files else session.createDataFrame(to_arrow_table(source))
        frame.createOrReplaceTempView(name)


def duckdb_output_schema(sql: str, inputs: dict[str, pa.Table | pads.Dataset]) -> pa.Schema:
    """The schema DuckDB gives `sql` over the inputs' schemas (run on zero rows: no data is read)."""
    return run_sql(sql, {name: src.schema.empty_table() for name, src in inputs.items()}).schema


def align(result: pa.Table, schema: pa.Schema) -> pa.Table:
    """Spark's result with DuckDB's column order and types; a cast that would lose values is an error."""
    missing = [f.name for f in schema if f.name not in result.column_names]
    if missing or len(result.column_names) != len(schema):
        raise SparkRunError(f"Spark returned columns {result.column_names}, DuckDB would return {schema.names}")
    columns = []
    for field in schema:
        column = result.column(field.name)
        try:
            columns.append(column.cast(field.type, safe=True))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
            raise SparkRunError(
                f"column {field.name}: Spark's {column.type} does not convert to DuckDB's {field.type} "
                f"without loss: {err}"
            ) from err
    return pa.Table.from_arrays(columns, schema=schema)


def run_sql_spark(session, sql: str, inputs: dict[str, ArrowInput | object], *, native_files: bool = True) -> pa.Table:
    """Transpile `sql`, run it on `session` over the inputs, and return DuckDB's schema of the result."""
    spark_sql = to_spark_sql(sql)
    # Read each table once: Parquet files stay files (Spark reads them), anything else becomes Arrow.
    inputs = {n: s if _parquet_files(s) and native_files else to_arrow_table(s) for n, s in inputs.items()}
    bind_inputs(session, inputs, native_files=native_files)
    try:
        result = session.sql(spark_sql).toArrow()
    except Exception as err:  # Spark's AnalysisException, ParseException, Py4J or Connect errors
        raise SparkRunError(f"Spark could not run the transform: {_first_line(err)}\n{spark_sql}") from err
    return align(result, duckdb_output_schema(sql, inputs))


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
