"""Join keys: values that no longer find their partner (names instead of codes, or a changed meaning)."""

from __future__ import annotations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.sql_rewrite import quote

# Share of a join key's values that still find their partner: below 0.2 the key lost most of its matches,
# which new ids alone (a few percent a day) never explain; the values now mean something else.
REKEYED_MAX = 0.2


def key_findings(ev: Evidence) -> list[Finding]:
    """Join keys whose values no longer find their partner: names instead of codes, or a changed meaning."""
    out: list[Finding] = []
    # A key retyped on either side is compared as text by the diff: the cast check covers it instead.
    retyped = {c["column"] for d in ev.diffs() for c in d.get("type_changed", [])}
    for d in ev.diffs():
        for km in d.get("key_matches", []):
            col, partner = km["column"], km["partner"]
            if col in retyped or km.get("matches_partner") is None or km["matches_partner"] >= REKEYED_MAX:
                continue
            other = km.get("matches_other_column")
            if other and km.get("other_column_unique"):
                source = d["source"]
                adapter = (
                    f"SELECT s.* REPLACE (COALESCE(m.{quote(col)}, s.{quote(col)}) AS {quote(col)}) "
                    f"FROM {quote(source)} AS s LEFT JOIN (SELECT DISTINCT {quote(other)}, {quote(col)} "
                    f"FROM {quote(partner)}) AS m ON m.{quote(other)} = s.{quote(col)}"
                )
                out.append(
                    Finding(
                        category="format_drift",
                        remediation="code_change",
                        cause=f"{source}.{col} now holds {partner}.{other} values instead of {partner}.{col} "
                        f"({km['other_column_match']:.0%} of them are {other} values): names instead of codes",
                        evidence=["schema_diff"],
                        confidence=0.86,
                        source=source,
                        adapter=adapter,
                    )
                )
            else:
                out.append(
                    Finding(
                        category="schema_drift",
                        remediation="escalate",
                        cause=f"only {km['matches_partner']:.0%} of {d['source']}.{col} values exist in "
                        f"{partner}.{col}: the identifier now means something else",
                        evidence=["schema_diff"],
                        confidence=0.85,
                        escalate_reason=f"no source maps the new {col} values to the old ones; a join would guess",
                    )
                )
    mapped = {f.cause.split(" now holds ")[0].split(".")[-1] for f in out if f.adapter}
    if mapped:
        # One side of the join found its values in another partner column: the reverse view is the same change.
        out = [f for f in out if f.adapter or not any(f" {col} values exist" in f.cause or f".{col} values" in f.cause
                                                       for col in mapped)]  # fmt: skip
    return out
