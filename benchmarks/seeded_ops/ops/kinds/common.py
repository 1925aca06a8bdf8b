"""What most kinds share: a world, an asset in some shape over it, and the phases of its event table."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pyarrow as pa

from ..harness import Case, Reference
from ..shapes import Shape, make_shape, standard_checks
from ..world import World, make_world


@dataclass
class Setup:
    w: World
    shape: Shape
    before: dict[str, pa.Table]  # the last good run's sources: every day up to the one before the incident's
    grown: pa.Table  # the event table once the incident's day is in

    @property
    def formats(self) -> dict[str, str]:
        return dict.fromkeys(self.before, "csv")

    def checks(self, extra: list[str] | None = None) -> str:
        return standard_checks(self.shape.asset, self.shape, extra=extra)


def setup(rng: random.Random, shapes: tuple[str, ...] | None = None, **world: object) -> Setup:
    w = make_world(rng, **world)  # type: ignore[arg-type]
    shape = make_shape(w, rng, rng.choice(shapes) if shapes else None)
    before = {w.fact: w.table(w.rows(days=w.history_days))}
    if shape.reads_dim:
        before[w.dim] = w.dim_table()
    return Setup(w=w, shape=shape, before=before, grown=w.table(w.rows()))


def case(s: Setup, incident_id: str, **fields: object) -> Case:
    """A Case with the world's defaults filled in; `fields` override them."""
    base: dict = {
        "id": incident_id,
        "now": s.w.now_text,
        "asset": s.shape.asset,
        "description": s.shape.description,
        "sql": s.shape.sql(s.w.fact),
        "checks": s.checks(),
        "formats": s.formats,
        "before": s.before,
        "after": {s.w.fact: s.grown},
        "reference": Reference(kind="retry"),
    }
    base.update(fields)
    formats = dict(base["formats"])
    for phase in ("before", "after", "landed"):
        for name in base.get(phase, {}):
            formats.setdefault(name, "csv")
    base["formats"] = formats
    return Case(**base)


def day_text(d: object) -> str:
    return str(d)
