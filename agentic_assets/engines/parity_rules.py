"""Constructs that DuckDB and Spark evaluate differently, found statically in the DuckDB SQL (sqlglot).

Each finding names the construct, the line and what each engine does, so that the author can rewrite it
(or keep the asset on DuckDB). The rules are about the engines' documented semantics, not about any SQL of
this project: division, DECIMAL casts, time zones, NULL ordering and order-dependent results.
"""

from __future__ import annotations

import contextlib
from typing import Literal

import sqlglot
from pydantic import BaseModel
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from agentic_assets.engines.spark_sql import SOURCE_DIALECT, TARGET_DIALECT

Schemas = dict[str, dict[str, str]]
T = exp.DataType.Type

# Integer digits each integer type can hold: a DECIMAL cast with fewer integer digits can overflow.
INTEGER_DIGITS = {
    T.TINYINT: 3,
    T.SMALLINT: 5,
    T.INT: 10,
    T.BIGINT: 19,
    T.INT128: 39,
    T.UTINYINT: 3,
    T.USMALLINT: 5,
    T.UINT: 10,
    T.UBIGINT: 20,
    T.UINT128: 39,
}
TIME_ZONE_TYPES = {T.TIMESTAMPTZ, T.TIMESTAMPLTZ, T.TIMETZ}
TIME_ZONE_NODES = (
    exp.CurrentTimestamp,
    exp.CurrentDate,
    exp.CurrentTime,
    exp.AtTimeZone,
    exp.ConvertTimezone,
    exp.TimeToUnix,
    exp.UnixToTime,
)
ORDER_DEPENDENT = (exp.First, exp.Last, exp.AnyValue, exp.ArrayAgg, exp.GroupConcat)


class ParityFinding(BaseModel):
    """One construct whose result may differ between DuckDB and Spark."""

    name: str
    sql: str
    line: int | None = None
    detail: str
    severity: Literal["blocking", "note"] = "blocking"

    def describe(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.name} `{self.sql}`: {self.detail}"


def _line(node: exp.Expression) -> int | None:
    for candidate in (node, *node.find_all(exp.Identifier, exp.Literal)):
        line = candidate.meta.get("line")
        if line:
            return int(line)
    return None


def _finding(node: exp.Expression, name: str, detail: str, severity: str = "blocking") -> ParityFinding:
    return ParityFinding(
        name=name, sql=node.sql(SOURCE_DIALECT)[:120], line=_line(node), detail=detail, severity=severity
    )


def _typed(sql: str, schemas: Schemas) -> exp.Expression:
    tree = sqlglot.parse_one(sql, read=SOURCE_DIALECT)
    # Typing is best effort: the rules that need a type skip what has none.
    with contextlib.suppress(SqlglotError):
        tree = qualify(tree, schema=schemas, dialect=SOURCE_DIALECT, validate_qualify_columns=False)
    return annotate_types(tree, schema=schemas, dialect=SOURCE_DIALECT)


def _type(node: exp.Expression | None) -> exp.DataType | None:
    kind = getattr(node, "type", None)
    return None if kind is None or kind.is_type(T.UNKNOWN) else kind


def _decimal_digits(kind: exp.DataType) -> tuple[int, int] | None:
    """(integer digits, scale) of a DECIMAL(p, s) type, or None."""
    if not kind.is_type(T.DECIMAL):
        return None
    params = [p.this for p in kind.expressions if isinstance(p, exp.DataTypeParam)]
    precision = int(params[0].name) if params else 18  # DuckDB's DECIMAL without arguments is DECIMAL(18,3)
    scale = int(params[1].name) if len(params) > 1 else (3 if not params else 0)
    return precision - scale, scale


def _may_be_zero(divisor: exp.Expression) -> bool:
    if isinstance(divisor, exp.Paren):
        return _may_be_zero(divisor.this)
    if isinstance(divisor, exp.Literal) and divisor.is_number:
        return float(divisor.name) == 0
    if isinstance(divisor, exp.Nullif):
        zero = divisor.expression
        return not (isinstance(zero, exp.Literal) and zero.is_number and float(zero.name) == 0)
    return True


def _division(node: exp.Div | exp.IntDiv) -> list[ParityFinding]:
    found = []
    if _may_be_zero(node.expression):
        found.append(
            _finding(
                node,
                "division by a value that may be zero",
                "DuckDB returns inf or NaN (or NULL for //), Spark raises DIVIDE_BY_ZERO in ANSI mode "
                "and returns NULL without it; write `x / NULLIF(y, 0)` for NULL on both",
            )
        )
    kinds = [_type(node.this), _type(node.expression)]
    if isinstance(node, exp.Div) and any(k is not None and k.is_type(T.DECIMAL) for k in kinds):
        found.append(
            _finding(
                node,
                "DECIMAL division",
                "DuckDB divides DECIMALs in DOUBLE, Spark keeps a DECIMAL quotient whose scale it cuts "
                "(to as few as 6 digits) when the precision passes 38; CAST an operand to DOUBLE",
            )
        )
    if isinstance(node, exp.IntDiv) and any(
        k is not None and not k.is_type(*exp.DataType.INTEGER_TYPES) for k in kinds
    ):
        found.append(
            _finding(
                node,
                "integer division of a non-integer",
                "DuckDB's // on DOUBLE or DECIMAL returns a DOUBLE or DECIMAL, Spark's DIV a BIGINT "
                "(and refuses DOUBLE); CAST the operands to BIGINT first",
            )
        )
    return found


def _decimal_cast(node: exp.Cast) -> list[ParityFinding]:
    target = node.to
    digits = _decimal_digits(target)
    source = _type(node.this)
    if digits is None or source is None:
        return []
    integer_digits, scale = digits
    source_digits = _decimal_digits(source)
    if source_digits is not None:
        narrower = integer_digits < source_digits[0] or scale < source_digits[1]
    else:
        narrower = integer_digits < INTEGER_DIGITS.get(source.this, 0)
    if not narrower:
        return []
    return [
        _finding(
            node,
            "narrowing DECIMAL cast",
            f"{source.sql(SOURCE_DIALECT)} to {target.sql(SOURCE_DIALECT)} keeps {integer_digits} integer "
            f"digits and {scale} decimals: a larger value fails on DuckDB and on Spark in ANSI mode, and "
            "becomes NULL on Spark with spark.sql.ansi.enabled=false (silent loss); widen the DECIMAL",
        )
    ]


def _time_zone(node: exp.Expression) -> list[ParityFinding]:
    if isinstance(node, TIME_ZONE_NODES):
        return [
            _finding(
                node,
                "time-zone dependent expression",
                "DuckDB evaluates it in its TimeZone setting, Spark in spark.sql.session.timeZone; the "
                "results agree only when both are the same zone",
            )
        ]
    if isinstance(node, exp.Cast) and node.to.this in TIME_ZONE_TYPES:
        return [
            _finding(
                node,
                "cast to a time-zone aware type",
                "Spark has no TIMESTAMP WITH TIME ZONE: its TIMESTAMP is local to the session time zone, "
                "DuckDB's TIMESTAMPTZ is an instant shown in its TimeZone setting",
            )
        ]
    return []


def _order_dependent(node: exp.Expression) -> list[ParityFinding]:
    if isinstance(node, ORDER_DEPENDENT) and not node.find(exp.Order):
        return [
            _finding(
                node,
                "order-dependent aggregate",
                "without an ORDER BY, the rows it sees first differ between engines (and between runs)",
            )
        ]
    if isinstance(node, exp.Select) and node.args.get("limit") and not node.args.get("order"):
        return [
            _finding(
                node.args["limit"],
                "LIMIT without ORDER BY",
                "which rows are kept differs between engines (and between runs)",
            )
        ]
    return []


def _unknown_function(node: exp.Expression) -> list[ParityFinding]:
    if isinstance(node, exp.Anonymous):
        return [
            _finding(
                node,
                f"function {node.name.upper()}",
                "is unknown to sqlglot and passed to Spark unchanged; only the sample comparison can "
                "tell whether Spark's function of that name means the same",
                severity="note",
            )
        ]
    return []


def _null_ordering(duck: exp.Expression, spark_sql: str) -> list[ParityFinding]:
    """Every ORDER BY key puts NULLs where DuckDB does (last), after transpilation to Spark."""
    spark = sqlglot.parse_one(spark_sql, read=TARGET_DIALECT)
    duck_keys, spark_keys = list(duck.find_all(exp.Ordered)), list(spark.find_all(exp.Ordered))
    found = []
    for duck_key, spark_key in zip(duck_keys, spark_keys, strict=False):
        duck_first = bool(duck_key.args.get("nulls_first"))  # DuckDB: NULLS LAST unless said otherwise
        explicit = spark_key.args.get("nulls_first")
        # Spark treats NULL as the smallest value: first in ascending order, last in descending order.
        spark_first = explicit if "NULLS" in spark_key.sql(TARGET_DIALECT).upper() else not spark_key.args.get("desc")
        if bool(spark_first) != duck_first:
            found.append(
                _finding(
                    duck_key,
                    "NULL ordering",
                    "DuckDB puts NULLs last unless told otherwise, Spark first in ascending order; "
                    "write NULLS FIRST or NULLS LAST",
                )
            )
    if len(duck_keys) != len(spark_keys):
        found.append(_finding(duck, "ORDER BY", "the Spark SQL has a different number of ordering keys"))
    return found


def static_findings(sql: str, spark_sql: str, schemas: Schemas) -> list[ParityFinding]:
    """Every construct of `sql` (DuckDB) whose Spark evaluation may differ, in the order they appear."""
    tree = _typed(sql, schemas)
    found: list[ParityFinding] = []
    for node in tree.walk():
        if isinstance(node, exp.Div | exp.IntDiv):
            found += _division(node)
        if isinstance(node, exp.Cast):
            found += _decimal_cast(node)
        found += _time_zone(node) + _order_dependent(node) + _unknown_function(node)
    return found + _null_ordering(tree, spark_sql)
