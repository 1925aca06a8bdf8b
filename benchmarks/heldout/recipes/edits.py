"""How upstream systems change a table: small pure functions over rows, used by every case."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Row = dict[str, Any]


def renamed(rows: Iterable[Row], **names: str) -> list[Row]:
    """renamed(rows, old="new"): the same rows, columns renamed, column order kept."""
    return [{names.get(k, k): v for k, v in r.items()} for r in rows]


def without(rows: Iterable[Row], *columns: str) -> list[Row]:
    return [{k: v for k, v in r.items() if k not in columns} for r in rows]


def keep(rows: Iterable[Row], *columns: str) -> list[Row]:
    return [{c: r[c] for c in columns} for r in rows]


def rewritten(rows: Iterable[Row], column: str, fn: Callable[[Any], Any]) -> list[Row]:
    """Every value of `column` written anew by fn (the column keeps its place)."""
    return [{k: (fn(v) if k == column else v) for k, v in r.items()} for r in rows]


def added(rows: Iterable[Row], column: str, fn: Callable[[Row], Any]) -> list[Row]:
    return [{**r, column: fn(r)} for r in rows]


def spoiled(rows: list[Row], every: int, column: str, value: Any, offset: int = 3) -> list[Row]:
    """Every `every`-th row (from `offset`) gets `value` in `column`: the few bad rows of a feed."""
    return [({**r, column: value} if i % every == offset else dict(r)) for i, r in enumerate(rows)]


def replayed(rows: list[Row], start: int, count: int) -> list[Row]:
    """A batch delivered twice: rows[start:start+count] appended again, identical."""
    return [dict(r) for r in rows] + [dict(r) for r in rows[start : start + count]]
