#!/usr/bin/env python3
"""Write a seeded set of operational incidents and verify every one through the incident harness.

Seeds 1-99 are for development; seeds of 500 and above are a held-out split that nobody tunes on or reads.
Each incident folder follows benchmarks/examples/FORMAT.md. Verification (tuned-c's verifier, reused):
before/ publishes with every check green at `now`; after/, with the faults, fails; the reference repair
publishes and expected/output.csv reads back equal to its rows (late data: once landed/ is in); memory
faults hold at 1, 2 and 4 threads and twice the limit is enough; a time limit holds on a machine twice as
fast; multi-cause incidents need both answers; late-data look-alikes still fail once landed/ is in.
Exits 1 if any incident fails verification.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from ops.compose import Planned, build, plan  # noqa: E402
from ops.harness import Verdict, build_and_verify, scratch_root  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: E402
from rich.table import Table  # noqa: E402


def one(p: Planned, out: Path) -> tuple[Planned, Verdict, str, str]:
    """Build and verify one incident; a broken build is a failed verdict, not a crash of the whole set. Also
    returns the verifier's scratch folder, which a worker process cannot remove at its exit."""
    try:
        case = build(p)
        verdict, _ = build_and_verify(case, out)
        result = p, verdict, case.id
    except Exception as err:  # noqa: BLE001 - one broken incident must not hide the others
        ident = f"so{p.seed}-{p.index:03d}"
        result = p, Verdict(ident, ok=False, before=f"BUILD ERROR: {type(err).__name__}: {err}"), ident
    return (*result, str(scratch_root()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True, help="1-99 for development, >= 500 held out")
    parser.add_argument("--count", type=int, required=True, help="how many incidents to write")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the incident folders into")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="incidents built in parallel (1 keeps the measured resource limits undisturbed)",
    )
    parser.add_argument("--only", type=int, nargs="*", default=None, help="only these positions (1-based)")
    args = parser.parse_args(argv)

    planned = plan(args.seed, args.count)
    if args.only:
        planned = [p for p in planned if p.index in set(args.only)]
    args.out.mkdir(parents=True, exist_ok=True)
    console = Console(width=200)
    results: list[tuple[Planned, Verdict, str]] = []
    scratch: set[str] = set()
    started = time.monotonic()
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console)  # fmt: skip
    try:
        with progress:
            task = progress.add_task(f"seed {args.seed}", total=len(planned))
            if args.jobs <= 1:
                for p in planned:
                    progress.update(task, description=f"seed {args.seed}: {p.index} {p.kind}/{p.variant}")
                    *result, _ = one(p, args.out)
                    results.append(tuple(result))
                    progress.advance(task)
            else:
                with ProcessPoolExecutor(args.jobs) as pool:
                    futures = [pool.submit(one, p, args.out) for p in planned]
                    for fut in as_completed(futures):
                        *result, root = fut.result()
                        results.append(tuple(result))
                        scratch.add(root)
                        progress.advance(task)
    finally:
        for root in scratch:
            shutil.rmtree(root, ignore_errors=True)
    results.sort(key=lambda r: r[0].index)
    table = Table(title=f"seeded-ops seed {args.seed}", title_justify="left")
    for col in ("id", "kind / variant", "ok", "before", "after", "reference"):
        table.add_column(col, overflow="fold", max_width=60)
    for p, v, ident in results:
        table.add_row(ident, f"{p.kind} / {p.variant}", "[green]ok[/]" if v.ok else "[red]FAIL[/]", v.before,
                      v.after, v.reference)  # fmt: skip
    console.print(table)
    bad = [ident for _, v, ident in results if not v.ok]
    console.print(f"{len(results) - len(bad)}/{len(results)} incidents verified in {time.monotonic() - started:.0f}s"
                  + (f"; [red]FAILED: {bad}[/]" if bad else ""))  # fmt: skip
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
