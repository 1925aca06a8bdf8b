"""Spec errors that name the file, the line and the field, so a person knows what to fix."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel


class SpecProblem(BaseModel):
    """One thing wrong with one spec."""

    file: Path
    line: int | None = None
    field: str | None = None
    message: str
    kind: str = "invalid"

    def __str__(self) -> str:
        where = str(self.file) + (f":{self.line}" if self.line else "")
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {what}{self.message}"


class SpecError(Exception):
    """Raised when specs cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"{len(self.problems)} problem(s) in the asset specs:"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)

    @property
    def kinds(self) -> set[str]:
        return {p.kind for p in self.problems}
