"""Promotion: apply an approved repair, re-materialize through write-audit-publish, and keep it only if green.

Applying means: the new transform frozen beside the spec (codegen's header, plus the proposal id), the raw
contract in sources.yaml following the feed (renamed or retyped columns), new checks for a schema
evolution, a `<asset>_dead_letter` asset, new run limits. If the re-materialization fails its checks,
every file is put back and nothing is published.

Approval is enforced here, where the change is applied: tier 2 needs an approver, tier 3 a named person
whose approval decision is in the audit log.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import yaml

from agentic_assets.codegen.approvals import approval_location, commit_approved, commit_info
from agentic_assets.codegen.versioning import FrozenMeta, body_of, parse_header, render_frozen, sql_sha256
from agentic_assets.engines.choice import engine_for
from agentic_assets.engines.spark_runner import check_fix_on_spark
from agentic_assets.materialize.wap import MaterializationOutcome, ProgressHook, materialize
from agentic_assets.repair import yaml_edit
from agentic_assets.repair.audit_trail import approvals_of, record
from agentic_assets.repair.code_history import CodeHistory
from agentic_assets.repair.compose import dead_letter_select
from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.repair.project_load import load_for_repair
from agentic_assets.repair.retry import retry_policy, with_backoff
from agentic_assets.repair.run_limits import RunLimits, limits_for, set_limits
from agentic_assets.repair.view import AssetView
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import SOURCES_FILE, load_project
from agentic_assets.specs.project import LoadedAsset, Project

POLICY_PREFIX = "policy:"


class ApprovalMissing(PermissionError):
    """The change may not be applied: its tier needs an approval that is not on record."""


def require_approval(settings: Settings, repair: RepairRecord) -> None:
    if repair.tier == 1:
        return
    if not repair.approved_by:
        raise ApprovalMissing(f"repair {repair.repair_id} of {repair.asset} (tier {repair.tier}) has no approver")
    if repair.tier == 3:
        if repair.approved_by.startswith(POLICY_PREFIX):
            raise ApprovalMissing(f"tier 3 repair {repair.repair_id} needs a named person, not {repair.approved_by}")
        recorded = [a for a in approvals_of(settings, repair.repair_id) if a["actor"] == repair.approved_by]
        if not recorded:
            raise ApprovalMissing(
                f"tier 3 repair {repair.repair_id}: no approval by {repair.approved_by} is recorded in the audit log"
            )


def frozen_text(asset: LoadedAsset, repair: RepairRecord, sql: str, prompt_hash: str) -> str:
    body = body_of(sql).strip() + "\n"
    spec = asset.spec
    if repair.repaired_checks and not asset.checks_path:
        # Inline checks are part of the spec's fingerprint: the code is fresh for the spec as it will be.
        spec = spec.model_copy(update={"checks": repair.repaired_checks})
    added = added_sources(asset, repair)
    if added:
        # The sources are part of the spec's fingerprint too: the code is fresh for the spec with its new sources.
        spec = spec.model_copy(update={"sources": [*spec.sources, *added]})
    approved_at = (repair.approved_at or datetime.now(UTC)).isoformat(timespec="seconds")
    meta = FrozenMeta(
        asset=asset.name,
        spec_fingerprint=spec.fingerprint(),
        model=repair.model_id,
        prompt_sha256=prompt_hash,
        approver=repair.approved_by or "",
        frozen_at=datetime.now(UTC).isoformat(timespec="seconds"),
        sql_sha256=sql_sha256(body),
        sandbox=repair.verdict.brief().replace("\n", " ") if repair.verdict else "",
    )
    text = render_frozen(body, meta)
    head, rest = text.split("\n", 1)
    lines = rest.splitlines()
    n = len(meta.model_dump())
    extra = [f"-- proposal_id: {repair.repair_id}", f"-- approved_at: {approved_at}"]
    return "\n".join([head, *lines[:n], *extra, *lines[n:]]) + "\n"


class _Files:
    """Files a promotion rewrites, with their old contents, so that a failed promotion puts them back."""

    def __init__(self) -> None:
        self.saved: dict[Path, str | None] = {}

    def write(self, path: Path, text: str) -> None:
        if path not in self.saved:
            self.saved[path] = path.read_text(encoding="utf-8") if path.exists() else None
        path.write_text(text, encoding="utf-8")

    def restore(self) -> None:
        for path, text in self.saved.items():
            if text is None:
                path.unlink(missing_ok=True)
            else:
                path.write_text(text, encoding="utf-8")


def _sync_sources(files: _Files, project: Project, view: AssetView, repair: RepairRecord) -> None:
    """The raw contract follows the feed: renamed columns renamed, retyped columns retyped, new ones declared."""
    import duckdb

    path = project.specs_dir / SOURCES_FILE
    doc = yaml_edit.load(path.read_text(encoding="utf-8"))
    renames: dict[str, dict[str, str]] = {}
    for p in repair.plan.proposals:
        for source, mapping in p.source_renames.items():
            renames.setdefault(source, {}).update(mapping)
    changed = False
    for entry in doc.get("sources", []):
        name = entry["name"]
        if name not in view.sources or not view.is_raw(name):
            continue
        table = view.source_table(name)
        con = duckdb.connect()
        try:
            con.register("t", table.slice(0, 0))
            observed = {r[0]: r[1] for r in con.execute("DESCRIBE SELECT * FROM t").fetchall()}
        finally:
            con.close()
        columns = entry["columns"]
        declared = {c["name"] for c in columns}
        mapping = renames.get(name, {})
        # Edited in place, so each column keeps its style and comments; only what the feed changed is touched.
        for i in reversed(range(len(columns))):
            col = columns[i]
            new_name = mapping.get(col["name"], col["name"])
            if new_name not in observed:
                del columns[i]
                changed = True
                continue
            if new_name != col["name"]:
                col["name"] = new_name
                changed = True
            if _family(observed[new_name]) != _family(str(col.get("type", ""))):
                col["type"] = observed[new_name]
                changed = True
        kept = {c["name"] for c in columns}
        for col_name, col_type in observed.items():
            if col_name not in kept and col_name not in declared:
                columns.append(yaml_edit.flow_map({"name": col_name, "type": col_type}))
                changed = True
    if changed:
        files.write(path, yaml_edit.dump(doc))


def added_sources(asset: LoadedAsset, repair: RepairRecord) -> list[str]:
    """Catalog tables the repair's transform reads that are not sources of the asset yet, in proposal order."""
    out: list[str] = []
    for p in repair.plan.proposals:
        for name in p.add_sources:
            if name not in asset.spec.sources and name not in out:
                out.append(name)
    return out


def _add_sources(files: _Files, asset: LoadedAsset, repair: RepairRecord) -> list[str]:
    """The spec reads the catalog tables the approved transform joins: they are appended to its sources."""
    added = added_sources(asset, repair)
    if added:
        doc = yaml_edit.load(asset.path.read_text(encoding="utf-8"))
        doc["sources"].extend(added)
        files.write(asset.path, yaml_edit.dump(doc))
    return added


def _family(duck_type: str) -> str:
    t = duck_type.upper()
    if t.startswith(("INT", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINT")):
        return "integer"
    if t.startswith(("DOUBLE", "FLOAT", "DECIMAL", "REAL", "NUMERIC")):
        return "number"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    return t


def _write_checks(files: _Files, asset: LoadedAsset, checks: str) -> None:
    if asset.checks_path is not None:
        files.write(asset.checks_path, checks)
        return
    doc = yaml_edit.load(asset.path.read_text(encoding="utf-8"))
    doc["checks"] = checks
    files.write(asset.path, yaml_edit.dump(doc))


def _write_dead_letter_spec(files: _Files, asset: LoadedAsset, repair: RepairRecord, now_sql: str) -> str | None:
    proposals = [p for p in repair.plan.proposals if p.kind == "dead_letter" and p.source and p.condition]
    if not proposals:
        return None
    from agentic_assets.repair.compose import DeadLetter

    name = f"{asset.name}_dead_letter"
    parts = [
        dead_letter_select(DeadLetter(source=p.source, condition=p.condition, reason=p.reason or "invalid row"), "X")
        .replace("TIMESTAMP 'X'", now_sql)
        for p in proposals
    ]  # fmt: skip
    sql = "\nUNION ALL BY NAME\n".join(parts) + "\n"
    sink = asset.spec.sink
    table = f"{sink.table}_dead_letter"
    spec = {
        "name": name,
        "description": f"Rows of {', '.join(sorted({p.source for p in proposals}))} that {asset.name} cannot use, "
        "with the reason (error_reason) and when they were set aside (error_ts).",
        "tier": asset.spec.tier,
        "sources": sorted({p.source for p in proposals}),
        "sink": {"format": sink.format, "table": table, "mode": "overwrite"},
        "checks": f"checks for {name}:\n  - missing_count(error_reason) = 0\n",
    }
    if asset.spec.group:
        spec["group"] = asset.spec.group
    files.write(asset.path.parent / f"{name}.yaml", yaml.safe_dump(spec, sort_keys=False))
    files.write(asset.path.parent / f"{name}.sql", sql)
    return name


def promote(
    settings: Settings,
    repair: RepairRecord,
    *,
    now: datetime | None = None,
    prompt: str = "",
    on_progress: ProgressHook | None = None,
) -> tuple[RepairRecord, MaterializationOutcome | None]:
    """Apply an approved repair and re-materialize; returns the updated record and the run's outcome."""
    require_approval(settings, repair)
    project = load_for_repair(settings)
    asset = project.assets[repair.asset]
    view = AssetView(settings, project, repair.asset, now=now)
    files = _Files()
    kinds = {p.kind for p in repair.plan.proposals}
    old_limits = limits_for(settings, repair.asset)
    if kinds == {"retry"} and any(p.wait_for_data for p in repair.plan.proposals):
        # Nothing is applied: the late-data sensor re-materializes once the data has landed, and only a green
        # run makes the repair `promoted` (see late_data.py).
        from agentic_assets.repair.late_data import start_waiting

        return start_waiting(settings, repair, now=now), None
    history = CodeHistory.for_settings(settings)
    recorded = history.recorded(repair.asset)
    if asset.sql and (not recorded or recorded[-1].version != asset.code_version):
        history.record(repair.asset, asset.sql, note="the version before the repair")
    frozen: tuple[Path, str] | None = None
    try:
        if repair.repaired_sql and body_of(repair.repaired_sql).strip() != body_of(asset.sql or "").strip():
            prompt_hash = hashlib.sha256(prompt.encode()).hexdigest()[:16]
            text = frozen_text(asset, repair, repair.repaired_sql, prompt_hash)
            path = asset.sql_path or asset.path.parent / (asset.spec.sql_file or f"{asset.name}.sql")
            if asset.spec.sql is not None:
                doc = yaml_edit.load(asset.path.read_text(encoding="utf-8"))
                doc.pop("sql", None)
                files.write(asset.path, yaml_edit.dump(doc))
            files.write(path, text)
            frozen = (path, text)
            # The approval of this body, recorded before the run that checks for it (integrity.verify_code).
            record(settings, "repair.frozen", actor=repair.approved_by or "platform", asset=repair.asset,
                   payload={"repair_id": repair.repair_id, "sql_sha256": sql_sha256(body_of(text)),
                            "approver": repair.approved_by or "", "model": repair.model_id,
                            "prompt_sha256": prompt_hash, "sql_path": approval_location(path)})  # fmt: skip
        new_sources = _add_sources(files, asset, repair)
        _sync_sources(files, project, view, repair)
        if repair.repaired_checks and repair.repaired_checks.strip() != asset.checks_text.strip():
            _write_checks(files, asset, repair.repaired_checks)
        dead_letter = _write_dead_letter_spec(files, asset, repair, "CAST(now() AS TIMESTAMP)")
        limits = next((p for p in repair.plan.proposals if p.kind == "resource_increase"), None)
        if limits is not None:
            set_limits(
                settings,
                repair.asset,
                RunLimits(
                    memory_limit_mb=limits.memory_limit_mb or old_limits.memory_limit_mb,
                    timeout_s=limits.timeout_s or old_limits.timeout_s,
                ),
            )
        project = load_project(settings)
        if engine_for(project.assets[repair.asset].spec, settings) == "spark":
            # The fix must give DuckDB's rows on Spark too. Asked only for a Spark asset: the check imports
            # pyspark, which cost a DuckDB asset's approval a second (idle) to several (loaded machine).
            check_fix_on_spark(settings, project, repair.asset)
        run_limits = limits_for(settings, repair.asset)

        def rerun() -> MaterializationOutcome:
            return materialize(project.assets[repair.asset], project, settings, now=now,
                               memory_limit_mb=run_limits.memory_limit_mb, on_progress=on_progress)  # fmt: skip

        retry = next((p for p in repair.plan.proposals if p.kind == "retry" and not p.wait_for_data), None)
        # A transient failure is re-run under a retry policy with backoff; any other repair runs once.
        outcome = with_backoff(rerun, retry_policy(retry.backoff_s or 0.0)) if retry is not None else rerun()
        if not outcome.published:
            raise _NotGreen(outcome)
        if dead_letter:
            materialize(project.assets[dead_letter], project, settings, now=now)
    except _NotGreen as failed:
        files.restore()
        set_limits(settings, repair.asset, old_limits)
        repair.status, repair.error = "failed", "promotion failed its checks; nothing was published"
        payload = {"repair_id": repair.repair_id, "status": "failed", "checks": failed.outcome.status}
        record(settings, "repair.promotion", actor="platform", asset=repair.asset, payload=payload)
        return repair, failed.outcome
    except Exception as err:
        files.restore()
        set_limits(settings, repair.asset, old_limits)
        repair.status, repair.error = "failed", f"promotion failed: {type(err).__name__}: {err}"
        record(settings, "repair.promotion", actor="platform", asset=repair.asset,
               payload={"repair_id": repair.repair_id, "status": "failed", "error": repair.error})  # fmt: skip
        return repair, None
    promoted = project.assets[repair.asset]
    git: dict[str, object] = {}
    if frozen is not None:
        meta = parse_header(frozen[1])
        if meta is not None:
            info = commit_info(meta, repair.repair_id, f"{repair.asset}: repair {repair.repair_id} promoted")
            git = commit_approved(settings, frozen[0], frozen[1], info)
    if promoted.sql and promoted.code_version != asset.code_version:
        history.record(
            repair.asset, promoted.sql, approved_by=repair.approved_by, model_id=repair.model_id,
            note=f"repair {repair.repair_id}",
        )  # fmt: skip
    repair.status = "promoted"
    record(
        settings,
        "repair.promotion",
        actor=repair.approved_by or "platform",
        asset=repair.asset,
        payload={
            "repair_id": repair.repair_id,
            "status": "promoted",
            "code_version": promoted.code_version,
            "table_version": outcome.version_after,
            "files": sorted(str(p.name) for p in files.saved),
            "added_sources": new_sources,
            **git,
        },
    )
    return repair, outcome


class _NotGreen(Exception):
    def __init__(self, outcome: MaterializationOutcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome
