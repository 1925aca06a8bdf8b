"""Loading the project for a repair: a transform that no longer validates is exactly what may need repairing.

`load_project` refuses a project whose SQL names an unknown column; the repair path still needs to see the
asset, so on such a refusal the specs are read without the SQL analysis (nothing runs from this project
except the agent's read-only tools and the sandbox).
"""

from __future__ import annotations

from agentic_assets.settings import Settings
from agentic_assets.specs import loader
from agentic_assets.specs.errors import SpecError
from agentic_assets.specs.project import Project

SQL_PROBLEMS = {"sql_columns", "sql_parse"}


def load_for_repair(settings: Settings) -> Project:
    try:
        return loader.load_project(settings)
    except SpecError as err:
        if not all(p.kind in SQL_PROBLEMS for p in err.problems):
            raise
    specs_dir = settings.specs_dir
    problems: list = []
    raw = loader._load_sources(specs_dir / loader.SOURCES_FILE, problems)  # noqa: SLF001
    assets = {}
    for path in sorted(specs_dir.rglob("*.yaml")):
        if path.name == loader.SOURCES_FILE:
            continue
        asset = loader._load_asset(path, specs_dir, settings.checks_dir, problems)  # noqa: SLF001
        if asset is not None:
            assets[asset.name] = asset
    return Project(specs_dir=specs_dir, raw_sources=raw, assets=assets)
