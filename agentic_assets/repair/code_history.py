"""The code history of an asset: every transform it ran, when it was deployed, who approved it.

Read from git (`git log` / `git blame` of the file on the code branch) where the project is a git
repository with that history (agentic_assets/codegen/git_history.py), and otherwise from the platform
state folder (SQLite, append-only). The transform beside the spec is always the current version; when it
was never recorded (hand-written, or written before this store existed) it is listed with the file's
modification time as its deploy time.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from agentic_assets.codegen.git_history import GitCodeHistory, git_history_for
from agentic_assets.settings import Settings
from agentic_assets.specs.project import LoadedAsset
from agentic_assets.state_db import StateDb


def code_version_of(sql: str) -> str:
    """The same version id `LoadedAsset.code_version` gives."""
    return hashlib.sha256(sql.encode()).hexdigest()[:12]


class CodeVersion(BaseModel):
    version: str
    sql: str
    deployed_at: datetime | None = None
    approved_by: str | None = None
    model_id: str | None = None
    note: str | None = None
    current: bool = False
    source: str = Field(default="sqlite", description="where the version was read: git, sqlite or file")
    commit: str | None = None
    blame: list[dict[str, object]] = Field(
        default_factory=list, description="git blame of the current version: line, commit, approver"
    )


class CodeHistory(StateDb):
    ddl = (
        "CREATE TABLE IF NOT EXISTS code_versions (seq INTEGER PRIMARY KEY AUTOINCREMENT, asset TEXT, "
        "version TEXT, sql TEXT, deployed_at TEXT, approved_by TEXT, model_id TEXT, note TEXT)"
    )

    git: GitCodeHistory | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> CodeHistory:
        history = cls(settings.state_dir / "code_history.db")
        history.git = git_history_for(settings)
        return history

    def _from_git(self, asset: LoadedAsset) -> list[CodeVersion]:
        if self.git is None or asset.sql_path is None:
            return []
        return [
            CodeVersion(
                version=code_version_of(v.text),
                sql=v.text,
                deployed_at=v.committed_at,
                approved_by=v.approver,
                model_id=v.model,
                note=f"git {v.commit[:12]}, proposal {v.trailers.get('Proposal', '-')}",
                source="git",
                commit=v.commit,
            )
            for v in self.git.log(asset.sql_path)
        ]

    def record(
        self,
        asset: str,
        sql: str,
        *,
        deployed_at: datetime | None = None,
        approved_by: str | None = None,
        model_id: str | None = None,
        note: str | None = None,
    ) -> CodeVersion:
        version = CodeVersion(
            version=code_version_of(sql),
            sql=sql,
            deployed_at=deployed_at or datetime.now(UTC),
            approved_by=approved_by,
            model_id=model_id,
            note=note,
        )
        with self.transaction() as con:
            con.execute(
                "INSERT INTO code_versions (asset, version, sql, deployed_at, approved_by, model_id, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    asset,
                    version.version,
                    sql,
                    version.deployed_at.isoformat() if version.deployed_at else None,
                    approved_by,
                    model_id,
                    note,
                ),
            )
        return version

    def recorded(self, asset: str) -> list[CodeVersion]:
        """Oldest first."""
        with self.reading() as con:
            rows = con.execute(
                "SELECT version, sql, deployed_at, approved_by, model_id, note FROM code_versions "
                "WHERE asset = ? ORDER BY seq",
                (asset,),
            ).fetchall()
        return [
            CodeVersion(
                version=v,
                sql=s,
                deployed_at=datetime.fromisoformat(d) if d else None,
                approved_by=a,
                model_id=m,
                note=n,
            )
            for v, s, d, a, m, n in rows
        ]

    def versions(self, asset: LoadedAsset) -> list[CodeVersion]:
        """Every known version, oldest first, the current one (the file beside the spec) last and marked."""
        versions = self._from_git(asset) or self.recorded(asset.name)
        current = asset.code_version
        if asset.sql is not None and (not versions or versions[-1].version != current):
            mtime = None
            if asset.sql_path is not None and asset.sql_path.exists():
                mtime = datetime.fromtimestamp(asset.sql_path.stat().st_mtime, tz=UTC)
            versions.append(CodeVersion(version=current or "", sql=asset.sql, deployed_at=mtime, source="file"))
        if versions:
            update: dict[str, object] = {"current": True}
            if versions[-1].source == "git" and self.git is not None and asset.sql_path is not None:
                update["blame"] = [b.model_dump() for b in self.git.blame(asset.sql_path)]
            versions[-1] = versions[-1].model_copy(update=update)
        return versions
