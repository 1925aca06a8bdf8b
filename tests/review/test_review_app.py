"""The review page over HTTP (Starlette's test client) on a real repair: sign-in, CSRF, tiers, apply, Dagster."""

from __future__ import annotations

import re
import time
from pathlib import Path

import dagster as dg
import pytest
from starlette.testclient import TestClient

from agentic_assets.audit import audit_log_for
from agentic_assets.repair.contracts import RepairRecord
from agentic_assets.repair.store import RepairStore
from agentic_assets.review_app.app import create_app
from agentic_assets.review_app.config import ReviewConfig
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project
from agentic_assets.tables.registry import store_for

ASSET = "daily_totals"  # the asset of the conftest project

TOKEN = "shared-token-for-tests"
NAMED = "named-token-of-carol"


def client(settings: Settings, tmp_path: Path, **config) -> TestClient:
    tokens = tmp_path / "tokens"
    tokens.write_text("# approvers signed in by name\ncarol@bank.example=" + NAMED + "\n")
    cfg = ReviewConfig(token=TOKEN, tokens_file=tokens, **config)
    return TestClient(create_app(settings, cfg), base_url="http://127.0.0.1:8765", follow_redirects=False)


def sign_in(c: TestClient, token: str = TOKEN) -> None:
    reply = c.post("/login", data={"token": token, "next": "/"})
    assert reply.status_code == 303, reply.text


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form carries no CSRF token"
    return found.group(1)


def published_version(settings: Settings) -> int | None:
    project = load_project(settings)
    return store_for(settings, project.assets[ASSET].spec.sink).published_version()


def applied(c: TestClient, repair_id: str, timeout: float = 180.0) -> dict:
    """Follow an approved proposal's progress until it is applied (or stopped); its last progress."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = c.get(f"/proposals/{repair_id}/progress").json()
        if body["progress"] is None or body["progress"]["done"]:
            return body
        time.sleep(0.2)
    raise AssertionError(f"proposal {repair_id} was not applied within {timeout:.0f} s: {body}")


def status(settings: Settings, repair: RepairRecord) -> str:
    found = RepairStore.for_settings(settings).get(repair.repair_id)
    assert found is not None
    return found.status


def test_pages_need_a_sign_in_and_a_wrong_token_gets_nothing(tier2, tmp_path: Path) -> None:
    settings, repair = tier2
    c = client(settings, tmp_path)
    reply = c.get(f"/proposals/{repair.repair_id}")
    assert reply.status_code == 303 and reply.headers["location"].startswith("/login?next=/proposals/")
    wrong = c.post("/login", data={"token": "not-the-token", "next": "/"})
    assert wrong.status_code == 401 and "wrong token" in wrong.text
    assert c.get(f"/proposals/{repair.repair_id}").status_code == 303
    # A forged or expired cookie is no session either.
    c.cookies.set("agentic_review", "eyJuIjoiZXZlIn0.forged")
    assert c.get("/").status_code == 303
    # A sign-in link may only lead to this app's own pages.
    reply = c.get("/login", params={"token": TOKEN, "next": "//evil.example/x"})
    assert reply.status_code == 303 and reply.headers["location"] == "/"


def test_the_page_shows_what_a_reviewer_needs(tier2, tmp_path: Path) -> None:
    settings, repair = tier2
    c = client(settings, tmp_path)
    sign_in(c)
    assert c.get(f"/assets/{ASSET}").headers["location"] == f"/proposals/{repair.repair_id}"
    html = c.get(f"/proposals/{repair.repair_id}").text
    assert "tier 2" in html and "awaiting_approval" in html
    assert repair.alert.split(":")[0] in html
    assert "schema_drift" in html and "merchant_subcategory_v2" in html  # the diagnosis and its evidence
    assert "+" in html and "Code diff" in html and "sandbox passed" in html
    assert "Action 1: failed_run" in html or "Action 1:" in html  # the full trace
    assert html.count('<li><span class="k">') == len(repair.trace)
    # Beside the repaired sample, the current code fails on the current data.
    assert 'id="failing"' in html and "Binder Error" in html or "merchant_subcategory" in html
    assert "grocery" in html or "fuel" in html  # rows of the repaired output
    listing = c.get("/").text
    assert repair.repair_id in listing and "Waiting for approval (1)" in listing
    assert 'id="added-sources"' not in html


def test_the_page_shows_the_sources_a_proposal_adds(tier2, tmp_path: Path) -> None:
    settings, repair = tier2
    # The same proposal, as a catalog repair files it: it reads a table the asset does not read yet.
    first = repair.plan.proposals[0].model_copy(update={"add_sources": ["merchant_directory"]})
    record = repair.model_copy(update={"plan": repair.plan.model_copy(update={"proposals": [first]})})
    RepairStore.for_settings(settings).save(record)
    c = client(settings, tmp_path)
    sign_in(c)
    html = c.get(f"/proposals/{repair.repair_id}").text
    assert 'id="added-sources"' in html and "<code>merchant_directory</code>" in html


def test_a_forged_form_without_csrf_is_refused_and_nothing_is_applied(tier2, tmp_path: Path) -> None:
    settings, repair = tier2
    before = published_version(settings)
    c = client(settings, tmp_path)
    sign_in(c)
    reply = c.post(f"/proposals/{repair.repair_id}/approve", data={"approver": "mallory@example"})
    assert reply.status_code == 403 and "CSRF" in reply.text
    reply = c.post(f"/proposals/{repair.repair_id}/approve", data={"approver": "m", "csrf_token": "guessed"})
    assert reply.status_code == 403
    # A token from another session does not fit this one.
    other = client(settings, tmp_path)
    sign_in(other)
    foreign = csrf_of(other.get(f"/proposals/{repair.repair_id}").text)
    other.cookies.clear()
    sign_in(other)
    reply = other.post(f"/proposals/{repair.repair_id}/approve", data={"approver": "m", "csrf_token": foreign})
    assert reply.status_code == 403
    assert status(settings, repair) == "awaiting_approval"
    assert published_version(settings) == before
    assert not [r for r in audit_log_for(settings).records(kind="decision.approved")]


def test_tier2_approved_in_the_browser_is_applied_and_recorded_in_dagster(
    tier2, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, repair = tier2
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    before = published_version(settings)
    c = client(settings, tmp_path)
    sign_in(c)
    page = c.get(f"/proposals/{repair.repair_id}").text
    assert 'name="approver"' in page  # the shared token names nobody: the reviewer types a name
    empty = c.post(f"/proposals/{repair.repair_id}/approve", data={"csrf_token": csrf_of(page), "approver": " "})
    assert empty.status_code == 403 and "changes need the approver" in empty.text
    reply = c.post(f"/proposals/{repair.repair_id}/approve",
                   data={"csrf_token": csrf_of(page), "approver": "alice@bank.example"})  # fmt: skip
    assert reply.status_code == 303, reply.text
    # The decision is recorded and shown before the change is applied (applying runs in the background).
    shown = c.get(reply.headers["location"]).text
    assert re.search(r'id="decision">(approved|promoted) · approved by <b>alice@bank.example</b>', shown), shown
    assert 'id="approve"' not in shown
    body = applied(c, repair.repair_id)
    assert body["status"] == "promoted" and body["approved_by"] == "alice@bank.example"
    phases = [p["name"] for p in body["progress"]["phases"]]
    assert phases[:2] == ["decision_recorded", "applying"], phases
    assert {"read", "transform", "audit", "publish", "done", "recorded_in_dagster"} <= set(phases), phases
    seconds = [p["at_s"] for p in body["progress"]["phases"]]
    assert seconds == sorted(seconds)
    done = c.get(reply.headers["location"]).text
    assert 'id="outcome"' in done and "applied" in done and "the Dagster UI shows it green" in done
    assert status(settings, repair) == "promoted"
    assert published_version(settings) == (before or 0) + 1
    approvals = [r for r in audit_log_for(settings).records(kind="decision.approved")]
    assert [(a.actor, a.payload["via"]) for a in approvals] == [("alice@bank.example", "review page (token)")]
    # The publish is in Dagster: a materialization and every check green, without a new run.
    with dg.DagsterInstance.get() as instance:
        key = dg.AssetKey(ASSET)
        event = instance.get_latest_materialization_event(key)
        assert event is not None and event.asset_materialization.metadata["proposal_id"].value == repair.repair_id
        records = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(key, "row_count_gt_0"), limit=1
        )
        assert records and records[0].status.value == "SUCCEEDED"
    # Approving twice does nothing more.
    again = c.post(f"/proposals/{repair.repair_id}/approve",
                   data={"csrf_token": csrf_of(page), "approver": "alice@bank.example"})  # fmt: skip
    assert again.status_code == 409 and published_version(settings) == (before or 0) + 1


def test_tier3_needs_an_approver_signed_in_by_name(tier3, tmp_path: Path) -> None:
    settings, repair = tier3
    before = published_version(settings)
    c = client(settings, tmp_path)
    sign_in(c)
    page = c.get(f"/proposals/{repair.repair_id}").text
    assert "tier 3" in page and 'id="approve"' not in page and "signed in by name" in page
    reply = c.post(f"/proposals/{repair.repair_id}/approve",
                   data={"csrf_token": csrf_of(page), "approver": "dave@bank.example"})  # fmt: skip
    assert reply.status_code == 403 and "tier 3" in reply.text
    assert status(settings, repair) == "awaiting_approval" and published_version(settings) == before

    carol = client(settings, tmp_path)
    sign_in(carol, NAMED)
    page = carol.get(f"/proposals/{repair.repair_id}").text
    assert "Approve as <b>carol@bank.example</b>" in page
    spoof = carol.post(f"/proposals/{repair.repair_id}/approve",
                       data={"csrf_token": csrf_of(page), "approver": "ceo@bank.example"})  # fmt: skip
    assert spoof.status_code == 403
    reply = carol.post(f"/proposals/{repair.repair_id}/approve", data={"csrf_token": csrf_of(page)})
    assert reply.status_code == 303
    assert applied(carol, repair.repair_id)["status"] == "promoted"
    assert status(settings, repair) == "promoted"
    (approval,) = audit_log_for(settings).records(kind="decision.approved")
    assert approval.actor == "carol@bank.example" and approval.payload["via"] == "review page (named-token)"
    assert audit_log_for(settings).verify().ok


def test_a_trusted_proxy_header_signs_in_only_when_configured(tier3, tmp_path: Path) -> None:
    settings, repair = tier3
    plain = client(settings, tmp_path)
    assert plain.get("/", headers={"X-Forwarded-User": "erin@bank.example"}).status_code == 303
    proxied = client(settings, tmp_path, trusted_header="X-Forwarded-User")
    headers = {"X-Forwarded-User": "erin@bank.example"}
    page = proxied.get(f"/proposals/{repair.repair_id}", headers=headers).text
    assert "erin@bank.example" in page and 'id="approve"' in page
    reply = proxied.post(f"/proposals/{repair.repair_id}/approve", data={"csrf_token": csrf_of(page)}, headers=headers)
    assert reply.status_code == 303
    proxied.headers.update(headers)
    assert applied(proxied, repair.repair_id)["status"] == "promoted" and status(settings, repair) == "promoted"


def test_modified_sql_is_validated_before_it_can_be_approved(tier2, tmp_path: Path) -> None:
    settings, repair = tier2
    before = published_version(settings)
    c = client(settings, tmp_path)
    sign_in(c)
    page = c.get(f"/proposals/{repair.repair_id}").text
    bad = "SELECT 1 AS nothing_like_the_checks"
    reply = c.post(f"/proposals/{repair.repair_id}/modify", data={"csrf_token": csrf_of(page), "sql": bad})
    assert reply.status_code == 200 and "failed the sandbox" in reply.text
    stored = RepairStore.for_settings(settings).get(repair.repair_id)
    assert stored is not None and stored.repaired_sql == repair.repaired_sql  # the bad edit replaced nothing
    good = "-- reviewed\n" + repair.repaired_sql.replace("SUM(amount)", "SUM(CAST(amount AS DOUBLE))")
    reply = c.post(f"/proposals/{repair.repair_id}/modify", data={"csrf_token": csrf_of(page), "sql": good})
    assert reply.status_code == 303 and reply.headers["location"].endswith("modified=ok")
    stored = RepairStore.for_settings(settings).get(repair.repair_id)
    assert "-- reviewed" in stored.repaired_sql and stored.verdict.ok and stored.status == "awaiting_approval"
    assert published_version(settings) == before


def test_hosts_other_than_this_machine_are_not_served(tier2, tmp_path: Path) -> None:
    settings, _ = tier2
    c = client(settings, tmp_path)
    assert c.get("/healthz").status_code == 200
    assert c.get("/healthz", headers={"host": "attacker.example"}).status_code == 400


def test_the_app_opens_dagster_when_it_starts_and_stops_cleanly(
    fresh_tier2, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    app = create_app(fresh_tier2, ReviewConfig(token=TOKEN))
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:  # runs the app's start and stop
        assert c.get("/healthz").text == "ok"
    # The instance was opened at start (its event log created), before any approval.
    assert any(home.rglob("*.db")), sorted(p.name for p in home.rglob("*"))
