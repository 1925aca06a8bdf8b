"""Upsert by key, computed in DuckDB: the same result for Iceberg and Delta staging."""

from __future__ import annotations

import pyarrow as pa

from agentic_assets.engines.duckdb_engine import run_sql


def merged(current: pa.Table, new: pa.Table, keys: list[str]) -> pa.Table:
    """The rows of `current` whose keys are not in `new`, plus all of `new`, in `new`'s columns.

    Keys match with IS NOT DISTINCT FROM (a null key replaces the row with a null key); a column the
    new rows add is null on the kept rows; a column they no longer have is dropped, as in overwrite.
    """
    for field in new.schema:
        if field.name not in current.column_names:
            current = current.append_column(pa.field(field.name, field.type), pa.nulls(current.num_rows, field.type))
    on = " AND ".join(f'c."{k}" IS NOT DISTINCT FROM n."{k}"' for k in keys)
    cols = ", ".join(f'"{c}"' for c in new.column_names)
    kept = run_sql(
        f"SELECT {cols} FROM current c WHERE NOT EXISTS (SELECT 1 FROM new n WHERE {on})",
        {"current": current, "new": new},
    )
    return pa.concat_tables([kept.cast(new.schema), new])
