"""Number format: a numeric column now written as text for people, read back by the readings that read it all.

The profile carries every reading of the column's values (`number_readings.detect`: sign, grouping, decimal
mark, exponent, constant affix, each verified on every value holding a digit). Each meaning becomes one
candidate repair, and with a residue of values holding no digit, also the candidate that dead-letters it.
All of them go to the sandbox, even a single one: a reading must reproduce the last good output on the rows
it shares with it, which is what tells a format (`1.234,50`) from a unit or scale change (`12000 g`).
"""

from __future__ import annotations

from typing import Any

from agentic_assets.repair.number_readings import NumberReading, to_sql
from agentic_assets.repair.planner import fixes
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.sql_rewrite import quote

_NUMBER_TARGETS = ("DOUBLE", "BIGINT", "INTEGER", "DECIMAL", "INT", "SMALL", "TINY", "HUGE", "FLOAT", "UBIG", "UINT")


def readings_of(profile: dict[str, Any]) -> list[NumberReading]:
    return [NumberReading.model_validate(r) for r in profile.get("number_readings") or []]


def candidates(
    source: str, col: str, before: str, profile: dict[str, Any], *, as_text: bool = False
) -> list[list[Finding]]:
    """One candidate per meaning (and per meaning, one with a dead letter of the residue); [] when none reads."""
    target = "DOUBLE" if as_text else fixes.target_type(before)
    if not target.startswith(_NUMBER_TARGETS):
        return []
    out: list[list[Finding]] = []
    for reading in readings_of(profile):
        expr = to_sql(reading, col, "DOUBLE" if as_text else target)
        cast = Finding(
            category="format_drift",
            remediation="code_change",
            cause=f"{source}.{col} is now written as text ({reading.describe()}), a reading that reads every "
            f"value holding a digit; the transform expects {before}",
            evidence=["schema_diff", "column_profiles"],
            confidence=0.86,
            source=source,
            replaces={col: f"CAST({expr} AS VARCHAR)" if as_text else expr},
        )
        out.append([cast])
        if reading.residue:
            check = to_sql(reading, col, "DOUBLE", strict=False)
            out.append(
                [
                    cast,
                    Finding(
                        category="data_quality",
                        remediation="dead_letter",
                        cause=f"{reading.residue} distinct {source}.{col} values hold no number at all",
                        evidence=["column_profiles"],
                        confidence=0.8,
                        source=source,
                        condition=f"{quote(col)} IS NOT NULL AND {check} IS NULL",
                        reason=f"{col} holds no number",
                    ),
                ]
            )
    return out
