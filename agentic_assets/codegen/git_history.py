"""Git as the code history: every frozen or promoted transform is a commit on a dedicated branch.

Where the specs folder is inside a git work tree (and `AGENTIC_GIT_HISTORY` is not `off`), freezing
code commits the `.sql` file to the branch `AGENTIC_GIT_BRANCH` (default `agentic-assets/code`), with
the asset, proposal id, model, prompt hash and approver as trailers of the message. Code that awaits
approval is committed to its own branch `<branch>-pending/<asset>/<proposal>`, merged into the code
branch when it is approved and deleted.

The commits are made with git's plumbing (a private index, `commit-tree`, a compare-and-swap
`update-ref`): the checked-out branch, the index and the working tree of the repository are never
touched, so a user's own work and `git status` stay as they were. `git log agentic-assets/code`
shows the history; `git merge agentic-assets/code` brings the code onto a branch of one's own.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

from agentic_assets.settings import Settings

COMMITTER = ("agentic-assets", "agentic-assets@localhost")
_ZERO = "0" * 40
# Trailer keys of a commit message, in the order they are written.
TRAILERS = ("Asset", "Proposal", "Model", "Prompt-sha256", "Approver", "Sql-sha256")
_TRAILER = re.compile(r"^([A-Za-z0-9-]+): (.*)$")
_SAFE_REF = re.compile(r"[^A-Za-z0-9._-]+")


class GitError(RuntimeError):
    """A git command failed."""


class CommitInfo(BaseModel):
    """What a code commit says about the version it holds."""

    asset: str
    proposal: str
    model: str = ""
    prompt_sha256: str = ""
    approver: str = ""
    sql_sha256: str = ""
    summary: str = ""

    def message(self) -> str:
        values = (self.asset, self.proposal, self.model, self.prompt_sha256, self.approver, self.sql_sha256)
        trailers = [f"{k}: {' '.join(str(v).split())}" for k, v in zip(TRAILERS, values, strict=True) if v]
        return f"{self.summary or self.asset}\n\n" + "\n".join(trailers) + "\n"


class GitVersion(BaseModel):
    """One commit of a transform file on the code branch, newest last when listed."""

    commit: str
    committed_at: datetime
    text: str
    trailers: dict[str, str] = Field(default_factory=dict)
    merge: bool = False

    @property
    def approver(self) -> str | None:
        return self.trailers.get("Approver") or None

    @property
    def model(self) -> str | None:
        return self.trailers.get("Model") or None


class BlameLine(BaseModel):
    line: int
    text: str
    commit: str
    approver: str | None = None


def _git(cwd: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    run = subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )
    if run.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed: {run.stderr.strip() or run.stdout.strip()}")
    return run.stdout


def parse_trailers(message: str) -> dict[str, str]:
    """The `Key: value` lines of the message's last paragraph."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    found: dict[str, str] = {}
    for line in paragraphs[-1].splitlines() if len(paragraphs) > 1 else []:
        m = _TRAILER.match(line.strip())
        if m:
            found[m.group(1)] = m.group(2)
    return found


def ref_part(text: str) -> str:
    """A string usable as one component of a git ref name."""
    return _SAFE_REF.sub("-", text).strip(".-") or "x"


class GitCodeHistory:
    """The code branch of one repository."""

    def __init__(self, root: Path, branch: str) -> None:
        self.root = root
        self.branch = branch

    @classmethod
    def discover(cls, directory: Path, branch: str) -> GitCodeHistory | None:
        """The repository `directory` is in, or None when it is not in a git work tree (or git is absent)."""
        directory = Path(directory)
        while not directory.exists() and directory != directory.parent:
            directory = directory.parent
        try:
            top = _git(directory, "rev-parse", "--show-toplevel").strip()
        except (GitError, OSError):
            return None
        if not top:
            return None
        try:  # a folder git ignores (a scratch copy under data/, say) keeps its history out of git
            _git(directory, "check-ignore", "-q", ".")
            return None
        except GitError:
            return cls(Path(top), branch)

    # -- refs ---------------------------------------------------------------------------------------
    def pending_branch(self, asset: str, proposal: str) -> str:
        return f"{self.branch}-pending/{ref_part(asset)}/{ref_part(proposal)}"

    def head(self, branch: str) -> str | None:
        try:
            return _git(self.root, "rev-parse", "--verify", "-q", f"refs/heads/{branch}^{{commit}}").strip() or None
        except GitError:
            return None

    def _start(self, branch: str) -> str | None:
        """Where `branch` is, or where it starts: the code branch, else the checked-out commit (so that
        `git merge agentic-assets/code` into one's own branch brings only the code), else nothing."""
        found = self.head(branch) or (self.head(self.branch) if branch != self.branch else None)
        if found:
            return found
        try:
            return _git(self.root, "rev-parse", "--verify", "-q", "HEAD^{commit}").strip() or None
        except GitError:
            return None

    def pending_branches(self, asset: str) -> list[str]:
        prefix = f"refs/heads/{self.branch}-pending/{ref_part(asset)}/"
        out = _git(self.root, "for-each-ref", "--format=%(refname:short)", prefix)
        return [line for line in out.splitlines() if line]

    def relative(self, path: Path) -> str:
        return Path(os.path.relpath(Path(path).resolve(), self.root.resolve())).as_posix()

    # -- writing ------------------------------------------------------------------------------------
    def _commit(self, branch: str, files: dict[str, str], info: CommitInfo, extra_parents: list[str]) -> str:
        """One commit on `branch`: its tree plus `files` (path relative to the root -> text)."""
        for _attempt in range(5):  # a concurrent writer moved the branch: rebuild on its new head
            current = self.head(branch)
            parent = current or self._start(branch)
            with tempfile.TemporaryDirectory() as tmp:
                env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
                if parent:
                    _git(self.root, "read-tree", parent, env=env)
                else:
                    _git(self.root, "read-tree", "--empty", env=env)
                for rel, text in files.items():
                    blob = _git(self.root, "hash-object", "-w", "--no-filters", "--stdin", stdin=text).strip()
                    _git(self.root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{rel}", env=env)
                tree = _git(self.root, "write-tree", env=env).strip()
            parents = [p for p in [parent, *extra_parents] if p]
            args = ["commit-tree", tree, *[a for p in parents for a in ("-p", p)], "-F", "-"]
            who = {
                "GIT_AUTHOR_NAME": info.approver or COMMITTER[0],
                "GIT_AUTHOR_EMAIL": COMMITTER[1],
                "GIT_COMMITTER_NAME": COMMITTER[0],
                "GIT_COMMITTER_EMAIL": COMMITTER[1],
            }
            commit = _git(self.root, *args, stdin=info.message(), env=who).strip()
            try:
                _git(self.root, "update-ref", f"refs/heads/{branch}", commit, current or _ZERO)
            except GitError:
                continue
            return commit
        raise GitError(f"could not commit to {branch}: it kept moving")

    def commit(self, path: Path, text: str, info: CommitInfo) -> str:
        """Commit the file's new text straight to the code branch (approved code)."""
        return self._commit(self.branch, {self.relative(path): text}, info, [])

    def open_pending(self, path: Path, text: str, info: CommitInfo) -> str:
        """Commit code that awaits approval to its own branch, started from the code branch."""
        branch = self.pending_branch(info.asset, info.proposal)
        return self._commit(branch, {self.relative(path): text}, info, [])

    def merge_pending(self, path: Path, text: str, info: CommitInfo) -> str:
        """The approved code on the code branch: a merge of its pending branch (if any), which is then deleted."""
        branch = self.pending_branch(info.asset, info.proposal)
        pending = self.head(branch)
        commit = self._commit(self.branch, {self.relative(path): text}, info, [pending] if pending else [])
        if pending:
            _git(self.root, "update-ref", "-d", f"refs/heads/{branch}", pending)
        return commit

    def drop_pending(self, asset: str, proposal: str) -> None:
        branch = self.pending_branch(asset, proposal)
        head = self.head(branch)
        if head:
            _git(self.root, "update-ref", "-d", f"refs/heads/{branch}", head)

    # -- reading ------------------------------------------------------------------------------------
    def log(self, path: Path) -> list[GitVersion]:
        """Every commit of the code branch that changed the file, oldest first."""
        if self.head(self.branch) is None:
            return []
        rel = self.relative(path)
        out = _git(self.root, "log", "--first-parent", "--format=%H%x00%cI%x00%P%x00%B%x1e", self.branch, "--", rel)
        versions = []
        for entry in out.split("\x1e"):
            entry = entry.strip("\n")
            if not entry:
                continue
            commit, when, parents, message = entry.split("\x00", 3)
            text = _git(self.root, "show", f"{commit}:{rel}")
            versions.append(
                GitVersion(
                    commit=commit,
                    committed_at=datetime.fromisoformat(when),
                    text=text,
                    trailers=parse_trailers(message),
                    merge=len(parents.split()) > 1,
                )
            )
        return list(reversed(versions))

    def blame(self, path: Path) -> list[BlameLine]:
        """Which commit of the code branch last changed each line of the file there."""
        if self.head(self.branch) is None:
            return []
        out = _git(self.root, "blame", "--porcelain", "--first-parent", self.branch, "--", self.relative(path))
        approvers = {v.commit: v.approver for v in self.log(path)}
        lines, commit, number = [], "", 0
        for raw in out.splitlines():
            if raw.startswith("\t"):
                lines.append(BlameLine(line=number, text=raw[1:], commit=commit, approver=approvers.get(commit)))
                continue
            parts = raw.split()
            if len(parts) >= 3 and re.fullmatch(r"[0-9a-f]{40}", parts[0]):
                commit, number = parts[0], int(parts[2])
        return lines

    def holds(self, path: Path, text: str) -> GitVersion | None:
        """The newest commit of the code branch whose file is exactly `text`."""
        return next((v for v in reversed(self.log(path)) if v.text == text), None)


def git_history_for(settings: Settings) -> GitCodeHistory | None:
    """The code history in git for this project, or None (not a git work tree, or turned off)."""
    if not settings.git_history:
        return None
    return GitCodeHistory.discover(settings.specs_dir, settings.git_branch)
