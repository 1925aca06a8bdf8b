"""Edit YAML files a person wrote, keeping their comments, key order, quoting and flow style (ruamel round-trip)."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a person's long lines
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def load(text: str) -> Any:
    return _yaml().load(text)


def dump(doc: Any) -> str:
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def flow_map(values: dict[str, Any]) -> CommentedMap:
    """A new mapping written inline (`{name: x, type: y}`), like the column lists of sources.yaml."""
    m = CommentedMap(values)
    m.fa.set_flow_style()
    return m
