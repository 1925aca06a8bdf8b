"""Git as the code history, in a temporary repository: commits on the code branch with their provenance,
a branch per pending proposal merged on approval, the user's branch, index and work tree untouched."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from agentic_assets.codegen import approve_pending, ensure_code
from agentic_assets.codegen.git_history import GitCodeHistory, git_history_for, parse_trailers
from agentic_assets.codegen.versioning import parse_header
from agentic_assets.materialize.wap import materialize
from agentic_assets.repair.code_diff import code_history
from agentic_assets.repair.code_history import CodeHistory
from agentic_assets.repair.view import AssetView
from agentic_assets.settings import Settings
from agentic_assets.specs.loader import load_project

TIER1 = "channel_country_daily"
TIER2 = "merchant_subcategory_daily_totals"
BRANCH = "agentic-assets/code"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def repo(workspace: Settings) -> Path:
    """The workspace's folder as a user's git repository with one commit of their own."""
    root = Path(workspace.specs_dir).parent
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=user", "-c", "user.email=user@example.com", "add", "specs")
    git(root, "-c", "user.name=user", "-c", "user.email=user@example.com", "commit", "-q", "-m", "specs")
    return root


def _drop(settings: Settings, name: str) -> None:
    (Path(settings.specs_dir) / "retail_bank" / f"{name}.sql").unlink(missing_ok=True)


def test_freezing_commits_to_the_code_branch_and_leaves_the_user_branch(workspace: Settings, repo: Path) -> None:
    head, index = git(repo, "rev-parse", "HEAD"), git(repo, "diff", "--cached", "--name-only")
    _drop(workspace, TIER1)
    project = load_project(workspace)
    frozen = ensure_code(project.assets[TIER1], project, workspace)

    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "branch", "--show-current") == "main"
    assert git(repo, "diff", "--cached", "--name-only") == index  # the index is untouched
    rel = f"specs/retail_bank/{TIER1}.sql"
    assert git(repo, "show", f"{BRANCH}:{rel}") + "\n" == frozen.sql
    trailers = parse_trailers(git(repo, "log", "-1", "--format=%B", BRANCH))
    meta = parse_header(frozen.sql)
    assert meta is not None
    assert trailers["Asset"] == TIER1 and trailers["Approver"] == "auto (tier 1)" and trailers["Model"] == "builtin"
    assert trailers["Prompt-sha256"] == meta.prompt_sha256 and trailers["Sql-sha256"] == meta.sql_sha256
    assert trailers["Proposal"].startswith("codegen-")


def test_pending_code_has_its_own_branch_merged_on_approval(workspace: Settings, repo: Path) -> None:
    _drop(workspace, TIER2)
    project = load_project(workspace)
    with pytest.raises(Exception, match="code approve"):
        ensure_code(project.assets[TIER2], project, workspace)
    history = git_history_for(workspace)
    assert history is not None
    pending = history.pending_branches(TIER2)
    assert len(pending) == 1 and pending[0].startswith(f"{BRANCH}-pending/{TIER2}/codegen-")
    pending_head = git(repo, "rev-parse", pending[0])

    approve_pending(project.assets[TIER2], project, workspace, approver="alice")

    assert history.pending_branches(TIER2) == []  # merged and deleted
    parents = git(repo, "log", "-1", "--format=%P", BRANCH).split()
    assert len(parents) == 2 and pending_head in parents
    assert parse_trailers(git(repo, "log", "-1", "--format=%B", BRANCH))["Approver"] == "alice"


def test_the_code_history_tool_reads_git_log_and_blame(workspace: Settings, repo: Path) -> None:
    _drop(workspace, TIER1)
    project = load_project(workspace)
    first = ensure_code(project.assets[TIER1], project, workspace)
    assert materialize(first, project, workspace).published  # the last good run
    path = Path(workspace.specs_dir) / "retail_bank" / f"{TIER1}.sql"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip() + "\nLIMIT 100000\n", encoding="utf-8")  # a tier 1 edit, re-validated
    project = load_project(workspace)
    ensure_code(project.assets[TIER1], project, workspace)
    project = load_project(workspace)

    versions = CodeHistory.for_settings(workspace).versions(project.assets[TIER1])
    assert [v.source for v in versions] == ["git", "git"]
    assert versions[-1].current and versions[-1].model_id and versions[-1].model_id.startswith("edited by hand")
    report = code_history(AssetView(workspace, project, TIER1))
    assert report.source == "git" and len(report.versions) == 2
    assert report.changed_since_last_good and "+LIMIT 100000" in report.diff
    last = git(repo, "rev-parse", BRANCH)[:12]
    assert any(line.endswith("LIMIT 100000") and last in line for line in report.blame)


def test_off_by_setting_and_outside_a_repository(workspace: Settings, repo: Path, tmp_path_factory) -> None:
    assert git_history_for(workspace.model_copy(update={"git_history": False})) is None
    outside = tmp_path_factory.mktemp("not-a-repo")
    assert GitCodeHistory.discover(outside, BRANCH) is None
    (repo / ".gitignore").write_text("scratch/\n")
    (repo / "scratch" / "specs").mkdir(parents=True)
    assert GitCodeHistory.discover(repo / "scratch" / "specs", BRANCH) is None  # an ignored folder


def test_git_records_verify_code_in_a_fresh_data_folder(workspace: Settings, repo: Path, tmp_path_factory) -> None:
    from agentic_assets.codegen import code_status

    _drop(workspace, TIER2)
    project = load_project(workspace)
    ensure_code(project.assets[TIER2], project, workspace, approver="alice")
    fresh = workspace.model_copy(update={"data_dir": tmp_path_factory.mktemp("fresh-data")})  # no audit records
    status = code_status(load_project(fresh).assets[TIER2], fresh)
    assert status.state == "fresh" and status.verified_by == "git"

    path = Path(workspace.specs_dir) / "retail_bank" / f"{TIER2}.sql"
    path.write_text(path.read_text().replace("-- approver: alice", "-- approver: mallory"), encoding="utf-8")
    status = code_status(load_project(fresh).assets[TIER2], fresh)
    assert status.state == "modified" and "mallory" in status.reason


@pytest.mark.slow
def test_a_repair_proposal_has_its_own_branch_merged_when_promoted(workspace: Settings, repo: Path) -> None:
    import pyarrow.parquet as pq

    from agentic_assets.repair.gate import approve
    from agentic_assets.repair.service import start_repair

    _drop(workspace, TIER2)
    project = load_project(workspace)
    asset = ensure_code(project.assets[TIER2], project, workspace, approver="alice")
    assert materialize(asset, project, workspace).published
    raw = workspace.data_dir / "raw" / "transactions.parquet"
    table = pq.read_table(raw)
    renamed = [c + "_v2" if c == "merchant_subcategory" else c for c in table.column_names]
    pq.write_table(table.rename_columns(renamed), raw)  # the feed renames a column: the next run fails
    project = load_project(workspace)
    with pytest.raises(Exception, match="merchant_subcategory"):
        materialize(project.assets[TIER2], project, workspace)

    repair = start_repair(workspace, TIER2)
    assert repair.status == "awaiting_approval"
    history = git_history_for(workspace)
    assert history is not None
    [pending] = history.pending_branches(TIER2)
    assert pending.endswith(f"/{repair.repair_id}")
    pending_head = git(repo, "rev-parse", pending)

    promoted = approve(workspace, repair.repair_id, "carol")
    assert promoted.status == "promoted"
    assert history.pending_branches(TIER2) == []
    assert pending_head in git(repo, "log", "-1", "--format=%P", BRANCH).split()
    trailers = parse_trailers(git(repo, "log", "-1", "--format=%B", BRANCH))
    assert trailers["Proposal"] == repair.repair_id and trailers["Approver"] == "carol"
    sql = (Path(workspace.specs_dir) / "retail_bank" / f"{TIER2}.sql").read_text(encoding="utf-8")
    assert git(repo, "show", f"{BRANCH}:specs/retail_bank/{TIER2}.sql") + "\n" == sql
