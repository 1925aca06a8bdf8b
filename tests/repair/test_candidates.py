"""Choosing among candidate repairs: checks first, then agreement with the last good output, then size."""

from __future__ import annotations

import pyarrow as pa

from agentic_assets.repair.candidates import CandidateResult, choose, compare_to_last_good, fingerprint


def _r(name: str, ops: int, ok: bool, changed: int = 0, fp: str = "a") -> CandidateResult:
    return CandidateResult(name=name, operators=ops, passes_checks=ok, disagreeing_keys=changed, fingerprint=fp)


def test_the_smallest_passing_candidate_wins_and_disagreement_escalates() -> None:
    assert choose([_r("cast", 1, False), _r("cast+dead_letter", 2, True)]).chosen == "cast+dead_letter"
    assert choose([_r("one", 1, True), _r("two", 2, True, fp="b")]).chosen == "one"
    # Fewer changed rows of the last good output beat fewer operators.
    assert choose([_r("guess", 1, True, changed=40), _r("careful", 2, True, fp="b")]).chosen == "careful"
    split = choose([_r("as_v2", 1, True, fp="x"), _r("as_new", 1, True, fp="y")])
    assert split.chosen is None and split.disagreement
    assert choose([_r("a", 1, False)]).chosen is None


def test_rows_of_keys_both_outputs_hold_are_compared_column_by_column() -> None:
    good = pa.table({"day": ["d1", "d2", "d3"], "total": [1.0, 2.0, 3.0]})
    same_plus_new = pa.table({"day": ["d1", "d2", "d3", "d4"], "total": [1.0, 2.0, 3.0000000001, 9.0]})
    assert compare_to_last_good(same_plus_new, good, ["day"]) == (3, 0)
    scaled = pa.table({"day": ["d1", "d2", "d3"], "total": [100.0, 200.0, 3.0]})
    assert compare_to_last_good(scaled, good, ["day"]) == (3, 2)
    assert fingerprint(good) == fingerprint(good.take([2, 0, 1])) != fingerprint(scaled)


def test_distance_to_the_last_good_output_on_shared_rows_or_else_by_medians() -> None:
    from agentic_assets.repair.candidates import distance_to_last_good

    good = pa.table({"day": ["a", "b", "c"], "total": [10.0, 20.0, 30.0]})
    assert distance_to_last_good(good, good, ["day"]) == 0.0
    scaled = pa.table({"day": ["a", "b", "c"], "total": [1000.0, 2000.0, 3000.0]})
    assert distance_to_last_good(scaled, good, ["day"]) == 99.0
    # No key in both: the medians of the measures are compared.
    moved = pa.table({"day": ["x", "y", "z"], "total": [11.0, 20.0, 29.0]})
    assert distance_to_last_good(moved, good, ["day"]) == 0.0
    assert distance_to_last_good(pa.table({"day": ["x"], "total": [2000.0]}), good, ["day"]) == 99.0
