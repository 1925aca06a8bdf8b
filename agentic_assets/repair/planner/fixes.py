"""Fix builders: SQL expressions that bring a source column back to what the transform expects."""

from __future__ import annotations

from agentic_assets.repair.sql_rewrite import quote
from agentic_assets.repair.types import duckdb_type, family

DATE_FORMATS = {
    "iso_date": "%Y-%m-%d",
    "ymd_slash_date": "%Y/%m/%d",
    "compact_date": "%Y%m%d",
}
# NN/NN/YYYY-style formats: the order decides the strptime pattern.
ORDERED = {"slash_date": "/", "dot_date": ".", "dash_date": "-"}


def date_patterns(formats: dict[str, int], orders: dict[str, str | None]) -> list[str] | None:
    """strptime patterns for every date format seen, or None when an order cannot be told (a guess)."""
    patterns: list[str] = []
    for fmt in formats:
        if fmt in DATE_FORMATS:
            patterns.append(DATE_FORMATS[fmt])
        elif fmt in ORDERED:
            sep = ORDERED[fmt]
            order = orders.get(fmt)
            if order is None:
                return None
            patterns.append(f"%d{sep}%m{sep}%Y" if order == "day_first" else f"%m{sep}%d{sep}%Y")
        elif fmt == "iso_timestamp":
            continue
        else:
            return None
    return patterns


def parse_dates(column: str, formats: dict[str, int], orders: dict[str, str | None], target: str) -> str | None:
    """An expression parsing every written form of `column` into `target` (DATE, TIMESTAMP or ISO text)."""
    patterns = date_patterns(formats, orders)
    if patterns is None:
        return None
    col = quote(column)
    tries = [f"TRY_STRPTIME({col}, '{p}')" for p in patterns]
    if "iso_timestamp" in formats:
        tries.insert(0, f"TRY_CAST({col} AS TIMESTAMP)")
    parsed = f"COALESCE({', '.join(tries)})" if len(tries) > 1 else tries[0]
    if target == "DATE":
        return f"CAST({parsed} AS DATE)"
    if target == "TIMESTAMP":
        return f"CAST({parsed} AS TIMESTAMP)"
    # Text that the transform parses itself: rewrite every value in the ISO form.
    fmt = "%Y-%m-%d %H:%M:%S" if "iso_timestamp" in formats else "%Y-%m-%d"
    return f"strftime({parsed}, '{fmt}')"


def parse_number(column: str, target: str, separator: str | None = None) -> str:
    """Currency text, decimal commas and thousands separators to a number of type `target`."""
    col = quote(column)
    stripped = f"regexp_replace(trim(CAST({col} AS VARCHAR)), '[^0-9,.+-]', '', 'g')"
    if separator == ",":
        text = f"replace(replace({stripped}, '.', ''), ',', '.')"
    elif separator == ".":
        text = f"replace({stripped}, ',', '')"
    else:
        # Undecided: a comma followed by one or two digits at the end is a decimal comma.
        text = (
            f"CASE WHEN regexp_matches({stripped}, ',[0-9]{{1,2}}$') "
            f"THEN replace(replace({stripped}, '.', ''), ',', '.') ELSE replace({stripped}, ',', '') END"
        )
    return f"CAST({text} AS {target})"


def epoch_to_time(column: str, unit: str, target: str) -> str:
    col = quote(column)
    factor = {"epoch_seconds": "1000000", "epoch_millis": "1000", "epoch_micros": "1"}[unit]
    expr = f"make_timestamp(CAST({col} AS BIGINT) * {factor})"
    return f"CAST({expr} AS DATE)" if target == "DATE" else expr


def cast_back(column: str, before_arrow_type: str) -> str:
    return f"CAST({quote(column)} AS {duckdb_type(before_arrow_type)})"


def target_type(before_arrow_type: str) -> str:
    fam = family(before_arrow_type)
    if fam == "date":
        return "DATE"
    if fam == "timestamp":
        return "TIMESTAMP"
    if fam in ("integer", "number"):
        return duckdb_type(before_arrow_type)
    return "VARCHAR"


def adapter_select(source: str, renames: dict[str, str], replaces: dict[str, str]) -> str:
    """SELECT over `source` that restores old column names (new -> old) and rewrites columns (name -> expr)."""
    if renames and not (set(renames) | set(renames.values())) & set(replaces):
        # Renamed in place: the columns keep their order, which a UNION ALL by position depends on.
        star = "*"
        if replaces:
            star += f" REPLACE ({', '.join(f'{expr} AS {quote(col)}' for col, expr in replaces.items())})"
        star += f" RENAME ({', '.join(f'{quote(new)} AS {quote(old)}' for new, old in renames.items())})"
        return f"SELECT {star} FROM {quote(source)}"
    parts = ["*"]
    if renames:
        parts[0] = f"* EXCLUDE ({', '.join(quote(new) for new in renames)})"
    if replaces:
        parts[0] += f" REPLACE ({', '.join(f'{expr} AS {quote(col)}' for col, expr in replaces.items())})"
    parts.extend(f"{quote(new)} AS {quote(old)}" for new, old in renames.items())
    return f"SELECT {', '.join(parts)} FROM {quote(source)}"
