"""The planner's vocabulary and the small SQL-text helpers every concern shares.

Words to one DuckDB SELECT, for the common families of boilerplate transforms.

Families: aggregation by keys and time grains, filters stated in words, joins on a shared key,
deduplication by key keeping the latest (or first) row, top-N, small pivots, dead-letter splits.
Every name comes from the sources' schemas; a request this planner cannot map with confidence
gets a refusal naming what it could not map, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agentic_assets.models.builtin.schema_match import ColumnRef

REFUSAL = "I cannot write this; configure a model (AGENTIC_MODEL)."

GRAINS = {
    "hourly": "hour", "hour": "hour", "daily": "day", "day": "day", "weekly": "week", "week": "week",
    "monthly": "month", "month": "month", "quarterly": "quarter", "quarter": "quarter",
    "yearly": "year", "annual": "year", "annually": "year", "year": "year",
}  # fmt: skip
AGG_WORDS = {
    "sum": "SUM", "total": "SUM", "totals": "SUM", "average": "AVG", "avg": "AVG", "mean": "AVG",
    "minimum": "MIN", "min": "MIN", "lowest": "MIN", "smallest": "MIN", "earliest": "MIN",
    "maximum": "MAX", "max": "MAX", "highest": "MAX", "largest": "MAX", "biggest": "MAX", "latest": "MAX",
    "count": "COUNT", "number": "COUNT",
}  # fmt: skip
GROUP_TRIGGERS = {"per", "by", "each", "every"}
PHRASE_STOP = {
    "only", "with", "where", "whose", "for", "from", "including", "excluding", "keeping", "sorted", "ordered",
    "as", "that", "which", "in", "on", "the", "to", "using", "built", "appended", "over", "and", "or", "but",
    "when", "if", "then", "is", "are", "was", "of",
}  # fmt: skip
ROW_NOUNS = {"row", "record", "event", "entry", "line"}
CONDITION_WORDS = {"only", "where", "whose", "excluding", "except", "unless", "if", "when", "without", "but", "not"}
UNSUPPORTED = {
    "median", "percentile", "quantile", "stddev", "deviation", "variance", "rolling", "moving", "cumulative",
    "running", "rank", "ranking", "ratio", "share", "percentage", "percent", "growth", "previous", "lag",
    "compared", "retention", "churn", "cohort", "forecast", "predict", "predicted", "trend", "convert",
    "converted", "exchange", "fx", "anomaly", "anomalies", "outlier", "outliers", "score", "probability",
    "sessionize", "sessions", "gap", "gaps", "streak", "interpolate", "weighted", "fuzzy", "similar",
}  # fmt: skip
NEGATIONS = {"not", "excluding", "except", "without", "non", "exclude", "excludes", "other"}


class CannotPlan(Exception):
    """The request cannot be mapped with confidence; the message says what was not understood."""


def ident(name: str) -> str:
    return name if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def number(text: str) -> str:
    return text.lstrip("+")


def select_item(expr: str, name: str) -> str:
    """`expr AS name`, or just `expr` when it already carries that name."""
    bare = expr.rsplit(".", 1)[-1]
    return expr if bare == ident(name) else f"{expr} AS {ident(name)}"


@dataclass
class Output:
    """One output column: its SQL expression, name and whether it is a grouping key."""

    expr: str
    name: str
    key: bool = False
    pos: int = 0
    agg: str | None = None
    source: ColumnRef | None = None


@dataclass
class Condition:
    sql_of: object  # callable(alias_map) -> str
    reason: str
    having: bool = False


@dataclass
class PlanState:
    consumed: set[int] = field(default_factory=set)
    assumptions: list[str] = field(default_factory=list)
    used_tables: set[str] = field(default_factory=set)
