"""Choosing among candidate repairs: checks first, then agreement with the last good output, then size."""

from __future__ import annotations

import pyarrow as pa

from agentic_assets.repair.candidates import CandidateResult, choose, compare_to_last_good, fingerprint, key_columns
from agentic_assets.sql.analysis import output_grouping


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


def test_a_count_beside_the_dimensions_is_not_taken_for_a_key() -> None:
    good = pa.table({"region": ["n", "s", "e"], "orders": [5, 7, 9], "revenue": [50.0, 70.0, 90.0]})
    now = pa.table({"region": ["n", "s", "e"], "orders": [6, 7, 9], "revenue": [60.0, 70.0, 90.0]})
    assert key_columns("", now, good) == ["region"]
    # With the region as key, the changed count is a changed row of the last good output, not a new key.
    assert compare_to_last_good(now, good, key_columns("", now, good)) == (3, 1)


def test_the_output_grouping_is_the_key_when_it_names_a_row_of_the_last_good_output() -> None:
    sql = "SELECT branch, day, count(*) AS n, sum(amount) AS total FROM t GROUP BY branch, day"
    good = pa.table({"branch": [1, 1, 2], "day": ["d1", "d2", "d1"], "n": [3, 4, 3], "total": [1.0, 2.0, 3.0]})
    now = pa.table({"branch": [1, 1, 2], "day": ["d1", "d2", "d1"], "n": [3, 5, 3], "total": [1.0, 2.0, 3.0]})
    assert output_grouping(sql) == ["branch", "day"]
    assert key_columns("", now, good, sql) == ["branch", "day"]
    # Without the SQL the same columns are found from uniqueness alone: the day does not name a row, the
    # branch id whose values recur does, and the count is left out.
    assert key_columns("", now, good) == ["day", "branch"]


def test_among_integers_the_one_whose_values_recur_is_the_key() -> None:
    good = pa.table({"units": [10, 20, 30], "account_id": [101, 102, 103]})
    now = pa.table({"units": [11, 21, 31], "account_id": [101, 102, 103]})
    assert key_columns("", now, good) == ["account_id"]


def test_declared_unique_columns_come_first_and_nothing_unique_falls_back_to_the_non_integers() -> None:
    checks = "checks for out:\n  - duplicate_count(code) = 0\n"
    good = pa.table({"code": ["a", "b"], "name": ["x", "y"], "n": [1, 2]})
    assert key_columns(checks, good, good) == ["code"]
    repeated = pa.table({"kind": ["a", "a"], "n": [1, 1], "v": [1.0, 2.0]})
    assert key_columns("", repeated, repeated) == ["kind"]


def test_the_grouping_is_read_by_position_alias_expression_or_all() -> None:
    assert output_grouping("SELECT a, d, sum(v) AS s FROM t GROUP BY 1, 2") == ["a", "d"]
    assert output_grouping("SELECT t.a AS x, date_trunc('day', ts) AS d, sum(v) AS s FROM t "
                           "GROUP BY t.a, date_trunc('day', ts)") == ["x", "d"]  # fmt: skip
    assert output_grouping("SELECT a, b + 1 AS c, count(*) AS n FROM t GROUP BY ALL") == ["a", "c"]
    assert output_grouping("SELECT * FROM t") is None
    assert output_grouping("SELECT a FROM t UNION ALL SELECT a FROM u") is None


def test_a_reading_that_moves_shared_rows_only_by_the_inputs_growth_keeps_its_meaning() -> None:
    from agentic_assets.repair.candidates import Evaluation
    from agentic_assets.repair.planner.evidence import _changes_meaning
    from agentic_assets.repair.planner.finding import Finding

    reading = [Finding(category="format_drift", remediation="code_change", cause="read", source="returns")]

    def evaluation(distance: float) -> Evaluation:
        result = CandidateResult(name="r#0", operators=1, passes_checks=True, compared_keys=18, disagreeing_keys=17,
                                 fingerprint="a", distance=distance)  # fmt: skip
        return Evaluation(results=[result], chosen="r#0")

    # Totals per reason take the new rows in: a fifth more rows moves them by about a fifth.
    assert _changes_meaning(evaluation(0.24), "r#0", reading, growth=0.22) == ""
    # Read in hundredths, the same rows move by their factor: a change of meaning, whatever the growth.
    assert "changed meaning" in _changes_meaning(evaluation(0.99), "r#0", reading, growth=0.22)
    assert "changed meaning" in _changes_meaning(evaluation(0.24), "r#0", reading, growth=0.0)
