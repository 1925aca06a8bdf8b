"""What kind of failure a run had, from exception classes rather than from the wording of a message.

A run record carries the exception's class lineage (`error_types`, most specific first, over the whole
cause chain). Where a record has none (an error that came back as text from a sandbox or a child process),
the class names written in Python's own `Type: message` form are resolved to the real classes (builtins
and DuckDB's exception hierarchy) and classified by `issubclass`, so a subclass of `OSError` is an I/O
failure whatever its name or message says.
"""

from __future__ import annotations

import builtins
import re
from typing import Literal

import duckdb
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
    (duckdb.InterruptException, "time"),
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
# Python's `Type: message` form, which every layer here uses to write an exception as text.
_TYPE_NAME = re.compile(
    r"(?:^|[\s(:])((?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Z][A-Za-z0-9_]*(?:Error|Exception|Interrupt))(?=:)"
)


class FailureSignal(BaseModel):
    """The structured view of a failed run: its status and the classes of what it raised."""

    status: str | None = None
    exception_types: list[str] = Field(default_factory=list, description="class names, most specific first")
    family: ErrorFamily = "none"


def _resolve(name: str) -> type[BaseException] | None:
    short = name.rsplit(".", 1)[-1]
    for namespace in (builtins, duckdb):
        cls = getattr(namespace, short, None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            return cls
    return None


def _family_of(cls: type[BaseException]) -> ErrorFamily | None:
    for base, family in _FAMILIES:
        if issubclass(cls, base):
            return family
    return None


def classify(error: str | None, status: str | None, error_types: list[str] | None = None) -> FailureSignal:
    """The failure signal of a run record (its error text, status and recorded exception lineage)."""
    if not error and not error_types:
        return FailureSignal(status=status, family="checks" if status == "checks_failed" else "none")
    names = list(error_types or [])
    names += [n for n in _TYPE_NAME.findall(error or "") if n not in names]
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
