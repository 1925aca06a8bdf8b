#!/usr/bin/env python3
"""Write K seeded format- and schema-drift incidents and verify every one through the harness.

Each incident is drawn from its own random stream (seed, index): a domain, a naming convention, a drift kind
with a seeded detail, an SQL shape, SodaCL checks and sizes. Verification, through
`agentic_assets.incidents.Workspace` (the tuned-c verifier): the last good transform passes on before/ at
`now`, the current one fails on after/, the reference repair publishes and expected/output.csv reads back
equal to its rows. The title is the symptom the after/ run shows. Same seed, same bytes.

Seeds 1-99 are for development; seeds from 500 are a held-out split nobody tunes on.
Exits 1 if any incident fails verification.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from rich.console import Console  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: E402
from rich.table import Table  # noqa: E402
from seeded.run import one  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True, help="1-99 for development, 500 and up held out")
    parser.add_argument("--count", type=int, required=True, help="how many incidents to write")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the incident folders into")
    parser.add_argument("--jobs", type=int, default=1, help="incidents built and verified in parallel")
    parser.add_argument("--start", type=int, default=1, help="index of the first incident (to extend a set)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    console = Console(width=200)
    table = Table(title=f"seeded formats, seed {args.seed}", title_justify="left")
    for col in ("id", "ok", "before", "after", "reference"):
        table.add_column(col, overflow="fold", max_width=70)
    indexes = list(range(args.start, args.start + args.count))
    bad, started = [], time.monotonic()
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )
    pool = ProcessPoolExecutor(max_workers=args.jobs) if args.jobs > 1 else None
    with progress:
        task = progress.add_task("verifying", total=len(indexes))
        pending = [pool.submit(one, args.seed, i, args.out) for i in indexes] if pool else indexes
        for item in pending:  # in index order, so the table reads the same on every run
            verdict = item.result() if pool else one(args.seed, item, args.out)
            progress.update(task, description=f"verified {verdict.id}")
            if not verdict.ok:
                bad.append(verdict.id)
            table.add_row(
                verdict.id,
                "[green]ok[/]" if verdict.ok else "[red]FAIL[/]",
                verdict.before,
                verdict.after,
                verdict.reference,
            )
            progress.advance(task)
    if pool:
        pool.shutdown()
    console.print(table)
    console.print(
        f"{len(indexes) - len(bad)}/{len(indexes)} incidents verified in {time.monotonic() - started:.0f}s"
        + (f"; [red]FAILED: {bad}[/]" if bad else "")
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
