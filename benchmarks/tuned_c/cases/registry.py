"""Every incident builder of the split, in a fixed order (the order of the verification table)."""

from __future__ import annotations

from collections.abc import Callable

from . import config, formats, late, multi, quality, resources, schema, transient
from .case import Case


def _builders(module: object) -> list[Callable[[], Case]]:
    """The module's public functions that build a Case, in the order they are written."""
    found = []
    for name, value in vars(module).items():
        if name.startswith("_") or not callable(value) or getattr(value, "__module__", "") != module.__name__:
            continue
        if getattr(value, "__annotations__", {}).get("return") == "Case":
            found.append(value)
    return found


def all_cases() -> list[Callable[[], Case]]:
    out: list[Callable[[], Case]] = []
    for module in (formats, multi, resources, schema, late, quality, config, transient):
        out.extend(_builders(module))
    return out
