"""Static Python validation: the AST allow-list and Bandit."""

from __future__ import annotations

import pytest

from sandbox_runtime.static_python import validate_python

GOOD = """
import pyarrow as pa
import pyarrow.compute as pc
from datetime import date


def transform(inputs: dict[str, pa.Table]) -> pa.Table:
    orders = inputs["orders"]
    return orders.filter(pc.greater(orders["amount"], 0))
"""


def test_accepts_a_pure_transform() -> None:
    assert validate_python(GOOD) == []


@pytest.mark.parametrize(
    ("source", "rule", "fragment"),
    [
        ("import os\ndef transform(i):\n    return i", "forbidden_import", "'os'"),
        ("import subprocess\ndef transform(i):\n    return i", "forbidden_import", "'subprocess'"),
        ("from socket import socket\ndef transform(i):\n    return i", "forbidden_import", "'socket'"),
        ("import ctypes\ndef transform(i):\n    return i", "forbidden_import", "'ctypes'"),
        ("import sys\ndef transform(i):\n    return i", "forbidden_import", "'sys'"),
        ("import pyarrow.parquet as pq\ndef transform(i):\n    return i", "forbidden_import", "pyarrow.parquet"),
        ("from pyarrow import csv\ndef transform(i):\n    return i", "forbidden_import", "pyarrow.csv"),
        ("def transform(i):\n    return eval('1')", "forbidden_call", "'eval'"),
        ("def transform(i):\n    exec('x=1')\n    return i", "forbidden_call", "'exec'"),
        ("def transform(i):\n    return open('/etc/passwd')", "forbidden_call", "'open'"),
        ("def transform(i):\n    return __import__('os')", "forbidden_call", "'__import__'"),
        ("def transform(i):\n    return getattr(i, 'x')", "forbidden_call", "'getattr'"),
        ("def transform(i):\n    return ().__class__.__bases__", "dunder_access", "__class__"),
        ("def transform(i):\n    return __builtins__", "dunder_access", "__builtins__"),
        ("import pyarrow as pa\ndef transform(i):\n    return pa.memory_map('x')", "forbidden_attribute", "memory_map"),
        ("def compute(x):\n    return x", "transform_missing", "must define transform"),
        ("def transform(a, b):\n    return a", "transform_signature", "exactly one argument"),
        ("def transform(i:\n", "syntax", "does not parse"),
    ],
)
def test_refuses(source: str, rule: str, fragment: str) -> None:
    issues = validate_python(source)
    assert any(i.rule == rule and fragment in i.message for i in issues), [i.message for i in issues]


def test_bandit_findings_of_medium_severity_reject() -> None:
    source = "import hashlib\ndef transform(i):\n    hashlib.md5(b'x')\n    return i\n"
    issues = validate_python(source)
    assert [i.rule for i in issues] == ["bandit:B324"]
    assert issues[0].line == 3 and issues[0].message.startswith("line 3: Bandit B324")
