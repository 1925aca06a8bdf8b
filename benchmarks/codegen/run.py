"""Codegen benchmark: execution accuracy of generated SQL against hand-written expected SQL.

Splits (each a folder with requests.yaml): `tuned`, the ticket-style requests the builtin model is
developed against; `heldout`, ticket-style requests nobody tunes on, reported separately; `heldout_b`,
a second held-out split written later without reading the model or the other splits, which nobody
tunes on either (the first one had been run often enough to stop being a clean measure); `basic`, the
earlier one-sentence requests. For every request the codegen agent (the same loop as `agentic-assets
generate`: prompt, tools, output validator with retries, sandbox run) writes SQL from the words; its
output rows are compared with the rows of the hand-written expected SQL on the same sample data
(benchmarks/codegen/bench_data.py: replays, missing keys, unknown ids, zero and negative amounts).

Every request ends as one of: correct; refused (a miss, but an honest one); wrong (an answer whose
rows differ, or an answer to a request that should be refused). Execution accuracy counts refusals
as misses; wrong answers are reported on their own, since a wrong table is worse than a refusal.

    python benchmarks/codegen/run.py --help
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
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
from agentic_assets.settings import PROJECT_ROOT, Settings
from agentic_assets.specs.loader import load_project
from agentic_assets.specs.model import AssetSpec, ColumnSpec
from agentic_assets.specs.project import LoadedAsset

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench_data import write_bench_data  # noqa: E402

SPLITS = ("tuned", "heldout", "heldout_b", "tuned_c", "basic")
DEFAULT_TRANSACTIONS = 4_000
# Splits of ticket-style requests: their families are the fixed list below, so that accuracy per
# family means the same thing in every split. `basic` keeps its own earlier families.
TICKET_SPLITS = ("tuned", "heldout", "heldout_b", "tuned_c")
TICKET_FAMILIES = (
    "time_grain",
    "word_filter",
    "join_inner",
    "join_left",
    "join_three",
    "dedupe_latest",
    "top_n",
    "pivot",
    "dead_letter",
    "rounding_order",
    "composition",
    "refusal",
)


def _norm(value: object) -> object:
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def rows_of(table: pa.Table, skip: set[str]) -> tuple[list[str], list[tuple]]:
    names = sorted(n for n in table.column_names if n not in skip)
    cols = [table.column(n).to_pylist() for n in names]
    return names, [tuple(_norm(v) for v in row) for row in zip(*cols, strict=True)]


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


def load_requests(split: str, root: Path = HERE) -> list[dict]:
    path = root / split / "requests.yaml"
    requests = yaml.safe_load(path.read_text())["requests"]
    seen: set[str] = set()
    for req in requests:
        missing = [k for k in ("id", "family", "description", "sources") if k not in req]
        if missing or (req.get("expect") != "refusal" and "expected_sql" not in req):
            raise SystemExit(f"{path}: request {req.get('id', '?')}: missing {', '.join(missing) or 'expected_sql'}")
        if split in TICKET_SPLITS and req["family"] not in TICKET_FAMILIES:
            raise SystemExit(
                f"{path}: request {req['id']}: unknown family {req['family']!r} (one of {', '.join(TICKET_FAMILIES)})"
            )
        if req["id"] in seen:
            raise SystemExit(f"{path}: request id {req['id']} appears twice")
        seen.add(req["id"])
    return requests


def score(req: dict, attempt, output: pa.Table | None, tables: dict[str, pa.Table]) -> tuple[str, str]:  # noqa: ANN001
    """('correct' | 'refused' | 'wrong', note)."""
    answered = attempt.output is not None and output is not None
    if req.get("expect") == "refusal":
        return ("wrong", "answered a request it should refuse") if answered else ("correct", "refused")
    if not answered:
        return "refused", attempt.refusal or (attempt.sandbox.message if attempt.sandbox else "no output")
    con = duckdb.connect()
    for name, t in tables.items():
        con.register(name, t)
    expected = _arrow(con, req["expected_sql"])
    skip = set(req.get("volatile", []))
    got_cols, got = rows_of(output, skip)
    exp_cols, exp = rows_of(expected, skip)
    if got_cols != exp_cols:
        return "wrong", f"columns {got_cols} vs {exp_cols}"
    same = got == exp if req.get("ordered") else Counter(got) == Counter(exp)
    return ("correct", "") if same else ("wrong", "rows differ" + (" (or their order)" if req.get("ordered") else ""))


def run_split(split: str, args: argparse.Namespace, project, settings: Settings) -> list[dict]:  # noqa: ANN001
    requests = load_requests(split)
    if args.only:
        requests = [r for r in requests if r["id"] in args.only]
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
        outcome, note = score(req, attempt, output, tables)
        results.append(
            {
                "split": split,
                "id": req["id"],
                "family": req["family"],
                "expect_refusal": req.get("expect") == "refusal",
                "outcome": outcome,
                "correct": outcome == "correct",
                "retries": attempt.retries,
                "seconds": round(seconds, 3),
                "note": note,
                "sql": attempt.output.sql if attempt.output else None,
            }
        )
    return results


def summarize(results: list[dict]) -> dict:
    n = max(1, len(results))
    families: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        families[r["family"]][r["outcome"]] += 1
    return {
        "requests": len(results),
        "execution_accuracy": round(sum(r["outcome"] == "correct" for r in results) / n, 4),
        "refused": sum(r["outcome"] == "refused" for r in results),
        "wrong": sum(r["outcome"] == "wrong" for r in results),
        "wrong_rate": round(sum(r["outcome"] == "wrong" for r in results) / n, 4),
        "retries_total": sum(r["retries"] for r in results),
        "seconds_per_request": round(sum(r["seconds"] for r in results) / n, 3),
        "families": {f: dict(c) for f, c in sorted(families.items())},
    }


def report(console: Console, split: str, results: list[dict], summary: dict, verbose: bool) -> None:
    if verbose:
        table = Table("request", "family", "result", "retries", "seconds", "note", title=f"{split}: requests")
        colour = {"correct": "green", "refused": "yellow", "wrong": "red"}
        for r in results:
            mark = f"[{colour[r['outcome']]}]{r['outcome']}[/]"
            table.add_row(r["id"], r["family"], mark, str(r["retries"]), f"{r['seconds']:.2f}", r["note"][:90])
        console.print(table)
    fam = Table("family", "requests", "correct", "refused", "wrong", "accuracy", title=f"{split}: accuracy per family")
    for family, counts in summary["families"].items():
        total = sum(counts.values())
        fam.add_row(
            family,
            str(total),
            str(counts.get("correct", 0)),
            str(counts.get("refused", 0)),
            str(counts.get("wrong", 0)),
            f"{counts.get('correct', 0) / total:.0%}",
        )
    console.print(fam)
    console.print(
        f"[bold]{split}[/]: execution accuracy {summary['execution_accuracy']:.1%} of {summary['requests']} "
        f"(refusals count as misses: {summary['refused']}); wrong answers {summary['wrong']} "
        f"({summary['wrong_rate']:.1%}); retries {summary['retries_total']}; "
        f"{summary['seconds_per_request']:.2f} s per request"
    )


def run(args: argparse.Namespace) -> dict:
    console = Console(width=160)
    work = Path(tempfile.mkdtemp(prefix="codegen-bench-"))
    data_dir = args.data_dir or work / "data"
    if not (data_dir / "raw" / "transactions.parquet").exists():
        write_bench_data(data_dir / "raw", args.transactions)
    settings = Settings(specs_dir=PROJECT_ROOT / "specs", data_dir=data_dir, model=args.model)
    settings = settings.model_copy(update={"data_dir": data_dir})
    project = load_project(settings)
    out: dict = {
        "model": describe_model(args.model),
        "sandbox": not args.no_sandbox,
        "transactions": args.transactions,
        "splits": {},
    }
    for split in args.split:
        results = run_split(split, args, project, settings)
        summary = summarize(results)
        report(console, split, results, summary, args.verbose)
        out["splits"][split] = {**summary, "results": results}
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(out, indent=2, default=str))
    console.print(f"results in {args.json_out}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="builtin", help="model setting, as AGENTIC_MODEL (default: builtin)")
    parser.add_argument("--split", nargs="+", choices=SPLITS, default=list(TICKET_SPLITS), help="splits to run")
    parser.add_argument(
        "--transactions", type=int, default=DEFAULT_TRANSACTIONS, help=f"sample size (default: {DEFAULT_TRANSACTIONS})"
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="existing data folder with raw/ (else generated)")
    parser.add_argument("--no-sandbox", action="store_true", help="run generated SQL in local DuckDB (faster)")
    parser.add_argument("--only", nargs="*", help="run only these request ids")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every request's result")
    parser.add_argument(
        "--json-out", type=Path, default=PROJECT_ROOT / "bench-out" / "codegen" / "latest.json", help="JSON results"
    )
    parser.add_argument("--min-accuracy", type=float, default=0.0, help="exit 1 when a split is below (for CI)")
    args = parser.parse_args(argv)
    out = run(args)
    low = [s for s, summary in out["splits"].items() if summary["execution_accuracy"] < args.min_accuracy]
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
