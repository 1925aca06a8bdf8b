"""Arrow types a table format can store: view (and, where asked, large) string/binary types become plain."""

from __future__ import annotations

import pyarrow as pa


def with_plain_types(data: pa.Table, *, large_too: bool) -> pa.Table:
    """Cast string/binary views to plain string/binary (and large variants too when `large_too`); every
    column nullable, so staged and published schemas compare equal run after run."""
    fields = []
    for f in data.schema:
        t = f.type
        if pa.types.is_string_view(t) or (large_too and pa.types.is_large_string(t)):
            t = pa.string()
        elif pa.types.is_binary_view(t) or (large_too and pa.types.is_large_binary(t)):
            t = pa.binary()
        fields.append(pa.field(f.name, t, nullable=True))
    return data.cast(pa.schema(fields))
