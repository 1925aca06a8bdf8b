"""Resource limits measured on this machine, the way the verifier checks them.

Memory: the smallest limit (on a ladder of megabytes) at which a transform completes, at each thread count
the runner may use. Time: the transform's wall-clock seconds at two threads. Sources are read as the
platform reads them (Parquet as a dataset), from a scratch copy of the generated tables.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads

from .harness import MEMORY_THREADS, transform_alone, write_table

LADDER_MB = (8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 36, 40, 44, 48, 52, 56, 60, 64, 72, 80, 88, 96,
             104, 112, 128, 144, 160, 176, 192, 224, 256, 288, 320, 384, 448, 512)  # fmt: skip


class Inputs:
    """Tables written once as Parquet to a scratch folder and opened as datasets, as the platform does."""

    def __init__(self, tables: dict[str, pa.Table]) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="seeded-ops-measure-")
        self.datasets: dict[str, pads.Dataset] = {}
        for name, table in tables.items():
            path = Path(self._dir.name) / f"{name}.parquet"
            write_table(table, path, "parquet")
            self.datasets[name] = pads.dataset(str(path), format="parquet")

    def close(self) -> None:
        self._dir.cleanup()


def need_mb(sql: str, inputs: Inputs, threads: int) -> int:
    """The smallest ladder limit at which the transform completes (bisection; more memory never hurts)."""
    lo, hi = 0, len(LADDER_MB) - 1
    if transform_alone(sql, inputs.datasets, threads=threads, memory_mb=LADDER_MB[hi])[0]:
        return 10_000
    while lo < hi:
        mid = (lo + hi) // 2
        if transform_alone(sql, inputs.datasets, threads=threads, memory_mb=LADDER_MB[mid])[0]:
            lo = mid + 1
        else:
            hi = mid
    return LADDER_MB[lo]


def memory_limit(sql_before: str, before: Inputs, sql_after: str, after: Inputs) -> int | None:
    """A limit the last good run fits under with room to spare, that the current run exceeds at every thread
    count, and whose double is enough for it; None when these sources allow none."""
    b = max(need_mb(sql_before, before, t) for t in MEMORY_THREADS)
    a = [need_mb(sql_after, after, t) for t in MEMORY_THREADS]
    limit = 4 * math.ceil(max(1.1 * b, 0.55 * max(a)) / 4)
    if limit <= 0.9 * min(a) and 2 * limit >= 1.1 * max(a):
        return limit
    return None


def seconds(sql: str, inputs: Inputs, deadline_s: float | None = None) -> tuple[str | None, float]:
    return transform_alone(sql, inputs.datasets, threads=2, deadline_s=deadline_s)
