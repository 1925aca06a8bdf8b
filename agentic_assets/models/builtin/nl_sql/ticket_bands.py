"""Bands of a ticket: "'gold' when spend is above 3000, 'silver' above 500, otherwise 'bronze'" as a
CASE over one measure output.
"""

from __future__ import annotations

from agentic_assets.models.builtin.nl_sql.ticket_base import TicketBase
from agentic_assets.models.builtin.nl_sql.words import CannotPlan, ident, literal
from agentic_assets.models.builtin.text import name_tokens, singular


class BandsMixin(TicketBase):
    # ---- bands ---------------------------------------------------------------------------------------
    def _band(self, names: list[str], defs: dict) -> tuple[str, str] | None:
        """ "'gold' when spend is above 3000, 'silver' above 500, otherwise 'bronze'"."""
        t = self.t
        m = None
        for i, w in enumerate(t.words):
            if w in ("otherwise", "else") and t.toks[i + 1 : i + 2] and t.toks[i + 1].is_quoted:
                m = i
        if m is None:
            return None
        s, _ = t.sentence_span(m)
        pairs = []
        i = s
        while i < m:
            tok = t.toks[i]
            if tok.is_quoted:
                k = i + 1
                while k < m and not t.toks[k].is_number and not t.toks[k].is_quoted:
                    k += 1
                if k < m and t.toks[k].is_number:
                    words = t.words[i + 1 : k]
                    op = ">" if set(words) & {"above", "over", "more", "greater", "exceeding"} else None
                    op = op or ("<" if set(words) & {"below", "under", "less"} else None)
                    if words[-2:] == ["at", "least"]:
                        op = ">="  # 'at least 500'
                    elif words[-2:] == ["at", "most"]:
                        op = "<="  # 'at most 500'
                    if op is None:
                        raise CannotPlan(f"cannot tell how {tok.raw} compares with {t.toks[k].raw}")
                    tail = t.words[k + 1 : k + 3]
                    if ("least" in words and op != "<=") or ("or" in tail and "more" in tail):
                        op = ">="
                    pairs.append((tok.unquoted, op, t.toks[k].text))
                    t.use(i, k, *range(i + 1, k))
                    i = k
            i += 1
        if not pairs:
            return None
        other = t.toks[m + 1].unquoted
        t.use(m, m + 1)
        # which measure: an output named in the band's sentence, else the one measure
        measures = [n for n in names if defs.get(n, ("",))[0] == "measure"]
        sentence = t.words[s:m]
        named = [
            n
            for n in measures
            if n in sentence or set(name_tokens(n)) <= {singular(w) for w in sentence} | set(sentence)
        ]
        target = named[0] if len(named) == 1 else (measures[0] if len(measures) == 1 else None)
        if target is None:
            raise CannotPlan("cannot tell which measure the bands are over")
        for k in range(s, m):
            if t.words[k] in name_tokens(target) or t.words[k] == target:
                t.use(k)
        band_name = next((n for n in names if defs.get(n, ("unknown",))[0] == "unknown"), None)
        if band_name is None:
            raise CannotPlan("cannot tell which column holds the band")
        t.use(*[k for k in range(s, m) if t.words[k] in ("when", "above", "over", "below", "under", "is", "of", "a")])
        ref = "{" + target + "}" if self.dimension_first() else ident(target)
        cases = "\n".join(f"        WHEN {ref} {op} {num} THEN {literal(label)}" for label, op, num in pairs)
        return band_name, f"CASE\n{cases}\n        ELSE {literal(other)}\n    END"
