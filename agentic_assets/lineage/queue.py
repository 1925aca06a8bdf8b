"""The durable outbox: lineage events wait here (SQLite, in the platform state folder) until DataHub has them.

A materialization only inserts a row; delivery happens later, by `lineage flush` or in the background. A row
leaves the queue only after its delivery succeeded, so a crash or a DataHub outage loses nothing; a row sent
twice (a crash between sending and deleting) is harmless because every proposal is an upsert.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from agentic_assets.lineage.model import LineageEvent
from agentic_assets.settings import Settings

QUEUE_FILE = "lineage_queue.db"


class QueuedEvent(BaseModel):
    seq: int
    enqueued_at: datetime
    attempts: int
    last_error: str | None
    event: LineageEvent


class QueueStatus(BaseModel):
    path: Path
    pending: int
    oldest: datetime | None = None
    last_error: str | None = None
    delivered: int = 0
    last_delivered_at: datetime | None = None


class LineageQueue:
    """An ordered, persistent queue of lineage events; safe to open from several processes at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._tx() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, enqueued_at TEXT NOT NULL, "
                "attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, event TEXT NOT NULL)"
            )
            con.execute("CREATE TABLE IF NOT EXISTS stats (key TEXT PRIMARY KEY, value TEXT)")

    @classmethod
    def for_settings(cls, settings: Settings) -> LineageQueue:
        return cls(settings.state_dir / QUEUE_FILE)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        # A short busy timeout: a materialization must not wait long on a queue another process holds.
        with closing(sqlite3.connect(self.path, timeout=5)) as con, con:
            yield con

    def put(self, event: LineageEvent) -> int:
        with self._tx() as con:
            cur = con.execute(
                "INSERT INTO pending (enqueued_at, event) VALUES (?, ?)",
                (datetime.now(UTC).isoformat(), event.model_dump_json()),
            )
            return int(cur.lastrowid or 0)

    def peek(self, limit: int = 50) -> list[QueuedEvent]:
        """The oldest events, in the order they were recorded (later upserts must win)."""
        with self._tx() as con:
            rows = con.execute(
                "SELECT seq, enqueued_at, attempts, last_error, event FROM pending ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [
            QueuedEvent(
                seq=seq,
                enqueued_at=datetime.fromisoformat(at),
                attempts=attempts,
                last_error=err,
                event=LineageEvent.model_validate_json(event),
            )
            for seq, at, attempts, err, event in rows
        ]

    def ack(self, seqs: list[int]) -> None:
        if not seqs:
            return
        with self._tx() as con:
            con.executemany("DELETE FROM pending WHERE seq = ?", [(s,) for s in seqs])
            con.execute(
                "INSERT INTO stats (key, value) VALUES ('delivered', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value",
                (str(len(seqs)),),
            )
            con.execute(
                "INSERT INTO stats (key, value) VALUES ('last_delivered_at', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (datetime.now(UTC).isoformat(),),
            )

    def failed(self, seqs: list[int], error: str) -> None:
        with self._tx() as con:
            con.executemany(
                "UPDATE pending SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
                [(error[:2000], s) for s in seqs],
            )

    def __len__(self) -> int:
        with self._tx() as con:
            return int(con.execute("SELECT COUNT(*) FROM pending").fetchone()[0])

    def status(self) -> QueueStatus:
        with self._tx() as con:
            count, oldest = con.execute("SELECT COUNT(*), MIN(enqueued_at) FROM pending").fetchone()
            err = con.execute(
                "SELECT last_error FROM pending WHERE last_error IS NOT NULL ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            stats = dict(con.execute("SELECT key, value FROM stats").fetchall())
        return QueueStatus(
            path=self.path,
            pending=count,
            oldest=datetime.fromisoformat(oldest) if oldest else None,
            last_error=err[0] if err else None,
            delivered=int(stats.get("delivered", 0)),
            last_delivered_at=datetime.fromisoformat(stats["last_delivered_at"])
            if "last_delivered_at" in stats
            else None,
        )
