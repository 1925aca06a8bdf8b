"""A family repeats one kind of fault across the worlds: each member is a builder named by its id."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

import duckdb

from generator.core import Incident, Source, write_source


def member(incident_id: str, build: Callable[[], Incident]) -> Callable[[], Incident]:
    """The builder under its incident id, as the registry, --list and --only name builders."""
    build.__name__ = incident_id.replace("-", "_")
    return build


def csv_types(rows: list[dict]) -> dict[str, str]:
    """Column -> DuckDB type name as the platform will read these rows from a CSV (lower case, as SodaCL's
    schema checks compare them)."""
    with TemporaryDirectory() as tmp:
        path = write_source(Source("t", rows), Path(tmp))
        con = duckdb.connect()
        try:
            described = con.execute("DESCRIBE SELECT * FROM read_csv(?)", [str(path)]).fetchall()
        finally:
            con.close()
    return {name: kind.lower() for name, kind, *_ in described}


def schema_check(types: dict[str, str]) -> str:
    lines = ["- schema:", "    fail:", "      when mismatching columns:"]
    return "\n  ".join(lines + [f"        {c}: {t}" for c, t in types.items()])
