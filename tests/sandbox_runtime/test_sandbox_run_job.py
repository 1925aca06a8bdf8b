"""run_job end to end on the bubblewrap backend: SQL and Python, checks, every verdict reason."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sandbox_runtime import SandboxJob, SandboxLimits, SandboxUnavailable, run_job, run_sql_on_tables
from sandbox_runtime.backends import get_backend

CHECKS = """
checks for output:
  - row_count > 0
  - missing_count(customer) = 0
"""


def sql_job(orders: Path, code: str, **kwargs) -> SandboxJob:
    return SandboxJob(kind="sql", code=code, inputs={"orders": orders}, **kwargs)


def test_sql_job_writes_parquet_and_reports_schema(orders: Path, tmp_path: Path) -> None:
    sql = "select customer, sum(amount) as total from orders where customer is not null group by customer"
    verdict = run_job(sql_job(orders, sql), workdir=tmp_path / "out")
    assert verdict.ok and verdict.reason == "ok", verdict
    assert verdict.backend == "bwrap" and verdict.exit_status == 0
    assert verdict.output_rows == 3
    assert [(c.name, c.type) for c in verdict.output_schema] == [("customer", "string"), ("total", "double")]
    assert verdict.output_path == tmp_path / "out" / "output.parquet"
    table = pq.read_table(verdict.output_path).sort_by("customer")
    assert table.column("total").to_pylist() == [17.75, -2.0, 100.0]


def test_checks_pass_and_fail_inside_the_sandbox(orders: Path) -> None:
    good = run_job(sql_job(orders, "select * from orders where customer is not null", checks=CHECKS))
    assert good.ok and good.check_results is not None and good.check_results.passed
    assert [r.outcome for r in good.check_results.results] == ["pass", "pass"]
    bad = run_job(sql_job(orders, "select * from orders", checks=CHECKS))
    assert not bad.ok and bad.reason == "checks_failed"
    assert [r.name for r in bad.check_results.failed] == ["missing_count(customer) = 0"]
    assert "1/2 checks passed" in bad.message
    assert bad.output_path is not None  # the output stays inspectable


def test_freshness_check_uses_now(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(pa.table({"ts": [datetime(2024, 1, 1, 12, tzinfo=UTC)]}), path)
    checks = "checks for output:\n  - freshness(ts) < 1d\n"
    job = SandboxJob(kind="sql", code="select * from events", inputs={"events": path}, checks=checks)
    fresh = run_job(job.model_copy(update={"now": datetime(2024, 1, 1, 18, tzinfo=UTC)}))
    stale = run_job(job.model_copy(update={"now": datetime(2024, 1, 5, tzinfo=UTC)}))
    assert fresh.ok, fresh
    assert stale.reason == "checks_failed"


def test_static_rejection_never_starts_a_sandbox(orders: Path) -> None:
    verdict = run_job(sql_job(orders, "select * from secrets"))
    assert verdict.reason == "static_rejected" and not verdict.ok
    assert verdict.exit_status is None
    assert verdict.static_issues[0].message == "line 1: table 'secrets' is not a declared input; declared: orders"


def test_sql_error_is_an_error_verdict(orders: Path) -> None:
    verdict = run_job(sql_job(orders, "select no_such_column from orders"))
    assert verdict.reason == "error" and "no_such_column" in verdict.message
    assert "Binder Error" in verdict.stderr_tail


def test_python_transform(orders: Path) -> None:
    code = (
        "import pyarrow.compute as pc\n"
        "def transform(inputs):\n"
        "    t = inputs['orders']\n"
        "    return t.filter(pc.greater(t['amount'], 5))\n"
    )
    verdict = run_job(SandboxJob(kind="python", code=code, inputs={"orders": orders}))
    assert verdict.ok and verdict.output_rows == 3, verdict


def test_python_checks_run_in_a_fresh_sandbox(orders: Path) -> None:
    # The transform tries to forge its own check report; the checks are re-run elsewhere.
    code = (
        "import json, os\n"
        "def transform(inputs):\n"
        "    fake = {'status': 'ok', 'check_results': {'table': 'output', 'results': [], 'errors': []}}\n"
        "    os.write(3, (json.dumps(fake) + '\\n').encode())\n"
        "    return inputs['orders']\n"
    )
    job = SandboxJob(kind="python", code=code, inputs={"orders": orders}, checks=CHECKS)
    verdict = run_job(job, skip_static=True)
    assert verdict.reason == "checks_failed", verdict
    assert [r.name for r in verdict.check_results.failed] == ["missing_count(customer) = 0"]


def test_python_returning_something_else_is_output_invalid(orders: Path) -> None:
    code = "def transform(inputs):\n    return [1, 2, 3]\n"
    verdict = run_job(SandboxJob(kind="python", code=code, inputs={"orders": orders}))
    assert verdict.reason == "output_invalid" and "not a pyarrow.Table" in verdict.message


def test_python_exception_is_an_error_with_traceback(orders: Path) -> None:
    code = "def transform(inputs):\n    raise ValueError('bad data in column x')\n"
    verdict = run_job(SandboxJob(kind="python", code=code, inputs={"orders": orders}))
    assert verdict.reason == "error" and "bad data in column x" in verdict.message
    assert "Traceback" in verdict.stderr_tail


def test_timeout_verdict_arrives_on_time(orders: Path) -> None:
    limits = SandboxLimits(timeout_s=1.5)
    verdict = run_job(sql_job(orders, "select count(*) from range(100000000000) a", limits=limits), skip_static=True)
    assert verdict.reason == "timeout" and "1.5 s" in verdict.message
    assert verdict.seconds < 1.5 + 1.5


def test_run_sql_on_tables_round_trip() -> None:
    tables = {"a": pa.table({"x": [1, 2, 3]}), "b": pa.table({"x": [2, 3, 4]})}
    verdict, output = run_sql_on_tables("select a.x from a join b using (x) order by x", tables)
    assert verdict.ok and output is not None
    assert output.column("x").to_pylist() == [2, 3]
    assert verdict.output_path is None


def test_missing_input_file_is_a_caller_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="input table 'orders'"):
        run_job(SandboxJob(kind="sql", code="select 1", inputs={"orders": tmp_path / "nope.parquet"}))


def test_unknown_backend_and_no_silent_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="unknown sandbox backend"):
        get_backend("docker")
    from sandbox_runtime.backends import bwrap

    monkeypatch.setattr(bwrap, "_tools", lambda: {"bwrap": None, "setpriv": None, "prlimit": None})
    with pytest.raises(SandboxUnavailable, match="apt-get install -y bubblewrap"):
        bwrap.BwrapBackend().ensure_available()


def test_k8s_without_cluster_says_so(orders: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing-kubeconfig"))
    with pytest.raises(SandboxUnavailable, match="no Kubernetes cluster is configured"):
        run_job(sql_job(orders, "select * from orders"), backend="k8s")
