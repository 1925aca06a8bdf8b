"""Read the list of checks out of SodaCL so each one becomes its own Dagster asset check."""

from __future__ import annotations

import re

import yaml
from pydantic import BaseModel

_OPERATORS = [
    (">=", " ge "),
    ("<=", " le "),
    ("!=", " ne "),
    ("<>", " ne "),
    (">", " gt "),
    ("<", " lt "),
    ("=", " eq "),
]


class SodaCheckDef(BaseModel):
    """One check line of a SodaCL file: soda's name for it, and a Dagster-safe name."""

    soda_name: str
    dagster_name: str
    line: str


def slug(text: str) -> str:
    for op, word in _OPERATORS:
        text = text.replace(op, word)
    text = re.sub(r"[^a-zA-Z0-9]+", "_", text).strip("_").lower()
    return text or "check"


def check_definitions(sodacl: str, table: str) -> list[SodaCheckDef]:
    doc = yaml.safe_load(sodacl) or {}
    items = doc.get(f"checks for {table}") or []
    defs: list[SodaCheckDef] = []
    used: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            line, config = next(iter(item.items()))
            name = (config or {}).get("name") if isinstance(config, dict) else None
        else:
            line, name = str(item), None
        soda_name = name or str(line)
        dagster_name = slug(soda_name)
        base, n = dagster_name, 2
        while dagster_name in used:
            dagster_name, n = f"{base}_{n}", n + 1
        used.add(dagster_name)
        defs.append(SodaCheckDef(soda_name=soda_name, dagster_name=dagster_name, line=str(line)))
    return defs
