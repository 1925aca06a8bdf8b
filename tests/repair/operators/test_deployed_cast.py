"""A narrow cast the deploy added rolls back; one the last good version already had is left to widening."""

from __future__ import annotations

from agentic_assets.repair.planner.evidence import Evidence
from agentic_assets.repair.planner.operators.deployed_cast import deployed_cast_finding


def _evidence(casts_added: list[str]) -> Evidence:
    history = {
        "changed_since_last_good": True,
        "current_version": "new",
        "last_good_version": "old",
        "versions": [{"version": "old"}, {"version": "new", "current": True}],
        "casts_added": casts_added,
    }
    return Evidence({"failed_run": {"checks": ""}, "code_history": history}, {})


def test_a_cast_the_deploy_added_rolls_back() -> None:
    found = deployed_cast_finding(_evidence(["amount AS DECIMAL(3, 2)"]), {"DECIMAL(3, 2)": "DECIMAL(38, 2)"})
    assert found is not None
    assert (found.category, found.remediation, found.rollback_to) == ("config_regression", "rollback", "old")


def test_a_cast_the_last_good_version_had_is_not_the_deploys() -> None:
    assert deployed_cast_finding(_evidence([]), {"DECIMAL(3, 2)": "DECIMAL(38, 2)"}) is None


def test_another_added_cast_does_not_explain_the_overflow() -> None:
    assert deployed_cast_finding(_evidence(["day AS DATE"]), {"DECIMAL(3, 2)": "DECIMAL(38, 2)"}) is None
