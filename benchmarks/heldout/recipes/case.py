"""One held-out case, written as a recipe: tables before and after, the asset, the answer, the fix.

A recipe is turned into the incident model of the project's verification harness
(benchmarks/incidents/generator), so that both splits are written and checked by the same code:
before/ passes at `now`, after/ fails, the reference repair passes and its rows become
expected/output.csv. Only the way cases are described differs, on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from generator.core import Incident, Reference, Source

# A check is SodaCL text, or (metric line, {option: value}) for the nested form FORMAT.md asks for.
Check = str | tuple[str, dict[str, Any]]


class T:
    """A table as a case writes it: rows, a file format, and Arrow types where a CSV would guess wrong."""

    def __init__(self, rows: list[dict], fmt: str = "csv", types: dict[str, pa.DataType] | None = None,
                 columns: list[str] | None = None) -> None:  # fmt: skip
        self.rows, self.fmt, self.types, self.columns = rows, fmt, types or {}, columns

    def source(self, stem: str) -> Source:
        return Source(stem, self.rows, fmt=self.fmt, columns=self.columns, types=self.types)  # type: ignore[arg-type]


def sodacl(asset: str, checks: Sequence[Check]) -> str:
    lines = [f"checks for {asset}:"]
    for item in checks:
        if isinstance(item, str):
            lines.append(f"  - {item}")
            continue
        metric, options = item
        lines.append(f"  - {metric}:")
        for key, value in options.items():
            if isinstance(value, dict):
                lines.append(f"      {key}:")
                lines += [f"        {k}: {v}" for k, v in value.items()]
            else:
                lines.append(f"      {key}: {value}")
    return "\n".join(lines) + "\n"


def _sources(tables: dict[str, T] | None) -> list[Source]:
    return [t.source(stem) for stem, t in (tables or {}).items()]


def case(
    id: str,  # noqa: A002 - the incident id
    *,
    domain: str,
    shape: str,
    now: str,
    asset: str,
    about: str,
    sql: str,
    checks: Sequence[Check],
    before: dict[str, T],
    after: dict[str, T] | None,
    category: str | list[str],
    remediation: str | list[str],
    cause: str,
    fix: str | None = None,
    fix_checks: Sequence[Check] | None = None,
    landed: dict[str, T] | None = None,
    faults: dict[str, Any] | None = None,
    history: list[tuple[str, str]] | None = None,
    deployed: str | None = None,
    wrong: Sequence[tuple[str, str]] = (),
) -> Incident:
    """The incident; the reference repair follows from the remediation unless `fix` SQL is given."""
    kinds = {remediation} if isinstance(remediation, str) else set(remediation)
    if "escalate" in kinds:
        reference = Reference("escalate")
    elif landed:
        reference = Reference("arrival", arrived=_sources(landed))
    elif fix is not None:
        reference = Reference("sql", sql=fix, checks=sodacl(asset, fix_checks) if fix_checks else None)
    elif kinds == {"retry"}:
        reference = Reference("retry")
    elif kinds == {"resource_increase"}:
        reference = Reference("limit")
    elif kinds == {"rollback"} and history:
        reference = Reference("sql", sql=history[-1][0])
    else:
        raise ValueError(f"{id}: remediation {sorted(kinds)} needs a reference fix")
    return Incident(
        id=id,
        now=now,
        name=asset,
        description=" ".join(about.split()),
        sql=sql.strip() + "\n",
        checks=sodacl(asset, checks),
        category=category,
        remediation=remediation,
        root_cause=cause,
        before=_sources(before),
        after=_sources(after) or None,
        reference=reference,
        history=history or [],
        deployed=deployed,
        faults=faults,
        domain=domain,
        shape=shape,
        wrong_repairs=list(wrong),
    )
