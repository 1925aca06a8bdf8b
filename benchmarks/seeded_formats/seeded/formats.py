"""Format drift: the same values in a new representation, each kind with a seeded variant of its detail."""

from __future__ import annotations

import random

from .drift import Context, Drift, Kind, q, rebuild, scope_words, scoped
from .tables import derive

ISO = "%Y-%m-%d %H:%M:%S"
SYMBOL = {"EUR": "€", "GBP": "£", "USD": "$"}


def _replace(ctx: Context, col: str, expr: str):  # noqa: ANN202
    return derive(f"SELECT * REPLACE ({expr} AS {col}) FROM t", t=ctx.after)


def _example(ctx: Context, col: str, table) -> str:  # noqa: ANN001
    ids = table.column(ctx.world.col["id"]).to_pylist()
    return str(table.column(col)[ids.index(max(ids))].as_py())


def _ts_text(rng: random.Random, ctx: Context, fmt: str, what: str) -> Drift:
    ts = ctx.world.col["ts"]
    scope = rng.choice(["all", "new"])
    after = _replace(ctx, ts, scoped(ctx, f"strftime({ts}, {q(fmt)})", f"strftime({ts}, {q(ISO)})", scope))
    parse = f"strptime(f.{ts}, {q(fmt)})" if scope == "all" else f"strptime(f.{ts}, [{q(fmt)}, {q(ISO)}])"
    older = "" if scope == "all" else f" Older rows keep '{ISO}'."
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {ts: parse})},
        category="format_drift",
        remediation="code_change",
        root_cause=f"{ts} in {ctx.target} arrives as text: {scope_words(scope, ctx)} write it {what} "
        f"('{_example(ctx, ts, after)}', format {fmt}).{older} The moments are the same; the transform must parse "
        "the text back into a timestamp before truncating it.",
    )


def date_order(rng: random.Random, ctx: Context) -> Drift:
    order = rng.choice(["DMY", "MDY", "YMD"])
    days = {t.day for t in ctx.after.column(ctx.world.col["ts"]).to_pylist()}
    if max(days) <= 12:
        order = "YMD"  # no day past the 12th would tell day and month apart: keep the year first
    sep = rng.choice(["/", ".", "-"] if order != "YMD" else ["/", "."])
    parts = {"DMY": ("%d", "%m", "%Y"), "MDY": ("%m", "%d", "%Y"), "YMD": ("%Y", "%m", "%d")}[order]
    fmt = sep.join(parts) + rng.choice([" %H:%M", " %H:%M:%S"])
    words = {"DMY": "day first", "MDY": "month first (US order)", "YMD": "year first"}[order]
    return _ts_text(rng, ctx, fmt, f"{words} with '{sep}' separators")


def month_names(rng: random.Random, ctx: Context) -> Drift:
    fmt = rng.choice(["%d %b %Y %H:%M", "%b %d, %Y %H:%M", "%d-%b-%Y %H:%M:%S", "%B %d %Y %H:%M", "%d %B %Y, %H:%M"])
    return _ts_text(rng, ctx, fmt, "with the month as a name")


def epoch(rng: random.Random, ctx: Context) -> Drift:
    ts = ctx.world.col["ts"]
    unit, per = rng.choice([("seconds", 1_000_000), ("milliseconds", 1_000), ("microseconds", 1)])
    after = _replace(ctx, ts, f"CAST(epoch_us({ts}) // {per} AS BIGINT)")
    parse = f"make_timestamp(f.{ts} * {per})" if per != 1 else f"make_timestamp(f.{ts})"
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {ts: parse})},
        category="format_drift",
        remediation="code_change",
        root_cause=f"The export of {ctx.target} now writes {ts} as Unix epoch {unit} (UTC), an integer, instead of "
        f"a timestamp ({_example(ctx, ts, after)} for the latest row). The moments are the same; the transform must "
        "convert the number to a timestamp.",
    )


def iso_offset(rng: random.Random, ctx: Context) -> Drift:
    ts = ctx.world.col["ts"]
    minutes = rng.choice([60, 120, -300, 330, 540, -180, 0])
    sign = "+" if minutes >= 0 else "-"
    suffix = "Z" if minutes == 0 else f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    scope = rng.choice(["all", "new"])
    new = f"strftime({ts} + INTERVAL ({minutes}) MINUTE, '%Y-%m-%dT%H:%M:%S') || {q(suffix)}"
    after = _replace(ctx, ts, scoped(ctx, new, f"strftime({ts}, {q(ISO)})", scope))
    utc = f"CAST(substr(f.{ts}, 1, 19) AS TIMESTAMP) - INTERVAL ({minutes}) MINUTE"
    parse = utc if scope == "all" else f"CASE WHEN length(f.{ts}) > 19 THEN {utc} ELSE CAST(f.{ts} AS TIMESTAMP) END"
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {ts: parse})},
        category="format_drift",
        remediation="code_change",
        root_cause=f"{ts} in {ctx.target} arrives as ISO 8601 text with a UTC offset: {scope_words(scope, ctx)} "
        f"write local time with '{suffix}' ('{_example(ctx, ts, after)}'). The moments are the same; the transform "
        f"must read the text and bring it back to UTC (subtract the {suffix} offset) as before.",
    )


def _money_role(rng: random.Random, ctx: Context) -> str:
    return rng.choice(["amount", "price"])


def decimal_comma(rng: random.Random, ctx: Context) -> Drift:
    col = ctx.world.col[_money_role(rng, ctx)]
    grouped = rng.random() < 0.5
    new = (
        f"translate(format('{{:,.2f}}', {col}), ',.', '.,')" if grouped else f"replace(printf('%.2f', {col}), '.', ',')"
    )
    scope = rng.choice(["all", "new"])
    after = _replace(ctx, col, scoped(ctx, new, f"printf('%.2f', {col})", scope))
    read = f"CAST(replace(replace(f.{col}, '.', ''), ',', '.') AS DOUBLE)"
    if scope != "all":
        read = f"CASE WHEN f.{col} LIKE '%,%' THEN {read} ELSE CAST(f.{col} AS DOUBLE) END"
    extra = " and a point between thousands" if grouped else ""
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {col: read})},
        category="format_drift",
        remediation="code_change",
        root_cause=f"{col} in {ctx.target} arrives as text: {scope_words(scope, ctx)} write it with a decimal comma"
        f"{extra} ('{_example(ctx, col, after)}'). The values are the same; the transform must read the comma as the "
        "decimal separator.",
    )


def _big_role(w) -> str | None:  # noqa: ANN001
    for role in ("amount", "qty", "price"):
        if max(w.after_true.column(w.col[role]).to_pylist()) >= 1000:
            return role
    return None


def thousands(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    role = _big_role(w)
    col = w.col[role]
    places = 2 if role != "qty" else w.domain.qty_decimals
    sep = rng.choice([",", " ", "'", "_"])
    new = f"replace(format('{{:,.{places}f}}', {col}), ',', {q(sep)})"
    scope = rng.choice(["all", "new"])
    after = _replace(ctx, col, scoped(ctx, new, f"printf('%.{places}f', {col})", scope))
    read = f"CAST(replace(f.{col}, {q(sep)}, '') AS DOUBLE)"
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {col: read})},
        category="format_drift",
        remediation="code_change",
        root_cause=f"{col} in {ctx.target} arrives as text with {q(sep)} between thousands: {scope_words(scope, ctx)} "
        f"are written that way ('{_example(ctx, col, after)}'). The numbers are the same; the transform must drop "
        "the separator and read the number.",
    )


def currency(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    col = w.col[_money_role(rng, ctx)]
    cur = w.domain.currency
    pre, suf = rng.choice(
        [(cur + " ", ""), (SYMBOL[cur], ""), (SYMBOL[cur] + " ", ""), ("", " " + cur), ("", SYMBOL[cur])]
    )
    token = (pre + suf).strip()
    scope = rng.choice(["all", "new"])
    after = _replace(
        ctx, col, scoped(ctx, f"{q(pre)} || printf('%.2f', {col}) || {q(suf)}", f"printf('%.2f', {col})", scope)
    )
    read = f"CAST(trim(replace(f.{col}, {q(token)}, '')) AS DOUBLE)"
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {col: read})},
        category="format_drift",
        remediation="code_change",
        root_cause=f"{col} in {ctx.target} arrives as text carrying its currency ('{_example(ctx, col, after)}'): "
        f"{scope_words(scope, ctx)} write {token} {'before' if pre else 'after'} the number. Every value is in {cur} "
        "as before; the transform must strip the currency and read the number.",
    )


def percent(rng: random.Random, ctx: Context) -> Drift:
    col = ctx.world.col["ratio"]
    places, space = rng.choice([1, 2]), rng.choice(["", " "])
    scope = rng.choice(["all", "new"])
    after = _replace(
        ctx, col, scoped(ctx, f"printf('%.{places}f{space}%%', {col} * 100)", f"printf('%.3f', {col})", scope)
    )
    read = f"CAST(trim(rtrim(f.{col}, '%')) AS DOUBLE) / 100"
    if scope != "all":
        read = f"CASE WHEN f.{col} LIKE '%\\%%' ESCAPE '\\' THEN {read} ELSE CAST(f.{col} AS DOUBLE) END"
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {col: read})},
        category="format_drift",
        remediation="code_change",
        root_cause=f"{col} in {ctx.target} is a share between 0 and 1, but {scope_words(scope, ctx)} write it as a "
        f"percent string ('{_example(ctx, col, after)}'). The shares are the same; the transform must strip the % "
        "and divide by 100.",
    )


def booleans(rng: random.Random, ctx: Context) -> Drift:
    col = ctx.world.col["flag"]
    yes, no = rng.choice([("Y", "N"), ("yes", "no"), ("T", "F"), ("1", "0"), ("true", "false"), ("YES", "NO")])
    after = _replace(ctx, col, f"CASE WHEN {col} THEN {q(yes)} ELSE {q(no)} END")
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {col: f"(f.{col} = {q(yes)})"})},
        category="format_drift",
        remediation="code_change",
        root_cause=f"The flag {col} in {ctx.target} arrives as text, {q(yes)} and {q(no)}, instead of a boolean. The "
        f"meaning is the same; the transform must read {q(yes)} as true.",
    )


def padded_codes(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    col = w.col["entity"]
    prefix = rng.choice([w.domain.entity[0][:2].upper() + "-", w.domain.entity[0][0].upper(), "#", "ID-"])
    width = max(len(str(max(w.dim_table.column(col).to_pylist()))), rng.choice([0, 4, 5, 6, 8]))
    after = _replace(ctx, col, f"{q(prefix)} || lpad(CAST({col} AS VARCHAR), {width}, '0')")
    read = f"CAST(regexp_extract(f.{col}, '([0-9]+)$', 1) AS BIGINT)"
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {col: read})},
        category="format_drift",
        remediation="code_change",
        root_cause=f"{col} in {ctx.target} now arrives as a text code, the number zero-padded to {width} digits "
        f"behind {q(prefix)} ('{_example(ctx, col, after)}'), while {w.dim} keeps the plain number. The ids are "
        "the same; the transform must take the digits and read them as the number to join on.",
    )


def names_for_codes(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    col, name = w.col["entity"], w.entity_name
    pairs = zip(w.dim_table.column(col).to_pylist(), w.dim_table.column(name).to_pylist(), strict=True)
    case = "CASE " + col + " " + " ".join(f"WHEN {k} THEN {q(v)}" for k, v in pairs) + " END"
    after = _replace(ctx, col, case)
    joins = f" JOIN {w.dim} d ON d.{name} = f.{col}"
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {col: f"d.{col}"}, joins=joins)},
        category="format_drift",
        remediation="code_change",
        root_cause=f"{ctx.target}.{col} now carries the {w.domain.thing}'s name ('{_example(ctx, col, after)}') "
        f"instead of its id. {w.dim} maps every name to its id one to one; the transform must look the id up "
        "by name.",
    )


def code_standard(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    d, col = w.domain, w.col["cat"]
    new_col, map_name = w.spell(*d.cat, "std"), w.table(*d.cat, "map")
    case = "CASE " + col + " " + " ".join(f"WHEN {q(c.code)} THEN {q(c.alt)}" for c in d.categories) + " END"
    scope = rng.choice(["all", "new"])
    after = _replace(ctx, col, scoped(ctx, case, col, scope))
    import pyarrow as pa  # noqa: PLC0415

    mapping = pa.table({new_col: [c.alt for c in d.categories], col: [c.code for c in d.categories]})
    arrived = rng.random() < 0.6
    joins = f" LEFT JOIN {map_name} m ON m.{new_col} = f.{col}"
    where = "a mapping table that arrived with the switch" if arrived else "a mapping table the catalog already held"
    return Drift(
        kind="",
        after={ctx.target: after, **({map_name: mapping} if arrived else {})},
        before_extra={} if arrived else {map_name: mapping},
        froms={ctx.target: rebuild(ctx, {col: f"COALESCE(m.{col}, f.{col})"}, joins=joins)},
        category="format_drift",
        remediation="code_change",
        root_cause=f"{col} in {ctx.target} switched code lists: {scope_words(scope, ctx)} use the "
        f"{', '.join(c.alt for c in d.categories)} standard instead of {', '.join(c.code for c in d.categories)}. "
        f"{map_name} is {where}, one to one; the transform must map the new codes back through it.",
    )


def unit_suffix(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    col, unit, places = w.col["qty"], w.domain.unit, w.domain.qty_decimals
    space = rng.choice(["", " "])
    scope = rng.choice(["all", "new"])
    after = _replace(
        ctx, col, scoped(ctx, f"printf('%.{places}f{space}{unit}', {col})", f"printf('%.{places}f', {col})", scope)
    )
    read = f"CAST(trim(replace(f.{col}, {q(unit)}, '')) AS DOUBLE)"
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {col: read})},
        category="format_drift",
        remediation="code_change",
        root_cause=f"{col} in {ctx.target} arrives as text with its unit: {scope_words(scope, ctx)} append "
        f"'{space}{unit}' ('{_example(ctx, col, after)}'). The unit is the one the column always had; the transform "
        "must strip it and read the number.",
    )


# How many of the domain's smaller or larger unit make one of its own (days -> hours: 24).
FACTOR = {
    "admissions": 24, "payroll": 60, "metering": 1000, "shipping": 1000, "labs": 60, "cdrs": 60, "farm": 1000,
    "adimps": 1000, "fuel": 1000, "water": 1000, "pharmacy": 0.001, "parking": 60, "cloud": 1000, "dairy": 0.01,
    "tolls": 1000, "gym": 60, "rail": 1000, "warehouse": 1000, "solar": 1000,
}  # fmt: skip


def unit_convert(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    col, unit, big = w.col["qty"], w.domain.unit, w.domain.big_unit
    factor = FACTOR[w.domain.key]
    space = rng.choice(["", " "])
    places = w.domain.qty_decimals
    pick = f"(({w.col['id']} * 2654435761) % 3)"
    # Since the cutover one site in three reports in the other unit, and says so in the value.
    new = (
        f"CASE WHEN {w.col['id']} >= {ctx.first_new} AND ({pick} = 0 OR {w.col['id']} = {ctx.first_new}) "
        f"THEN CAST(round({col} * {factor}, 6) AS VARCHAR) || '{space}{big}' "
        f"ELSE printf('%.{places}f{space}{unit}', {col}) END"
    )
    after = _replace(ctx, col, new)
    number = f"CAST(trim(regexp_extract(f.{col}, '^[0-9.]+')) AS DOUBLE)"
    # The whole suffix must be the other unit ('g' is also the end of 'mg').
    other = f"regexp_matches(f.{col}, '^[0-9.]+ ?{big}$')"
    read = f"CASE WHEN {other} THEN round({number} / {factor}, {places + 3}) ELSE {number} END"
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={ctx.target: rebuild(ctx, {col: read})},
        category="format_drift",
        remediation="code_change",
        root_cause=f"{col} in {ctx.target} arrives as text with its unit: rows in {unit} as before "
        f"('{space}{unit}'), and, since {w.cutover:%Y-%m-%d}, some in {big} ('{_example(ctx, col, after)}'), "
        f"{factor:g} {big} to the {unit}. The unit is written on every value; the transform must strip it and "
        f"convert {big} back to {unit}.",
    )


JUNK = ["n/a", "", "#N/A", "00/00/0000 00:00", "pending", "NULL", "?", "TBC"]


def mixed_residue(rng: random.Random, ctx: Context) -> Drift:
    w = ctx.world
    ts, idc = w.col["ts"], w.col["id"]
    other = rng.choice(["%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M", "%d %b %Y %H:%M", "%b %d, %Y %H:%M"])
    share = rng.choice([3, 5, 7])
    junk = rng.sample(JUNK, 2)
    pick = f"(({idc} * 2654435761) % 97)"
    n_new = ctx.after.num_rows - ctx.before.num_rows
    residue_cut = max(1, round(97 * rng.uniform(0.02, 0.08))) if n_new >= 30 else 97  # tiny feeds: one bad row
    bad = f"{idc} = {ctx.first_new}" if residue_cut == 97 else f"{pick} < {residue_cut}"
    new = (
        f"CASE WHEN {bad} THEN CASE WHEN {idc} % 2 = 0 THEN {q(junk[0])} ELSE {q(junk[1])} END "
        f"WHEN {pick} % {share} = 0 THEN strftime({ts}, {q(ISO)}) ELSE strftime({ts}, {q(other)}) END"
    )
    after = _replace(ctx, ts, scoped(ctx, new, f"strftime({ts}, {q(ISO)})", "new"))
    fmts = f"[{q(ISO)}, {q(other)}]"
    return Drift(
        kind="",
        after={ctx.target: after},
        froms={
            ctx.target: rebuild(
                ctx, {ts: f"try_strptime(f.{ts}, {fmts})"}, where=f"try_strptime(f.{ts}, {fmts}) IS NOT NULL"
            )
        },
        category=["format_drift", "data_quality"],
        remediation=["code_change", "dead_letter"],
        root_cause=f"{ts} in {ctx.target} arrives as text mixing two formats since {w.cutover:%Y-%m-%d}: most new "
        f"rows are written {other}, some still {ISO}, and a residue carries no moment at all ({q(junk[0])}, "
        f"{q(junk[1])}). The transform must parse both formats; the rows that parse in neither go to a dead-letter "
        "table with the reason, and the rest flows on.",
    )


KINDS = [
    Kind(name="date-order", group="format", apply=date_order),
    Kind(name="month-names", group="format", apply=month_names),
    Kind(name="epoch", group="format", apply=epoch, text=False),
    Kind(name="iso-offset", group="format", apply=iso_offset),
    Kind(name="decimal-comma", group="format", apply=decimal_comma),
    Kind(name="thousands", group="format", apply=thousands, applies=lambda w: _big_role(w) is not None),
    Kind(name="currency-text", group="format", apply=currency),
    Kind(name="percent-text", group="format", apply=percent),
    Kind(name="boolean-text", group="format", apply=booleans),
    Kind(name="padded-codes", group="format", apply=padded_codes, needs={"join"}),
    Kind(name="names-for-codes", group="format", apply=names_for_codes, needs={"join"}),
    Kind(name="code-standard", group="format", apply=code_standard, needs={"cat"}, checks={"cat_values"}),
    Kind(name="unit-suffix", group="format", apply=unit_suffix),
    Kind(name="unit-convert", group="format", apply=unit_convert, applies=lambda w: w.domain.key in FACTOR),
    Kind(name="mixed-residue", group="format", apply=mixed_residue),
]
