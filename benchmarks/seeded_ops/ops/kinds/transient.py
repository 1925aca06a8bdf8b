"""Transient: the object store fails the first reads of one or two sources; data, schema and transform are
as they were, and the same run succeeds when retried."""

from __future__ import annotations

import random

from ..harness import Case, Reference
from .common import case, setup

VARIANTS = ("one_source", "two_sources")
_ERRORS = ("a connection reset", "a 503 from the object store", "a read timeout", "a TLS handshake failure")


def build(rng: random.Random, incident_id: str, variant: str) -> Case:
    two = variant == "two_sources"
    s = setup(rng, ("group_daily", "named_filter") if two else None)
    w = s.w
    names = [w.fact, w.dim] if two else [rng.choice(sorted(s.before))]
    counts = {n: rng.randint(1, 2) for n in names}
    err = rng.choice(_ERRORS)
    told = " and ".join(f"the first {'read' if k == 1 else f'{k} reads'} of {n}" for n, k in counts.items())
    return case(
        s,
        incident_id,
        faults={"read_failures": counts},
        category="transient",
        remediation="retry",
        root_cause=f"The object store failed {told} with {err}. The {w.domain.what} only gained the day "
        f"{w.last_day}; schema and transform are unchanged, and the same run succeeds when retried after a backoff.",
        reference=Reference(kind="retry"),
    )
