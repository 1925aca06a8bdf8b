"""Codegen benchmark: execution accuracy of generated SQL against hand-written expected SQL.

For every request in requests.yaml the codegen agent (the same loop as `agentic-assets generate`:
prompt, tools, output validator with retries, sandbox run) writes SQL from the words; its output rows
are compared with the rows of the hand-written expected SQL on the same sample data (as multisets,
columns matched by name). Requests marked `expect: refusal` are correct when the model refuses.

    python benchmarks/codegen/run.py --help
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import yaml
from rich.console import Console
from rich.table import Table

from agentic_assets.codegen.context import CodegenDeps
from agentic_assets.codegen.fewshot import select_examples
from agentic_assets.codegen.generate import run_attempt
from agentic_assets.codegen.samples import describe_tables, sample_inputs
from agentic_assets.models import describe_model
from agentic_assets.sample_data.retail_bank import DatasetSize, generate
from agentic_assets.settings import PROJECT_ROOT, Settings
from agentic_assets.specs.loader import load_project
from agentic_assets.specs.model import AssetSpec, ColumnSpec
from agentic_assets.specs.project import LoadedAsset

HERE = Path(__file__).parent


def _norm(value: object) -> object:
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def rows_of(table: pa.Table, skip: set[str]) -> tuple[list[str], Counter]:
    names = sorted(n for n in table.column_names if n not in skip)
    cols = [table.column(n).to_pylist() for n in names]
    return names, Counter(tuple(_norm(v) for v in row) for row in zip(*cols, strict=True))


def _arrow(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    result = con.sql(sql).arrow()
    return result.read_all() if hasattr(result, "read_all") else result


def build_asset(req: dict, project) -> LoadedAsset:  # noqa: ANN001
    checks = f"checks for {req['id']}:\n  - row_count >= 0\n"
    spec = AssetSpec(
        name=req["id"],
        description=req["description"],
        tier=1,
        sources=req["sources"],
        sink={"format": "delta", "table": f"bench/{req['id']}"},
        checks=checks,
        columns=[ColumnSpec(name=c) for c in req.get("columns", [])],
    )
    path = project.specs_dir / "bench" / f"{req['id']}.yaml"
    return LoadedAsset(spec=spec, path=path, checks_text=checks, checks_path=None, sql=None, sql_path=None)


def run(args: argparse.Namespace) -> dict:
    console = Console(width=160)
    requests = yaml.safe_load((HERE / "requests.yaml").read_text())["requests"]
    if args.only:
        requests = [r for r in requests if r["id"] in args.only]
    work = Path(tempfile.mkdtemp(prefix="codegen-bench-"))
    data_dir = args.data_dir or work / "data"
    if not (data_dir / "raw" / "transactions.parquet").exists():
        generate(data_dir / "raw", DatasetSize(args.transactions))
    settings = Settings(specs_dir=PROJECT_ROOT / "specs", data_dir=data_dir, model=args.model)
    settings = settings.model_copy(update={"data_dir": data_dir})
    project = load_project(settings)
    results = []
    for req in requests:
        asset = build_asset(req, project)
        tables = sample_inputs(asset, project, settings, {})
        deps = CodegenDeps(
            spec=asset.spec,
            tables=describe_tables(asset, project, tables),
            checks_text=asset.checks_text,
            examples=select_examples(asset.spec.description),
            sample_tables=tables,
        )
        started = time.perf_counter()
        attempt, output = run_attempt(deps, settings, model_setting=args.model, sandbox=not args.no_sandbox)
        seconds = time.perf_counter() - started
        if attempt.output is not None and output is None and args.no_sandbox:
            con = duckdb.connect()
            for name, t in tables.items():
                con.register(name, t)
            output = _arrow(con, attempt.output.sql)
        refusal_expected = req.get("expect") == "refusal"
        if refusal_expected:
            correct = attempt.output is None
            note = "refused" if correct else "answered a request it should refuse"
        elif output is None:
            correct = False
            note = attempt.refusal or (attempt.sandbox.message if attempt.sandbox else "no output")
        else:
            con = duckdb.connect()
            for name, t in tables.items():
                con.register(name, t)
            expected = _arrow(con, req["expected_sql"])
            skip = set(req.get("volatile", []))
            got_cols, got = rows_of(output, skip)
            exp_cols, exp = rows_of(expected, skip)
            correct = got_cols == exp_cols and got == exp
            note = "" if correct else (f"columns {got_cols} vs {exp_cols}" if got_cols != exp_cols else "rows differ")
        results.append(
            {
                "id": req["id"],
                "family": req["family"],
                "expect_refusal": refusal_expected,
                "correct": correct,
                "retries": attempt.retries,
                "seconds": round(seconds, 3),
                "sandbox_ok": attempt.sandbox.ok if attempt.sandbox else None,
                "note": note,
                "sql": attempt.output.sql if attempt.output else None,
            }
        )
    in_scope = [r for r in results if not r["expect_refusal"]]
    beyond = [r for r in results if r["expect_refusal"]]
    summary = {
        "model": describe_model(args.model),
        "sandbox": not args.no_sandbox,
        "transactions": args.transactions,
        "requests": len(results),
        "in_scope": len(in_scope),
        "execution_accuracy": round(sum(r["correct"] for r in in_scope) / max(1, len(in_scope)), 4),
        "honest_refusals": f"{sum(r['correct'] for r in beyond)}/{len(beyond)}",
        "retries_total": sum(r["retries"] for r in results),
        "seconds_per_request": round(sum(r["seconds"] for r in results) / max(1, len(results)), 3),
        "results": results,
    }
    table = Table(
        "request", "family", "result", "retries", "seconds", "note", title=f"codegen benchmark — {summary['model']}"
    )
    for r in results:
        mark = "[green]ok[/]" if r["correct"] else "[red]miss[/]"
        table.add_row(r["id"], r["family"], mark, str(r["retries"]), f"{r['seconds']:.2f}", r["note"][:70])
    console.print(table)
    console.print(
        f"execution accuracy {summary['execution_accuracy']:.1%} on {summary['in_scope']} in-scope requests; "
        f"honest refusals {summary['honest_refusals']}; retries {summary['retries_total']}; "
        f"{summary['seconds_per_request']:.2f} s per request"
    )
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(summary, indent=2, default=str))
    console.print(f"results in {args.json_out}")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="builtin", help="model setting, as AGENTIC_MODEL (default: builtin)")
    parser.add_argument("--transactions", type=int, default=20_000, help="sample size (default: 20000)")
    parser.add_argument("--data-dir", type=Path, default=None, help="existing data folder with raw/ (else generated)")
    parser.add_argument("--no-sandbox", action="store_true", help="run generated SQL in local DuckDB (faster)")
    parser.add_argument("--only", nargs="*", help="run only these request ids")
    parser.add_argument("--json-out", type=Path, default=HERE / "results" / "latest.json", help="where to write JSON")
    parser.add_argument("--min-accuracy", type=float, default=0.0, help="exit 1 below this accuracy (for CI)")
    args = parser.parse_args(argv)
    summary = run(args)
    return 0 if summary["execution_accuracy"] >= args.min_accuracy else 1


if __name__ == "__main__":
    sys.exit(main())
