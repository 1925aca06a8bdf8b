"""Table helpers shared with the tuned-c generator: its `derive`, the incident model and its writers."""

from __future__ import annotations

import sys
from pathlib import Path

_TUNED = Path(__file__).resolve().parents[2] / "tuned_c"
if str(_TUNED) not in sys.path:
    sys.path.insert(0, str(_TUNED))

from cases.case import Case, Reference, derive, write_sources, write_yaml  # noqa: E402
from cases.verify import Verdict, build_and_verify  # noqa: E402

__all__ = ["Case", "Reference", "Verdict", "build_and_verify", "derive", "write_sources", "write_yaml"]
