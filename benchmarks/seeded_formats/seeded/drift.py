"""What a drift kind hands back, and the helpers every kind shares."""

from __future__ import annotations

import random
from collections.abc import Callable

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from .shapes import Shape
from .world import World


class Context(BaseModel):
    """The draw a kind works on: the world, the asset's shape and the source table the drift lands in."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    world: World
    shape: Shape
    target: str  # the fact table (or the second feed of a union) that drifts
    before: pa.Table  # target's rows before, in the true representation
    after: pa.Table  # target's rows now, in the true representation
    first_new: int  # the first id since the cutover

    @property
    def cols(self) -> list[str]:
        return self.before.column_names


class Drift(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    kind: str
    after: dict[str, pa.Table]  # tables as they are now (the target, and any table that changed or landed)
    before_extra: dict[str, pa.Table] = Field(default_factory=dict)  # catalog tables that were there already
    froms: dict[str, str] = Field(default_factory=dict)  # the reference repair's FROM expression per table
    entity_cast: str | None = None
    category: str | list[str]
    remediation: str | list[str]
    root_cause: str
    schema_evolved: list[tuple[str, str]] | None = None
    # Escalations with two readings: FROM expressions that each repair the asset yet disagree on the rows.
    readings: list[dict[str, str]] = Field(default_factory=list)


class Kind(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    group: str  # format, schema or escalate
    needs: set[str] = Field(default_factory=set)  # what the shape must carry for the drift to surface
    checks: set[str] = Field(default_factory=set)  # checks the asset must have for the drift to surface
    # The drift lands in the first feed of a UNION ALL, whose column names the union keeps (a rename in the
    # second feed is harmless: UNION ALL matches by position).
    first_feed: bool = False
    text: bool = True  # the drifted column is text: the sources are Parquet, so no reader guesses its type
    applies: Callable[[World], bool] = lambda w: True  # noqa: E731
    apply: Callable[[random.Random, Context], Drift]


def q(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def scoped(ctx: Context, new: str, old: str, scope: str) -> str:
    """The new representation for every row, or only for the rows since the cutover (older rows keep `old`)."""
    if scope == "all":
        return new
    return f"CASE WHEN {ctx.world.col['id']} >= {ctx.first_new} THEN {new} ELSE {old} END"


def rebuild(
    ctx: Context,
    overrides: dict[str, str],
    joins: str = "",
    where: str = "",
    table: str | None = None,
    drop: tuple[str, ...] = (),
) -> str:
    """The normalizing subquery of the reference repair: the table's last good columns in their last good order
    (a UNION ALL matches by position), each read from the source as it is now."""
    cols = [c for c in ctx.cols if c not in drop]
    select = ", ".join(f"{overrides[c]} AS {c}" if c in overrides else f"f.{c}" for c in cols)
    sql = f"(SELECT {select} FROM {table or ctx.target} f{joins}"
    return sql + (f" WHERE {where}" if where else "") + ")"


def scope_words(scope: str, ctx: Context) -> str:
    w = ctx.world
    if scope == "all":
        return "all rows of the export"
    return f"the rows written since {w.cutover:%Y-%m-%d} (ids from {ctx.first_new})"
