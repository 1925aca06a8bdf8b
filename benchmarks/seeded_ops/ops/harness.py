"""The incident model and the verifier of the tuned-c generator, reused as they are.

tuned-c's `cases` package describes an incident (sources per phase, the asset, the reference repair) and
verifies it through the project's incident harness, including memory and time faults and multi-cause
checks. This generator builds the same `Case` objects, so one verifier serves both splits.
"""

from __future__ import annotations

import sys
from pathlib import Path

_TUNED_C = Path(__file__).resolve().parents[2] / "tuned_c"
if str(_TUNED_C) not in sys.path:
    sys.path.insert(0, str(_TUNED_C))

from cases.case import Case, Reference, derive, write_sources, write_table, write_yaml  # noqa: E402
from cases.verify import MEMORY_THREADS, Verdict, _scratch_root, _transform, build_and_verify  # noqa: E402

transform_alone = _transform
scratch_root = _scratch_root

__all__ = [
    "MEMORY_THREADS",
    "Case",
    "Reference",
    "Verdict",
    "build_and_verify",
    "derive",
    "scratch_root",
    "transform_alone",
    "write_sources",
    "write_table",
    "write_yaml",
]
