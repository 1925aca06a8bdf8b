"""Every incident builder of the split, in a fixed order."""

from __future__ import annotations

from collections.abc import Callable

from . import config, formats, late, multi, quality, resources, schema, transient
from .case import Case

MODULES = [schema, formats, quality, late, config, resources, transient, multi]


def all_cases() -> list[Callable[[], Case]]:
    out = []
    for module in MODULES:
        out.extend(getattr(module, n) for n in module.__dict__ if not n.startswith("_")
                   and callable(getattr(module, n)) and getattr(getattr(module, n), "__module__", "") == module.__name__)  # fmt: skip
    return out
