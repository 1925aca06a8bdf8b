"""Format drift in written forms the rest of the set does not use, alone and beside a second cause.

Other domains (bookkeeping, battery storage, stock keeping, hotels, water billing, airfares, laboratories,
promotions, schooling, ferries, contact centres, streaming, rail fleets, farming) and other value styles:
accounting parentheses, the unicode minus, a trailing minus, apostrophe and space grouping, an ISO currency
code before the amount, scientific notation, a percent written for a fraction, English month names, two-digit
years, UTC offsets, compact UTC stamps, truth values as letters and units glued to the number. Two negatives
must escalate: a two-digit-year date no value settles, and a weight that changed unit.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from generator.common import checks, rename
from generator.core import Incident, Reference, Source

Row = dict[str, Any]


def _days(start: dt.date, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


def _adapted(sql: str, table: str, select: str) -> str:
    """`sql` reading `table` through `select` (the reference repair's adapter in front of the source)."""
    return f"WITH {table}__fixed AS ({select})\n" + sql.replace(f"FROM {table}", f"FROM {table}__fixed")


def _replace(table: str, column: str, expr: str) -> str:
    return f"SELECT * REPLACE ({expr} AS {column}) FROM {table}"


def _written(rows: list[Row], column: str, write: Callable[[Any], str]) -> list[Row]:
    return [dict(r, **{column: write(r[column])}) for r in rows]


def _grouped(value: float, group: str, decimal: str, places: int = 2) -> str:
    """`value` with `group` between thousands and `decimal` as the decimal mark."""
    text = f"{abs(value):,.{places}f}".replace(",", "\x00").replace(".", decimal).replace("\x00", group)
    return ("-" if value < 0 else "") + text


# --- bookkeeping: accounting negatives ----------------------------------------------------------------


def _journal(rng: random.Random, days: list[dt.date]) -> list[Row]:
    accounts = ["4000-sales", "4100-services", "5000-cogs", "6100-rent", "6200-travel", "7000-fx"]
    rows, k = [], 1
    for day in days:
        for account in accounts:
            for _ in range(rng.randrange(2, 5)):
                sign = -1 if account.startswith(("5", "6")) or rng.random() < 0.2 else 1
                rows.append(
                    {
                        "line_id": k,
                        "account": account,
                        "posted_on": day,
                        "amount": round(sign * rng.uniform(10, 4000), 2),
                    }
                )
                k += 1
    return rows


_LEDGER_SQL = """
SELECT account, posted_on,
       ROUND(SUM(amount), 2) AS net_amount,
       ROUND(SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END), 2) AS credits
FROM journal_lines
GROUP BY account, posted_on
"""
_PARENS = (
    "CASE WHEN trim(amount) LIKE '(%)' THEN -1 ELSE 1 END * "
    "CAST(replace(replace(replace(trim(amount), '(', ''), ')', ''), ',', '') AS DOUBLE)"
)


def _accounting(x: float) -> str:
    return f"({abs(x):,.2f})" if x < 0 else f"{x:,.2f}"


def ledger_amount_accounting_negatives() -> Incident:
    rng = random.Random(1101)
    rows = _journal(rng, _days(dt.date(2026, 2, 16), 14))
    return Incident(
        id="ledger-amount-accounting-negatives",
        now="2026-03-02T04:00:00Z",
        name="daily_account_movements",
        description="Net movement and credits per ledger account and posting day, for the controller's daily close.",
        sql=_LEDGER_SQL,
        checks=checks("daily_account_movements", "- row_count > 0", "- duplicate_count(account, posted_on) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The bookkeeping export switched to accounting notation: negative amounts in parentheses "
        "('(1,234.56)') and a comma between thousands, so amount arrives as text. Read the parentheses as a "
        "minus and drop the separators.",
        before=[Source("journal_lines", rows)],
        after=[Source("journal_lines", _written(rows, "amount", _accounting))],
        reference=Reference(
            "sql", _adapted(_LEDGER_SQL, "journal_lines", _replace("journal_lines", "amount", _PARENS))
        ),
        domain="bookkeeping",
        shape="aggregate, CASE",
        wrong_repairs=[
            (
                "parentheses ignored",
                _adapted(
                    _LEDGER_SQL,
                    "journal_lines",
                    _replace("journal_lines", "amount", "CAST(regexp_replace(amount, '[(),]', '', 'g') AS DOUBLE)"),
                ),
            )
        ],
    )


def ledger_renamed_and_accounting_negatives() -> Incident:
    rng = random.Random(1151)
    rows = _journal(rng, _days(dt.date(2026, 1, 19), 14))
    after = rename(_written(rows, "amount", _accounting), "amount", "amount_local")
    fixed = f"SELECT * EXCLUDE (amount_local), {_PARENS.replace('amount', 'amount_local')} AS amount FROM journal_lines"
    return Incident(
        id="ledger-renamed-and-accounting-negatives",
        now="2026-02-02T04:00:00Z",
        name="account_movements_by_day",
        description="Net movement and credits per ledger account and day, for the month-end reconciliation.",
        sql=_LEDGER_SQL,
        checks=checks("account_movements_by_day", "- row_count > 0", "- duplicate_count(account, posted_on) = 0"),
        category=["schema_drift", "format_drift"],
        remediation="code_change",
        root_cause="The new ledger release renamed amount to amount_local and writes it in accounting notation "
        "('(1,234.56)' for a credit). Read the new column, the parentheses as a minus.",
        before=[Source("journal_lines", rows)],
        after=[Source("journal_lines", after)],
        reference=Reference("sql", _adapted(_LEDGER_SQL, "journal_lines", fixed)),
        domain="bookkeeping",
        shape="aggregate, CASE",
    )


# --- battery storage: the unicode minus, a window ---------------------------------------------------------


def storage_net_energy_unicode_minus() -> Incident:
    rng = random.Random(1102)
    sites = ["bess-north", "bess-harbour", "bess-ridge"]
    start = dt.datetime(2026, 3, 1)
    rows = [
        {"site": s, "hour": start + dt.timedelta(hours=h), "net_kwh": round(rng.uniform(-800, 800), 1)}
        for h in range(48)
        for s in sites
    ]
    sql = """
SELECT site, hour, net_kwh,
       ROUND(SUM(net_kwh) OVER (PARTITION BY site ORDER BY hour), 1) AS state_of_charge_kwh
FROM storage_flows
"""
    expr = "CAST(replace(net_kwh, '\u2212', '-') AS DOUBLE)"
    return Incident(
        id="storage-net-energy-unicode-minus",
        now="2026-03-03T01:00:00Z",
        name="battery_state_of_charge",
        description="Hourly net energy per battery site and its running state of charge, for the dispatch desk.",
        sql=sql,
        checks=checks(
            "battery_state_of_charge",
            "- row_count > 0",
            "- duplicate_count(site, hour) = 0",
            "- missing_count(state_of_charge_kwh) = 0",
        ),
        category="format_drift",
        remediation="code_change",
        root_cause="The storage controller's new report writer typesets discharges with the unicode minus sign "
        "('\u2212312.5'), so net_kwh reads as text. Read U+2212 as a minus.",
        before=[Source("storage_flows", rows, "parquet")],
        after=[
            Source("storage_flows", _written(rows, "net_kwh", lambda x: f"{x:.1f}".replace("-", "\u2212")), "parquet")
        ],
        reference=Reference("sql", _adapted(sql, "storage_flows", _replace("storage_flows", "net_kwh", expr))),
        domain="battery storage",
        shape="window",
    )


# --- stock keeping: a trailing minus ---------------------------------------------------------------------


def _movements(rng: random.Random, days: list[dt.date]) -> list[Row]:
    rows, k = [], 1
    for day in days:
        for sku in range(1, 41):
            if rng.random() < 0.6:
                qty = rng.randrange(1, 80) * (-1 if rng.random() < 0.45 else 1)
                rows.append(
                    {
                        "movement_id": k,
                        "sku": f"ART-{sku:03d}",
                        "warehouse": rng.choice(["WH1", "WH2"]),
                        "moved_on": day,
                        "qty": qty,
                    }
                )
                k += 1
    return rows


_STOCK_SQL = """
SELECT sku, warehouse, SUM(qty) AS net_qty, COUNT(*) AS movements
FROM stock_movements
GROUP BY sku, warehouse
"""
_TRAILING = "CASE WHEN qty LIKE '%-' THEN -1 ELSE 1 END * CAST(rtrim(qty, '-') AS BIGINT)"


def _trailing(q: int) -> str:
    return f"{abs(q)}-" if q < 0 else str(q)


def stock_qty_trailing_minus() -> Incident:
    rng = random.Random(1103)
    rows = _movements(rng, _days(dt.date(2026, 2, 1), 10))
    return Incident(
        id="stock-qty-trailing-minus",
        now="2026-02-11T05:00:00Z",
        name="stock_position",
        description="Net stock movement and number of movements per article and warehouse, for replenishment.",
        sql=_STOCK_SQL,
        checks=checks("stock_position", "- row_count > 0", "- duplicate_count(sku, warehouse) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The warehouse system's export writes issues with a trailing minus ('12-'), an old "
        "mainframe habit, so qty arrives as text. Read the trailing minus as the sign.",
        before=[Source("stock_movements", rows)],
        after=[Source("stock_movements", _written(rows, "qty", _trailing))],
        reference=Reference(
            "sql", _adapted(_STOCK_SQL, "stock_movements", _replace("stock_movements", "qty", _TRAILING))
        ),
        domain="stock keeping",
        shape="aggregate",
    )


def stock_trailing_minus_some_unreadable() -> Incident:
    rng = random.Random(1152)
    rows = _movements(rng, _days(dt.date(2026, 3, 2), 10))
    after = _written(rows, "qty", _trailing)
    for i in range(5, len(after), 37):
        after[i] = dict(after[i], qty="n/a")
    keep = "qty <> 'n/a'"
    fixed = f"SELECT * REPLACE ({_TRAILING} AS qty) FROM stock_movements WHERE {keep}"
    return Incident(
        id="stock-trailing-minus-some-unreadable",
        now="2026-03-12T05:00:00Z",
        name="stock_balance",
        description="Net stock movement and number of movements per article and warehouse, for the stock count.",
        sql=_STOCK_SQL,
        checks=checks("stock_balance", "- row_count > 0", "- duplicate_count(sku, warehouse) = 0"),
        category=["format_drift", "data_quality"],
        remediation=["code_change", "dead_letter"],
        root_cause="The warehouse export now writes issues with a trailing minus ('12-'), and movements keyed "
        "by hand without a count arrive as 'n/a'. Read the trailing minus; dead-letter the movements without a "
        "number.",
        before=[Source("stock_movements", rows)],
        after=[Source("stock_movements", after)],
        reference=Reference("sql", _adapted(_STOCK_SQL, "stock_movements", fixed)),
        domain="stock keeping",
        shape="aggregate",
    )


# --- hotels: apostrophe grouping, a join -----------------------------------------------------------------


def hotel_revenue_apostrophe_grouping() -> Incident:
    rng = random.Random(1104)
    hotels = [
        {"hotel_id": h, "region": r}
        for h, r in [("ZRH1", "Zurich"), ("ZRH2", "Zurich"), ("GVA1", "Geneva"), ("BSL1", "Basel"), ("LUG1", "Ticino")]
    ]
    rows = []
    for k, day in enumerate(_days(dt.date(2026, 2, 20), 10)):
        for h in hotels:
            for n in range(6):
                rows.append(
                    {
                        "booking_id": k * 100 + n * 7 + len(rows),
                        "hotel_id": h["hotel_id"],
                        "stay_date": day,
                        "revenue_chf": round(rng.uniform(180, 4800), 2),
                    }
                )
    sql = """
SELECT h.region, b.stay_date,
       COUNT(*) AS bookings,
       ROUND(SUM(b.revenue_chf), 2) AS revenue_chf
FROM bookings b
JOIN hotels h ON h.hotel_id = b.hotel_id
GROUP BY 1, 2
"""
    expr = "CAST(replace(revenue_chf, '''', '') AS DOUBLE)"
    return Incident(
        id="hotel-revenue-apostrophe-grouping",
        now="2026-03-02T03:00:00Z",
        name="regional_room_revenue",
        description="Bookings and room revenue per region and stay date, for the revenue managers.",
        sql=sql,
        checks=checks("regional_room_revenue", "- row_count > 0", "- duplicate_count(region, stay_date) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The property system's new Swiss locale writes revenue_chf with an apostrophe between "
        "thousands ('1'234.50'), so it reads as text. Drop the apostrophes.",
        before=[Source("bookings", rows), Source("hotels", hotels)],
        after=[Source("bookings", _written(rows, "revenue_chf", lambda x: _grouped(x, "'", ".")))],
        reference=Reference("sql", _adapted(sql, "bookings", _replace("bookings", "revenue_chf", expr))),
        domain="hospitality",
        shape="join, aggregate",
    )


# --- water billing: space grouping with a decimal comma ----------------------------------------------------


def _invoices(rng: random.Random, days: list[dt.date]) -> list[Row]:
    rows, k = [], 90_001
    for day in days:
        for _ in range(40):
            rows.append(
                {
                    "invoice_id": k,
                    "district": rng.choice(["Nord", "Sud", "Est", "Ouest"]),
                    "issued_on": day,
                    "kind": rng.choice(["bill", "bill", "bill", "credit"]),
                    "total": round(rng.uniform(15, 2600), 2),
                }
            )
            k += 1
    return rows


_WATER_SQL = """
SELECT district, issued_on, COUNT(*) AS invoices, ROUND(SUM(total), 2) AS billed
FROM water_invoices
WHERE kind = 'bill'
GROUP BY district, issued_on
"""
_SPACED = "CAST(replace(regexp_replace(total, '[\\s\u00a0\u202f]', '', 'g'), ',', '.') AS DOUBLE)"


def water_invoice_space_grouping() -> Incident:
    rng = random.Random(1105)
    rows = _invoices(rng, _days(dt.date(2026, 2, 10), 12))
    return Incident(
        id="water-invoice-space-grouping",
        now="2026-02-22T06:00:00Z",
        name="district_water_billing",
        description="Water bills issued and amount billed per district and day, for the utility's finance team.",
        sql=_WATER_SQL,
        checks=checks("district_water_billing", "- row_count > 0", "- duplicate_count(district, issued_on) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The billing system moved to the French locale: totals are written with a narrow no-break "
        "space between thousands and a decimal comma ('1\u202f234,56'). Drop the spaces, read the comma as the "
        "decimal mark.",
        before=[Source("water_invoices", rows)],
        after=[Source("water_invoices", _written(rows, "total", lambda x: _grouped(x, "\u202f", ",")))],
        reference=Reference(
            "sql", _adapted(_WATER_SQL, "water_invoices", _replace("water_invoices", "total", _SPACED))
        ),
        domain="water utility",
        shape="filter, aggregate",
    )


def water_invoices_grouping_and_replay() -> Incident:
    rng = random.Random(1153)
    rows = _invoices(rng, _days(dt.date(2026, 1, 12), 12))
    replay = [r for r in rows if r["issued_on"] >= dt.date(2026, 1, 21)]
    after = _written(sorted(rows + replay, key=lambda r: r["invoice_id"]), "total", lambda x: _grouped(x, " ", ","))
    fixed = f"SELECT DISTINCT * REPLACE ({_SPACED} AS total) FROM water_invoices"
    return Incident(
        id="water-invoices-grouping-and-replay",
        now="2026-01-24T06:00:00Z",
        name="water_billing_by_district",
        description="Water bills issued and amount billed per district and day, for the collections team.",
        sql=_WATER_SQL,
        checks=checks(
            "water_billing_by_district",
            "- row_count > 0",
            "- duplicate_count(district, issued_on) = 0",
            "- avg(invoices) < 40",
        ),
        category=["format_drift", "data_quality"],
        remediation=["code_change", "dedupe"],
        root_cause="Two faults in one night: the billing export moved to the French locale ('1 234,56'), and "
        "its restart replayed the last three days of invoices. Read the new format and keep one row per "
        "invoice.",
        before=[Source("water_invoices", rows)],
        after=[Source("water_invoices", after)],
        reference=Reference("sql", _adapted(_WATER_SQL, "water_invoices", fixed)),
        domain="water utility",
        shape="filter, aggregate",
    )


# --- airfares: an ISO currency code before the amount ---------------------------------------------------


def airfare_currency_code_prefix() -> Incident:
    rng = random.Random(1106)
    routes = ["JFK-LHR", "JFK-CDG", "BOS-DUB", "ORD-FRA", "SFO-NRT", "MIA-MAD"]
    rows = []
    for k, day in enumerate(_days(dt.date(2026, 2, 23), 7)):
        for route in routes:
            for n in range(8):
                rows.append(
                    {
                        "ticket_id": f"T{k:02d}{routes.index(route):02d}{n:02d}",
                        "route": route,
                        "sold_on": day,
                        "fare_usd": round(rng.uniform(220, 3100), 2),
                    }
                )
    sql = """
SELECT route, ROUND(AVG(fare_usd), 2) AS avg_fare_usd, MAX(fare_usd) AS top_fare_usd, COUNT(*) AS tickets
FROM tickets
GROUP BY route
"""
    expr = "CAST(replace(replace(fare_usd, 'USD', ''), ',', '') AS DOUBLE)"
    return Incident(
        id="airfare-currency-code-prefix",
        now="2026-03-02T02:00:00Z",
        name="route_fares",
        description="Average and top fare and tickets sold per route over the last week, for network planning.",
        sql=sql,
        checks=checks("route_fares", "- row_count > 0", "- duplicate_count(route) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The ticketing feed now writes fare_usd with its ISO currency code in front ('USD 1,234.00'). "
        "The amounts are the same dollars; strip the code and the separators.",
        before=[Source("tickets", rows)],
        after=[Source("tickets", _written(rows, "fare_usd", lambda x: f"USD {x:,.2f}"))],
        reference=Reference("sql", _adapted(sql, "tickets", _replace("tickets", "fare_usd", expr))),
        domain="airline",
        shape="aggregate",
    )


# --- laboratory: scientific notation ----------------------------------------------------------------------


def lab_concentration_scientific() -> Incident:
    rng = random.Random(1107)
    rows = []
    for k, day in enumerate(_days(dt.date(2026, 2, 25), 6)):
        for n in range(50):
            mantissa = rng.randrange(1000, 9999) / 1000
            rows.append(
                {
                    "sample_id": k * 1000 + n,
                    "analyte": rng.choice(["lead", "nitrate", "arsenic"]),
                    "taken_on": day,
                    "mg_per_l": float(f"{mantissa}e{rng.choice([-4, -3, -2])}"),
                }
            )
    sql = """
SELECT analyte, taken_on,
       COUNT(*) AS samples,
       COUNT(*) FILTER (WHERE mg_per_l > 0.01) AS above_limit,
       MAX(mg_per_l) AS max_mg_per_l
FROM lab_results
GROUP BY analyte, taken_on
"""
    return Incident(
        id="lab-concentration-scientific",
        now="2026-03-03T07:00:00Z",
        name="daily_water_quality",
        description="Samples, samples above the 0.01 mg/l action level and the highest concentration per analyte "
        "and day, for the drinking-water inspectors.",
        sql=sql,
        checks=checks("daily_water_quality", "- row_count > 0", "- duplicate_count(analyte, taken_on) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The new laboratory information system exports concentrations in scientific notation "
        "('4.521E-03') inside a text column. The values are the same; read the exponent.",
        before=[Source("lab_results", rows, "parquet")],
        after=[Source("lab_results", _written(rows, "mg_per_l", lambda x: f"{x:.3E}"), "parquet")],
        reference=Reference(
            "sql", _adapted(sql, "lab_results", _replace("lab_results", "mg_per_l", "CAST(mg_per_l AS DOUBLE)"))
        ),
        domain="laboratory",
        shape="aggregate, filter",
    )


# --- promotions: a percent written for a fraction --------------------------------------------------------


def promo_discount_percent_text() -> Incident:
    rng = random.Random(1108)
    rows = [
        {
            "promo_id": f"P-{i:03d}",
            "store": rng.choice(["north", "south", "online"]),
            "list_price": round(rng.uniform(5, 300), 2),
            "discount_rate": rng.choice([5, 10, 12.5, 15, 20, 25, 30]) / 100,
        }
        for i in range(120)
    ]
    sql = """
SELECT promo_id, store, list_price, discount_rate,
       ROUND(list_price * (1 - discount_rate), 2) AS promo_price
FROM promotions
"""
    expr = "CAST(rtrim(discount_rate, '%') AS DOUBLE) / 100"
    return Incident(
        id="promo-discount-percent-text",
        now="2026-03-04T05:00:00Z",
        name="promotion_prices",
        description="Every running promotion with its list price, discount and promotional price, for the shelf "
        "labels.",
        sql=sql,
        checks=checks(
            "promotion_prices", "- row_count > 0", "- duplicate_count(promo_id) = 0", "- min(promo_price) >= 0"
        ),
        category="format_drift",
        remediation="code_change",
        root_cause="The promotions tool now writes discount_rate as a percentage ('12.5%') where it wrote the "
        "fraction (0.125). Read the number and divide by a hundred: the promotions that did not change show "
        "which reading is meant.",
        before=[Source("promotions", rows)],
        after=[Source("promotions", _written(rows, "discount_rate", lambda x: f"{x * 100:g}%"))],
        reference=Reference("sql", _adapted(sql, "promotions", _replace("promotions", "discount_rate", expr))),
        domain="retail promotions",
        shape="projection",
        wrong_repairs=[
            (
                "percent as a fraction",
                _adapted(
                    sql,
                    "promotions",
                    _replace("promotions", "discount_rate", "CAST(rtrim(discount_rate, '%') AS DOUBLE)"),
                ),
            )
        ],
    )


# --- schooling: English month names -----------------------------------------------------------------------


def _enrolments(rng: random.Random, days: list[dt.date]) -> list[Row]:
    rows = []
    for day in days:
        for _ in range(rng.randrange(8, 20)):
            rows.append(
                {
                    "enrolment_id": 50_000 + len(rows),
                    "course": rng.choice(["algebra", "biology", "french", "history", "coding"]),
                    "enrolled_on": day,
                }
            )
    return rows


_ENROL_SQL = """
SELECT course, date_trunc('week', enrolled_on) AS week, COUNT(*) AS enrolments
FROM enrolments
GROUP BY 1, 2
"""


def enrolment_dates_month_names() -> Incident:
    rng = random.Random(1109)
    rows = _enrolments(rng, _days(dt.date(2026, 1, 26), 28))
    return Incident(
        id="enrolment-dates-month-names",
        now="2026-02-23T06:00:00Z",
        name="weekly_enrolments",
        description="Enrolments per course and week, for the school's timetabling.",
        sql=_ENROL_SQL,
        checks=checks("weekly_enrolments", "- row_count > 0", "- duplicate_count(course, week) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The new admissions portal writes enrolled_on with the month's abbreviated name "
        "('02 Mar 2026'), so it reads as text. Parse the day, month name and year.",
        before=[Source("enrolments", rows, "parquet")],
        after=[Source("enrolments", _written(rows, "enrolled_on", lambda d0: d0.strftime("%d %b %Y")), "parquet")],
        reference=Reference(
            "sql",
            _adapted(
                _ENROL_SQL,
                "enrolments",
                _replace("enrolments", "enrolled_on", "CAST(strptime(enrolled_on, '%d %b %Y') AS DATE)"),
            ),
        ),
        domain="education",
        shape="aggregate, date_trunc",
    )


def enrolment_month_names_renamed() -> Incident:
    rng = random.Random(1154)
    rows = _enrolments(rng, _days(dt.date(2025, 12, 29), 28))
    after = rename(_written(rows, "enrolled_on", lambda d0: d0.strftime("%B %d, %Y")), "enrolled_on", "enrolment_date")
    fixed = (
        "SELECT * EXCLUDE (enrolment_date), CAST(strptime(enrolment_date, '%B %d, %Y') AS DATE) AS enrolled_on "
        "FROM enrolments"
    )
    return Incident(
        id="enrolment-month-names-renamed",
        now="2026-01-26T06:00:00Z",
        name="enrolments_per_week",
        description="Enrolments per course and week, for the department heads' staffing plan.",
        sql=_ENROL_SQL,
        checks=checks("enrolments_per_week", "- row_count > 0", "- duplicate_count(course, week) = 0"),
        category=["schema_drift", "format_drift"],
        remediation="code_change",
        root_cause="The admissions portal's new export renamed enrolled_on to enrolment_date and writes it as "
        "'March 2, 2026'. Read the new column and parse the month's full name.",
        before=[Source("enrolments", rows, "parquet")],
        after=[Source("enrolments", after, "parquet")],
        reference=Reference("sql", _adapted(_ENROL_SQL, "enrolments", fixed)),
        domain="education",
        shape="aggregate, date_trunc",
    )


def exam_dates_two_digit_years_ambiguous() -> Incident:
    rng = random.Random(1110)
    # Exams of the first twelve days of the month: no day above twelve tells day and month apart.
    rows = [
        {
            "exam_id": i,
            "subject": rng.choice(["maths", "physics", "chemistry"]),
            "sat_on": dt.date(2026, 3, 1 + i % 12),
            "score": rng.randrange(20, 100),
        }
        for i in range(240)
    ]
    sql = """
SELECT subject, date_trunc('month', sat_on) AS exam_month, COUNT(*) AS candidates, ROUND(AVG(score), 1) AS avg_score
FROM exam_results
GROUP BY 1, 2
"""
    return Incident(
        id="exam-dates-two-digit-years-ambiguous",
        now="2026-03-14T06:00:00Z",
        name="exam_sittings",
        description="Candidates and average score per subject and sitting day, for the examinations board.",
        sql=sql,
        checks=checks("exam_sittings", "- row_count > 0", "- duplicate_count(subject, exam_month) = 0"),
        category="format_drift",
        remediation="escalate",
        root_cause="The marking service now writes sat_on as 'NN/NN/YY' and every sitting fell on the 1st to "
        "12th of a month, so no value shows whether the day or the month comes first. Parsing would guess "
        "the order; the service owner must say which it is.",
        before=[Source("exam_results", rows, "parquet")],
        after=[Source("exam_results", _written(rows, "sat_on", lambda d0: d0.strftime("%d/%m/%y")), "parquet")],
        reference=Reference("escalate"),
        domain="education",
        shape="aggregate",
    )


# --- ferries: two-digit years a late day settles -----------------------------------------------------------


def ferry_departures_two_digit_years() -> Incident:
    rng = random.Random(1111)
    rows = []
    for day in _days(dt.date(2026, 2, 10), 14):
        for crossing in ["A-B", "A-C", "B-C"]:
            for _ in range(rng.randrange(3, 7)):
                rows.append(
                    {
                        "sailing_id": len(rows) + 1,
                        "crossing": crossing,
                        "sailed_on": day,
                        "passengers": rng.randrange(40, 600),
                    }
                )
    sql = """
SELECT crossing, sailed_on, dayname(sailed_on) AS weekday, COUNT(*) AS sailings, SUM(passengers) AS passengers
FROM sailings
GROUP BY crossing, sailed_on
"""
    return Incident(
        id="ferry-departures-two-digit-years",
        now="2026-02-24T05:00:00Z",
        name="daily_crossings",
        description="Sailings and passengers per crossing and day, for the ferry operator's capacity planning.",
        sql=sql,
        checks=checks("daily_crossings", "- row_count > 0", "- duplicate_count(crossing, sailed_on) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The booking system now writes sailed_on as 'DD/MM/YY' (days such as 23/02/26 show the day "
        "first). Parse the day, month and two-digit year.",
        before=[Source("sailings", rows, "parquet")],
        after=[Source("sailings", _written(rows, "sailed_on", lambda d0: d0.strftime("%d/%m/%y")), "parquet")],
        reference=Reference(
            "sql",
            _adapted(
                sql, "sailings", _replace("sailings", "sailed_on", "CAST(strptime(sailed_on, '%d/%m/%y') AS DATE)")
            ),
        ),
        domain="ferries",
        shape="aggregate",
    )


# --- contact centre: UTC offsets -------------------------------------------------------------------------


def _calls(rng: random.Random, start: dt.datetime, hours: int) -> list[Row]:
    rows = []
    for h in range(hours):
        for _ in range(rng.randrange(4, 12)):
            moment = start + dt.timedelta(hours=h, minutes=rng.randrange(60), seconds=rng.randrange(60))
            rows.append(
                {
                    "call_id": 700_000 + len(rows),
                    "queue": rng.choice(["billing", "support", "sales"]),
                    "started_at": moment,
                    "handle_s": rng.randrange(30, 1500),
                }
            )
    return rows


_CALLS_SQL = """
SELECT queue, date_trunc('hour', started_at) AS hour, COUNT(*) AS calls, ROUND(AVG(handle_s), 1) AS avg_handle_s
FROM calls
GROUP BY 1, 2
"""
_OFFSET = "timezone('UTC', strptime(regexp_replace(started_at, 'Z$', '+00:00'), '%Y-%m-%dT%H:%M:%S%z'))"


def _local(moment: dt.datetime) -> str:
    """The UTC moment as the Paris contact centre writes it (UTC+01:00 in winter); the night shift writes Z."""
    if moment.hour < 6:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (moment + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+01:00")


def call_start_utc_offsets() -> Incident:
    rng = random.Random(1112)
    rows = _calls(rng, dt.datetime(2026, 2, 9), 72)
    return Incident(
        id="call-start-utc-offsets",
        now="2026-02-12T01:00:00Z",
        name="hourly_call_load",
        description="Calls and average handling time per queue and UTC hour, for workforce planning.",
        sql=_CALLS_SQL,
        checks=checks("hourly_call_load", "- row_count > 0", "- duplicate_count(queue, hour) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The telephony platform now writes started_at as ISO 8601 local time with its offset "
        "('2026-02-09T09:15:00+01:00', and 'Z' for the night shift). Read the offset and keep UTC hours.",
        before=[Source("calls", rows, "parquet")],
        after=[Source("calls", _written(rows, "started_at", _local), "parquet")],
        reference=Reference("sql", _adapted(_CALLS_SQL, "calls", _replace("calls", "started_at", _OFFSET))),
        domain="contact centre",
        shape="aggregate, date_trunc",
    )


def calls_utc_offsets_and_replay() -> Incident:
    rng = random.Random(1155)
    rows = _calls(rng, dt.datetime(2026, 1, 12), 72)
    cut = dt.datetime(2026, 1, 14, 12)
    after = _written(
        sorted(rows + [r for r in rows if r["started_at"] >= cut], key=lambda r: r["call_id"]), "started_at", _local
    )
    fixed = f"SELECT DISTINCT * REPLACE ({_OFFSET} AS started_at) FROM calls"
    return Incident(
        id="calls-utc-offsets-and-replay",
        now="2026-01-15T01:00:00Z",
        name="call_load_by_hour",
        description="Calls and average handling time per queue and UTC hour, for the service-level report.",
        sql=_CALLS_SQL,
        checks=checks(
            "call_load_by_hour", "- row_count > 0", "- duplicate_count(queue, hour) = 0", "- max(calls) <= 12"
        ),
        category=["format_drift", "data_quality"],
        remediation=["code_change", "dedupe"],
        root_cause="The telephony platform's upgrade writes started_at with its UTC offset ('+01:00', 'Z'), "
        "and its catch-up replayed the last half day of calls. Read the offsets and keep one row per call.",
        before=[Source("calls", rows, "parquet")],
        after=[Source("calls", after, "parquet")],
        reference=Reference("sql", _adapted(_CALLS_SQL, "calls", fixed)),
        domain="contact centre",
        shape="aggregate, date_trunc",
    )


# --- streaming: truth values as letters ------------------------------------------------------------------


def _subscriptions(rng: random.Random, n: int) -> list[Row]:
    return [
        {
            "subscription_id": 1 + i,
            "account_id": 3000 + rng.randrange(160),
            "plan": rng.choice(["ad", "std", "prem"]),
            "auto_renew": rng.random() < 0.7,
        }
        for i in range(n)
    ]


_STREAM_SQL = """
SELECT account_id, COUNT(*) AS subscriptions, bool_or(auto_renew) AS renews_any
FROM subscriptions
GROUP BY account_id
"""
_LETTERS = "CAST(auto_renew AS BOOLEAN)"


def streaming_renewal_flag_letters() -> Incident:
    rng = random.Random(1113)
    rows = _subscriptions(rng, 500)
    return Incident(
        id="streaming-renewal-flag-letters",
        now="2026-03-01T04:00:00Z",
        name="account_renewals",
        description="Subscriptions per account and whether any of them renews automatically, for churn forecasting.",
        sql=_STREAM_SQL,
        checks=checks("account_renewals", "- row_count > 0", "- duplicate_count(account_id) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The billing platform's new export writes auto_renew as 'Y'/'N' instead of true/false. "
        "Read the letters as truth values.",
        before=[Source("subscriptions", rows, "parquet")],
        after=[Source("subscriptions", _written(rows, "auto_renew", lambda b: "Y" if b else "N"), "parquet")],
        reference=Reference(
            "sql", _adapted(_STREAM_SQL, "subscriptions", _replace("subscriptions", "auto_renew", _LETTERS))
        ),
        domain="streaming",
        shape="aggregate",
    )


def streaming_flags_and_null_accounts() -> Incident:
    rng = random.Random(1156)
    rows = _subscriptions(rng, 500)
    after = _written(rows, "auto_renew", lambda b: "yes" if b else "no")
    after = [dict(r, account_id=None) if i % 23 == 4 else r for i, r in enumerate(after)]
    fixed = f"SELECT * REPLACE ({_LETTERS} AS auto_renew) FROM subscriptions WHERE account_id IS NOT NULL"
    return Incident(
        id="streaming-flags-and-null-accounts",
        now="2026-02-01T04:00:00Z",
        name="renewals_by_account",
        description="Subscriptions per account and whether any renews automatically, for the retention team.",
        sql=_STREAM_SQL,
        checks=checks(
            "renewals_by_account",
            "- row_count > 0",
            "- missing_count(account_id) = 0",
            "- duplicate_count(account_id) = 0",
        ),
        category=["format_drift", "data_quality"],
        remediation=["code_change", "dead_letter"],
        root_cause="The billing platform's new export writes auto_renew as 'yes'/'no', and gift subscriptions "
        "arrive without an account. Read the words as truth values; dead-letter the subscriptions without an "
        "account (reason: missing account_id).",
        before=[Source("subscriptions", rows, "parquet")],
        after=[Source("subscriptions", after, "parquet", types={"account_id": pa.int64()})],
        reference=Reference("sql", _adapted(_STREAM_SQL, "subscriptions", fixed)),
        domain="streaming",
        shape="aggregate",
    )


# --- rail fleet: compact UTC stamps ------------------------------------------------------------------------


def railcar_telemetry_compact_stamps() -> Incident:
    rng = random.Random(1114)
    start = dt.datetime(2026, 3, 2)
    rows = [
        {
            "car_id": f"RC{c:03d}",
            "seen_at": start + dt.timedelta(minutes=20 * m, seconds=rng.randrange(60)),
            "axle_temp_c": round(rng.uniform(18, 75), 1),
        }
        for m in range(72)
        for c in range(12)
    ]
    sql = """
SELECT car_id, CAST(seen_at AS DATE) AS day, MAX(axle_temp_c) AS max_axle_temp_c, COUNT(*) AS pings
FROM railcar_pings
GROUP BY 1, 2
"""
    return Incident(
        id="railcar-telemetry-compact-stamps",
        now="2026-03-03T02:00:00Z",
        name="daily_axle_temperatures",
        description="Highest axle temperature and pings per rail car and day, for the maintenance depot.",
        sql=sql,
        checks=checks("daily_axle_temperatures", "- row_count > 0", "- duplicate_count(car_id, day) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The new on-board units send seen_at as compact ISO 8601 UTC stamps ('20260302T081512Z'). "
        "Parse the compact form.",
        before=[Source("railcar_pings", rows, "parquet")],
        after=[Source("railcar_pings", _written(rows, "seen_at", lambda t: t.strftime("%Y%m%dT%H%M%SZ")), "parquet")],
        reference=Reference(
            "sql",
            _adapted(sql, "railcar_pings", _replace("railcar_pings", "seen_at", "strptime(seen_at, '%Y%m%dT%H%M%SZ')")),
        ),
        domain="rail fleet",
        shape="aggregate",
    )


# --- farming: a glued unit, and a unit change --------------------------------------------------------------


def _harvest(rng: random.Random, days: list[dt.date]) -> list[Row]:
    return [
        {
            "crate_id": 10_000 + i,
            "farm": f"farm-{i % 6}",
            "picked_on": days[i % len(days)],
            "weight_kg": round(rng.uniform(4, 22), 1),
        }
        for i in range(420)
    ]


_HARVEST_SQL = """
SELECT farm, picked_on, COUNT(*) AS crates, ROUND(SUM(weight_kg), 1) AS harvest_kg
FROM harvest_crates
GROUP BY farm, picked_on
"""


def harvest_weight_glued_unit() -> Incident:
    rng = random.Random(1115)
    rows = _harvest(rng, _days(dt.date(2026, 2, 16), 7))
    written = [
        dict(r, weight_kg=f"{r['weight_kg']}kg" if i % 3 else f"{r['weight_kg']} kg") for i, r in enumerate(rows)
    ]
    expr = "CAST(trim(replace(weight_kg, 'kg', '')) AS DOUBLE)"
    return Incident(
        id="harvest-weight-glued-unit",
        now="2026-02-23T18:00:00Z",
        name="daily_harvest",
        description="Crates and harvested weight per farm and day, for the cooperative's packing plan.",
        sql=_HARVEST_SQL,
        checks=checks("daily_harvest", "- row_count > 0", "- duplicate_count(farm, picked_on) = 0"),
        category="format_drift",
        remediation="code_change",
        root_cause="The new crate scales print the unit after the weight, some glued to the number ('12.5kg') "
        "and some spaced ('12.5 kg'). Same kilograms; strip the unit.",
        before=[Source("harvest_crates", rows)],
        after=[Source("harvest_crates", written)],
        reference=Reference(
            "sql", _adapted(_HARVEST_SQL, "harvest_crates", _replace("harvest_crates", "weight_kg", expr))
        ),
        domain="farming",
        shape="aggregate",
    )


def harvest_weight_now_grams() -> Incident:
    rng = random.Random(1116)
    rows = _harvest(rng, _days(dt.date(2026, 3, 2), 7))
    return Incident(
        id="harvest-weight-now-grams",
        now="2026-03-09T18:00:00Z",
        name="harvest_by_farm",
        description="Crates and harvested weight per farm and day, for the cooperative's payments to growers.",
        sql=_HARVEST_SQL,
        checks=checks("harvest_by_farm", "- row_count > 0", "- duplicate_count(farm, picked_on) = 0"),
        category="format_drift",
        remediation="escalate",
        root_cause="The replacement scales report weight_kg in grams with the unit written ('12500 g'). "
        "Stripping the unit reads every value but a thousand times too heavy: a unit change, not a format; "
        "converting would assume the unit of every scale, so the cooperative must confirm it.",
        before=[Source("harvest_crates", rows)],
        after=[Source("harvest_crates", _written(rows, "weight_kg", lambda w: f"{round(w * 1000)} g"))],
        reference=Reference("escalate"),
        domain="farming",
        shape="aggregate",
    )


BUILDERS = [
    ledger_amount_accounting_negatives,
    storage_net_energy_unicode_minus,
    stock_qty_trailing_minus,
    hotel_revenue_apostrophe_grouping,
    water_invoice_space_grouping,
    airfare_currency_code_prefix,
    lab_concentration_scientific,
    promo_discount_percent_text,
    enrolment_dates_month_names,
    ferry_departures_two_digit_years,
    call_start_utc_offsets,
    streaming_renewal_flag_letters,
    railcar_telemetry_compact_stamps,
    harvest_weight_glued_unit,
    exam_dates_two_digit_years_ambiguous,
    harvest_weight_now_grams,
    ledger_renamed_and_accounting_negatives,
    water_invoices_grouping_and_replay,
    enrolment_month_names_renamed,
    stock_trailing_minus_some_unreadable,
    streaming_flags_and_null_accounts,
    calls_utc_offsets_and_replay,
]
