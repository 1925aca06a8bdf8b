"""The seeded generator of operational incidents: deterministic, loadable, verified; the dev set loads."""

from __future__ import annotations

import filecmp
import sys
from pathlib import Path

import pytest

from agentic_assets.incidents import load_incident

ROOT = Path(__file__).resolve().parents[2] / "benchmarks" / "seeded_ops"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ops.compose import Planned, build, plan  # noqa: E402
from ops.harness import build_and_verify, write_sources, write_yaml  # noqa: E402

# Kinds whose every byte follows from the seed (resource incidents also depend on limits measured here).
CHEAP = [p for p in plan(3, 40) if p.kind != "resource_exhaustion"]


def _write(p: Planned, out: Path) -> Path:
    case = build(p)
    folder = out / case.id
    write_sources(case, folder)
    write_yaml(case, folder, title="(pending)")
    return folder


def test_plan_covers_every_variant_and_ids_carry_the_seed() -> None:
    planned = plan(7, 30)
    assert len({(p.kind, p.variant) for p in planned}) == len({(p.kind, p.variant) for p in plan(7, 200)})
    assert [p.index for p in planned] == list(range(1, 31))
    assert plan(7, 30)[:10] == plan(7, 10)
    assert build(planned[0]).id.startswith("so7-001-")


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    for p in CHEAP[:6]:
        a, b = _write(p, tmp_path / "a"), _write(p, tmp_path / "b")
        cmp = filecmp.dircmp(a, b)
        assert not cmp.diff_files and not cmp.left_only and not cmp.right_only, p
        for sub in cmp.subdirs.values():
            assert not sub.diff_files and not sub.left_only and not sub.right_only, p


def test_every_generated_incident_loads(tmp_path: Path) -> None:
    ids = set()
    for p in CHEAP[:20]:
        folder = _write(p, tmp_path)
        incident = load_incident(folder)
        assert incident.id == folder.name
        ids.add(incident.id)
    assert len(ids) == 20


def test_different_seeds_never_share_an_id() -> None:
    one = {build(p).id for p in plan(1, 8) if p.kind != "resource_exhaustion"}
    other = {build(p).id for p in plan(501, 8) if p.kind != "resource_exhaustion"}
    assert one and other and not one & other


def test_committed_dev_set_loads_with_unique_ids() -> None:
    folders = sorted(f for f in (ROOT / "dev").iterdir() if (f / "incident.yaml").exists())
    assert len(folders) == 30
    incidents = [load_incident(f) for f in folders]
    assert len({i.id for i in incidents}) == len(incidents)
    assert all(i.id.startswith("so1-") for i in incidents)


@pytest.mark.parametrize("kind", ["transient", "config_regression"])
def test_verification_holds(kind: str, tmp_path: Path) -> None:
    p = next(p for p in plan(2, 30) if p.kind == kind)
    verdict, title = build_and_verify(build(p), tmp_path)
    assert verdict.ok, verdict
    assert title


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["late_data", "data_quality", "multi_cause"])
def test_verification_holds_slow(kind: str, tmp_path: Path) -> None:
    for p in [p for p in plan(4, 60) if p.kind == kind][:3]:
        verdict, _ = build_and_verify(build(p), tmp_path)
        assert verdict.ok, verdict
