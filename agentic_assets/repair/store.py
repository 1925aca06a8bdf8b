"""Repairs and their proposals, in the platform state folder (SQLite): what awaits approval, and what happened."""

from __future__ import annotations

from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.settings import Settings
from agentic_assets.state_db import StateDb

OPEN = ("investigating", "awaiting_approval", "waiting_for_data")


class RepairStore(StateDb):
    ddl = (
        "CREATE TABLE IF NOT EXISTS repairs (repair_id TEXT PRIMARY KEY, asset TEXT, status TEXT, "
        "opened_at TEXT, record TEXT)"
    )

    @classmethod
    def for_settings(cls, settings: Settings) -> RepairStore:
        return cls(settings.state_dir / "repairs.db")

    def save(self, record: RepairRecord) -> None:
        with self.transaction() as con:
            con.execute(
                "INSERT INTO repairs (repair_id, asset, status, opened_at, record) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(repair_id) DO UPDATE SET status = excluded.status, record = excluded.record",
                (record.repair_id, record.asset, record.status, record.opened_at.isoformat(), record.model_dump_json()),
            )

    def get(self, repair_id: str) -> RepairRecord | None:
        with self.reading() as con:
            row = con.execute("SELECT record FROM repairs WHERE repair_id = ?", (repair_id,)).fetchone()
        return RepairRecord.model_validate_json(row[0]) if row else None

    def open_for(self, asset: str) -> RepairRecord | None:
        marks = ",".join("?" * len(OPEN))
        with self.reading() as con:
            row = con.execute(
                f"SELECT record FROM repairs WHERE asset = ? AND status IN ({marks}) ORDER BY opened_at DESC LIMIT 1",
                (asset, *OPEN),
            ).fetchone()
        return RepairRecord.model_validate_json(row[0]) if row else None

    def list(self, *, status: str | None = None, asset: str | None = None) -> list[RepairRecord]:
        query, args = "SELECT record FROM repairs WHERE 1 = 1", []
        if status:
            query += " AND status = ?"
            args.append(status)
        if asset:
            query += " AND asset = ?"
            args.append(asset)
        with self.reading() as con:
            rows = con.execute(query + " ORDER BY opened_at DESC", args).fetchall()
        return [RepairRecord.model_validate_json(r[0]) for r in rows]
