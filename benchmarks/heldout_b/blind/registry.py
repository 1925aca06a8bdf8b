"""Every incident builder of the split, in a fixed order."""

from __future__ import annotations

from collections.abc import Callable

from . import config, formats, late, multi, quality, resources, schema, transient
from .case import Case

MODULES = [schema, formats, quality, late, config, resources, transient, multi]


def all_cases() -> list[Callable[[], Case]]:
    out = []
    for module in MODULES:
        for name, value in vars(module).items():
            if not name.startswith("_") and callable(value) and getattr(value, "__module__", "") == module.__name__:
                out.append(value)
    return out
