"""The seeded format/schema drift generator: deterministic, loadable, verified, and its dev set intact."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from agentic_assets.incidents import load_incident
from agentic_assets.incidents.model import load_expected

ROOT = Path(__file__).resolve().parents[2] / "benchmarks" / "seeded_formats"
DEV = ROOT / "dev"


def _generate_module():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("seeded_formats_generate", ROOT / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # puts the generator's folder on sys.path, so `seeded` imports
    return module


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_and_every_incident_verifies(tmp_path: Path) -> None:
    generate = _generate_module()
    first, second = tmp_path / "a", tmp_path / "b"
    assert generate.main(["--seed", "7", "--count", "2", "--out", str(first)]) == 0
    assert generate.main(["--seed", "7", "--count", "2", "--out", str(second)]) == 0
    assert _files(first) == _files(second)
    folders = sorted(p.parent for p in first.glob("*/incident.yaml"))
    assert len(folders) == 2
    for folder in folders:
        assert load_incident(folder).id == folder.name


def test_the_committed_dev_set_regenerates_byte_for_byte(tmp_path: Path) -> None:
    generate = _generate_module()
    assert generate.main(["--seed", "1", "--start", "2", "--count", "1", "--out", str(tmp_path)]) == 0
    (folder,) = [p.parent for p in tmp_path.glob("*/incident.yaml")]
    assert _files(folder) == _files(DEV / folder.name)


def test_every_drawn_incident_loads_with_the_harness_loader(tmp_path: Path) -> None:
    _generate_module()
    from seeded.compose import build_case
    from seeded.tables import write_sources, write_yaml

    for index in range(1, 25):
        case = build_case(3, index)
        folder = tmp_path / case.id
        write_sources(case, folder)
        write_yaml(case, folder, title=f"{case.asset} run failed")
        incident = load_incident(folder)
        assert incident.id == case.id and incident.id.startswith("s3-")
        assert set(incident.source_files("before")) >= set(case.before)


def test_the_dev_set_loads_and_its_ids_are_unique() -> None:
    folders = sorted(p.parent for p in DEV.glob("*/incident.yaml"))
    assert len(folders) == 30
    ids = [load_incident(folder).id for folder in folders]
    assert ids == [folder.name for folder in folders]
    assert len(set(ids)) == len(ids) and all(i.startswith("s1-") for i in ids)
    for folder in folders:
        answered = load_expected(folder).remediation != "escalate"
        assert (folder / "expected" / "output.csv").exists() == answered


def test_the_composition_is_wide_and_seeds_never_collide() -> None:
    _generate_module()
    from seeded.compose import ESCALATE_KINDS, FORMAT_KINDS, SCHEMA_KINDS, build_case
    from seeded.domains import DOMAINS

    assert len(DOMAINS) >= 20 and len(FORMAT_KINDS) >= 12 and len(SCHEMA_KINDS) >= 8 and len(ESCALATE_KINDS) >= 4
    dev = {build_case(1, i).id for i in range(1, 6)}
    held_out = {build_case(500, i).id for i in range(1, 6)}
    assert not dev & held_out


@pytest.fixture(autouse=True)
def _clean_path():  # noqa: ANN202
    """The generator's folder goes on sys.path for the test only."""
    before = list(sys.path)
    yield
    sys.path[:] = before
