"""The agent loop with scripted FunctionModels: validation retries with the exact error, refusals."""

from __future__ import annotations

from pydantic_ai import models
from pydantic_ai.messages import ModelResponse
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agentic_assets.codegen.generate import build_deps, generate_code, run_attempt
from agentic_assets.codegen.validation import validate_candidate
from agentic_assets.models.builtin.conversation import answer, last_request_is_retry, retry_feedback
from agentic_assets.specs.loader import load_project

GOOD = (
    "SELECT merchant_subcategory, CAST(event_time AS DATE) AS day, SUM(amount) AS total_amount, "
    "COUNT(*) AS txn_count FROM transactions GROUP BY merchant_subcategory, CAST(event_time AS DATE)"
)
BAD = GOOD.replace("SUM(amount)", "SUM(amount_eur)")


def test_requests_are_blocked():
    assert models.ALLOW_MODEL_REQUESTS is False


def test_invalid_sql_goes_back_with_the_exact_error(workspace, drop_sql, write_spec):
    drop_sql(workspace, "merchant_subcategory_daily_totals")
    project = load_project(workspace)
    deps = build_deps(project.assets["merchant_subcategory_daily_totals"], project, workspace, cache={})
    received: list[str] = []

    def scripted(messages, info: AgentInfo) -> ModelResponse:
        if last_request_is_retry(messages):
            received.append(retry_feedback(messages)[-1])
            return answer(info, "GeneratedSql", {"sql": GOOD, "explanation": "fixed", "columns": []})
        return answer(info, "GeneratedSql", {"sql": BAD, "explanation": "first try", "columns": []})

    attempt, _ = run_attempt(deps, workspace, model=FunctionModel(scripted), sandbox=False)
    expected = "The SQL is not valid for this asset:\n- " + "\n- ".join(validate_candidate(BAD, deps).errors)
    assert received == [expected]
    assert "amount_eur" in received[0] and "known columns" in received[0]
    assert attempt.retries == 1 and attempt.validation_errors == [[expected]]
    assert attempt.output is not None and attempt.output.sql == GOOD
    assert attempt.output.columns == ["merchant_subcategory", "day", "total_amount", "txn_count"]


def test_too_many_invalid_answers_fail_clearly(workspace, drop_sql, write_spec):
    drop_sql(workspace, "merchant_subcategory_daily_totals")
    project = load_project(workspace)
    deps = build_deps(project.assets["merchant_subcategory_daily_totals"], project, workspace, cache={})

    def stubborn(messages, info):
        return answer(info, "GeneratedSql", {"sql": BAD, "explanation": "", "columns": []})

    attempt, _ = run_attempt(deps, workspace, model=FunctionModel(stubborn), sandbox=False)
    assert attempt.output is None and attempt.refusal and "no valid SQL" in attempt.refusal
    assert attempt.retries == 3


def test_precision_loss_is_rejected(workspace, drop_sql, write_spec):
    drop_sql(workspace, "merchant_subcategory_daily_totals")
    project = load_project(workspace)
    deps = build_deps(project.assets["merchant_subcategory_daily_totals"], project, workspace, cache={})
    narrow = GOOD.replace("SUM(amount)", "SUM(CAST(amount AS DECIMAL(10,2)))")
    assert any("DECIMAL(10,2)" in e for e in validate_candidate(narrow, deps).errors)


def test_builtin_refuses_what_it_cannot_map(workspace, drop_sql, write_spec):
    write_spec(
        workspace,
        "churn_risk",
        "name: churn_risk\n"
        "description: Predicted churn probability per customer from their transaction history.\n"
        "tier: 1\nsources: [transactions]\n"
        "sink: {format: delta, table: analytics/churn_risk}\n"
        "checks: |\n  checks for churn_risk:\n    - row_count > 0\n",
    )
    project = load_project(workspace)
    report = generate_code(project.assets["churn_risk"], project, workspace, cache={})
    assert report.status == "refused"
    assert report.message.startswith("I cannot write this; configure a model")
    assert not (workspace.specs_dir / "retail_bank" / "churn_risk.sql").exists()


def test_a_failed_sandbox_run_goes_back_once_with_the_verdict(workspace, drop_sql):
    drop_sql(workspace, "merchant_subcategory_daily_totals")
    project = load_project(workspace)
    deps = build_deps(project.assets["merchant_subcategory_daily_totals"], project, workspace, cache={})
    # Valid statically, but one row per transaction: the duplicate_count check fails in the sandbox.
    ungrouped = (
        "SELECT merchant_subcategory, CAST(event_time AS DATE) AS day, amount AS total_amount, 1 AS txn_count "
        "FROM transactions"
    )
    seen: list[str] = []

    def scripted(messages, info):
        from agentic_assets.models.builtin.conversation import user_texts

        texts = user_texts(messages)
        if texts[-1].startswith("The sandbox run failed"):
            seen.append(texts[-1])
            return answer(info, "GeneratedSql", {"sql": GOOD, "explanation": "grouped", "columns": []})
        return answer(info, "GeneratedSql", {"sql": ungrouped, "explanation": "rows", "columns": []})

    attempt, output = run_attempt(deps, workspace, model=FunctionModel(scripted))
    assert len(seen) == 1 and "checks_failed" in seen[0] and "duplicate_count" in seen[0]
    assert attempt.sandbox is not None and attempt.sandbox.ok and attempt.output.sql == GOOD  # type: ignore[union-attr]
    assert output is not None and output.num_rows == attempt.sandbox.output_rows
