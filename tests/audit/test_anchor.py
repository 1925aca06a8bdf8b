"""The audit head is anchored outside its table: a signed head, and head hashes kept elsewhere."""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from agentic_assets.audit import AuditLog, audit_log_for
from agentic_assets.audit.anchor import load_key
from agentic_assets.settings import Settings

KEY = b"a key the database does not hold"


def _log(tmp_path, key: bytes | None = KEY) -> AuditLog:
    log = AuditLog(f"sqlite:///{tmp_path / 'audit.db'}", key=key)
    for i in range(5):
        log.append("test.event", actor="alice", asset="a", payload={"i": i})
    return log


def _exec(log: AuditLog, sql: str, **params: object) -> None:
    with log.engine.begin() as con:
        con.execute(sa.text(sql), params)


def test_a_signed_head_verifies(tmp_path) -> None:
    report = _log(tmp_path).verify()
    assert report.ok and report.head_signed and report.records == 5


def test_truncating_and_rewriting_the_head_is_detected(tmp_path) -> None:
    log = _log(tmp_path)
    third = log.records()[2]
    _exec(log, "DELETE FROM audit_records WHERE seq > 3")
    _exec(log, "UPDATE audit_head SET count = 3, hash = :h", h=third.hash)  # the head made to match
    report = log.verify()
    assert not report.ok
    assert [p.kind for p in report.problems] == ["head"]
    assert "signature does not match" in report.problems[0].message
    _exec(log, "UPDATE audit_head SET signature = NULL")
    assert "carries no signature" in log.verify().problems[0].message


def test_removing_the_head_is_detected(tmp_path) -> None:
    log = _log(tmp_path)
    _exec(log, "DELETE FROM audit_head")
    assert [p.kind for p in log.verify().problems] == ["head"]


def test_a_head_signed_with_another_key_is_detected(tmp_path) -> None:
    _log(tmp_path)
    other = AuditLog(f"sqlite:///{tmp_path / 'audit.db'}", key=b"another key")
    assert [p.kind for p in other.verify().problems] == ["head"]


def test_an_old_signed_head_put_back_is_caught_by_a_kept_anchor(tmp_path) -> None:
    log = AuditLog(f"sqlite:///{tmp_path / 'audit.db'}", key=KEY)
    for i in range(3):
        log.append("test.event", actor="alice", payload={"i": i})
    with log.engine.connect() as con:
        saved = con.execute(sa.text("SELECT count, hash, signature FROM audit_head")).one()
    for i in range(3, 5):
        log.append("test.event", actor="alice", payload={"i": i})
    kept = log.verify().head  # what a person (or a materialization's metadata) kept
    _exec(log, "DELETE FROM audit_records WHERE seq > 3")
    _exec(log, "UPDATE audit_head SET count = :c, hash = :h, signature = :s", c=saved[0], h=saved[1], s=saved[2])

    assert log.verify().ok  # a replayed signed head is consistent on its own...
    report = log.verify(anchor=kept)  # ...but not with the anchor kept outside
    assert not report.ok and [p.kind for p in report.problems] == ["truncated"]
    assert kept in report.problems[0].message


def test_an_edited_anchored_record_is_detected(tmp_path) -> None:
    log = _log(tmp_path)
    anchor = log.records()[1].hash
    _exec(log, "UPDATE audit_records SET payload = :p WHERE seq = 2", p='{"i":42}')
    kinds = [(p.kind, p.seq) for p in log.verify(anchor=anchor).problems]
    assert ("edited", 2) in kinds


def test_the_key_comes_from_the_environment_or_a_file_outside_the_database(tmp_path, monkeypatch) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    monkeypatch.setenv("AGENTIC_AUDIT_KEY", "from-env")
    assert load_key(settings) == b"from-env"
    monkeypatch.delenv("AGENTIC_AUDIT_KEY")
    key_file = tmp_path / "secret" / "audit.key"
    key_file.parent.mkdir()
    key_file.write_text("from-file\n")
    monkeypatch.setenv("AGENTIC_AUDIT_KEY_FILE", str(key_file))
    assert load_key(settings) == b"from-file"
    monkeypatch.delenv("AGENTIC_AUDIT_KEY_FILE")
    default = load_key(settings)  # created once, then reused; never written into the database
    assert len(default) == 64 and load_key(settings) == default
    log = audit_log_for(settings)
    log.append("x", actor="platform")
    with log.engine.connect() as con:
        dumped = " ".join(str(v) for row in con.execute(sa.text("SELECT * FROM audit_head")) for v in row)
    assert default.decode() not in dumped


def test_audit_verify_command_with_a_kept_head(tmp_path, monkeypatch) -> None:
    from agentic_assets.cli.main import app

    monkeypatch.setenv("AGENTIC_AUDIT_KEY", "cli-key")
    data = tmp_path / "data"
    monkeypatch.setenv("AGENTIC_DATA_DIR", str(data))  # --data-dir sets it; restored after the test
    log = audit_log_for(Settings(data_dir=data))
    for i in range(4):
        log.append("test.event", actor="alice", payload={"i": i})
    head = log.verify().head
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--head", head, "--data-dir", str(data)])
    assert ok.exit_code == 0, ok.output
    assert "signed head verified" in ok.output and head in ok.output
    _exec(log, "DELETE FROM audit_records WHERE seq = 4")
    bad = runner.invoke(app, ["audit", "verify", "--head", head, "--data-dir", str(data)])
    assert bad.exit_code == 1
    assert "not in the log" in bad.output


def test_every_materialization_carries_the_audit_head(settings: Settings) -> None:
    import dagster as dg

    from agentic_assets.definitions import build_definitions

    log = audit_log_for(settings)
    log.append("test.event", actor="alice", payload={})
    defs = build_definitions(settings)
    assets = [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]
    result = dg.materialize(assets, selection=["channel_country_daily"], instance=dg.DagsterInstance.ephemeral())
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    seq, head = log.tip()
    assert metadata["audit_head"].value == head and metadata["audit_records"].value == seq
    assert log.verify(anchor=head).ok
