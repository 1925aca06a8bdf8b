"""A model behind an OpenAI-compatible URL drives the repair agent's own loop: read-only tools, a
`propose_*` call validated in the sandbox (denied with the verdict when it fails), the diagnosis.

The model is a scripted chat-completions server on loopback (no hosted model can run here); the
incident is one of the format's examples, replayed through the production repair path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from scripted_openai import call_output, call_tool, raw

from agentic_assets.incidents.replay import replay
from agentic_assets.settings import PROJECT_ROOT

INCIDENT = PROJECT_ROOT / "benchmarks" / "examples" / "rename-merchant-subcategory"
# A first fix that keeps reading the column the source no longer has: the sandbox must refuse it.
WRONG_SQL = """SELECT merchant_subcategory, CAST(event_time AS DATE) AS day,
       SUM(amount) AS total, COUNT(*) AS txn_count
FROM transactions
GROUP BY 1, 2"""
RIGHT_SQL = """SELECT merchant_subcategory_v2 AS merchant_subcategory, CAST(event_time AS DATE) AS day,
       SUM(amount) AS total, COUNT(*) AS txn_count
FROM transactions
GROUP BY 1, 2"""
DIAGNOSIS = {
    "category": ["schema_drift"],
    "root_cause": "transactions renamed merchant_subcategory to merchant_subcategory_v2",
    "evidence": ["failed_run", "schema_diff"],
    "confidence": 0.9,
    "risk": "low",
}


def _tool_results(request: dict[str, Any]) -> list[str]:
    return [m["content"] for m in request["body"]["messages"] if m["role"] == "tool"]


def test_a_hosted_model_investigates_is_denied_once_and_files_a_validated_fix(tmp_path: Path, hosted_model) -> None:
    server = hosted_model(
        [
            call_tool("failed_run", thought="The run failed on a missing column. Confidence: 0.4"),
            call_tool("schema_diff", thought="Compare the source with the last good run. Confidence: 0.5"),
            call_tool("propose_code_change", {"sql": WRONG_SQL, "summary": "re-run as is"}),
            call_tool("propose_code_change", {"sql": RIGHT_SQL, "summary": "read the renamed column"}),
            call_output("Diagnosis", DIAGNOSIS),
        ]
    )
    result = replay(INCIDENT, tmp_path, model=server.setting)

    assert result.error is None and not result.escalated, result
    assert result.category == "schema_drift" and result.remediation == "code_change"
    assert result.sandbox_ok and result.repair is not None
    assert result.repair.model_id == server.setting
    assert len(server.requests) == 5

    # What the model was shown is the tools' real evidence: the rename is in the schema diff.
    schema_diff = json.loads(_tool_results(server.requests[2])[-1])
    assert "merchant_subcategory_v2" in json.dumps(schema_diff)
    # The wrong fix came back denied with the sandbox's verdict; the right one was filed.
    denied = _tool_results(server.requests[3])[-1]
    assert "merchant_subcategory" in denied and "ok" in denied
    filed = json.loads(_tool_results(server.requests[4])[-1])
    assert filed["status"] == "filed" and filed["kind"] == "code_change"

    # The repaired rows are the sandbox's output of the right SQL.
    assert result.output is not None
    repaired = pq.read_table(result.output)
    assert repaired.column_names == ["merchant_subcategory", "day", "total", "txn_count"]
    assert repaired.num_rows > 0


@pytest.mark.parametrize(
    "turn",
    [call_tool("no_such_tool", {"x": 1}), call_tool("schema_diff", {"unexpected": "argument"}), raw(500, b"{}")],
    ids=["unknown-tool", "bad-arguments", "server-error"],
)
def test_a_hosted_model_that_answers_garbage_escalates_with_the_reason(tmp_path: Path, hosted_model, turn) -> None:
    server = hosted_model([turn] * 8)
    result = replay(INCIDENT, tmp_path, model=server.setting)

    assert result.error is None, result.error
    assert result.escalated and not result.sandbox_ok and result.output is None
    diagnosis = result.repair.diagnosis if result.repair else None
    assert diagnosis is not None and diagnosis.escalate
    assert diagnosis.escalation_reason and "the model" in diagnosis.escalation_reason
    assert server.setting in diagnosis.escalation_reason
