"""Delta write-audit-publish publishes exactly the staged, audited version, guarded by the Delta log."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pyarrow as pa
import pytest

from agentic_assets.tables.base import PublishConflict
from agentic_assets.tables.delta_store import DeltaStore


def _store(tmp_path: Path) -> DeltaStore:
    return DeltaStore(tmp_path / "delta", "analytics/accounts")


def _published(store: DeltaStore, table: pa.Table) -> None:
    store.stage(table, mode="overwrite", merge_keys=[], run_id="seed", properties={}).publish()


def _sorted(table: pa.Table) -> list[dict]:
    return sorted(table.to_pylist(), key=lambda r: (r["k"] is not None, r["k"] or 0))


def test_a_null_merge_key_replaces_the_null_keyed_row_as_audited(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _published(store, pa.table({"k": pa.array([1, None], pa.int64()), "v": ["a", "old"]}))
    staged = store.stage(
        pa.table({"k": pa.array([None, 2], pa.int64()), "v": ["new", "b"]}),
        mode="merge",
        merge_keys=["k"],
        run_id="r1",
        properties={},
    )
    audited = staged.read()
    staged.publish()
    published = store.read()
    assert _sorted(published) == _sorted(audited)
    assert [r["v"] for r in published.to_pylist() if r["k"] is None] == ["new"]  # one null-keyed row, not two
    assert published.num_rows == 3


def test_an_added_column_is_published_with_the_schema_the_audit_saw(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _published(store, pa.table({"k": pa.array([1, 2], pa.int64()), "v": ["a", "b"]}))
    new = pa.table({"k": pa.array([2, 3], pa.int64()), "v": ["b2", "c"], "score": pa.array([0.5, 0.7])})
    staged = store.stage(new, mode="merge", merge_keys=["k"], run_id="r1", properties={})
    audited = staged.read()
    staged.publish()
    published = store.read()
    assert published.schema.names == audited.schema.names == ["k", "v", "score"]
    assert _sorted(published) == _sorted(audited)
    assert {r["k"]: r["score"] for r in published.to_pylist()} == {1: None, 2: 0.5, 3: 0.7}


def test_a_dropped_column_is_dropped_from_the_published_table_as_audited(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _published(store, pa.table({"k": pa.array([1], pa.int64()), "v": ["a"], "legacy": ["x"]}))
    staged = store.stage(pa.table({"k": pa.array([2], pa.int64()), "v": ["b"]}), mode="merge", merge_keys=["k"],
                         run_id="r1", properties={})  # fmt: skip
    audited = staged.read()
    staged.publish()
    assert store.read().schema.names == audited.schema.names == ["k", "v"]


def test_two_concurrent_publishers_exactly_one_wins(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _published(store, pa.table({"k": pa.array([1, 2, 3], pa.int64()), "v": ["a", "b", "c"]}))
    base = store.published_version()
    runs = {
        name: store.stage(
            pa.table({"k": pa.array([k], pa.int64()), "v": [name]}),
            mode="append",
            merge_keys=[],
            run_id=name,
            properties={"agentic.asset": "accounts"},
        )  # fmt: skip
        for name, k in (("left", 10), ("right", 20))
    }
    audited = {name: run.read() for name, run in runs.items()}
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def publish(name: str) -> None:
        start.wait()
        try:
            results[name] = runs[name].publish()
        except Exception as err:  # noqa: BLE001 - the loser's error is what the test inspects
            results[name] = err

    threads = [threading.Thread(target=publish, args=(n,)) for n in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for n, r in results.items() if isinstance(r, int)]
    losers = [n for n, r in results.items() if not isinstance(r, int)]
    assert len(winners) == 1 and len(losers) == 1, results
    error = results[losers[0]]
    assert isinstance(error, PublishConflict) and "nothing was published" in str(error)
    assert store.published_version() == base + 1 == results[winners[0]]
    published = store.read()
    assert _sorted(published) == _sorted(audited[winners[0]])  # the winner's audited rows, nothing doubled
    assert published.num_rows == 4


def test_a_publish_after_another_run_moved_the_table_fails_and_keeps_its_rows(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _published(store, pa.table({"k": pa.array([1], pa.int64()), "v": ["a"]}))
    slow = store.stage(pa.table({"k": pa.array([2], pa.int64()), "v": ["slow"]}), mode="append", merge_keys=[],
                       run_id="slow", properties={})  # fmt: skip
    store.stage(pa.table({"k": pa.array([3], pa.int64()), "v": ["fast"]}), mode="append", merge_keys=[],
                run_id="fast", properties={}).publish()  # fmt: skip
    moved = store.read()
    with pytest.raises(PublishConflict, match="another run"):
        slow.publish()
    assert _sorted(store.read()) == _sorted(moved)  # the fast run's row kept, the slow run's not added


def test_a_crash_between_audit_and_publish_leaves_the_published_table(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _published(store, pa.table({"k": pa.array([1], pa.int64()), "v": ["a"]}))
    version, before = store.published_version(), store.read()
    script = textwrap.dedent(
        f"""
        import os, pyarrow as pa
        from pathlib import Path
        from agentic_assets.tables.delta_store import DeltaStore
        store = DeltaStore(Path({str(tmp_path / "delta")!r}), "analytics/accounts")
        staged = store.stage(pa.table({{"k": pa.array([2], pa.int64()), "v": ["b"]}}), mode="append",
                             merge_keys=[], run_id="crashed", properties={{}})
        assert staged.read().num_rows == 2  # audited
        os._exit(137)  # the process dies before publish
        """
    )
    crashed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert crashed.returncode == 137, crashed.stderr
    assert store.published_version() == version
    assert store.read().equals(before)
    retried = store.stage(pa.table({"k": pa.array([2], pa.int64()), "v": ["b"]}), mode="append", merge_keys=[],
                          run_id="retry", properties={})  # fmt: skip
    assert retried.publish() == version + 1
    assert store.read().num_rows == 2
