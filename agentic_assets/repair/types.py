"""Arrow type strings (as the run log records them) to type families and DuckDB types."""

from __future__ import annotations

import re

Family = str  # integer | number | text | timestamp | date | boolean | other


def family(arrow_type: str) -> Family:
    t = arrow_type.lower()
    if re.match(r"u?int\d+", t):
        return "integer"
    if t.startswith(("double", "float", "halffloat", "decimal")):
        return "number"
    if t in ("string", "large_string", "string_view", "utf8", "large_utf8"):
        return "text"
    if t.startswith("timestamp"):
        return "timestamp"
    if t.startswith("date"):
        return "date"
    if t == "bool":
        return "boolean"
    return "other"


def duckdb_type(arrow_type: str) -> str:
    t = arrow_type.lower()
    m = re.match(r"decimal\d*\((\d+),\s*(\d+)\)", t)
    if m:
        return f"DECIMAL({m.group(1)},{m.group(2)})"
    simple = {
        "int8": "TINYINT",
        "int16": "SMALLINT",
        "int32": "INTEGER",
        "int64": "BIGINT",
        "uint8": "UTINYINT",
        "uint16": "USMALLINT",
        "uint32": "UINTEGER",
        "uint64": "UBIGINT",
        "double": "DOUBLE",
        "float": "FLOAT",
        "bool": "BOOLEAN",
        "date32[day]": "DATE",
    }
    if t in simple:
        return simple[t]
    fam = family(t)
    return {"text": "VARCHAR", "timestamp": "TIMESTAMP", "date": "DATE", "number": "DOUBLE"}.get(fam, "VARCHAR")


def compatible(a: str, b: str) -> bool:
    fa, fb = family(a), family(b)
    return fa == fb or {fa, fb} <= {"integer", "number"}


def is_identifier_name(column: str) -> bool:
    low = column.lower()
    return low.endswith(("_id", "_key", "_code", "_no", "_nr", "_number")) or low in ("id", "key", "code")
