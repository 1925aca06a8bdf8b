"""Accepting a job's Parquet output: its footer first, then its decoded size, batch by batch.

A small Parquet file can decode to gigabytes (dictionary and run-length encodings, compression),
so the host never hands it to `pq.read_table` as it is. `check_output` reads the footer — the
declared row count and uncompressed size against the job's limits — and then the data one
batch at a time, keeping string and binary columns dictionary-encoded while it measures them,
so that a batch costs at most its dictionary and indices however large the values it points
at; the sizes the values would take decoded are summed without decoding them, and the reading
stops at the limit. `read_output` does the same and returns the table, decoded one batch at a
time within the limit.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sandbox_runtime.models import ColumnSchema, SandboxLimits

# Rows per batch while measuring: small enough that a batch of indices and fixed-width values
# stays a few MB for tables of tens of columns.
BATCH_ROWS = 64 * 1024


class OutputRejected(ValueError):
    """The output is over the job's limits or not readable Parquet; the message says which."""


def _footer(path: Path, limits: SandboxLimits) -> pq.FileMetaData:
    try:
        meta = pq.read_metadata(path)
    except Exception as exc:  # noqa: BLE001 - any parse failure means a bad file
        raise OutputRejected(f"output is not valid Parquet: {exc}") from exc
    if meta.num_rows > limits.max_output_rows:
        raise OutputRejected(f"output declares {meta.num_rows:,} rows, over the limit of {limits.max_output_rows:,}")
    declared = max(
        sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)),
        _declared_leaf_bytes(meta),
    )
    if declared > limits.max_output_decoded_mb << 20:
        raise OutputRejected(
            f"output declares {declared / (1 << 20):,.0f} MB uncompressed, "
            f"over the limit of {limits.max_output_decoded_mb} MB"
        )
    return meta


# Bytes one leaf value takes decoded, by Parquet physical type; a byte array counts its offset
# here, its bytes are counted from the dictionary or the pages themselves.
_LEAF_WIDTH = {"BOOLEAN": 1, "INT32": 4, "FLOAT": 4, "INT64": 8, "DOUBLE": 8, "INT96": 12, "BYTE_ARRAY": 4}


def _declared_leaf_bytes(meta: pq.FileMetaData) -> int:
    """The least the leaf values declared in the footer take decoded (a reader stops at each
    column chunk's declared value count, so a page header cannot add values)."""
    total = 0
    for rg in range(meta.num_row_groups):
        group = meta.row_group(rg)
        for index in range(group.num_columns):
            chunk = group.column(index)
            column = meta.schema.column(index)
            width = _LEAF_WIDTH.get(chunk.physical_type) or max(1, column.length or 1)
            total += chunk.num_values * width
    return total


def _binary_leaves(meta: pq.FileMetaData) -> list[str]:
    """Paths of the byte-array leaves, read dictionary-encoded while they are measured."""
    schema = meta.schema
    return [schema.column(i).path for i in range(len(schema)) if schema.column(i).physical_type == "BYTE_ARRAY"]


def _children(column: pa.Array) -> list[pa.Array]:
    kind = column.type
    if isinstance(kind, pa.ListType | pa.LargeListType | pa.FixedSizeListType | pa.MapType):
        return [column.values]
    if pa.types.is_struct(kind):
        return [column.field(i) for i in range(kind.num_fields)]
    return []


def _decoded_bytes(column: pa.Array) -> int:
    """Bytes `column` takes once decoded, computed without decoding a dictionary."""
    if isinstance(column, pa.DictionaryArray):
        lengths = pc.binary_length(column.dictionary)
        value_bytes = pc.sum(pc.take(lengths, column.indices)).as_py() or 0
        return value_bytes + 8 * len(column) + len(column) // 8 + 1  # offsets and validity
    children = _children(column)
    if not children:
        return column.get_total_buffer_size()
    own = column.get_total_buffer_size() - sum(child.get_total_buffer_size() for child in children)
    return max(0, own) + sum(_decoded_bytes(child) for child in children)


def _batches(path: Path, limits: SandboxLimits, meta: pq.FileMetaData):  # noqa: ANN202
    """The batches as read (byte arrays dictionary-encoded), up to the decoded-size limit."""
    budget = limits.max_output_decoded_mb << 20
    dictionary = _binary_leaves(meta)
    total, rows = 0, 0
    try:
        reader = pq.ParquetFile(path, read_dictionary=dictionary)
        for batch in reader.iter_batches(batch_size=BATCH_ROWS, use_threads=False):
            rows += batch.num_rows
            total += sum(_decoded_bytes(column) for column in batch.columns)
            if rows > limits.max_output_rows:
                raise OutputRejected(f"output holds more than {limits.max_output_rows:,} rows")
            if total > budget:
                raise OutputRejected(
                    f"output decodes to more than {limits.max_output_decoded_mb} MB (stopped after {rows:,} rows)"
                )
            yield batch
    except OutputRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - corrupt pages, bad encodings: a bad file
        raise OutputRejected(f"output is not valid Parquet: {exc}") from exc


def check_output(path: Path, limits: SandboxLimits) -> tuple[int, list[ColumnSchema]]:
    """Rows and schema of an acceptable output; raises OutputRejected otherwise."""
    meta = _footer(path, limits)
    for _ in _batches(path, limits, meta):
        pass
    schema = meta.schema.to_arrow_schema()
    return meta.num_rows, [ColumnSchema(name=f.name, type=str(f.type)) for f in schema]


def read_output(path: Path, limits: SandboxLimits) -> pa.Table:
    """The output as a table, read within the limits (raises OutputRejected over them)."""
    meta = _footer(path, limits)
    schema = meta.schema.to_arrow_schema()
    decoded = []
    for batch in _batches(path, limits, meta):
        columns = [
            column if column.type == field.type else column.cast(field.type)
            for column, field in zip(batch.columns, schema, strict=True)
        ]
        decoded.append(pa.RecordBatch.from_arrays(columns, schema=schema))
    return pa.Table.from_batches(decoded, schema=schema)
