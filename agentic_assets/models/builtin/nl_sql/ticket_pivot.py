"""Pivots of a ticket: output names '<value>_<measure>' over the sample values of one column, one
filtered aggregate each, 0 or NULL where a group has none.
"""

from __future__ import annotations

import re

from agentic_assets.models.builtin.nl_sql.ticket_base import TicketBase
from agentic_assets.models.builtin.nl_sql.words import CannotPlan, literal
from agentic_assets.models.builtin.schema_match import ColumnRef
from agentic_assets.models.builtin.text import name_tokens

# the words that say a group lacks a pivot value ('when a country has none', 'where a currency has no rows')
# '0 rather than null', 'null, not 0', '0 instead of NULL': which default a missing cell gets
# the cell of every other value ('other', 'others', 'rest'), and whether rows with no value belong to it
OTHER_WORDS = {"other", "others", "rest", "remaining"}
OTHER_CELL_WORDS = {"everyone", "everything", "else", "all", "rest", "remaining", "other", "others"}
NULLS_IN = r"\b(?:with no|without) \w+ (?:included|counted|too)\b|\bincluding (?:\w+ )?(?:with no|without) \w+\b"
NULLS_OUT = r"\b(?:with no|without) \w+ (?:excluded|not counted|left out)\b|\bexcluding (?:\w+ )?(?:with no|without)\b"
ZERO_OR_NULL = r"\b(0|zero|null)\b,? (?:rather than|instead of|not|and not|never) (?:a |an )?(0|zero|null)\b"
PIVOT_ABSENT = {"has", "have", "lacks", "sees", "shows", "does", "is"}


class PivotMixin(TicketBase):
    def _other_cell(self, names, celled, rests, ref, values):  # noqa: ANN001, ANN202
        """'other counts everyone else, customers with no country included': the cell of every value but
        the named ones. Whether rows with no value at all belong to it must be said; else it is refused."""
        t = self.t
        for name in names:
            parts = name_tokens(name)
            if name in celled or t.cat.exact(name) is not None or parts[0] not in OTHER_WORDS:
                continue
            rest = "_".join(parts[1:])
            if rest not in rests:
                continue
            spans = [t.sentence_span(i) for i in self.mentions(name)]
            text = " ".join(" ".join(t.words[a:b]) for a, b in spans)
            inside = re.search(NULLS_IN, text)
            outside = re.search(NULLS_OUT, text)
            if bool(inside) == bool(outside):
                raise CannotPlan(f"{name}: say whether rows with no {ref.name} belong to it")
            for a, b in spans:
                t.use(*[k for k in range(a, b) if t.words[k] in OTHER_CELL_WORDS])
                found = re.search(NULLS_IN if inside else NULLS_OUT, " ".join(t.words[a:b]))
                if found:
                    k = a + len(" ".join(t.words[a:b])[: found.start()].split())
                    t.use(*range(k, k + len(found.group(0).split())))
            listed = ", ".join(literal(v) for v in values)
            col = self.col(ref)
            cond = f"({col} IS NULL OR {col} NOT IN ({listed}))" if inside else f"{col} NOT IN ({listed})"
            return (name, cond, rest)
        return None

    def _conditional_cells(self, names: list[str], default: ColumnRef | None) -> dict[str, str]:
        """'three counts side by side: purchases (amount above zero), zero_auths (amount exactly zero) and
        refunds (amount below zero)': cells each defined by the condition in the parenthesis after its
        name, counted or summed as the words say. At least two such cells make this shape."""
        from agentic_assets.models.builtin.nl_sql.ticket_filters import _comparison_after

        t = self.t
        found: dict[str, tuple[str, int, int]] = {}
        for name in names:
            if t.cat.exact(name) is not None:
                continue
            for i in self.mentions(name):
                if t.word(i + 1) != "(" or ")" not in t.words[i + 1 : i + 12]:
                    continue
                close = t.words.index(")", i + 1)
                cols = t.columns_in(i + 2, close)
                if len(cols) != 1 or cols[0][0] != i + 2:
                    continue
                before = set(t.used)
                cond = _comparison_after(t, i + 2, cols[0][1], self.col)
                if cond is None or any(k not in t.used for k in range(i + 2, close)):
                    t.used = before
                    continue
                found[name] = (cond, i, close)
                break
        if len(found) < 2:
            return {}
        measure = self._bare_cell_measure(list(found), default)
        out = {}
        for name, (cond, i, close) in found.items():
            t.use(i, i + 1, close)
            self.cell_tokens |= set(range(i, close + 1))  # the cells' conditions are no row filter
            if measure == "count":
                out[name] = f"COUNT(*) FILTER (WHERE {cond})"
            else:
                ref = t.cat.exact(measure)
                out[name] = f"SUM({self.col(ref)}) FILTER (WHERE {cond})"  # type: ignore[arg-type]
        for k, tok in enumerate(t.toks):
            named = t.word(k + 1) in ("columns", "counts", "cells", "sums", "totals", "amounts")
            if tok.is_number and named and float(tok.text) == len(found):
                t.use(k)
        self.assumptions.append(f"cells defined by conditions: {', '.join(found)}")
        return out

    def _bare_cell_measure(self, names: list[str], default: ColumnRef | None) -> str:
        """What cells named by a bare value hold: 'count the settled, pending and reversed transactions'
        is a count; 'sum amount' the sum of that measure. The words of the sentences naming the cells say."""
        if not names:
            return ""
        t = self.t
        spans = [t.sentence_span(i) for n in names for i in self.mentions(n)]
        words = {t.words[k] for s, e in spans for k in range(s, e)}
        counts = words & {"count", "counts", "number", "many"}
        sums = words & {"sum", "total", "totals", "summed"}
        if counts and not sums:
            t.use(*[k for s, e in spans for k in range(s, e) if t.words[k] in counts])
            return "count"
        if sums and not counts and default is not None:
            t.use(*[k for s, e in spans for k in range(s, e) if t.words[k] in sums])
            return default.name
        raise CannotPlan(f"cannot tell whether {', '.join(names)} count rows or add up a measure")

    # ---- pivots ------------------------------------------------------------------------------------
    def _pivot(self, names: list[str], default_measure: ColumnRef | None) -> dict[str, str]:
        """Output names '<value>_<measure>' over the sample values of one column: one cell each."""
        t = self.t
        by_col: dict[str, list[tuple[str, str, str]]] = {}
        for ref in t.cat.categorical():
            for name in names:
                for value in ref.column.samples:
                    low = re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")
                    if name.startswith(low + "_") and name != ref.name:
                        rest = name[len(low) + 1 :]
                        by_col.setdefault(ref.name, []).append((name, value, rest))
                    elif name == low and t.cat.exact(name) is None:
                        # 'three columns named settled, pending and reversed': the value alone names its cell
                        by_col.setdefault(ref.name, []).append((name, value, ""))
        cols = {c: v for c, v in by_col.items() if len({x[1] for x in v}) >= 2}
        if len(cols) != 1:
            return self._conditional_cells(names, default_measure)
        col_name, cells = next(iter(cols.items()))
        ref = next(r for r in t.cat.categorical() if r.name == col_name)
        # '<other>_amount' beside the cells, whose <other> is no value of the column: a cell of a value the
        # data does not have, or something else; either way not a plain aggregate
        rests = {rest for _, _, rest in cells}
        celled = {name for name, _, _ in cells}
        others = self._other_cell(names, celled, rests, ref, [v for _, v, _ in cells])
        if others is not None:
            cells = [*cells, others]
            celled.add(others[0])
        for name in names:
            if name not in celled and t.cat.exact(name) is None and any(name.endswith("_" + r) for r in rests):
                raise CannotPlan(f"{name} looks like a cell of the pivot over {col_name}, but names no value of it")
        # a NULL said of something else ('merchants without a category form their own row with a NULL
        # category') was read already; the defaults of the cells are the words still unread
        nulls = any(w == "null" and i not in t.used for i, w in enumerate(t.words))
        zero = any(w in ("0", "zero") and i not in t.used for i, w in enumerate(t.words))
        if nulls and zero:
            # '0 rather than null', 'null, not 0': the first one named is the one wanted
            m = re.search(ZERO_OR_NULL, self.text)
            if m is None or (m.group(1) == "null") == (m.group(2) == "null"):
                raise CannotPlan("the ticket names both 0 and NULL for a missing cell; say which one")
            nulls = m.group(1) == "null"
            zero = not nulls
        out = {}
        bare = self._bare_cell_measure([n for n, _, r in cells if r == ""], default_measure)
        for name, value, rest in cells:
            cond = f"{self.col(ref)} = {literal(value)}" if others is None or name != others[0] else value
            if rest == "":
                rest = bare
            if rest in ("count", "txn_count", "n"):
                expr = f"COUNT(*) FILTER (WHERE {cond})"
                if nulls:
                    expr = f"NULLIF({expr}, 0)"
            else:
                measure_ref = t.cat.exact(rest) or default_measure
                if measure_ref is None or not measure_ref.column.is_numeric:
                    raise CannotPlan(f"cannot tell which measure {name} holds")
                expr = f"SUM({self.col(measure_ref)}) FILTER (WHERE {cond})"
                if zero and not nulls:
                    expr = f"COALESCE({expr}, 0)"
                # the measure is placed where the cells are defined (their sentences), not everywhere
                spans = [t.sentence_span(i) for c, _, _ in cells for i in self.mentions(c)]
                found = self.mentions(measure_ref.name)
                self.t.use(*([i for i in found if any(a <= i < b for a, b in spans)] or found[:1]))
            out[name] = expr
        # the values and the column named around them are the pivot's, not filters
        for v in t.cat.value_matches(t.toks):
            if v.ref.name == col_name:
                t.use(*v.tokens)
        t.use(*[i for i in range(len(t.toks)) if (r := t.column_at(i)) is not None and r.name == col_name])
        for i, w in enumerate(t.words):
            if w in ("null", "0", "zero", "not", "instead", "absent", "none", "never"):
                t.use(i)
                # '0 when a country has none': the group the default is stated for
                a, b = t.clause_span(i)
                t.use(*[k for k in range(a, b) if t.words[k] in names and k + 1 < b and t.words[k + 1] in PIVOT_ABSENT])
        # 'as three columns named ...', 'three counts side by side': the number of cells, restated
        for k, tok in enumerate(t.toks):
            named = t.word(k + 1) in ("columns", "counts", "cells", "sums", "totals", "amounts")
            if tok.is_number and named and float(tok.text) == len(cells):
                t.use(k)
        self.assumptions.append(f"pivoted values of {col_name}: {', '.join(v for _, v, _ in cells)}")
        return out
