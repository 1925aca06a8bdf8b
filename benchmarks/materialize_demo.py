"""Materialize the demo at scale and report rows/s per asset and peak memory.

    uv run python benchmarks/materialize_demo.py --transactions 1000000

Each asset goes through the full write-audit-publish path (read, DuckDB transform, stage on an
Iceberg branch or Delta staging table, soda checks on the staged table, publish). Memory is the
process's resident set, sampled every 5 ms while the asset runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from memory import PeakSampler, process_rss_mb  # benchmarks/memory.py, beside this script
from rich.table import Table

from agentic_assets.cli.console import make_console
from agentic_assets.codegen import ensure_code
from agentic_assets.materialize.wap import materialize
from agentic_assets.sample_data.retail_bank import DatasetSize, generate
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project

console = make_console()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=int, default=1_000_000, help="transactions to generate")
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    parser.add_argument(
        "--runner", choices=["in-process", "sandbox"], default="sandbox",
        help="where the transforms run: embedded DuckDB, or single-use sandboxes from the warm pool",
    )  # fmt: skip
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="agentic-bench-"))
    # A private copy of the specs: the codegen agent freezes code beside them, not in the project.
    specs = data_dir / "specs"
    shutil.rmtree(specs, ignore_errors=True)
    shutil.copytree(Settings().specs_dir, specs)
    settings = Settings.from_env(data_dir=data_dir, specs_dir=specs, transform_runner=args.runner)
    project = load_project(settings)
    results = []
    with PeakSampler(process_rss_mb, interval_s=0.005) as sampler:
        started = time.perf_counter()
        with console.status(f"Generating {args.transactions:,} transactions in {data_dir}..."):
            generate(settings.raw_dir, DatasetSize(args.transactions))
        gen_s = time.perf_counter() - started
        console.print(f"generated {args.transactions:,} transactions in {gen_s:.1f}s (peak {sampler.peak:.0f} MB)")
        started = time.perf_counter()
        with console.status("codegen agent writing, sandboxing and freezing each transform..."):
            for name in project.topological_order():
                ensure_code(project.assets[name], project, settings, approver="benchmark")
        console.print(f"code for {len(project.assets)} assets ready in {time.perf_counter() - started:.1f}s")
        for name in project.topological_order():
            sampler.reset()
            with console.status(f"materializing {name}..."):
                outcome = materialize(project.assets[name], project, settings)
            results.append(
                {
                    "asset": name,
                    "format": outcome.table_format,
                    "status": outcome.status,
                    "input_rows": outcome.input_rows,
                    "output_rows": outcome.table_rows,
                    "seconds": round(outcome.seconds, 3),
                    "input_rows_per_s": round(outcome.input_rows / outcome.seconds) if outcome.seconds else None,
                    "peak_rss_mb": round(sampler.peak, 1),
                    "timings": {k: round(v, 3) for k, v in outcome.timings.items()},
                }
            )
    total_s = sum(r["seconds"] for r in results)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    title = f"Demo materialization at {args.transactions:,} transactions ({args.runner})"
    table = Table(title=title, title_justify="left")
    for col in ("asset", "format", "status", "input rows", "output rows", "seconds", "input rows/s", "peak RSS MB"):
        table.add_column(col, justify="left" if col in ("asset", "format", "status") else "right")
    for r in results:
        table.add_row(
            r["asset"],
            r["format"],
            r["status"],
            f"{r['input_rows']:,}",
            f"{r['output_rows']:,}",
            f"{r['seconds']:.2f}",
            f"{r['input_rows_per_s']:,}",
            f"{r['peak_rss_mb']:.0f}",
        )
    console.print(table)
    console.print(f"all assets: {total_s:.2f}s; process peak RSS {peak_mb:.0f} MB; data generation {gen_s:.1f}s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "transactions": args.transactions,
                    "assets": results,
                    "total_seconds": total_s,
                    "peak_rss_mb": peak_mb,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
