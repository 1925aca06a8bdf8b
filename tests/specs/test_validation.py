"""Each class of spec error is caught before anything runs, and names the file, line and field."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from agentic_assets.settings import PROJECT_ROOT, Settings
from agentic_assets.specs.errors import SpecError
from agentic_assets.specs.loader import load_project

CHECKS = """\
checks:
  checks for {name}:
    - row_count > 0
"""


def _spec(name: str, body: str) -> str:
    return textwrap.dedent(body).format(name=name)


GOOD = """\
name: {name}
description: Daily totals of settled amount per country.
sources: [transactions]
sink:
  format: iceberg
  table: analytics.{name}
sql: |
  SELECT country, SUM(amount) AS total FROM transactions GROUP BY country
checks: |
  checks for {name}:
    - row_count > 0
"""


@pytest.fixture
def specs_dir(tmp_path: Path) -> Path:
    d = tmp_path / "specs"
    d.mkdir()
    shutil.copy(PROJECT_ROOT / "specs" / "sources.yaml", d / "sources.yaml")
    return d


def _load(specs_dir: Path) -> SpecError:
    with pytest.raises(SpecError) as info:
        load_project(Settings(specs_dir=specs_dir, data_dir=specs_dir.parent / "data"))
    return info.value


def _write(specs_dir: Path, name: str, text: str) -> Path:
    path = specs_dir / f"{name}.yaml"
    path.write_text(text)
    return path


def test_a_valid_spec_loads(specs_dir: Path) -> None:
    _write(specs_dir, "country_totals", _spec("country_totals", GOOD))
    project = load_project(Settings(specs_dir=specs_dir))
    asset = project.assets["country_totals"]
    assert asset.output_schema == {"country": "TEXT", "total": "DECIMAL(18, 2)"}


def test_broken_yaml_names_file_and_line(specs_dir: Path) -> None:
    path = _write(specs_dir, "broken", "name: broken\ndescription: [unclosed\nsources: x\n")
    err = _load(specs_dir)
    assert err.kinds == {"yaml"}
    problem = err.problems[0]
    assert problem.file == path and problem.line is not None
    assert "not valid YAML" in str(problem)


def test_unknown_key_is_rejected_with_its_line(specs_dir: Path) -> None:
    text = _spec("typo", GOOD).replace("sink:\n", "sinks_extra: 1\nsink:\n")
    path = _write(specs_dir, "typo", text)
    err = _load(specs_dir)
    assert err.kinds == {"unknown_key"}
    problem = err.problems[0]
    assert problem.field == "sinks_extra" and problem.line == 4 and problem.file == path
    assert "allowed:" in problem.message and "sink" in problem.message


def test_invalid_field_value_names_the_field(specs_dir: Path) -> None:
    _write(specs_dir, "bad_mode", _spec("bad_mode", GOOD).replace("  table:", "  mode: upsert\n  table:"))
    err = _load(specs_dir)
    assert err.kinds == {"invalid"}
    assert err.problems[0].field == "sink.mode"
    assert err.problems[0].line == 6


def test_merge_without_keys_is_invalid(specs_dir: Path) -> None:
    _write(specs_dir, "m", _spec("m", GOOD).replace("  table:", "  mode: merge\n  table:"))
    err = _load(specs_dir)
    assert "merge_keys" in err.render()


def test_missing_source(specs_dir: Path) -> None:
    _write(specs_dir, "orphan", _spec("orphan", GOOD).replace("[transactions]", "[transactions, ledger]"))
    err = _load(specs_dir)
    assert err.kinds == {"missing_source"}
    assert "'ledger'" in err.problems[0].message and err.problems[0].line == 3


def test_dependency_cycle(specs_dir: Path) -> None:
    a = _spec("a_asset", GOOD).replace("[transactions]", "[b_asset]").replace("FROM transactions", "FROM b_asset")
    b = _spec("b_asset", GOOD).replace("[transactions]", "[a_asset]").replace("FROM transactions", "FROM a_asset")
    _write(specs_dir, "a_asset", a)
    _write(specs_dir, "b_asset", b)
    err = _load(specs_dir)
    assert "cycle" in err.kinds
    assert "a_asset" in err.render() and "b_asset" in err.render()


def test_sink_claimed_twice(specs_dir: Path) -> None:
    _write(specs_dir, "first", _spec("first", GOOD))
    _write(specs_dir, "second", _spec("second", GOOD).replace("analytics.second", "analytics.first"))
    err = _load(specs_dir)
    assert err.kinds == {"duplicate_sink"}
    assert "analytics.first" in err.problems[0].message


def test_sql_that_does_not_parse(specs_dir: Path) -> None:
    _write(specs_dir, "p", _spec("p", GOOD).replace("GROUP BY country", "GROUP BY (country"))
    err = _load(specs_dir)
    assert err.kinds == {"sql_parse"}
    assert "does not parse" in err.problems[0].message


def test_sql_with_unknown_column(specs_dir: Path) -> None:
    _write(specs_dir, "c", _spec("c", GOOD).replace("SUM(amount)", "SUM(amount_eur)"))
    err = _load(specs_dir)
    assert err.kinds == {"sql_columns"}
    assert "amount_eur" in err.problems[0].message and "known columns" in err.problems[0].message


def test_sql_reading_a_table_that_is_not_a_source(specs_dir: Path) -> None:
    _write(specs_dir, "t", _spec("t", GOOD).replace("FROM transactions", "FROM customers"))
    err = _load(specs_dir)
    assert err.kinds == {"sql_columns"}
    assert "customers" in err.problems[0].message


def test_missing_checks_file(specs_dir: Path) -> None:
    text = _spec("nochecks", GOOD).split("checks: |")[0] + "checks: nochecks.yml\n"
    _write(specs_dir, "nochecks", text)
    err = _load(specs_dir)
    assert err.kinds == {"missing_file"}
    assert "nochecks.yml" in err.problems[0].message


def test_checks_for_another_table(specs_dir: Path) -> None:
    _write(specs_dir, "w", _spec("w", GOOD).replace("checks for w:", "checks for other:"))
    err = _load(specs_dir)
    assert err.kinds == {"checks"}
    assert "checks for w" in err.problems[0].message


def test_every_problem_is_reported_at_once(specs_dir: Path) -> None:
    _write(specs_dir, "one", _spec("one", GOOD).replace("SUM(amount)", "SUM(nope)"))
    _write(specs_dir, "two", _spec("two", GOOD).replace("[transactions]", "[missing_table]"))
    err = _load(specs_dir)
    assert err.kinds == {"sql_columns", "missing_source"}
    assert len(err.problems) == 2


def test_the_demo_specs_are_valid(pristine_specs: Path) -> None:
    project = load_project(Settings(specs_dir=pristine_specs))
    assert len(project.assets) >= 5
    formats = {a.spec.sink.format for a in project.assets.values()}
    assert formats == {"iceberg", "delta"}
    downstream = [a for a in project.assets.values() if any(s in project.assets for s in a.spec.sources)]
    assert downstream, "at least one asset reads another asset"
