"""Small functions shared by the incident builders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.core import ts

Row = dict[str, Any]


def window(now: str, days: float, until_minutes: int = 10) -> tuple[dt.datetime, dt.datetime]:
    """[now - days, now - until_minutes) as naive UTC datetimes."""
    t_now = ts(now)
    return t_now - dt.timedelta(days=days), t_now - dt.timedelta(minutes=until_minutes)


def rename(rows: list[Row], old: str, new: str) -> list[Row]:
    return [{(new if k == old else k): v for k, v in r.items()} for r in rows]


def drop(rows: list[Row], *columns: str) -> list[Row]:
    return [{k: v for k, v in r.items() if k not in columns} for r in rows]


def with_values(rows: list[Row], column: str, fn) -> list[Row]:  # noqa: ANN001
    return [dict(r, **{column: fn(r)}) for r in rows]


def checks(name: str, *lines: str) -> str:
    return f"checks for {name}:\n" + "".join(f"  {line}\n" for line in lines)
