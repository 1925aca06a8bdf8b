"""What an asset's SodaCL checks say about its output: the columns they name and the unique keys."""

from __future__ import annotations

import re

import yaml

_CALL = re.compile(r"\b([a-z_]+)\(([^)]*)\)")
_NOT_COLUMNS = {"", "*"}


def check_columns(checks_text: str) -> tuple[list[str], list[str]]:
    """(columns any check refers to, columns a `duplicate_count(...) = 0` check makes unique together)."""
    try:
        doc = yaml.safe_load(checks_text) or {}
    except yaml.YAMLError:
        return [], []
    columns: list[str] = []
    unique: list[str] = []
    for key, items in doc.items() if isinstance(doc, dict) else []:
        if not str(key).startswith("checks for") or not isinstance(items, list):
            continue
        for item in items:
            text = item if isinstance(item, str) else next(iter(item), "") if isinstance(item, dict) else ""
            for fn, args in _CALL.findall(str(text)):
                names = [a.strip().strip('"') for a in args.split(",")]
                names = [n for n in names if n not in _NOT_COLUMNS and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n)]
                columns.extend(n for n in names if n not in columns)
                if fn == "duplicate_count" and re.search(r"=\s*0\s*$", str(text)):
                    unique = names
    return columns, unique
