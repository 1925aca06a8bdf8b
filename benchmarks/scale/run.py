"""The demo at scale on DuckDB and on Spark local[2], beside the floor measured in the same run.

    uv run python benchmarks/scale/run.py --sizes 1000000 10000000 --out bench-out/scale

For every size, every asset goes through the full write-audit-publish path (read, transform, stage,
blocking soda checks on the staged table, publish) once with the DuckDB engine (embedded, in-process)
and once with the Spark engine (dagster-pyspark, local[2]; its parity check runs once per code version,
on a sample, and is part of its first run). The floor is the least any engine must do for the same
result: the bare DuckDB query over the same inputs, and a bare write of its rows to a new Iceberg or
Delta table. Dagster's own cost is measured apart: one Dagster run of every asset on DuckDB, minus the
same work called directly. Memory is the resident set of this process and its children (Spark's JVM),
sampled every 10 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/memory.py
from memory import PeakSampler  # noqa: E402

from agentic_assets.settings import Settings  # noqa: E402

ENGINES = ("duckdb", "spark")


def tree_rss_mb() -> float:
    me = psutil.Process()
    total = 0
    for proc in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a child that ended between listing and reading
            total += proc.memory_info().rss
    return total / 2**20


def floor_seconds(asset, project, settings: Settings, scratch: Path) -> float:
    """The bare query over the same inputs plus a bare write of its rows to a new table of the sink's format."""
    from deltalake import write_deltalake
    from pyiceberg.catalog.sql import SqlCatalog

    from agentic_assets.engines.duckdb_engine import run_sql
    from agentic_assets.materialize.inputs import read_inputs
    from agentic_assets.tables.arrow_types import with_plain_types

    inputs = read_inputs(asset, project, settings)
    started = time.perf_counter()
    result = run_sql(asset.sql, inputs)
    target = scratch / asset.name
    shutil.rmtree(target, ignore_errors=True)
    if asset.spec.sink.format == "delta":
        write_deltalake(str(target), with_plain_types(result, large_too=False), mode="overwrite")
    else:
        target.mkdir(parents=True)
        catalog = SqlCatalog("floor", uri=f"sqlite:///{target / 'catalog.db'}", warehouse=f"file://{target}")
        catalog.create_namespace("floor")
        data = with_plain_types(result, large_too=True)
        catalog.create_table("floor.t", schema=data.schema).append(data)
    return time.perf_counter() - started


def dagster_seconds(settings: Settings) -> float:
    """Wall clock of one in-process Dagster run of every asset (DuckDB engine)."""
    import dagster as dg

    from agentic_assets.definitions import MATERIALIZE_ALL, build_definitions

    defs = build_definitions(settings)
    started = time.perf_counter()
    result = defs.resolve_job_def(MATERIALIZE_ALL).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=True,
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    assert result.success
    return time.perf_counter() - started


def run_size(n: int, root: Path, specs: Path, sampler: PeakSampler, log) -> dict:
    from agentic_assets.materialize.wap import materialize
    from agentic_assets.sample_data.retail_bank import DatasetSize, generate
    from agentic_assets.specs.loader import load_project

    raw = root / f"raw-{n}"
    if not raw.exists():
        started = time.perf_counter()
        generate(raw, DatasetSize(n))
        log(f"{n:,}: generated the data in {time.perf_counter() - started:.1f}s")
    figures: dict = {"transactions": n, "assets": {}}
    for engine in ENGINES:
        data = root / f"{engine}-{n}"
        shutil.rmtree(data, ignore_errors=True)
        (data).mkdir(parents=True)
        (data / "raw").symlink_to(raw)
        settings = Settings(specs_dir=specs, data_dir=data, transform_runner="in-process", engine=engine)
        project = load_project(settings)
        for name in project.topological_order():
            sampler.reset()
            outcome = materialize(project.assets[name], project, settings)
            assert outcome.published, (engine, name, outcome.status, outcome.error)
            row = figures["assets"].setdefault(
                name, {"format": outcome.table_format, "output_rows": outcome.table_rows}
            )
            row["input_rows"] = outcome.input_rows
            row[f"{engine}_s"] = round(outcome.seconds, 3)
            row[f"{engine}_peak_mb"] = round(sampler.peak)
            log(f"{n:,} {engine:<6} {name:<34} {outcome.seconds:7.2f}s  peak {sampler.peak:6.0f} MB")
        if engine == "duckdb":
            for name in project.topological_order():
                row = figures["assets"][name]
                row["floor_s"] = round(floor_seconds(project.assets[name], project, settings, root / "floor"), 3)
            direct = sum(r["duckdb_s"] for r in figures["assets"].values())
            through_dagster = dagster_seconds(settings)
            figures["dagster_s"] = round(through_dagster, 3)
            figures["dagster_fixed_s"] = round(through_dagster - direct, 3)
            log(f"{n:,}: one Dagster run of every asset {through_dagster:.2f}s, called directly {direct:.2f}s")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--out", type=Path, default=Path("bench-out/scale"))
    parser.add_argument("--work-dir", type=Path, default=None, help="data folder (default: a temporary one)")
    args = parser.parse_args()

    from report import write_report  # beside this script

    from agentic_assets.codegen import ensure_code
    from agentic_assets.engines.spark_session import spark_session
    from agentic_assets.sample_data.retail_bank import DatasetSize, generate
    from agentic_assets.specs.loader import load_project

    root = args.work_dir or Path(tempfile.mkdtemp(prefix="agentic-scale-"))
    args.out.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []

    def log(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    # The codegen agent writes each transform once, on small data; the frozen SQL is the same at every size.
    specs = root / "specs"
    shutil.rmtree(specs, ignore_errors=True)
    shutil.copytree(Settings().specs_dir, specs)
    codegen = Settings(specs_dir=specs, data_dir=root / "codegen")
    generate(codegen.raw_dir, DatasetSize(20_000))
    project = load_project(codegen)
    for name in project.topological_order():
        ensure_code(project.assets[name], project, codegen, approver="benchmark")
    started = time.perf_counter()
    spark_session(Settings(spark_master="local[2]"))
    spark_start_s = time.perf_counter() - started
    log(f"Spark local[2] session started in {spark_start_s:.1f}s (not counted below)")
    # One untimed pass on the small data, on both engines: imports, JIT and first-use costs stay out of the figures.
    from agentic_assets.materialize.wap import materialize

    for engine in ENGINES:
        warm = codegen.model_copy(update={"engine": engine, "transform_runner": "in-process"})
        for name in project.topological_order():
            materialize(project.assets[name], project, warm)
    load_before = psutil.getloadavg()
    figures: dict = {"sizes": [], "runs": [], "spark_start_s": round(spark_start_s, 2), "cpus": psutil.cpu_count(),
                     "load_average_before": [round(x, 2) for x in load_before]}  # fmt: skip
    with PeakSampler(tree_rss_mb) as sampler:
        for n in sorted(args.sizes):
            figures["runs"].append(run_size(n, root, specs, sampler, log))
            figures["sizes"].append(n)
            # Written after every size, so that a long run that is stopped still reports the sizes it finished.
            figures["load_average_after"] = [round(x, 2) for x in psutil.getloadavg()]
            (args.out / "results.json").write_text(json.dumps(figures, indent=2))
            write_report(figures, args.out)
    print((args.out / "report.md").read_text())


if __name__ == "__main__":
    main()
