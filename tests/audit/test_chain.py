import pytest
import sqlalchemy as sa

from agentic_assets.audit import AuditLog


@pytest.fixture
def log(tmp_path):
    log = AuditLog(f"sqlite:///{tmp_path / 'audit.db'}")
    for i in range(5):
        log.append("test.event", actor="alice", asset="a", payload={"i": i, "note": f"record {i + 1}"})
    return log


def _exec(log, sql, **params):
    with log.engine.begin() as con:
        con.execute(sa.text(sql), params)


def test_intact_chain_verifies(log):
    report = log.verify()
    assert report.ok and report.records == 5
    records = log.records()
    assert records[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(records, records[1:], strict=False))


def test_edit_is_detected_and_named(log):
    _exec(log, "UPDATE audit_records SET payload = :p WHERE seq = 3", p='{"i":99,"note":"record 3"}')
    report = log.verify()
    assert not report.ok
    assert [(p.kind, p.seq) for p in report.problems] == [("edited", 3)]


def test_removal_in_the_middle_is_detected(log):
    _exec(log, "DELETE FROM audit_records WHERE seq = 2")
    problems = log.verify().problems
    assert [(p.kind, p.seq) for p in problems] == [("removed", 2)]
    assert "record(s) 2 were removed" in problems[0].message


def test_removal_at_the_end_is_detected(log):
    _exec(log, "DELETE FROM audit_records WHERE seq >= 4")
    problems = log.verify().problems
    assert [(p.kind, p.seq) for p in problems] == [("truncated", 4)]
    assert "4-5" in problems[0].message


def test_reorder_is_detected(log):
    # swap records 2 and 3 (their positions), keeping each record's content and hashes
    _exec(log, "UPDATE audit_records SET seq = 100 WHERE seq = 2")
    _exec(log, "UPDATE audit_records SET seq = 2 WHERE seq = 3")
    _exec(log, "UPDATE audit_records SET seq = 3 WHERE seq = 100")
    kinds = {p.kind for p in log.verify().problems}
    assert "reordered" in kinds or "edited" in kinds
    assert any(p.seq in (2, 3) for p in log.verify().problems)


def test_any_sqlalchemy_url(tmp_path):
    log = AuditLog(f"sqlite:///{tmp_path / 'nested' / 'other.db'}")
    record = log.append("x", actor="platform", payload={"k": [1, 2]})
    assert record.seq == 1 and log.verify().ok
