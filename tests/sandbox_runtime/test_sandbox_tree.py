"""The host's walks over trees a job made: iterative, by descriptors, never following links."""

from __future__ import annotations

import os
from pathlib import Path

from sandbox_runtime.tree import remove_tree, scan_tree

DEPTH = 1200  # deeper than Python's recursion limit; 5 bytes a level is past PATH_MAX too


def _chain(root: Path, outside: Path) -> None:
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for level in range(DEPTH):
            os.mkdir("next", dir_fd=fd)
            child = os.open("next", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
            if level % 400 == 0:
                os.symlink(str(outside), "escape", dir_fd=fd)
                with open(os.open("data", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as fh:
                    fh.write(b"x" * 4096)
    finally:
        os.close(fd)


def test_scan_and_remove_a_chain_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "keep").mkdir(parents=True)
    root = tmp_path / "job"
    root.mkdir()
    _chain(root, outside)
    scan = scan_tree(root, max_entries=10_000)
    assert not scan.truncated and scan.entries == DEPTH + 3 * 2
    assert scan.symlinks == ["escape"] * 3 and scan.bytes >= 3 * 4096
    stopped = scan_tree(root, max_entries=50)
    assert stopped.truncated and stopped.entries == 51
    remove_tree(root)
    assert not root.exists()
    assert (outside / "keep").is_dir()  # the links were removed, never followed


def test_remove_tree_takes_a_file_or_nothing(tmp_path: Path) -> None:
    remove_tree(tmp_path / "missing")
    single = tmp_path / "file"
    single.write_text("x", encoding="utf-8")
    remove_tree(single)
    assert not single.exists()
