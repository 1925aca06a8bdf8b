"""The planner's state over one request: tokens, consumed words, aliases, column references."""

from __future__ import annotations

from agentic_assets.models.builtin.contracts import SqlRequest
from agentic_assets.models.builtin.nl_sql.words import (
    GROUP_TRIGGERS,
    PHRASE_STOP,
    PlanState,
    ident,
)
from agentic_assets.models.builtin.schema_match import Catalog, ColumnRef
from agentic_assets.models.builtin.text import Token, name_tokens, singular, tokenize


class PlannerBase:
    """Tokens of the request, the words already turned into SQL, and the sources' aliases."""

    def __init__(self, request: SqlRequest) -> None:
        self.req = request
        self.cat = Catalog(request.tables)
        self.toks = tokenize(request.description)
        self.words = [t.text for t in self.toks]
        self.st = PlanState()
        self.aliases = self._aliases()
        self.main = self.cat.main.name
        self.st.used_tables.add(self.main)

    # ---- helpers -------------------------------------------------------------------------------------
    def _aliases(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for t in self.req.tables:
            base = "".join(p[0] for p in name_tokens(t.name)) or "t"
            alias, n = base, 1
            while alias in out.values():
                n += 1
                alias = f"{base}{n}"
            out[t.name] = alias
        return out

    @property
    def joined(self) -> bool:
        return len(self.req.tables) > 1

    def col(self, ref: ColumnRef) -> str:
        self.st.used_tables.add(ref.table)
        return f"{self.aliases[ref.table]}.{ident(ref.name)}" if self.joined else ident(ref.name)

    def consume(self, *indices: int) -> None:
        self.st.consumed.update(indices)

    def word_at(self, i: int) -> str:
        return self.words[i] if 0 <= i < len(self.words) else ""

    def phrase_after(self, start: int, limit: int = 5) -> list[Token]:
        """Word tokens from `start` until punctuation or a stop word."""
        out: list[Token] = []
        i = start
        while i < len(self.toks) and len(out) < limit:
            tok = self.toks[i]
            if not tok.is_word or tok.text in PHRASE_STOP or tok.text in GROUP_TRIGGERS:
                break
            out.append(tok)
            i += 1
        return out

    def _consume_table_mentions(self) -> None:
        """Words that name a source ('the monthly customer totals') are not column references."""
        for t in self.req.tables:
            parts = name_tokens(t.name)
            if len(parts) < 2:
                continue
            n = len(parts)
            for i in range(len(self.toks) - n + 1):
                if [singular(w) for w in self.words[i : i + n]] == [singular(p) for p in parts]:
                    self.consume(*range(i, i + n))
