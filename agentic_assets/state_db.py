"""A small SQLite file under the platform's state folder: run records, code versions, repairs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path


class StateDb:
    """Creates its table on first use; each call opens a short-lived connection (safe across processes)."""

    ddl: str = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.transaction() as con:
            con.execute(self.ddl)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection whose changes are committed when the block ends without an error."""
        with closing(self._connect()) as con, con:
            yield con

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as con:
            yield con
