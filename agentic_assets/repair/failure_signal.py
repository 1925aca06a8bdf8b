"""What kind of failure a run had, from exception classes rather than from the wording of a message.

A run record carries the exception's class lineage (`error_types`, most specific first, over the whole
cause chain). Where a record has none (an error that came back as text from a sandbox or a child process),
the class names written in Python's own `Type: message` form are resolved to the real classes (builtins
and DuckDB's exception hierarchy) and classified by `issubclass`, so a subclass of `OSError` is an I/O
failure whatever its name or message says.
"""

from __future__ import annotations

import builtins
import concurrent.futures
import re
import subprocess
from types import ModuleType
from typing import Literal

import duckdb
from dagster._core import errors as dagster_errors
from pydantic import BaseModel, Field

from agentic_assets.materialize.run_log import exception_lineage

ErrorFamily = Literal[
    "none",  # the run raised nothing
    "checks",  # the transform ran; blocking checks failed
    "io",  # reading or writing failed (OSError, DuckDB IOException)
    "missing_file",  # a file the run needs is not there (FileNotFoundError)
    "missing_table",  # the SQL names a table the catalog does not have (DuckDB CatalogException)
    "memory",  # MemoryError, DuckDB OutOfMemoryException
    "time",  # TimeoutError, DuckDB InterruptException (a statement stopped at its deadline)
    "binder",  # the SQL does not bind to the inputs: a column missing, ambiguous, or branches misaligned
    "conversion",  # a value does not convert to the type the SQL asks for
    "overflow",  # a value is outside the range of its type
    "type_mismatch",  # an operator or function applied to incompatible types
    "other",
]

# Most specific first: the first class in a lineage that is a subclass of one of these decides.
_FAMILIES: list[tuple[type[BaseException], ErrorFamily]] = [
    (MemoryError, "memory"),
    (duckdb.OutOfMemoryException, "memory"),
    (TimeoutError, "time"),
    (concurrent.futures.TimeoutError, "time"),
    (subprocess.TimeoutExpired, "time"),  # a child process stopped at its deadline
    (duckdb.InterruptException, "time"),
    (dagster_errors.DagsterExecutionInterruptedError, "time"),  # a step stopped by the run's monitor
    (FileNotFoundError, "missing_file"),
    (duckdb.CatalogException, "missing_table"),
    (duckdb.BinderException, "binder"),
    (duckdb.OutOfRangeException, "overflow"),
    (OverflowError, "overflow"),
    (duckdb.TypeMismatchException, "type_mismatch"),
    (duckdb.ConversionException, "conversion"),
    (duckdb.InvalidInputException, "conversion"),
    (duckdb.IOException, "io"),
    (ConnectionError, "io"),
    (OSError, "io"),
]
# A DuckDB ConversionException for a number that does not fit its target type is an overflow; DuckDB
# says so in the message of that one class ("out of range"), the only place it is told apart.
_CONVERSION_OUT_OF_RANGE = re.compile(r"out of range", re.IGNORECASE)
# Python's `Type: message` form, which every layer here uses to write an exception as text. A name counts when
# it is written like an exception class, or when it resolves to one (`TimeoutExpired`).
_CLASS_LIKE = re.compile(
    r"(?:^|[\s(:])((?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Z][A-Za-z0-9_]*(?:Error|Exception|Interrupt))(?=:)"
)
_ANY_NAME = re.compile(r"(?:^|[\s(:])((?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Z][A-Za-z0-9_]*)(?=:)")


def _type_names(text: str) -> list[str]:
    named = _CLASS_LIKE.findall(text)
    return [n for n in _ANY_NAME.findall(text) if n in named or _resolve(n) is not None]


class FailureSignal(BaseModel):
    """The structured view of a failed run: its status and the classes of what it raised."""

    status: str | None = None
    exception_types: list[str] = Field(default_factory=list, description="class names, most specific first")
    family: ErrorFamily = "none"
    reached_time_limit: bool = Field(
        default=False, description="the run's measured duration reached its wall-clock limit (see `classify`)"
    )


# Where class names written as text are looked up, in this order.
_NAMESPACES: tuple[ModuleType, ...] = (builtins, duckdb, subprocess, concurrent.futures, dagster_errors)
# A run stopped at its deadline has run for the whole of its limit; the stop and the run record read the same
# clock, so the recorded duration is the limit less only the time between the start of the clock and the run's
# own start (process start-up, well under 5% of any limit worth setting). A run that failed on its own before
# the limit records less than that.
TIME_LIMIT_REACHED = 0.95


def _resolve(name: str) -> type[BaseException] | None:
    short = name.rsplit(".", 1)[-1]
    for namespace in _NAMESPACES:
        cls = getattr(namespace, short, None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            return cls
    return None


def _family_of(cls: type[BaseException]) -> ErrorFamily | None:
    for base, family in _FAMILIES:
        if issubclass(cls, base):
            return family
    return None


def classify(
    error: str | None,
    status: str | None,
    error_types: list[str] | None = None,
    *,
    seconds: float | None = None,
    timeout_s: float | None = None,
) -> FailureSignal:
    """The failure signal of a run record (its error text, status and recorded exception lineage).

    With the run's measured `seconds` and its wall-clock limit `timeout_s`, a run that did not finish and ran
    for its whole limit is a time failure whatever the engine raised when it was stopped (an interrupt, a
    closed connection, a killed process, or nothing at all)."""
    reached = bool(timeout_s) and seconds is not None and seconds >= TIME_LIMIT_REACHED * float(timeout_s or 0)
    if reached and status not in ("checks_failed", "success", "published"):
        names = list(error_types or []) + [n for n in _type_names(error or "") if n not in (error_types or [])]
        memory = any((c := _resolve(n)) is not None and _family_of(c) == "memory" for n in names)
        if not memory:
            return FailureSignal(status=status, exception_types=names, family="time", reached_time_limit=True)
    if not error and not error_types:
        return FailureSignal(status=status, family="checks" if status == "checks_failed" else "none")
    names = list(error_types or [])
    names += [n for n in _type_names(error or "") if n not in names]
    family: ErrorFamily = "other"
    for name in names:
        cls = _resolve(name)
        found = _family_of(cls) if cls is not None else None
        if found is not None:
            family = found
            if family == "conversion" and _CONVERSION_OUT_OF_RANGE.search(error or ""):
                family = "overflow"
            break
    return FailureSignal(status=status, exception_types=names, family=family)


__all__ = ["ErrorFamily", "FailureSignal", "classify", "exception_lineage"]
