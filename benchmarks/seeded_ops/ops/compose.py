"""The composition of a seeded set: which kind and variant each incident is, and its id.

Every (kind, variant) pair is dealt in an order shuffled by the seed, then dealt again, so a set of a few
dozen covers every variant. Each incident draws its own choices (domain, naming, shape, checks, sizes) from a
generator seeded with (seed, position) alone: incident k of a seed is the same whatever the count.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from pydantic import BaseModel

from .harness import Case
from .kinds import config, late, multi, quality, resources, transient

KINDS: dict[str, tuple[Callable[[random.Random, str, str], Case], tuple[str, ...]]] = {
    "late_data": (late.build, late.VARIANTS),
    "resource_exhaustion": (resources.build, resources.VARIANTS),
    "transient": (transient.build, transient.VARIANTS),
    "config_regression": (config.build, config.VARIANTS),
    "data_quality": (quality.build, quality.VARIANTS),
    "multi_cause": (multi.build, multi.VARIANTS),
}


class Planned(BaseModel):
    seed: int
    index: int
    kind: str
    variant: str

    @property
    def rng(self) -> random.Random:
        return random.Random(f"seeded-ops:{self.seed}:{self.index}")

    def incident_id(self, asset: str) -> str:
        # The seed and position lead the id: sets from different seeds never collide. The rest is the asset's
        # name, which is what a person sees in the alert; it does not give the kind away.
        return f"so{self.seed}-{self.index:03d}-{asset.replace('_', '-')}"


def plan(seed: int, count: int) -> list[Planned]:
    pairs = [(k, v) for k, (_, variants) in KINDS.items() for v in variants]
    out: list[Planned] = []
    deal = 0
    while len(out) < count:
        order = list(pairs)
        random.Random(f"seeded-ops-deal:{seed}:{deal}").shuffle(order)
        for kind, variant in order[: count - len(out)]:
            out.append(Planned(seed=seed, index=len(out) + 1, kind=kind, variant=variant))
        deal += 1
    return out


def build(p: Planned) -> Case:
    """The incident's Case, its id made from the seed, the position and the asset."""
    fn, _ = KINDS[p.kind]
    draft = fn(p.rng, "pending", p.variant)
    return draft.model_copy(update={"id": p.incident_id(draft.asset)})
