"""Storage and verification of the audit chain, on any SQLAlchemy database (SQLite by default).

Append-only by construction of the API: there is no update or delete. Tampering with the table
directly is what `verify()` finds: an edited record no longer matches its hash, a removed one
breaks its successor's link (and the head counter), a reordered one links to the wrong predecessor.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from agentic_assets.audit.anchor import head_signature_ok, load_key, sign_head
from agentic_assets.audit.records import GENESIS, AuditRecord, ChainProblem, ChainReport, canonical, chain_hash
from agentic_assets.settings import Settings

AUDIT_URL_ENV = "AGENTIC_AUDIT_URL"

_metadata = sa.MetaData()
records_table = sa.Table(
    "audit_records",
    _metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("record_id", sa.String(36), nullable=False, unique=True),
    sa.Column("ts", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(80), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("asset", sa.String(200), nullable=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)
# The chain's head, kept beside it: removing the last records leaves the head pointing past them. Its
# signature (audit/anchor.py) is made with a key the database does not hold, so it cannot be rewritten.
head_table = sa.Table(
    "audit_head",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("signature", sa.String(64), nullable=True),
)


def audit_url(settings: Settings) -> str:
    return os.environ.get(AUDIT_URL_ENV) or f"sqlite:///{Path(settings.state_dir) / 'audit.db'}"


class AuditLog:
    def __init__(self, url: str, *, key: bytes | None = None) -> None:
        """`key` signs the head; without one the head is kept unsigned (and `verify` says so)."""
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.key = key
        self.engine = sa.create_engine(url)
        _metadata.create_all(self.engine)
        self._add_signature_column()
        self._lock = threading.Lock()

    def _add_signature_column(self) -> None:
        """Logs written before heads were signed gain the column (their head is signed at the next append)."""
        columns = {c["name"] for c in sa.inspect(self.engine).get_columns("audit_head")}
        if "signature" not in columns:
            with self.engine.begin() as con:
                con.execute(sa.text("ALTER TABLE audit_head ADD COLUMN signature VARCHAR(64)"))

    def tip(self) -> tuple[int, str]:
        """(seq, hash) of the last record in the chain: the anchor a materialization carries."""
        with self.engine.connect() as con:
            last = con.execute(
                sa.select(records_table.c.seq, records_table.c.hash).order_by(records_table.c.seq.desc()).limit(1)
            ).first()
        return (last.seq, last.hash) if last is not None else (0, GENESIS)

    def head(self) -> tuple[int, str]:
        """(records, hash of the last record) as the head table has them; (0, GENESIS) for an empty log."""
        with self.engine.connect() as con:
            row = con.execute(sa.select(head_table).where(head_table.c.id == 1)).first()
        return (row.count, row.hash) if row is not None else (0, GENESIS)

    def append(
        self, kind: str, *, actor: str, asset: str | None = None, payload: dict[str, Any] | None = None
    ) -> AuditRecord:
        """Add one record at the end of the chain. Concurrent writers retry on a lost race."""
        body_payload = dict(payload or {})
        for _attempt in range(20):
            with self._lock, self.engine.begin() as con:
                last = con.execute(
                    sa.select(records_table.c.seq, records_table.c.hash).order_by(records_table.c.seq.desc()).limit(1)
                ).first()
                seq = (last.seq if last else 0) + 1
                prev = last.hash if last else GENESIS
                record = AuditRecord(
                    seq=seq,
                    record_id=str(uuid.uuid4()),
                    ts=datetime.now(UTC),
                    kind=kind,
                    actor=actor,
                    asset=asset,
                    payload=body_payload,
                    prev_hash=prev,
                    hash="",
                )
                record.hash = chain_hash(prev, record.body())
                try:
                    con.execute(records_table.insert().values(**self._row(record)))
                    signature = sign_head(self.key, seq, record.hash) if self.key else None
                    head = {"count": seq, "hash": record.hash, "signature": signature}
                    updated = con.execute(head_table.update().where(head_table.c.id == 1).values(**head))
                    if updated.rowcount == 0:
                        con.execute(head_table.insert().values(id=1, **head))
                except IntegrityError:
                    continue
                return record
        raise RuntimeError("could not append to the audit log: too many concurrent writers")

    @staticmethod
    def _row(record: AuditRecord) -> dict[str, Any]:
        return {
            "seq": record.seq,
            "record_id": record.record_id,
            "ts": record.ts.isoformat(),
            "kind": record.kind,
            "actor": record.actor,
            "asset": record.asset,
            "payload": canonical(record.payload),
            "prev_hash": record.prev_hash,
            "hash": record.hash,
        }

    def records(
        self, *, asset: str | None = None, kind: str | None = None, kinds: tuple[str, ...] = ()
    ) -> list[AuditRecord]:
        """Records in chain order, filtered in the database by asset and kind(s)."""
        query = sa.select(records_table).order_by(records_table.c.seq)
        if asset is not None:
            query = query.where(records_table.c.asset == asset)
        if kind is not None:
            query = query.where(records_table.c.kind == kind)
        if kinds:
            query = query.where(records_table.c.kind.in_(kinds))
        return list(self._iter(query))

    def _iter(self, query: sa.Select | None = None) -> Iterator[AuditRecord]:
        import json

        with self.engine.connect() as con:
            query = query if query is not None else sa.select(records_table).order_by(records_table.c.seq)
            for row in con.execute(query):
                yield AuditRecord(
                    seq=row.seq,
                    record_id=row.record_id,
                    ts=datetime.fromisoformat(row.ts),
                    kind=row.kind,
                    actor=row.actor,
                    asset=row.asset,
                    payload=json.loads(row.payload),
                    prev_hash=row.prev_hash,
                    hash=row.hash,
                )

    def verify(self, *, anchor: str | None = None) -> ChainReport:
        """Walk the chain; name every edited, removed, inserted or reordered record, a head that is missing
        or does not carry a valid signature, and (with `anchor`, a head hash kept elsewhere) a log that no
        longer holds the anchored record or differs from it."""
        records = list(self._iter())
        problems: list[ChainProblem] = []
        by_hash = {r.hash: r for r in records}
        expected_prev, expected_seq = GENESIS, 1
        for r in records:
            if r.computed_hash() != r.hash:
                problems.append(
                    ChainProblem(
                        kind="edited",
                        seq=r.seq,
                        record_id=r.record_id,
                        message=f"record {r.seq} ({r.kind}) was edited: its content no longer matches its hash",
                    )
                )
            if r.prev_hash != expected_prev:
                if r.prev_hash in by_hash:
                    before = by_hash[r.prev_hash]
                    problems.append(
                        ChainProblem(
                            kind="reordered",
                            seq=r.seq,
                            record_id=r.record_id,
                            message=f"record {r.seq} ({r.kind}) is out of order: it was written after "
                            f"record {before.seq} ({before.kind}), not after its current predecessor",
                        )
                    )
                elif r.seq > expected_seq:
                    gap = f"{expected_seq}" if r.seq == expected_seq + 1 else f"{expected_seq}-{r.seq - 1}"
                    problems.append(
                        ChainProblem(
                            kind="removed",
                            seq=expected_seq,
                            message=f"record(s) {gap} were removed: record {r.seq} ({r.kind}) "
                            "links to a record that is no longer in the log",
                        )
                    )
                else:
                    problems.append(
                        ChainProblem(
                            kind="inserted" if r.seq == expected_seq else "edited",
                            seq=r.seq,
                            record_id=r.record_id,
                            message=f"record {r.seq} ({r.kind}) does not link to its predecessor "
                            "(inserted or its link was changed)",
                        )
                    )
            expected_prev, expected_seq = r.hash, r.seq + 1
        with self.engine.connect() as con:
            head = con.execute(sa.select(head_table).where(head_table.c.id == 1)).first()
        count = records[-1].seq if records else 0
        signed = False
        if self.key is not None and head is None and records:
            problems.append(ChainProblem(kind="head", seq=None, message="the log's signed head was removed"))
        elif self.key is not None and head is not None:
            signed = head_signature_ok(self.key, head.count, head.hash, head.signature)
            if not signed:
                why = (
                    "its signature does not match the audit key"
                    if head.signature
                    else "it carries no signature (removed, or written before heads were signed: the next "
                    "record appended signs it)"
                )
                problems.append(
                    ChainProblem(kind="head", seq=head.count, message=f"the log's head (record {head.count}): {why}")
                )
        if head is not None and (head.count > count or (head.count == count and head.hash != expected_prev)):
            if head.count > count:
                missing = f"{count + 1}" if head.count == count + 1 else f"{count + 1}-{head.count}"
                message = f"record(s) {missing} were removed from the end of the log"
            else:
                message = "the last record differs from the one the log's head recorded"
            problems.append(ChainProblem(kind="truncated", seq=count + 1, message=message))
        if anchor is not None:
            problems += _anchor_problems(records, anchor.strip().lower(), by_hash)
        return ChainReport(
            ok=not problems, records=len(records), head=expected_prev, problems=problems, head_signed=signed
        )


def _anchor_problems(records: list[AuditRecord], anchor: str, by_hash: dict[str, AuditRecord]) -> list[ChainProblem]:
    """A head hash kept outside the database must still be a record of the chain, unchanged."""
    if anchor == GENESIS:
        return []
    found = by_hash.get(anchor)
    if found is None:
        return [
            ChainProblem(
                kind="truncated",
                seq=None,
                message=f"the anchored head {anchor} is not in the log: records were removed or rewritten "
                f"(the log has {len(records)} records)",
            )
        ]
    if found.computed_hash() != anchor:
        return [ChainProblem(kind="edited", seq=found.seq, record_id=found.record_id,
                             message=f"the anchored record {found.seq} was edited")]  # fmt: skip
    return []


_logs: dict[tuple[str, bytes], AuditLog] = {}


def audit_log_for(settings: Settings) -> AuditLog:
    """The log of this deployment (one engine per URL per process)."""
    url, key = audit_url(settings), load_key(settings)
    if (url, key) not in _logs:
        _logs[(url, key)] = AuditLog(url, key=key)
    return _logs[(url, key)]
