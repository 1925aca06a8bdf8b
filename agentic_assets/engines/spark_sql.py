"""DuckDB SQL (as generated and frozen) to Spark SQL, with sqlglot."""

from __future__ import annotations

import sqlglot
from sqlglot.errors import ErrorLevel, SqlglotError

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
    return statements[0]
