"""Write and verify one incident of a seeded set (a function of its own module, so worker processes can run it)."""

from __future__ import annotations

from pathlib import Path

from .compose import build_case
from .tables import Verdict, build_and_verify


def one(seed: int, index: int, out: Path) -> Verdict:
    """Write and verify one incident; a broken draw is a failed verdict, not a crash of the whole set."""
    try:
        case = build_case(seed, index)
    except Exception as err:  # noqa: BLE001 - one broken draw must not hide the others
        return Verdict(f"s{seed}-{index:03d}", ok=False, before=f"BUILD ERROR: {type(err).__name__}: {err}")
    try:
        verdict, _ = build_and_verify(case, out)
    except Exception as err:  # noqa: BLE001
        verdict = Verdict(case.id, ok=False, before=f"VERIFY ERROR: {type(err).__name__}: {err}")
    return verdict
