"""Sandbox benchmarks: start latency (cold and warm, per backend) and the cost of isolation.

    uv run python benchmarks/sandbox/bench_sandbox.py --help
    uv run python benchmarks/sandbox/bench_sandbox.py                      # everything, 200 runs
    uv run python benchmarks/sandbox/bench_sandbox.py --backends bwrap --runs 50 --skip-overhead

Latency: a trivial SQL job (`select sum(a)` over a 100-row Parquet input), timed from the call
to the verdict. Cold: `run_job` starts a fresh sandbox. Warm: `run_job(job, pool=...)` claims a
pre-started sandbox; the pool is refilled between runs, outside the timed section.
Overhead: the same 1,000,000-row aggregation, Parquet in and Parquet out, in this process and in
a warm bwrap sandbox, interleaved in one run so both see the same machine load; also the part
of the sandboxed time spent running the job inside (as the runner measures it).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import typer
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox_runtime import SandboxJob, WarmPool, run_job  # noqa: E402
from sandbox_runtime.backends import available_backends  # noqa: E402

TRIVIAL_SQL = "select sum(a) as s from t"
AGGREGATION_SQL = """
select customer_id % 1000 as bucket, category,
       count(*) as n, sum(amount) as total, avg(amount) as mean,
       min(ts) as first_ts, max(ts) as last_ts, count(distinct customer_id) as customers
from events
group by all
"""

console = Console()
app = typer.Typer(add_completion=False)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "runs": len(ms),
        "p50_ms": statistics.median(ms),
        "p99_ms": percentile(ms, 99),
        "mean_ms": statistics.fmean(ms),
        "min_ms": min(ms),
        "max_ms": max(ms),
    }


def latency(backend: str, runs: int, pool_size: int, folder: Path) -> dict[str, dict[str, float]]:
    source = folder / "small.parquet"
    pq.write_table(pa.table({"a": list(range(100))}), source)
    job = SandboxJob(kind="sql", code=TRIVIAL_SQL, inputs={"t": source})
    cold = []
    for _ in range(runs):
        started = time.perf_counter()
        verdict = run_job(job, backend=backend, workdir=folder / "cold")
        cold.append(time.perf_counter() - started)
        assert verdict.ok, verdict
    warm = []
    with WarmPool(size=pool_size, backend=backend) as pool:
        for _ in range(runs):
            if not pool.wait_until_full(120):
                raise RuntimeError(f"pool did not fill: {pool.last_error}")
            started = time.perf_counter()
            verdict = run_job(job, pool=pool, workdir=folder / "warm")
            warm.append(time.perf_counter() - started)
            assert verdict.ok, verdict
    return {"cold": summary(cold), "warm": summary(warm)}


def events(rows: int, path: Path) -> None:
    customer = pc.multiply(pa.array(range(rows), pa.int64()), 7919)
    table = pa.table(
        {
            "customer_id": pc.bit_wise_and(customer, 0xFFFF),
            "category": pa.array([f"cat-{i % 40}" for i in range(rows)]),
            "amount": pa.array([((i * 37) % 10_000) / 100 for i in range(rows)], pa.float64()),
            "ts": pa.array(range(1_700_000_000_000, 1_700_000_000_000 + rows), pa.timestamp("ms")),
        }
    )
    pq.write_table(table, path)


def in_process(source: Path, out: Path) -> float:
    """The same work as the sandboxed runner, in this process: fresh database, view, query, write."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"create view events as select * from read_parquet('{source}')")
    con.sql(AGGREGATION_SQL).to_parquet(str(out))
    con.close()
    return time.perf_counter() - started


def overhead(rows: int, repeat: int, folder: Path) -> dict[str, float]:
    source = folder / "events.parquet"
    events(rows, source)
    job = SandboxJob(kind="sql", code=AGGREGATION_SQL, inputs={"events": source})
    inside, sandboxed, running = [], [], []
    in_process(source, folder / "warmup.parquet")
    with WarmPool(size=1, backend="bwrap") as pool:
        for i in range(repeat):
            pool.wait_until_full(120)
            inside.append(in_process(source, folder / f"in-process-{i}.parquet"))
            started = time.perf_counter()
            verdict = run_job(job, pool=pool, workdir=folder / f"sandboxed-{i}")
            sandboxed.append(time.perf_counter() - started)
            assert verdict.ok, verdict
            running.append(verdict.run_seconds or 0.0)
    p50_in, p50_box = statistics.median(inside), statistics.median(sandboxed)
    return {
        "rows": rows,
        "repeat": repeat,
        "in_process_p50_ms": p50_in * 1000,
        "sandboxed_p50_ms": p50_box * 1000,
        "inside_p50_ms": statistics.median(running) * 1000,
        "ratio": p50_box / p50_in,
        "inside_ratio": statistics.median(running) / p50_in,
    }


@app.command()
def main(
    runs: int = typer.Option(200, help="runs per backend and mode (cold, warm)"),
    backends: str = typer.Option("bwrap,gvisor", help="comma-separated: bwrap, gvisor"),
    pool_size: int = typer.Option(2, help="warm pool size"),
    rows: int = typer.Option(1_000_000, help="rows of the overhead aggregation"),
    repeat: int = typer.Option(15, help="repetitions of the overhead comparison"),
    skip_latency: bool = typer.Option(False, help="only the overhead comparison"),
    skip_overhead: bool = typer.Option(False, help="only the latency runs"),
    json_out: Path | None = typer.Option(None, help="also write the figures as JSON here"),
) -> None:
    """Measure sandbox start latency (p50/p99, cold and warm) and the isolation overhead."""
    # Other work on the machine moves these figures a lot: the load is recorded with them.
    results: dict = {"latency": {}, "overhead": None, "cpus": os.cpu_count(), "load_before": os.getloadavg()}
    problems = available_backends()
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as scratch:
        folder = Path(scratch)
        if not skip_latency:
            table = Table(title=f"Start latency: trivial SQL job, {runs} runs each (claim/call to verdict)")
            for column in ("backend", "mode", "p50 ms", "p99 ms", "mean ms", "min ms", "max ms"):
                table.add_column(column, justify="right" if "ms" in column else "left")
            for backend in [b.strip() for b in backends.split(",") if b.strip()]:
                if problems.get(backend):
                    console.print(f"[yellow]skipping {backend}: {problems[backend]}[/yellow]")
                    continue
                console.print(f"measuring {backend} ...")
                figures = latency(backend, runs, pool_size, folder)
                results["latency"][backend] = figures
                for mode, s in figures.items():
                    table.add_row(
                        backend, mode, *(f"{s[k]:.1f}" for k in ("p50_ms", "p99_ms", "mean_ms", "min_ms", "max_ms"))
                    )
            console.print(table)
        if not skip_overhead:
            console.print(f"measuring overhead on {rows:,} rows ...")
            figures = overhead(rows, repeat, folder)
            results["overhead"] = figures
            table = Table(title=f"Isolation overhead: {rows:,}-row aggregation, p50 of {repeat} interleaved runs")
            for column in ("in-process ms", "bwrap warm, call to verdict ms", "ratio", "of which inside ms", "ratio"):
                table.add_column(column, justify="right")
            table.add_row(
                f"{figures['in_process_p50_ms']:.1f}",
                f"{figures['sandboxed_p50_ms']:.1f}",
                f"{figures['ratio']:.3f}",
                f"{figures['inside_p50_ms']:.1f}",
                f"{figures['inside_ratio']:.3f}",
            )
            console.print(table)
    results["load_after"] = os.getloadavg()
    console.print(
        f"load average before {results['load_before'][0]:.1f}, after {results['load_after'][0]:.1f} "
        f"on {results['cpus']} CPUs"
    )
    if json_out:
        json_out.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    app()
