"""Pick the 3-5 worked examples closest to a request (word overlap), from the library in the repo."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from agentic_assets.models.builtin.text import singular, tokenize

LIBRARY = Path(__file__).parent / "examples" / "library.yaml"


class Example(BaseModel):
    name: str
    family: str
    description: str
    sources: str
    sql: str


@cache
def load_examples(path: Path = LIBRARY) -> tuple[Example, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(Example.model_validate(e) for e in data["examples"])


def _words(text: str) -> set[str]:
    return {singular(t.text) for t in tokenize(text) if t.is_word and len(t.text) > 2}


def select_examples(description: str, *, k: int = 4, offset: int = 0) -> list[Example]:
    """The `k` most similar examples; `offset` rotates to a different set (for competing candidates)."""
    library = list(load_examples())
    words = _words(description)

    def score(e: Example) -> float:
        other = _words(e.description + " " + e.family.replace("_", " "))
        return len(words & other) / (len(words | other) or 1)

    ranked = sorted(library, key=lambda e: (-score(e), e.name))
    if offset:
        shift = offset % len(ranked)
        ranked = ranked[shift:] + ranked[:shift]
    return ranked[:k]
