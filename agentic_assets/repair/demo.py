"""The demo's closing story, the paper's worked example live on the demo's own data.

The transactions feed renames `merchant_subcategory` to `merchant_subcategory_v2`; the next materialization
of `merchant_subcategory_daily_totals` fails; the sensor's repair run diagnoses schema drift from the schema
diff and the code history; the fix passes the sandbox; a named demo user approves; the asset is green again.
The story runs in a scratch project (a copy of the specs, checks and raw files, its own state and tables, an
ephemeral Dagster instance) that is deleted at the end: it leaves no state behind, so the demo's run log, code
history, repairs and audit log never see the story's rename (a later real rename is diagnosed on its own).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq

from agentic_assets.settings import Settings

ASSET = "merchant_subcategory_daily_totals"
SOURCE = "transactions"
OLD, NEW = "merchant_subcategory", "merchant_subcategory_v2"
DEMO_APPROVER = "demo-user@agentic-assets.local"


def story_settings(settings: Settings, root: Path) -> Settings:
    """A scratch project under `root`: the specs, checks and raw files copied; state and tables start empty."""
    shutil.rmtree(root, ignore_errors=True)
    specs, checks, data = root / "specs", root / "checks", root / "data"
    shutil.copytree(settings.specs_dir, specs)
    shutil.copytree(settings.checks_dir, checks, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copytree(settings.raw_dir, data / "raw")
    return settings.model_copy(update={"specs_dir": specs, "checks_dir": checks, "data_dir": data,
                                       "iceberg_catalog_uri": None})  # fmt: skip


def _rename_column(path: Path) -> None:
    table = pq.read_table(path)
    names = [NEW if n == OLD else n for n in table.column_names]
    pq.write_table(table.rename_columns(names), path)


def run_demo_story(settings: Settings, console) -> bool:  # noqa: ANN001 - a rich Console
    from agentic_assets.cli.run_assets import QUIET_CONSOLE, SILENT_CONSOLE
    from agentic_assets.definitions import build_definitions
    from agentic_assets.repair.gate import approve
    from agentic_assets.repair.review import code_diff
    from agentic_assets.repair.sensors import repair_job
    from agentic_assets.repair.store import RepairStore
    from agentic_assets.repair.trace import render_markdown
    from agentic_assets.specs.loader import load_project

    scratch = Path(tempfile.mkdtemp(prefix="repair-story-"))
    story = story_settings(settings, scratch)
    raw = load_project(story).raw_sources[SOURCE]
    path = story.data_dir / raw.path
    console.rule("[bold]The repair story")
    console.print("(in a scratch copy of the project that is deleted afterwards: the demo's state stays as it is)")
    try:
        defs = build_definitions(story)
        asset_def = next(a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition) and ASSET in
                         {k.to_user_string() for k in a.keys})  # fmt: skip
        with dg.DagsterInstance.ephemeral() as instance:
            before = dg.materialize([asset_def], instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE)
            if not before.success:
                console.print(f"[red]{ASSET} does not materialize before the rename[/]")
                return False
            console.print(f"The upstream feed renames [bold]{OLD}[/] to [bold]{NEW}[/] in {raw.path}.")
            _rename_column(path)
            result = dg.materialize([asset_def], instance=instance, raise_on_error=False, run_config=SILENT_CONSOLE)
            failed_at = time.perf_counter()
            if result.success:
                console.print("[red]the materialization unexpectedly succeeded[/]")
                return False
            console.print(f"[red]{ASSET} failed[/] (Dagster run {result.run_id[:8]}); the sensor starts a repair run.")
            repair_result = repair_job(story).execute_in_process(
                run_config={
                    "ops": {"repair_asset": {"config": {"asset": ASSET, "trigger": f"run:{result.run_id}"}}},
                    **QUIET_CONSOLE,
                },
                instance=instance,
            )
        validated_at = time.perf_counter()  # the repair run ends once its proposal is validated and filed
        repair_id = repair_result.output_for_node("repair_asset")
        record = RepairStore.for_settings(story).get(repair_id)
        assert record is not None
        console.print("\n[bold]Reasoning trace[/]")
        console.print(render_markdown(record.trace), markup=False, highlight=False)
        if record.diagnosis:
            console.print(
                f"\n[bold]Diagnosis[/]: {', '.join(record.diagnosis.category)} — {record.diagnosis.root_cause}"
            )
        console.print("\n[bold]Proposed change[/]")
        console.print(code_diff(record), markup=False, highlight=False)
        if record.verdict:
            console.print(f"[bold]Sandbox[/]: {record.verdict.brief()}")
        if record.status != "awaiting_approval":
            console.print(f"[red]repair {record.repair_id} is {record.status}[/]")
            return False
        console.print(f"\nApproving as the demo user [bold]{DEMO_APPROVER}[/] (a person would approve here).")
        record = approve(story, record.repair_id, DEMO_APPROVER)
        green_at = time.perf_counter()
        ok = record.status == "promoted"
        color = "green" if ok else "red"
        console.print(f"[{color}]{ASSET} is {'green again' if ok else record.status}[/] (repair {record.repair_id}).")
        console.print(
            f"Failure to validated proposal: [bold]{validated_at - failed_at:.1f} s[/]; "
            f"failure to green: [bold]{green_at - failed_at:.1f} s[/]."
        )
        return ok
    finally:
        from agentic_assets.lineage import wait_for_delivery

        # The story's lineage is delivered in the background into the scratch project: let it finish
        # before the folder goes, or the delivery fails on a removed queue.
        wait_for_delivery(30)
        shutil.rmtree(scratch, ignore_errors=True)
