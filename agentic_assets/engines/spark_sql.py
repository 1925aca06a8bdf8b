"""DuckDB SQL (as generated and frozen) to Spark SQL, with sqlglot."""

from __future__ import annotations

import sqlglot
from sqlglot.errors import ErrorLevel, ParseError, SqlglotError

SOURCE_DIALECT = "duckdb"
TARGET_DIALECT = "spark"


class SparkTranspileError(ValueError):
    """sqlglot cannot express the DuckDB SQL in Spark SQL; the message names the construct."""


def to_spark_sql(sql: str) -> str:
    """The Spark SQL of one DuckDB SELECT; raises SparkTranspileError when a construct has no Spark form."""
    try:
        statements = sqlglot.transpile(
            sql, read=SOURCE_DIALECT, write=TARGET_DIALECT, unsupported_level=ErrorLevel.RAISE, pretty=True
        )
    except SqlglotError as err:
        raise SparkTranspileError(f"the SQL cannot be transpiled from DuckDB to Spark: {err}") from err
    if len(statements) != 1:
        raise SparkTranspileError(f"expected one SELECT statement, found {len(statements)}")
    spark_sql = statements[0]
    # sqlglot passes some DuckDB-only syntax through unchanged (POSITIONAL JOIN, ASOF JOIN): read back as Spark.
    try:
        sqlglot.parse_one(spark_sql, read=TARGET_DIALECT)
    except ParseError as err:
        detail = err.errors[0] if err.errors else {}
        line = detail.get("line")
        text = spark_sql.splitlines()[line - 1].strip() if line and line <= len(spark_sql.splitlines()) else ""
        raise SparkTranspileError(
            f"the transpiled SQL is not Spark SQL at line {line} `{text}` "
            f"(near {detail.get('highlight', '?')!r}): a DuckDB-only construct"
        ) from err
    return spark_sql
