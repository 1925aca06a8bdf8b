"""Join keys: values that no longer find their partner (names instead of codes, or a changed meaning)."""

from __future__ import annotations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.schema_diff import KeyNormalisation
from agentic_assets.repair.sql_rewrite import quote

# Share of a join key's values that still find their partner: below 0.2 the key lost most of its matches,
# which new ids alone (a few percent a day) never explain; the values now mean something else.
REKEYED_MAX = 0.2
# A respelled key is the same key when nearly all of its values find their partner once respelled: as for a
# retyped identifier, 0.95 leaves room for the day's new ids, while a re-keying finds far fewer.
NORMALISED_MIN = 0.95


def _respell(source: str, col: str, partner: str, norm: KeyNormalisation) -> Finding:
    """Write `source.col` in its partner's spelling again."""
    c = quote(col)
    if norm.kind == "prefix":
        adapter = f"SELECT * REPLACE (substr({c}, {len(norm.affix) + 1}) AS {c}) FROM {quote(source)}"
        how = f"with a constant {norm.affix!r} before it"
    elif norm.kind == "suffix":
        adapter = f"SELECT * REPLACE (left({c}, length({c}) - {len(norm.affix)}) AS {c}) FROM {quote(source)}"
        how = f"with a constant {norm.affix!r} after it"
    else:
        fold = "upper(regexp_replace(CAST({} AS VARCHAR), '[^0-9A-Za-z]', '', 'g'))"
        adapter = (
            f"SELECT s.* REPLACE (COALESCE(m.v, s.{c}) AS {c}) FROM {quote(source)} AS s "
            f"LEFT JOIN (SELECT DISTINCT {c} AS v, {fold.format(c)} AS k FROM {quote(partner)}) AS m "
            f"ON m.k = {fold.format('s.' + c)}"
        )
        how = "in another case or without its separators"
    return Finding(
        category="format_drift",
        remediation="code_change",
        cause=f"{source}.{col} now writes the {partner}.{col} codes {how} ({norm.share:.0%} of its values find "
        "their partner once respelled)",
        evidence=["schema_diff"],
        confidence=0.86,
        source=source,
        adapter=adapter,
    )


def key_findings(ev: Evidence) -> list[Finding]:
    """Join keys whose values no longer find their partner: names instead of codes, or a changed meaning."""
    out: list[Finding] = []
    # A key retyped on either side is compared as text by the diff: the cast check covers it instead.
    retyped = {c["column"] for d in ev.diffs() for c in d.get("type_changed", [])}
    respelled: dict[str, list[list[Finding]]] = {}
    for d in ev.diffs():
        for km in d.get("key_matches", []):
            col, partner = km["column"], km["partner"]
            if col in retyped or km.get("matches_partner") is None or km["matches_partner"] >= REKEYED_MAX:
                continue
            norm = KeyNormalisation.model_validate(km["normalisation"]) if km.get("normalisation") else None
            if norm is not None and norm.unique and norm.share >= NORMALISED_MIN:
                respelled.setdefault(col, []).append([_respell(d["source"], col, partner, norm)])
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
                        source=d["source"],
                        column=col,
                    )
                )
    # Either side of a join may be the one respelled: the sandbox keeps the one that agrees with the last good
    # output (both agree when the key is not in the output, and then the first is as good as the other).
    for col, options in respelled.items():
        out = [f for f in out if not (f.remediation == "escalate" and f" {col} values exist" in f.cause)]
        out += ev.choose(f"join key {col}", options)
    mapped = {f.cause.split(" now holds ")[0].split(".")[-1] for f in out if f.adapter}
    if mapped:
        # One side of the join found its values in another partner column: the reverse view is the same change.
        out = [f for f in out if f.adapter or not any(f" {col} values exist" in f.cause or f".{col} values" in f.cause
                                                       for col in mapped)]  # fmt: skip
    return out
