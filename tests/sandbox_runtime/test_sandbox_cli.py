"""`agentic-assets sandbox run ... --json` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from agentic_assets.cli.main import app

runner = CliRunner()


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "orders.csv").write_text("id,amount\n1,10\n2,-3\n3,7\n", encoding="utf-8")
    return folder


def test_sql_with_csv_input_and_checks(tmp_path: Path) -> None:
    sql = tmp_path / "q.sql"
    sql.write_text("select id, amount * 2 as doubled from orders where amount > 0", encoding="utf-8")
    checks = tmp_path / "checks.yml"
    checks.write_text("checks for output:\n  - row_count = 2\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["sandbox", "run", "--sql", str(sql), "--input", str(_inputs(tmp_path)), "--out", str(out),
         "--checks", str(checks), "--backend", "bwrap", "--memory-mb", "512", "--timeout-s", "20", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["ok"] and verdict["reason"] == "ok" and verdict["output_rows"] == 2
    assert verdict["check_results"]["results"][0]["outcome"] == "pass"
    assert pq.read_table(out / "output.parquet").column("doubled").to_pylist() == [20, 14]


def test_python_and_skip_static(tmp_path: Path) -> None:
    module = tmp_path / "t.py"
    module.write_text("import os\ndef transform(inputs):\n    return inputs['orders']\n", encoding="utf-8")
    args = ["sandbox", "run", "--python", str(module), "--input", str(_inputs(tmp_path)),
            "--out", str(tmp_path / "out"), "--json"]  # fmt: skip
    rejected = runner.invoke(app, args)
    assert rejected.exit_code == 1
    assert json.loads(rejected.stdout)["reason"] == "static_rejected"
    isolated = runner.invoke(app, [*args, "--skip-static"])
    assert isolated.exit_code == 0, isolated.output
    assert json.loads(isolated.stdout)["output_rows"] == 3


def test_needs_exactly_one_code_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sandbox", "run", "--input", str(_inputs(tmp_path)), "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "exactly one of --sql" in result.output
