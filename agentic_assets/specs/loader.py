"""Load every spec under a folder and validate the whole project before anything runs.

All problems are collected, each naming the file, the line and the field, so one run of
`agentic-assets validate` tells a person everything there is to fix.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from agentic_assets.settings import Settings
from agentic_assets.specs.errors import SpecError, SpecProblem
from agentic_assets.specs.model import AssetSpec, RawSource, SourcesFile
from agentic_assets.specs.project import LoadedAsset, Project
from agentic_assets.specs.yaml_positions import line_of, load_with_lines
from agentic_assets.sql.analysis import analyze_sql

SOURCES_FILE = "sources.yaml"


def load_project(settings: Settings | None = None, specs_dir: Path | None = None) -> Project:
    """Load and validate the specs; raise SpecError listing every problem found."""
    settings = settings or Settings.from_env()
    specs_dir = Path(specs_dir or settings.specs_dir)
    problems: list[SpecProblem] = []
    if not specs_dir.is_dir():
        raise SpecError([SpecProblem(file=specs_dir, message="the specs folder does not exist", kind="missing_file")])

    raw_sources = _load_sources(specs_dir / SOURCES_FILE, problems)
    assets: dict[str, LoadedAsset] = {}
    for path in sorted(specs_dir.rglob("*.yaml")):
        if path.name == SOURCES_FILE:
            continue
        loaded = _load_asset(path, specs_dir, settings.checks_dir, problems)
        if loaded is None:
            continue
        if loaded.name in assets:
            problems.append(
                SpecProblem(
                    file=path,
                    field="name",
                    kind="duplicate_asset",
                    message=f"asset '{loaded.name}' is also defined in {assets[loaded.name].path}",
                )
            )
            continue
        if loaded.name in raw_sources:
            problems.append(
                SpecProblem(
                    file=path,
                    field="name",
                    kind="duplicate_asset",
                    message=f"'{loaded.name}' is already the name of a raw source in {SOURCES_FILE}",
                )
            )
            continue
        assets[loaded.name] = loaded

    _check_sources_exist(assets, raw_sources, problems)
    _check_unique_sinks(assets, problems)
    order = _check_acyclic(assets, problems)
    if order is not None:
        _analyze_sql(order, assets, raw_sources, problems)
    if problems:
        raise SpecError(problems)
    return Project(specs_dir=specs_dir, raw_sources=raw_sources, assets=assets)


def _read_yaml(path: Path, problems: list[SpecProblem]) -> tuple[Any, dict] | None:
    try:
        return load_with_lines(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problems.append(
            SpecProblem(
                file=path,
                line=mark.line + 1 if mark else None,
                kind="yaml",
                message=f"not valid YAML: {getattr(err, 'problem', None) or err}",
            )
        )
    except (OSError, UnicodeDecodeError) as err:
        problems.append(SpecProblem(file=path, kind="yaml", message=f"cannot read the file: {err}"))
    return None


def _pydantic_problems(path: Path, err: ValidationError, lines: dict, prefix: tuple = ()) -> list[SpecProblem]:
    problems = []
    for e in err.errors():
        loc = (*prefix, *e["loc"])
        kind = "unknown_key" if e["type"] == "extra_forbidden" else "invalid"
        message = e["msg"]
        if kind == "unknown_key":
            message = f"unknown key (allowed: {', '.join(_allowed_keys(loc))})"
        field = ".".join(str(p) for p in loc) or None
        problems.append(SpecProblem(file=path, line=line_of(lines, loc), field=field, message=message, kind=kind))
    return problems


def _allowed_keys(loc: tuple) -> list[str]:
    from agentic_assets.specs.model import ColumnSpec, RawColumn, SinkSpec

    parents = [p for p in loc[:-1] if isinstance(p, str)]
    model = {"sink": SinkSpec, "columns": ColumnSpec}.get(parents[-1] if parents else "", AssetSpec)
    if parents[:1] == ["sources"]:
        model = RawColumn if "columns" in parents else RawSource
    return sorted(model.model_fields)


def _load_sources(path: Path, problems: list[SpecProblem]) -> dict[str, RawSource]:
    if not path.exists():
        problems.append(
            SpecProblem(
                file=path,
                kind="missing_file",
                message="the raw sources file is missing (it declares every raw table and its columns)",
            )
        )
        return {}
    read = _read_yaml(path, problems)
    if read is None:
        return {}
    data, lines = read
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as err:
        problems.extend(_pydantic_problems(path, err, lines))
        return {}
    result: dict[str, RawSource] = {}
    for i, source in enumerate(parsed.sources):
        if source.name in result:
            problems.append(
                SpecProblem(
                    file=path,
                    line=line_of(lines, ("sources", i, "name")),
                    field="name",
                    kind="duplicate_asset",
                    message=f"raw source '{source.name}' declared twice",
                )
            )
        result[source.name] = source
    return result


def _load_asset(path: Path, specs_dir: Path, checks_dir: Path, problems: list[SpecProblem]) -> LoadedAsset | None:
    read = _read_yaml(path, problems)
    if read is None:
        return None
    data, lines = read
    if not isinstance(data, dict):
        problems.append(SpecProblem(file=path, line=1, kind="invalid", message="a spec is a mapping of keys to values"))
        return None
    if "group" not in data and path.parent != specs_dir:
        data = {**data, "group": path.parent.name}
    try:
        spec = AssetSpec.model_validate(data)
    except ValidationError as err:
        problems.extend(_pydantic_problems(path, err, lines))
        return None

    checks_text, checks_path = _resolve_checks(spec, path, checks_dir, lines, problems)
    sql, sql_path = _resolve_sql(spec, path, lines, problems)
    return LoadedAsset(
        spec=spec, path=path, checks_text=checks_text, checks_path=checks_path, sql=sql, sql_path=sql_path
    )


def _looks_like_file(value: str) -> bool:
    return "\n" not in value.strip() and value.strip().endswith((".yml", ".yaml"))


def _resolve_checks(spec: AssetSpec, path: Path, checks_dir: Path, lines: dict, problems: list[SpecProblem]):
    line = line_of(lines, ("checks",))
    checks_path: Path | None = None
    text = spec.checks
    if _looks_like_file(spec.checks):
        candidates = [path.parent / spec.checks, checks_dir / spec.checks]
        checks_path = next((c for c in candidates if c.is_file()), None)
        if checks_path is None:
            problems.append(
                SpecProblem(
                    file=path,
                    line=line,
                    field="checks",
                    kind="missing_file",
                    message=f"checks file '{spec.checks}' not found beside the spec or in {checks_dir}",
                )
            )
            return "", None
        text = checks_path.read_text(encoding="utf-8")

    def problem(message: str) -> None:
        # A file of its own has its own lines; inline SodaCL points at the spec's `checks:` key.
        problems.append(SpecProblem(file=checks_path or path, line=line if checks_path is None else None,
                                    field="checks", kind="checks", message=message))  # fmt: skip

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        problem(f"SodaCL is not valid YAML: {err}")
        return text, checks_path
    expected = f"checks for {spec.name}"
    if not isinstance(doc, dict) or expected not in doc or not isinstance(doc[expected], list) or not doc[expected]:
        problem(f"SodaCL must hold a non-empty list under '{expected}:'")
    return text, checks_path


def _resolve_sql(spec: AssetSpec, path: Path, lines: dict, problems: list[SpecProblem]):
    if spec.sql is not None:
        return spec.sql, None
    candidate = path.parent / (spec.sql_file or f"{spec.name}.sql")
    if candidate.is_file():
        return candidate.read_text(encoding="utf-8"), candidate
    if spec.sql_file:
        problems.append(
            SpecProblem(
                file=path,
                line=line_of(lines, ("sql_file",)),
                field="sql_file",
                kind="missing_file",
                message=f"SQL file '{spec.sql_file}' not found beside the spec",
            )
        )
    # No SQL at all: the codegen agent writes it; validation of columns waits until then.
    return None, None


def _check_sources_exist(
    assets: dict[str, LoadedAsset], raw: dict[str, RawSource], problems: list[SpecProblem]
) -> None:
    for asset in assets.values():
        for i, source in enumerate(asset.spec.sources):
            if source not in assets and source not in raw:
                known = sorted([*raw, *assets])
                problems.append(
                    SpecProblem(
                        file=asset.path,
                        line=_line(asset.path, ("sources", i)),
                        field=f"sources.{i}",
                        kind="missing_source",
                        message=f"source '{source}' is neither a raw source nor an asset (known: {', '.join(known)})",
                    )
                )


def _check_unique_sinks(assets: dict[str, LoadedAsset], problems: list[SpecProblem]) -> None:
    claimed: dict[str, LoadedAsset] = {}
    for asset in assets.values():
        key = asset.spec.sink.key
        if key in claimed:
            problems.append(
                SpecProblem(
                    file=asset.path,
                    line=_line(asset.path, ("sink", "table")),
                    field="sink.table",
                    kind="duplicate_sink",
                    message=f"{asset.spec.sink.format} table '{asset.spec.sink.table}' is already the sink of "
                    f"'{claimed[key].name}' ({claimed[key].path})",
                )
            )
        else:
            claimed[key] = asset


def _check_acyclic(assets: dict[str, LoadedAsset], problems: list[SpecProblem]) -> list[str] | None:
    graph = {n: {s for s in a.spec.sources if s in assets} for n, a in assets.items()}
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as err:
        cycle = err.args[1]
        first = assets[cycle[0]]
        problems.append(
            SpecProblem(
                file=first.path,
                line=_line(first.path, ("sources",)),
                field="sources",
                kind="cycle",
                message="dependency cycle: " + " -> ".join(reversed(cycle)),
            )
        )
        return None


def _analyze_sql(
    order: list[str], assets: dict[str, LoadedAsset], raw: dict[str, RawSource], problems: list[SpecProblem]
) -> None:
    schemas: dict[str, dict[str, str]] = {name: {c.name: c.type for c in src.columns} for name, src in raw.items()}
    for name in order:
        asset = assets[name]
        if asset.sql is None:
            if asset.spec.columns:
                asset.output_schema = {c.name: c.type or "UNKNOWN" for c in asset.spec.columns}
                schemas[name] = asset.output_schema
            continue
        available = {s: schemas[s] for s in asset.spec.sources if s in schemas}
        if len(available) != len(asset.spec.sources):
            continue  # an upstream problem is already reported
        result = analyze_sql(asset.sql, available)
        if not result.ok:
            kind = "sql_parse" if "does not parse" in (result.error or "") else "sql_columns"
            file = asset.sql_path or asset.path
            line = result.line if asset.sql_path else _line(asset.path, ("sql",))
            problems.append(SpecProblem(file=file, line=line, field="sql", kind=kind, message=result.error or ""))
            continue
        asset.output_schema = result.output_schema
        schemas[name] = result.output_schema


def _line(path: Path, loc: tuple) -> int | None:
    try:
        _, lines = load_with_lines(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError):
        return None
    return line_of(lines, loc)
