"""Format drift: the same values in a new representation (date order, decimal comma, currency text,
epoch numbers, names instead of codes), and representation changes no repair can undo without guessing."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

from generator import domains as d
from generator.common import checks, drop, window
from generator.core import Incident, Reference, Source


def shipment_dates_day_first() -> Incident:
    now = "2026-02-24T05:00:00Z"
    rng = random.Random(201)
    sh = d.shipments(rng, 900, dt.datetime(2026, 2, 9), dt.datetime(2026, 2, 23, 23, 0), first_id=120_000)
    feed = [dict(drop([r], "shipped_at")[0], ship_date=r["shipped_at"].date().isoformat()) for r in sh]
    hubs = {"MXP", "BCN"}
    after = [
        dict(r, ship_date=dt.date.fromisoformat(r["ship_date"]).strftime("%d/%m/%Y")) if r["origin"] in hubs else r
        for r in feed
    ]
    sql = """
SELECT CAST(ship_date AS DATE) AS ship_day, origin,
       COUNT(*) AS shipments,
       ROUND(SUM(cost_eur), 2) AS cost_eur
FROM shipment_feed
GROUP BY 1, 2
"""
    ref = sql.replace(
        "CAST(ship_date AS DATE) AS ship_day",
        "CASE WHEN ship_date LIKE '__/__/____' THEN CAST(strptime(ship_date, '%d/%m/%Y') AS DATE)\n"
        "            ELSE CAST(ship_date AS DATE) END AS ship_day",
    )
    return Incident(
        id="shipment-dates-day-first",
        now=now,
        name="daily_outbound_by_hub",
        description="Shipments and freight cost per ship day and origin hub over the last two weeks, from the "
        "forwarders' shipment feed, for hub capacity planning.",
        sql=sql,
        checks=checks(
            "daily_outbound_by_hub",
            "- row_count > 0",
            "- missing_count(ship_day) = 0",
            "- duplicate_count(ship_day, origin) = 0",
        ),
        category="format_drift",
        remediation="code_change",
        root_cause="The forwarder serving the MXP and BCN hubs switched ship_date from YYYY-MM-DD to "
        "DD/MM/YYYY (values such as 23/02/2026 show the day first). The transform must parse both.",
        before=[Source("shipment_feed", feed, "parquet")],
        after=[Source("shipment_feed", after, "parquet")],
        reference=Reference("sql", ref),
        domain="logistics",
        shape="aggregate",
        wrong_repairs=[
            (
                "month first",
                sql.replace(
                    "CAST(ship_date AS DATE) AS ship_day",
                    "COALESCE(TRY_CAST(ship_date AS DATE),\n"
                    "         CAST(TRY_STRPTIME(ship_date, '%m/%d/%Y') AS DATE)) AS ship_day",
                ),
            ),
            (
                "unparsed rows dropped",
                sql.replace("GROUP BY", "WHERE TRY_CAST(ship_date AS DATE) IS NOT NULL\nGROUP BY"),
            ),
        ],
    )


def meter_decimal_comma() -> Incident:
    now = "2026-01-22T03:00:00Z"
    rng = random.Random(202)
    mtrs = d.meters(rng, 70)
    days = [dt.date(2026, 1, 8) + dt.timedelta(days=i) for i in range(14)]
    rd = d.daily_readings(rng, mtrs, days)
    after = [dict(r, kwh=f"{r['kwh']:.3f}".replace(".", ",")) for r in rd]
    sql = """
SELECT r.reading_date, m.tariff,
       ROUND(SUM(r.kwh), 3) AS kwh_total,
       ROUND(MAX(r.kwh), 3) AS kwh_max
FROM readings r
JOIN meters m ON m.meter_id = r.meter_id
GROUP BY 1, 2
"""
    ref = "WITH r AS (SELECT * REPLACE (CAST(REPLACE(kwh, ',', '.') AS DOUBLE) AS kwh) FROM readings)\n" + sql.replace(
        "FROM readings r", "FROM r"
    )
    return Incident(
        id="meter-decimal-comma",
        now=now,
        name="daily_consumption_by_tariff",
        description="Daily consumption per tariff from the meter reads: total and largest single meter's kWh, "
        "for the energy supplier's purchasing desk.",
        sql=sql,
        checks=checks(
            "daily_consumption_by_tariff",
            "- row_count > 0",
            "- duplicate_count(reading_date, tariff) = 0",
            "- invalid_count(kwh_total) = 0:",
            "    valid min: 0",
        ),
        category="format_drift",
        remediation="code_change",
        root_cause="The meter-data provider now writes kwh with a decimal comma ('12,345'), so the column reads "
        "as text. Values are the same kWh; the transform must parse the comma as the decimal separator.",
        before=[Source("readings", rd), Source("meters", mtrs)],
        after=[Source("readings", after)],
        reference=Reference("sql", ref),
        domain="energy",
        shape="join, aggregate",
        wrong_repairs=[
            (
                "comma dropped",
                "WITH r AS (SELECT * REPLACE (CAST(REPLACE(kwh, ',', '') AS DOUBLE) AS kwh) FROM readings)\n"
                + sql.replace("FROM readings r", "FROM r"),
            )
        ],
    )


def order_total_currency_text() -> Incident:
    now = "2026-03-08T02:00:00Z"
    rng = random.Random(203)
    ords = d.orders(rng, 900, *window(now, 7), first_id=940_000)
    after = [dict(r, total_eur=f"€{r['total_eur']:,.2f}") for r in ords]
    sql = """
SELECT CAST(ordered_at AS DATE) AS order_day, channel,
       COUNT(*) AS orders,
       ROUND(SUM(total_eur), 2) AS revenue_eur,
       ROUND(AVG(total_eur), 2) AS avg_basket_eur
FROM orders
WHERE status = 'paid'
GROUP BY 1, 2
"""
    ref = (
        "WITH o AS (SELECT * REPLACE (CAST(REPLACE(REPLACE(total_eur, '€', ''), ',', '') AS DOUBLE) AS total_eur)\n"
        "           FROM orders)\n" + sql.replace("FROM orders", "FROM o")
    )
    return Incident(
        id="order-total-currency-text",
        now=now,
        name="daily_revenue_by_channel",
        description="Paid orders, revenue and average basket per day and sales channel over the last week, for "
        "the trading team's morning report.",
        sql=sql,
        checks=checks(
            "daily_revenue_by_channel",
            "- row_count > 0",
            "- duplicate_count(order_day, channel) = 0",
            "- avg(avg_basket_eur) between 20 and 400",
        ),
        category="format_drift",
        remediation="code_change",
        root_cause="The shop's order export now formats total_eur as display text ('€1,234.50': euro sign, comma "
        "thousands separator). Amounts are unchanged; the transform must strip the symbol and separators.",
        before=[Source("orders", ords, "parquet")],
        after=[Source("orders", after, "parquet")],
        reference=Reference("sql", ref),
        domain="e-commerce",
        shape="filter, aggregate",
    )


def sensor_epoch_seconds() -> Incident:
    now = "2026-02-14T12:30:00Z"
    rng = random.Random(204)
    devs = d.devices(rng, 25)
    rd = d.sensor_readings(rng, devs, dt.datetime(2026, 2, 14, 0, 0), 12 * 60, 15)
    epoch = dt.datetime(1970, 1, 1)
    after = [dict(r, measured_at=int((r["measured_at"] - epoch).total_seconds())) for r in rd]
    sql = """
SELECT s.device_id, d.site, date_trunc('hour', s.measured_at) AS hour,
       ROUND(AVG(s.temperature_c), 2) AS avg_temp_c,
       ROUND(MAX(s.humidity_pct), 1) AS max_humidity_pct
FROM sensor_readings s
JOIN devices d USING (device_id)
GROUP BY 1, 2, 3
"""
    ref = (
        "WITH s AS (SELECT * REPLACE (make_timestamp(measured_at * 1000000) AS measured_at) FROM sensor_readings)\n"
        + sql.replace("FROM sensor_readings s", "FROM s")
    )
    return Incident(
        id="sensor-epoch-seconds",
        now=now,
        name="hourly_climate",
        description="Hourly average temperature and peak humidity per sensor, with its site, for the cold-chain "
        "and facilities dashboards.",
        sql=sql,
        checks=checks(
            "hourly_climate",
            "- row_count > 0",
            "- duplicate_count(device_id, hour) = 0",
            "- freshness(hour) < 1d",
        ),
        category="format_drift",
        remediation="code_change",
        root_cause="The gateway firmware update sends measured_at as Unix epoch seconds instead of a timestamp. "
        "The moments are the same; the transform must convert the epoch seconds to a UTC timestamp.",
        before=[Source("sensor_readings", rd), Source("devices", devs)],
        after=[Source("sensor_readings", after)],
        reference=Reference("sql", ref),
        domain="iot",
        shape="join, aggregate",
        wrong_repairs=[
            (
                "epoch read as milliseconds",
                "WITH s AS (SELECT * REPLACE (epoch_ms(measured_at) AS measured_at) FROM sensor_readings)\n"
                + sql.replace("FROM sensor_readings s", "FROM s"),
            )
        ],
    )


def loan_disbursed_epoch_ms() -> Incident:
    now = "2026-03-01T04:00:00Z"
    rng = random.Random(205)
    bors = d.borrowers(rng, 200)
    lns = d.loans(rng, bors, 800, dt.datetime(2025, 9, 1), dt.datetime(2026, 2, 28, 22, 0), first_id=90_000)
    epoch = dt.datetime(1970, 1, 1)
    after = [dict(r, disbursed_at=int((r["disbursed_at"] - epoch).total_seconds() * 1000)) for r in lns]
    sql = """
SELECT date_trunc('month', disbursed_at) AS month, product,
       COUNT(*) AS loans,
       ROUND(SUM(principal), 2) AS principal_total
FROM loans
GROUP BY 1, 2
"""
    ref = "WITH l AS (SELECT * REPLACE (epoch_ms(disbursed_at) AS disbursed_at) FROM loans)\n" + sql.replace(
        "FROM loans", "FROM l"
    )
    return Incident(
        id="loan-disbursed-epoch-ms",
        now=now,
        name="monthly_originations",
        description="Loans originated per month and product: number and total principal, for the lending "
        "volume report.",
        sql=sql,
        checks=checks(
            "monthly_originations",
            "- row_count > 0",
            "- duplicate_count(month, product) = 0",
            "- missing_count(month) = 0",
        ),
        category="format_drift",
        remediation="code_change",
        root_cause="The loan system's export now writes disbursed_at as epoch milliseconds (e.g. 1767225600000) "
        "instead of a timestamp; the transform must convert them.",
        before=[Source("loans", lns, "parquet")],
        after=[Source("loans", after, "parquet")],
        reference=Reference("sql", ref),
        domain="lending",
        shape="aggregate",
        wrong_repairs=[
            (
                "epoch read as seconds",
                "WITH l AS (SELECT * REPLACE (to_timestamp(disbursed_at)::TIMESTAMP AS disbursed_at) FROM loans)\n"
                + sql.replace("FROM loans", "FROM l"),
            )
        ],
    )


def dept_codes_to_names() -> Incident:
    now = "2026-03-03T06:00:00Z"
    rng = random.Random(206)
    emps = d.employees(rng, 180, first_id=20_000)
    names = {c: n for c, n, _ in d.DEPARTMENTS}
    after = [dict(e, dept_code=names[e["dept_code"]]) for e in emps]
    sql = """
SELECT d.cost_center, d.dept_name,
       COUNT(*) AS employees,
       ROUND(AVG(e.grade), 2) AS avg_grade
FROM employees e
JOIN departments d ON d.dept_code = e.dept_code
GROUP BY 1, 2
"""
    ref = sql.replace("d.dept_code = e.dept_code", "d.dept_name = e.dept_code")
    return Incident(
        id="dept-codes-to-names",
        now=now,
        name="headcount_by_cost_centre",
        description="Headcount and average grade per cost centre, with the department name, for the HR "
        "business partners.",
        sql=sql,
        checks=checks(
            "headcount_by_cost_centre",
            "- row_count >= 6",
            "- duplicate_count(cost_center) = 0",
            "- sum(employees) > 100",
        ),
        category="format_drift",
        remediation="code_change",
        root_cause="The HR system's employee export now fills dept_code with the department's name ('Finance' "
        "instead of 'FIN'). Each name is a departments.dept_name, so the join must match on the name.",
        before=[Source("employees", emps), Source("departments", d.departments())],
        after=[Source("employees", after)],
        reference=Reference("sql", ref),
        domain="hr payroll",
        shape="join, aggregate",
    )


def claim_status_names() -> Incident:
    now = "2026-03-05T07:00:00Z"
    rng = random.Random(207)
    pols = d.policies(rng, 300, first_id=610_000)
    cl = d.claims(rng, pols, 700, *window(now, 28), first_id=50_000)
    names = {"O": "open", "C": "closed", "R": "rejected"}
    after = [dict(r, status=names[r["status"]]) for r in cl]
    sql = """
SELECT date_trunc('week', reported_at) AS week, cause,
       COUNT(*) AS closed_claims,
       ROUND(SUM(claim_amount), 2) AS paid_amount
FROM claims
WHERE status = 'C'
GROUP BY 1, 2
"""
    return Incident(
        id="claim-status-names",
        now=now,
        name="weekly_closed_claims",
        description="Closed claims per week and cause with the amount paid, for the reserving actuaries.",
        sql=sql,
        checks=checks(
            "weekly_closed_claims",
            "- row_count > 0",
            "- duplicate_count(week, cause) = 0",
            "- missing_count(cause) = 0",
        ),
        category="format_drift",
        remediation="code_change",
        root_cause="The claims export now writes status as words (open, closed, rejected) instead of the "
        "one-letter codes O, C and R; the filter on 'C' matches nothing. It must match 'closed'.",
        before=[Source("claims", cl)],
        after=[Source("claims", after)],
        reference=Reference("sql", sql.replace("WHERE status = 'C'", "WHERE status = 'closed'")),
        domain="insurance",
        shape="filter, aggregate",
    )


def roaming_country_names() -> Incident:
    now = "2026-03-09T04:00:00Z"
    rng = random.Random(208)
    subs = d.subscribers(rng, 200)
    usage = d.usage_records(rng, subs, 1600, *window(now, 7))
    rates = [
        {"country_code": c, "country_name": d.COUNTRY_NAMES[c], "eur_per_mb": r}
        for c, r in [("DE", 0.0), ("BE", 0.0), ("FR", 0.0), ("ES", 0.0), ("US", 0.12)]
    ]
    after = [dict(r, country_code=d.COUNTRY_NAMES[r["country_code"]]) for r in usage]
    sql = """
SELECT s.country_code,
       COUNT(*) AS connections,
       ROUND(SUM(s.megabytes), 2) AS megabytes,
       ROUND(SUM(s.megabytes * r.eur_per_mb), 2) AS roaming_charge_eur
FROM usage_records s
JOIN roaming_rates r ON r.country_code = s.country_code
GROUP BY 1
"""
    ref = """
SELECT r.country_code,
       COUNT(*) AS connections,
       ROUND(SUM(s.megabytes), 2) AS megabytes,
       ROUND(SUM(s.megabytes * r.eur_per_mb), 2) AS roaming_charge_eur
FROM usage_records s
JOIN roaming_rates r ON r.country_name = s.country_code
GROUP BY 1
"""
    return Incident(
        id="roaming-country-names",
        now=now,
        name="roaming_usage",
        description="Roaming data usage per visited country over the last week: connections, megabytes and the "
        "roaming charge from the rate card, keyed by ISO country code, for wholesale settlement.",
        sql=sql,
        checks=checks(
            "roaming_usage",
            "- row_count > 0",
            "- duplicate_count(country_code) = 0",
            "- invalid_count(country_code) = 0:",
            "    valid values: [DE, BE, FR, ES, US]",
        ),
        category="format_drift",
        remediation="code_change",
        root_cause="The network's usage export now writes the visited country's name ('Germany') in "
        "country_code instead of its ISO code. The rate card has both; the join must match on the name and "
        "the output keep the ISO code.",
        before=[Source("usage_records", usage), Source("roaming_rates", rates)],
        after=[Source("usage_records", after)],
        reference=Reference("sql", ref),
        domain="telecom",
        shape="join, aggregate",
    )


def repayments_eu_number_format() -> Incident:
    now = "2026-03-02T05:00:00Z"
    rng = random.Random(209)
    rows = []
    start = dt.datetime(2026, 2, 1)
    for i in range(700):
        rows.append(
            {
                "repayment_id": 400_000 + i,
                "loan_id": f"LN{rng.randrange(20_000, 20_700):07d}",
                "paid_at": start + dt.timedelta(minutes=rng.randrange(0, 28 * 24 * 60)),
                "amount": d.lognormal(rng, 40, 9000),
                "channel": rng.choice(["direct_debit", "transfer", "card"]),
            }
        )
    rows.sort(key=lambda r: r["paid_at"])
    after = [dict(r, amount=f"{r['amount']:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")) for r in rows]
    sql = """
SELECT channel,
       COUNT(*) AS repayments,
       ROUND(SUM(amount), 2) AS amount_total,
       ROUND(MAX(amount), 2) AS largest
FROM repayments
GROUP BY channel
"""
    ref = (
        "WITH r AS (SELECT * REPLACE (CAST(REPLACE(REPLACE(amount, '.', ''), ',', '.') AS DOUBLE) AS amount)\n"
        "           FROM repayments)\n" + sql.replace("FROM repayments", "FROM r")
    )
    return Incident(
        id="repayments-eu-number-format",
        now=now,
        name="repayments_by_channel",
        description="Loan repayments received this month per payment channel: count, total and largest "
        "payment, for treasury's cash forecast.",
        sql=sql,
        checks=checks(
            "repayments_by_channel",
            "- row_count > 0",
            "- duplicate_count(channel) = 0",
            "- invalid_count(amount_total) = 0:",
            "    valid min: 0",
        ),
        category="format_drift",
        remediation="code_change",
        root_cause="The payment processor's export now formats amount the continental way ('1.234,56': dot "
        "thousands separator, decimal comma). Amounts are the same; the transform must parse that format.",
        before=[Source("repayments", rows, "parquet")],
        after=[Source("repayments", after, "parquet")],
        reference=Reference("sql", ref),
        domain="lending",
        shape="aggregate",
        wrong_repairs=[
            (
                "separators swapped the wrong way",
                "WITH r AS (SELECT * REPLACE (CAST(REPLACE(amount, ',', '') AS DOUBLE) AS amount) FROM repayments)\n"
                + sql.replace("FROM repayments", "FROM r"),
            )
        ],
    )


# --- escalations ---------------------------------------------------------------------------------


def meter_unit_wh() -> Incident:
    now = "2026-02-10T03:00:00Z"
    rng = random.Random(210)
    mtrs = [m for m in d.meters(rng, 120) if m["tariff"] == "residential"]
    days = [dt.date(2026, 1, 27) + dt.timedelta(days=i) for i in range(14)]
    rd = d.daily_readings(rng, mtrs, days)
    cut = dt.date(2026, 2, 3)
    after = [dict(r, kwh=round(r["kwh"] * 1000, 0)) if r["reading_date"] >= cut else r for r in rd]
    sql = """
SELECT reading_date,
       COUNT(*) AS households,
       ROUND(AVG(kwh), 3) AS avg_kwh,
       ROUND(MAX(kwh), 3) AS max_kwh
FROM readings
GROUP BY reading_date
"""
    return Incident(
        id="meter-unit-wh",
        now=now,
        name="household_daily_usage",
        description="Average and largest daily household consumption in kWh, per day, for the regulator's "
        "household energy statistics.",
        sql=sql,
        checks=checks(
            "household_daily_usage",
            "- row_count > 0",
            "- duplicate_count(reading_date) = 0",
            "- invalid_count(max_kwh) = 0:",
            "    valid max: 100",
        ),
        category="format_drift",
        remediation="escalate",
        root_cause="From 2026-02-03 the meter-data provider delivers the kwh column in watt-hours (values a "
        "thousand times larger) without renaming it or saying so. Dividing by 1000 would guess the unit and "
        "the cut-over day; the provider must confirm the unit change before any conversion.",
        before=[Source("readings", rd)],
        after=[Source("readings", after)],
        reference=Reference("escalate"),
        domain="energy",
        shape="aggregate",
    )


def marketplace_currency_usd() -> Incident:
    now = "2026-03-07T05:00:00Z"
    rng = random.Random(211)
    ords = d.orders(rng, 700, *window(now, 7), first_id=970_000)
    before = [dict(drop([r], "total_eur")[0], amount=r["total_eur"], currency="EUR") for r in ords]
    cut = window(now, 2)[0]
    after = [
        dict(r, currency="USD", amount=round(r["amount"] * 1.08, 2))
        if r["channel"] == "marketplace" or (r["ordered_at"] >= cut and r["country"] == "AT")
        else r
        for r in before
    ]
    sql = """
SELECT order_id, customer_id, ordered_at, country, amount, currency
FROM orders
WHERE status = 'paid'
"""
    return Incident(
        id="marketplace-currency-usd",
        now=now,
        name="paid_orders_eur",
        description="Every paid order with its amount in euro, for the finance ledger (which books in euro only).",
        sql=sql,
        checks=checks(
            "paid_orders_eur",
            "- row_count > 0",
            "- duplicate_count(order_id) = 0",
            "- invalid_count(currency) = 0:",
            "    valid values: [EUR]",
        ),
        category="format_drift",
        remediation="escalate",
        root_cause="Marketplace orders, and since two days Austrian orders, now arrive priced in US dollars. "
        "No exchange rate is among the sources; converting would guess a rate and a rate date, and dropping "
        "the orders would lose revenue. Finance must provide the rate source.",
        before=[Source("orders", before)],
        after=[Source("orders", after)],
        reference=Reference("escalate"),
        domain="e-commerce",
        shape="projection, filter",
    )


def repayment_sign_flipped() -> Incident:
    now = "2026-03-04T06:00:00Z"
    rng = random.Random(212)
    rows = []
    start = dt.datetime(2026, 2, 25)
    for i in range(600):
        rows.append(
            {
                "entry_id": 900_000 + i,
                "loan_id": f"LN{rng.randrange(30_000, 30_400):07d}",
                "booked_at": start + dt.timedelta(minutes=rng.randrange(0, 7 * 24 * 60)),
                "amount": d.lognormal(rng, 50, 5000),
                "entry_type": rng.choice(["repayment", "repayment", "repayment", "fee", "interest"]),
            }
        )
    rows.sort(key=lambda r: r["booked_at"])
    cut = dt.datetime(2026, 3, 2)
    after = [dict(r, amount=-r["amount"]) if r["booked_at"] >= cut else r for r in rows]
    sql = """
SELECT loan_id,
       COUNT(*) AS entries,
       ROUND(SUM(CASE WHEN entry_type = 'repayment' THEN amount ELSE 0 END), 2) AS repaid,
       ROUND(SUM(CASE WHEN entry_type <> 'repayment' THEN amount ELSE 0 END), 2) AS charged
FROM loan_ledger
GROUP BY loan_id
"""
    return Incident(
        id="repayment-sign-flipped",
        now=now,
        name="loan_ledger_week",
        description="Per loan over the last week: ledger entries, total repaid and total charged (fees and "
        "interest), both as positive amounts, for collections.",
        sql=sql,
        checks=checks(
            "loan_ledger_week",
            "- row_count > 0",
            "- duplicate_count(loan_id) = 0",
            "- invalid_count(repaid) = 0:",
            "    valid min: 0",
            "- invalid_count(charged) = 0:",
            "    valid min: 0",
        ),
        category="format_drift",
        remediation="escalate",
        root_cause="Since 2026-03-02 the core-banking ledger books every amount with an accounting sign "
        "(negative for both repayments and charges) instead of positive amounts. Whether a negative "
        "amount is a reversal or the new convention cannot be told from the data; taking absolute values "
        "would guess. The ledger team must confirm the convention.",
        before=[Source("loan_ledger", rows)],
        after=[Source("loan_ledger", after)],
        reference=Reference("escalate"),
        domain="lending",
        shape="aggregate, CASE",
    )


def sensor_fahrenheit() -> Incident:
    now = "2026-02-18T10:00:00Z"
    rng = random.Random(213)
    devs = d.devices(rng, 30)
    rd = d.sensor_readings(rng, devs, dt.datetime(2026, 2, 17, 10, 0), 24 * 60, 20)
    fw = {dv["device_id"] for dv in devs if dv["model"] == "TH-20"}
    cut = dt.datetime(2026, 2, 18, 0, 0)
    after = [
        dict(r, temperature_c=round(r["temperature_c"] * 9 / 5 + 32, 2))
        if r["device_id"] in fw and r["measured_at"] >= cut
        else r
        for r in rd
    ]
    sql = """
SELECT d.site, date_trunc('hour', s.measured_at) AS hour,
       ROUND(MAX(s.temperature_c), 2) AS max_temp_c,
       COUNT(*) AS readings
FROM sensor_readings s
JOIN devices d USING (device_id)
WHERE d.site LIKE 'warehouse%'
GROUP BY 1, 2
"""
    return Incident(
        id="sensor-fahrenheit",
        now=now,
        name="cold_store_hourly_max",
        description="Hourly maximum temperature per cold-store warehouse in degrees Celsius, for the "
        "cold-chain compliance log.",
        sql=sql,
        checks=checks(
            "cold_store_hourly_max",
            "- row_count > 0",
            "- duplicate_count(site, hour) = 0",
            "- invalid_count(max_temp_c) = 0:",
            "    valid max: 12",
        ),
        category="format_drift",
        remediation="escalate",
        root_cause="A firmware update on the TH-20 sensors switched their temperature_c readings to degrees "
        "Fahrenheit from midnight without renaming the column. The compliance log must not be converted on "
        "a guess (which devices, since when); the device team must confirm.",
        before=[Source("sensor_readings", rd), Source("devices", devs)],
        after=[Source("sensor_readings", after)],
        reference=Reference("escalate"),
        domain="iot",
        shape="join, filter, aggregate",
    )


BUILDERS = [
    shipment_dates_day_first,
    meter_decimal_comma,
    order_total_currency_text,
    sensor_epoch_seconds,
    loan_disbursed_epoch_ms,
    dept_codes_to_names,
    claim_status_names,
    roaming_country_names,
    repayments_eu_number_format,
    meter_unit_wh,
    marketplace_currency_usd,
    repayment_sign_flipped,
    sensor_fahrenheit,
]

_ = pa  # Parquet types are inferred here; pyarrow is kept for explicit overrides
