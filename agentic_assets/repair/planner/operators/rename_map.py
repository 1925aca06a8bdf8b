"""Rename map: a dropped column the transform reads, replaced by a new one with its values."""

from __future__ import annotations

from agentic_assets.repair.planner import fixes
from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.finding import Finding
from agentic_assets.repair.planner.operators import normalise_cast, number_format
from agentic_assets.repair.sql_rewrite import quote
from agentic_assets.repair.types import family

# Name similarity (difflib ratio) of a dropped and an added column: 0.55 is where a name keeps more than half
# of its characters in order (`amount` / `amount_eur`), below which names share only common word parts.
RENAME_NAME_MIN = 0.55

# Share of a renamed column's distinct values already known in the old column: a rename keeps the values;
# a different quantity under a similar name shares few of them. 0.8 leaves room for the new values of a day.
RENAME_VALUES_MIN = 0.8

# A renamed column that also changed type keeps less of its spelling (`read_at` / `read_at_epoch`): it needs
# a clearer name match, and its profile then has to explain the new type.
RETYPED_RENAME_MIN = 0.6

# Overlap lead (in share of values) that makes one of several similar new columns the rename: a third of the
# values more is far beyond what two candidate columns of the same data share by chance.
RENAME_LEAD = 0.3


def rename_findings(ev: Evidence) -> list[Finding]:
    out: list[Finding] = []
    for d in ev.diffs():
        used_dropped = [c for c in d.get("dropped", []) if c in d.get("used_by_transform", [])]
        for dropped in used_dropped:
            cands = [c for c in d.get("rename_candidates", []) if c["dropped"] == dropped and c["type_compatible"]]
            strong = [
                c
                for c in cands
                if c["name_similarity"] >= RENAME_NAME_MIN
                and (
                    c.get("value_overlap") is None
                    or c["value_overlap"] >= RENAME_VALUES_MIN
                    # A dimension holds more members than the last good output showed (those no fact row
                    # joined): the rename keeps every value that output did know, by the same bound.
                    or (c.get("known_kept") or 0) >= RENAME_VALUES_MIN
                )
            ]
            if len(strong) > 1:
                best = sorted(strong, key=lambda c: (c.get("value_overlap") or 0, c["name_similarity"]), reverse=True)
                top, second = best[0], best[1]
                if (top.get("value_overlap") or 0) - (second.get("value_overlap") or 0) >= RENAME_LEAD:
                    strong = [top]
            retyped = [
                c for c in d.get("rename_candidates", [])
                if c["dropped"] == dropped and not c["type_compatible"] and c["name_similarity"] >= RENAME_NAME_MIN
            ]  # fmt: skip
            if not strong and len(retyped) == 1:
                c = retyped[0]
                profile = ev.profile(d["source"], c["added"])
                read = _read_back(ev, d, dropped, c["added"], profile) if profile is not None else None
                if read is not None:
                    out += read
                    continue
                if profile is not None and profile.get("epoch_unit") and c["name_similarity"] >= RETYPED_RENAME_MIN:
                    target = fixes.target_type((d.get("dropped_types") or {}).get(dropped, "timestamp[us]"))
                    expr = fixes.epoch_to_time(c["added"], profile["epoch_unit"], target)
                    out.append(
                        Finding(
                            category="schema_drift",
                            remediation="code_change",
                            cause=f"{d['source']} replaced {dropped} with {c['added']}, which holds "
                            f"{profile['epoch_unit'].replace('_', ' ')}",
                            evidence=["schema_diff", "column_profiles"],
                            confidence=0.85,
                            source=d["source"],
                            adapter=f"SELECT * EXCLUDE ({quote(c['added'])}), {expr} AS {quote(dropped)} "
                            f"FROM {quote(d['source'])}",
                        )
                    )
                    out.append(out[-1].model_copy(update={"category": "format_drift"}))
                    continue
                if profile is None:
                    continue  # profiled next (see rename_profile_needs)
            if len(strong) == 1:
                c = strong[0]
                overlap = c.get("value_overlap")
                why = f"name similarity {c['name_similarity']}"
                if overlap is not None:
                    why += f", {overlap:.0%} of its values were known in {c.get('values_from')}"
                out.append(
                    Finding(
                        category="schema_drift",
                        remediation="code_change",
                        cause=f"{d['source']} renamed {dropped} to {c['added']} ({why}); the transform still "
                        f"reads {dropped}",
                        evidence=["schema_diff"],
                        confidence=0.92 if overlap is not None and overlap >= 0.95 else 0.85,
                        source=d["source"],
                        renames={c["added"]: dropped},
                    )
                )
            elif len(strong) > 1:
                names = ", ".join(c["added"] for c in strong)
                out.append(
                    Finding(
                        category="schema_drift",
                        remediation="escalate",
                        cause=f"{d['source']} dropped {dropped}, which the transform reads; several new columns "
                        f"could replace it ({names})",
                        evidence=["schema_diff"],
                        confidence=0.8,
                        escalate_reason=f"ambiguous rename of {dropped}: choosing among {names} would be a guess",
                    )
                )
            elif len(d.get("dropped", [])) == 1 and len(d.get("added", [])) == 1:
                # One column out and one in: the source writes the same thing in another representation (a flag
                # become a code, a code become a name), and nothing says how the new values map to the old.
                added = d["added"][0]
                out.append(
                    Finding(
                        category="format_drift",
                        remediation="escalate",
                        cause=f"{d['source']} replaced {dropped}, which the transform reads, with {added}, written "
                        f"another way ({(d.get('dropped_types') or {}).get(dropped, '?')} then, "
                        f"{(d.get('columns_now') or {}).get(added, '?')} now)",
                        evidence=["schema_diff"],
                        confidence=0.75,
                        escalate_reason=f"reading {added} as {dropped} needs a mapping of its values that no source "
                        "or catalog table gives: a person must decide what each value means",
                        source=d["source"],
                        column=dropped,
                    )
                )
            else:
                out.append(
                    Finding(
                        category="schema_drift",
                        remediation="escalate",
                        cause=f"{d['source']} dropped {dropped}, which the transform reads, and no new column "
                        "carries its values",
                        evidence=["schema_diff"],
                        confidence=0.8,
                        escalate_reason=f"{dropped} is gone with no replacement: the asset's meaning must change",
                        source=d["source"],
                        column=dropped,
                    )
                )
    return out


def _read_back(ev: Evidence, d: dict, dropped: str, added: str, profile: dict) -> list[Finding] | None:
    """A renamed column that is also written differently, read back by the one format that reads all its values
    (a date or timestamp format, or a number reading held to the last good output); None when none does.

    Every value read as the old type is evidence beside the name, so the name needs only a plain rename's
    similarity here; epoch numbers (any integer in range) are weaker and keep the stricter bar."""
    source = d["source"]
    before = (d.get("dropped_types") or {}).get(dropped)
    if not before:
        return None
    fam = family(before)
    if fam in ("date", "timestamp"):
        parsed = normalise_cast.parsed(source, added, before, profile)
        options = [o for o in parsed if o[0].remediation == "code_change"]
        verify = False
    elif fam in ("integer", "number"):
        options = [o for o in number_format.candidates(source, added, before, profile) if len(o) == 1]
        verify = True
    else:
        return None
    if len(options) != 1:
        return None
    (read,) = options[0]
    adapter = f"SELECT * EXCLUDE ({quote(added)}), {read.replaces[added]} AS {quote(dropped)} FROM {quote(source)}"
    finding = Finding(
        category="schema_drift",
        remediation="code_change",
        cause=f"{source} replaced {dropped} with {added}, written differently: {read.cause}",
        evidence=["schema_diff", "column_profiles"],
        confidence=0.85,
        source=source,
        adapter=adapter,
    )
    both = [finding, finding.model_copy(update={"category": "format_drift"})]
    return ev.choose(f"{source}.{added}", [both], verify=verify)


def rename_profile_needs(ev: Evidence) -> dict[str, list[str]]:
    """New columns that replace a dropped one under a different type: their profile decides."""
    need: dict[str, list[str]] = {}
    for d in ev.diffs():
        for c in d.get("rename_candidates", []):
            if (
                c["dropped"] in d.get("used_by_transform", [])
                and not c["type_compatible"]
                and c["name_similarity"] >= RENAME_NAME_MIN
                and not ev.attempted(d["source"], c["added"])
            ):
                need.setdefault(d["source"], []).append(c["added"])
    return need
