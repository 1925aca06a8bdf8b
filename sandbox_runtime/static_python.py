"""Static validation of a candidate Python transform, before anything runs.

Two layers: an AST allow-list (only pure data modules may be imported; no exec/eval/open/
__import__, no dunder access, no file-reading pyarrow submodules), then Bandit, whose findings
of medium severity or more reject the code too. The sandbox is still the real wall; this
catches the obvious before a sandbox is spent on it, and tells the generator why.
"""

from __future__ import annotations

import ast
import os
import tempfile

from sandbox_runtime.models import StaticIssue

ALLOWED_MODULES = {
    "pyarrow",
    "pyarrow.compute",
    "pyarrow.types",
    "math",
    "cmath",
    "decimal",
    "fractions",
    "statistics",
    "datetime",
    "zoneinfo",
    "calendar",
    "time",
    "re",
    "string",
    "textwrap",
    "unicodedata",
    "json",
    "itertools",
    "functools",
    "operator",
    "collections",
    "collections.abc",
    "dataclasses",
    "enum",
    "typing",
    "hashlib",
    "uuid",
    "__future__",
}
FORBIDDEN_CALLS = {
    "exec",
    "eval",
    "compile",
    "open",
    "__import__",
    "globals",
    "locals",
    "vars",
    "getattr",
    "setattr",
    "delattr",
    "input",
    "breakpoint",
    "help",
    "exit",
    "quit",
    "memoryview",
}
# pyarrow attributes that read or write files, memory maps or remote stores.
FORBIDDEN_ATTRIBUTES = {
    "parquet",
    "csv",
    "dataset",
    "fs",
    "flight",
    "feather",
    "ipc",
    "orc",
    "json",
    "hdfs",
    "cuda",
    "substrait",
    "memory_map",
    "create_memory_map",
    "OSFile",
    "input_stream",
    "output_stream",
    "jvm",
}
BANDIT_MIN_SEVERITY = "MEDIUM"


def _issue(rule: str, message: str, node: ast.AST | None, lines: list[str]) -> StaticIssue:
    line = getattr(node, "lineno", None)
    column = getattr(node, "col_offset", None)
    snippet = lines[line - 1].strip() if line and line <= len(lines) else None
    prefix = f"line {line}: " if line else ""
    return StaticIssue(
        rule=rule,
        message=prefix + message,
        line=line,
        column=column + 1 if column is not None else None,
        snippet=snippet,
    )


class _AllowList(ast.NodeVisitor):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.issues: list[StaticIssue] = []

    def _add(self, rule: str, message: str, node: ast.AST) -> None:
        self.issues.append(_issue(rule, message, node, self.lines))

    def _module(self, name: str, node: ast.AST) -> None:
        if name not in ALLOWED_MODULES:
            allowed = ", ".join(sorted(m for m in ALLOWED_MODULES if not m.startswith("_")))
            self._add("forbidden_import", f"import of '{name}' is not allowed; allowed: {allowed}", node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._module(alias.name, node)
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            self._add("forbidden_import", "relative imports are not allowed", node)
            return
        module = node.module or ""
        self._module(module, node)
        for alias in node.names:
            if alias.name == "*":
                self._add("forbidden_import", f"'from {module} import *' is not allowed", node)
            elif f"{module}.{alias.name}" not in ALLOWED_MODULES and alias.name in FORBIDDEN_ATTRIBUTES:
                self._add("forbidden_import", f"'{module}.{alias.name}' reads or writes files", node)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN_CALLS:
            self._add("forbidden_call", f"'{node.id}' is not allowed in a transform", node)
        elif node.id.startswith("__") and node.id.endswith("__"):
            self._add("dunder_access", f"'{node.id}' is not allowed (no dunder names)", node)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("__") and node.attr.endswith("__"):
            self._add("dunder_access", f"attribute '.{node.attr}' is not allowed (no dunder access)", node)
        elif node.attr in FORBIDDEN_ATTRIBUTES:
            self._add(
                "forbidden_attribute",
                f"attribute '.{node.attr}' reads or writes files; use only the tables in `inputs`",
                node,
            )
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self._add("forbidden_statement", "'global' is not allowed", node)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self._add("forbidden_statement", "'nonlocal' is not allowed", node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._add("forbidden_statement", "async code is not allowed", node)


def _transform_issues(tree: ast.Module, lines: list[str]) -> list[StaticIssue]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "transform":
            positional = node.args.posonlyargs + node.args.args
            if len(positional) != 1:
                return [
                    _issue(
                        "transform_signature",
                        "transform must take exactly one argument: "
                        "transform(inputs: dict[str, pyarrow.Table]) -> pyarrow.Table",
                        node,
                        lines,
                    )
                ]
            return []
    return [
        StaticIssue(
            rule="transform_missing",
            message="the module must define transform(inputs: dict[str, pyarrow.Table]) -> pyarrow.Table at top level",
        )
    ]


def bandit_issues(source: str) -> list[StaticIssue]:
    """Bandit findings of medium severity or more."""
    import logging

    from bandit.core import config as b_config
    from bandit.core import constants, manager

    logging.getLogger("bandit").setLevel(logging.ERROR)
    lines = source.splitlines()
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as fh:
        fh.write(source)
        path = fh.name
    try:
        mgr = manager.BanditManager(b_config.BanditConfig(), "file", debug=False, verbose=False, quiet=True)
        mgr.discover_files([path])
        mgr.run_tests()
        found = mgr.get_issue_list(sev_level=constants.MEDIUM, conf_level=constants.LOW)
    finally:
        os.unlink(path)
    issues = []
    for item in found:
        line = item.lineno if isinstance(item.lineno, int) else None
        issues.append(
            StaticIssue(
                rule=f"bandit:{item.test_id}",
                message=f"line {line}: Bandit {item.test_id} ({item.severity.lower()} severity): {item.text}",
                line=line,
                column=(item.col_offset + 1) if isinstance(item.col_offset, int) else None,
                snippet=lines[line - 1].strip() if line and line <= len(lines) else None,
            )
        )
    return issues


def validate_python(source: str) -> list[StaticIssue]:
    """Every reason `source` may not run; an empty list means it passed."""
    lines = source.splitlines()
    try:
        tree = ast.parse(source, filename="<candidate>")
    except SyntaxError as exc:
        return [
            StaticIssue(
                rule="syntax",
                message=f"line {exc.lineno}: Python does not parse: {exc.msg}",
                line=exc.lineno,
                column=exc.offset,
                snippet=(exc.text or "").strip() or None,
            )
        ]
    visitor = _AllowList(lines)
    visitor.visit(tree)
    return visitor.issues + _transform_issues(tree, lines) + bandit_issues(source)
