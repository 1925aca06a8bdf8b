"""Multi-cause incidents: two things went wrong at once, of two different kinds, and the repair must answer both."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def _grow(a, b):  # noqa: ANN001, ANN202
    return derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=a, b=b)


def line_quarter_hour_temps_binder_error() -> Case:
    machs = w.machines(2, 5)
    old = w.sensor_readings(machs, "2026-11-16T00:00:00", 24, 2, seed=1701)
    new = w.sensor_readings(machs, "2026-11-17T00:00:00", 4, 2, seed=1702)
    # Gateway v3 renamed tmp_c to temp_c and writes ts as epoch milliseconds, for the whole re-exported file.
    after = derive(
        "SELECT mach_id, line_cd, (epoch_ms(ts))::BIGINT AS ts, tmp_c AS temp_c, vib_mm_s, rpm FROM r",
        r=_grow(old, new),
    )
    sql = """SELECT line_cd, time_bucket(INTERVAL '15 minutes', ts) AS qtr_hr,
       COUNT(DISTINCT mach_id) AS n_mach,
       ROUND(AVG(tmp_c), 2) AS avg_tmp_c, ROUND(MAX(tmp_c), 2) AS max_tmp_c,
       ROUND(quantile_cont(vib_mm_s, 0.95), 3) AS p95_vib_mm_s
FROM sensor_rdg
GROUP BY 1, 2
"""
    ref = sql.replace(
        "FROM sensor_rdg\n",
        "FROM (SELECT line_cd, mach_id, make_timestamp(ts * 1000) AS ts, temp_c AS tmp_c, vib_mm_s FROM sensor_rdg)\n",
    )
    return Case(
        id="line-quarter-hour-temps-binder-error",
        now="2026-11-17T04:30:00Z",
        asset="line_qtr_hr_temps",
        description="Per production line and quarter hour: machines reporting, average and peak bearing temperature "
        "and the 95th percentile of vibration, for the line supervisors' screen.",
        sql=sql,
        checks="""checks for line_qtr_hr_temps:
  - row_count > 0
  - duplicate_count(line_cd, qtr_hr) = 0
  - invalid_count(max_tmp_c) = 0:
      valid min: -40
      valid max: 200
""",
        formats={"sensor_rdg": "csv"},
        before={"sensor_rdg": old},
        after={"sensor_rdg": after},
        category=["format_drift", "schema_drift"],
        remediation="code_change",
        root_cause="Two changes in one gateway upgrade: tmp_c was renamed temp_c (same values), and ts now holds "
        "Unix epoch milliseconds instead of a timestamp. The transform must read temp_c as tmp_c and convert the "
        "milliseconds to a timestamp before bucketing.",
        reference=Reference(kind="sql", sql=ref),
    )


def hospitality_sales_conversion_error() -> Case:
    evs = w.events(12, "2026-05-01", seed=1711)
    base = w.ticket_sales(evs["event_id"].to_pylist(), "2026-04-13", 16, 14, seed=1712)
    sales = derive(
        "SELECT ticket_id AS sale_id, event_id, sold_at, "
        "CASE tier WHEN 'standard' THEN 'lounge' WHEN 'premium' THEN 'box' ELSE 'chef_table' END AS package, "
        "round(price * CASE tier WHEN 'standard' THEN 14 WHEN 'premium' THEN 19 ELSE 23 END, 2) AS amount, "
        "channel FROM b",
        b=base,
    )
    old = derive("SELECT * FROM s WHERE sold_at < TIMESTAMP '2026-04-27'", s=sales)
    # The CRM's new export writes amounts with thousands separators; its first run was sent twice.
    newer = derive("SELECT * FROM s WHERE sold_at >= TIMESTAMP '2026-04-27'", s=sales)
    after = derive(
        "SELECT sale_id, event_id, sold_at, package, "
        "CASE WHEN sold_at >= TIMESTAMP '2026-04-27' THEN format('{:,.2f}', amount) ELSE printf('%.2f', amount) "
        "END AS amount, channel FROM (SELECT * FROM o UNION ALL SELECT * FROM n UNION ALL SELECT * FROM n) "
        "ORDER BY sold_at, sale_id",
        o=old,
        n=newer,
    )
    sql = """SELECT s.sale_id, s.event_id, e.event_name, e.event_date, s.package,
       CAST(s.amount AS DOUBLE) AS amount, s.sold_at
FROM hospitality_sales s
JOIN events e ON e.event_id = s.event_id
"""
    ref = """WITH deduped AS (
    SELECT * EXCLUDE (rn)
    FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY sale_id ORDER BY sold_at) AS rn FROM hospitality_sales)
    WHERE rn = 1
)
SELECT s.sale_id, s.event_id, e.event_name, e.event_date, s.package,
       CAST(replace(s.amount, ',', '') AS DOUBLE) AS amount, s.sold_at
FROM deduped s
JOIN events e ON e.event_id = s.event_id
"""
    return Case(
        id="hospitality-sales-conversion-error",
        now="2026-04-29T06:00:00Z",
        asset="hospitality_sales_ledger",
        description="One row per hospitality package sold (lounge, box, chef's table) with its event and amount, "
        "for the commercial team's ledger.",
        sql=sql,
        checks="""checks for hospitality_sales_ledger:
  - row_count > 0
  - duplicate_count(sale_id) = 0
  - invalid_count(amount) = 0:
      valid min: 100
""",
        formats={"hospitality_sales": "parquet", "events": "csv"},
        before={
            "hospitality_sales": derive("SELECT * REPLACE (printf('%.2f', amount) AS amount) FROM o", o=old),
            "events": evs,
        },  # fmt: skip
        after={"hospitality_sales": after},
        category=["data_quality", "format_drift"],
        remediation=["code_change", "dedupe"],
        root_cause="Two causes: the CRM's new export (from 2026-04-27) writes amount with thousands separators "
        "('2,350.40'), which no longer casts to a number; and its first run was delivered twice, so every sale "
        "since 2026-04-27 is in the file twice with the same sale_id. The transform must drop the separators and "
        "keep one row per sale_id.",
        reference=Reference(kind="sql", sql=ref),
    )


def branch_daily_loans_column_missing() -> Case:
    full = w.loans("2026-01-19", 14, 110, seed=1721)
    with_period = derive("SELECT *, date_diff('day', loaned_on, due_on) AS loan_period_days FROM f", f=full)
    last = "2026-02-01"
    before = derive(f"SELECT * FROM f WHERE loaned_on < DATE '{last}'", f=with_period)
    # The new library system export drops loan_period_days; and branch 052's file for the last day is late.
    landed = derive("SELECT * EXCLUDE (loan_period_days) FROM f", f=with_period)
    after = derive(f"SELECT * FROM f WHERE NOT (branch_code = '052' AND loaned_on = DATE '{last}')", f=landed)
    sql = """SELECT loaned_on, COUNT(DISTINCT branch_code) AS branches_reporting, COUNT(*) AS loans,
       ROUND(AVG(loan_period_days), 2) AS avg_period_days,
       COUNT(*) FILTER (WHERE media = 'book') AS book_loans
FROM loans
GROUP BY loaned_on
"""
    ref = sql.replace("AVG(loan_period_days)", "AVG(date_diff('day', loaned_on, due_on))")
    return Case(
        id="branch-daily-loans-column-missing",
        now="2026-02-02T05:00:00Z",
        asset="daily_loans",
        description="Loans per day across the library network with the branches reporting, the average loan "
        "period in days and the book loans, for the service dashboard.",
        sql=sql,
        checks="""checks for daily_loans:
  - row_count > 0
  - duplicate_count(loaned_on) = 0
  - min(branches_reporting) >= 8
  - invalid_count(avg_period_days) = 0:
      valid min: 7
      valid max: 28
""",
        formats={"loans": "csv", "branches": "csv"},
        before={"loans": before, "branches": w.branches()},
        after={"loans": after},
        landed={"loans": landed},
        category=["late_data", "schema_drift"],
        remediation=["code_change", "retry"],
        root_cause="Two causes: the new library system's export no longer carries loan_period_days (due_on and "
        "loaned_on are still there, and their difference is the period); and branch 052's loans of 2026-02-01 have "
        "not landed yet, so only seven of eight branches report that day. The transform must compute the period, "
        "and the run succeeds once branch 052's file lands.",
        reference=Reference(kind="sql", sql=ref, on_landed=True),
    )


def freight_invoice_register_binder_error() -> Case:
    old = w.invoices("2026-09-01", 20, 30, seed=1731)
    new = w.invoices("2026-09-21", 2, 30, seed=1732, first=old.num_rows + 1)
    # The AP system renamed INV_NO to INVOICE_NO; a scanning fault left the amount empty on a few new invoices.
    after = derive(
        "SELECT INV_NO AS INVOICE_NO, * EXCLUDE (INV_NO, INV_AMT), "
        "CASE WHEN INV_DT >= DATE '2026-09-21' AND right(INV_NO, 2) IN ('07', '41', '73') THEN NULL "
        "ELSE INV_AMT END AS INV_AMT FROM a",
        a=_grow(old, new),
    )
    sql = """SELECT i.INV_NO, i.INV_DT, c.CARRIER_NM, i.ORIG_CTRY, i.DEST_CTRY, i.INV_AMT, i.CCY,
       ROUND(i.INV_AMT / i.WEIGHT_KG * 1000, 2) AS EUR_PER_T
FROM freight_invoices i
JOIN carriers c ON c.CARRIER_CD = i.CARRIER_CD
"""
    ref = """SELECT i.INVOICE_NO AS INV_NO, i.INV_DT, c.CARRIER_NM, i.ORIG_CTRY, i.DEST_CTRY, i.INV_AMT, i.CCY,
       ROUND(i.INV_AMT / i.WEIGHT_KG * 1000, 2) AS EUR_PER_T
FROM freight_invoices i
JOIN carriers c ON c.CARRIER_CD = i.CARRIER_CD
WHERE i.INV_AMT IS NOT NULL
"""
    return Case(
        id="freight-invoice-register-binder-error",
        now="2026-09-23T05:00:00Z",
        asset="invoice_register",
        description="One row per freight invoice with its carrier, lane, amount and cost per tonne, for accounts "
        "payable's approval queue.",
        sql=sql,
        checks="""checks for invoice_register:
  - row_count > 0
  - duplicate_count(INV_NO) = 0
  - missing_count(INV_AMT) = 0
  - invalid_count(EUR_PER_T) = 0:
      valid min: 1
""",
        formats={"freight_invoices": "csv", "carriers": "csv"},
        before={"freight_invoices": old, "carriers": w.carriers()},
        after={"freight_invoices": after},
        category=["data_quality", "schema_drift"],
        remediation=["code_change", "dead_letter"],
        root_cause="Two causes: the accounts-payable system renamed INV_NO to INVOICE_NO (same values); and a "
        "scanning fault left INV_AMT empty on a few invoices of 2026-09-21 and 22. The transform must read "
        "INVOICE_NO as INV_NO, and the invoices without an amount go to a dead-letter table (reason: missing "
        "amount) while the rest flow on.",
        reference=Reference(kind="sql", sql=ref),
    )


def zone_daily_use_object_store_reset() -> Case:
    mtrs = w.meters(40, seed=1741)
    ids = mtrs["mtr_id"].to_pylist()
    reads = w.meter_reads(ids, "2026-06-01T00:00:00", 12, seed=1742)
    more = w.meter_reads(ids, "2026-06-13T00:00:00", 1, seed=1743, first=reads.num_rows + 1)
    v1 = """SELECT m.zone_cd, CAST(r.rdg_ts AS DATE) AS rdg_dt, COUNT(DISTINCT r.mtr_id) AS n_mtr,
       ROUND(SUM(r.cons_l) / 1000.0, 3) AS cons_m3
FROM mtr_rdg r
JOIN mtr m ON m.mtr_id = r.mtr_id
GROUP BY 1, 2
"""
    v2 = v1.replace(
        "COUNT(DISTINCT r.mtr_id) AS n_mtr,", "COUNT(DISTINCT r.mtr_id) AS n_mtr,\n       COUNT(*) AS n_rdg,"
    )
    current = v2.replace("SUM(r.cons_l) / 1000.0", "SUM(r.cons_l) / 100.0")
    return Case(
        id="zone-daily-use-object-store-reset",
        now="2026-06-14T02:30:00Z",
        asset="zone_daily_use",
        description="Cubic metres of water used per supply zone and day, with the meters and reads behind them, "
        "for the network balance.",
        sql=current,
        checks="""checks for zone_daily_use:
  - row_count > 0
  - duplicate_count(zone_cd, rdg_dt) = 0
  - invalid_count(cons_m3) = 0:
      valid min: 0
      valid max: 50
""",
        history=[(v1, "2026-01-12T09:00:00Z"), (v2, "2026-05-04T13:00:00Z")],
        deployed="2026-06-13T15:45:00Z",
        formats={"mtr": "csv", "mtr_rdg": "csv"},
        before={"mtr": mtrs, "mtr_rdg": reads},
        after={"mtr_rdg": _grow(reads, more)},
        faults={"read_failures": {"mtr_rdg": 2}},
        category=["config_regression", "transient"],
        remediation=["retry", "rollback"],
        root_cause="Two causes: the object store reset the first two reads of mtr_rdg (transient), and behind it "
        "the deploy of 2026-06-13 15:45 divides litres by 100 instead of 1000, so cubic metres come out ten times "
        "too high. The reads only gained a day; the run needs a retry and the transform a rollback to the version "
        "of 2026-05-04.",
        reference=Reference(kind="rollback"),
    )


def store_daily_covers_sum_varchar() -> Case:
    st = w.stores(seed=1751)
    ids = st["store_id"].to_pylist()
    old = w.orders(ids, "2026-12-01", 10, 24, seed=1752)
    new = w.orders(ids, "2026-12-11", 2, 24, seed=1753, first=old.num_rows + 1)
    # The kiosk app's release of 2026-12-11 prefixes the euro sign and loses the store on some orders.
    after = derive(
        "SELECT order_id, CASE WHEN ordered_at >= TIMESTAMP '2026-12-11' AND order_id % 23 = 0 THEN NULL "
        "ELSE store_id END AS store_id, ordered_at, covers, "
        "CASE WHEN ordered_at >= TIMESTAMP '2026-12-11' THEN printf('€%.2f', order_total) "
        "ELSE printf('%.2f', order_total) END AS order_total, takeaway FROM a",
        a=_grow(old, new),
    )
    sql = """SELECT o.store_id, s.store_name, CAST(o.ordered_at AS DATE) AS order_date,
       COUNT(*) AS orders, SUM(o.covers) AS covers,
       ROUND(SUM(o.order_total) / SUM(o.covers), 2) AS spend_per_cover
FROM orders o
LEFT JOIN stores s ON s.store_id = o.store_id
GROUP BY 1, 2, 3
"""
    ref = """SELECT o.store_id, s.store_name, CAST(o.ordered_at AS DATE) AS order_date,
       COUNT(*) AS orders, SUM(o.covers) AS covers,
       ROUND(SUM(CAST(ltrim(o.order_total, '€') AS DOUBLE)) / SUM(o.covers), 2) AS spend_per_cover
FROM orders o
LEFT JOIN stores s ON s.store_id = o.store_id
WHERE o.store_id IS NOT NULL
GROUP BY 1, 2, 3
"""
    return Case(
        id="store-daily-covers-sum-varchar",
        now="2026-12-13T04:00:00Z",
        asset="store_daily_covers",
        description="Orders, covers and spend per cover per restaurant and day, for the kitchen staffing plan.",
        sql=sql,
        checks="""checks for store_daily_covers:
  - row_count > 0
  - missing_count(store_id) = 0
  - missing_count(store_name) = 0
  - invalid_count(spend_per_cover) = 0:
      valid min: 5
      valid max: 60
""",
        formats={"orders": "parquet", "stores": "csv"},
        before={"orders": old, "stores": st},
        after={"orders": after},
        category=["data_quality", "format_drift"],
        remediation=["code_change", "dead_letter"],
        root_cause="Two causes in the kiosk app's release of 2026-12-11: order_total now carries a leading euro "
        "sign ('€41.80'), and about one order in 23 arrives without a store_id. The transform must strip the sign "
        "before summing; the orders without a store cannot be attributed and go to a dead-letter table (reason: "
        "missing store_id).",
        reference=Reference(kind="sql", sql=ref),
    )


def hourly_entries_hour_varchar() -> Case:
    kiosk = w.visits("2026-08-03", 12, 200, seed=1761, channel="Kiosk")
    web = w.visits("2026-08-03", 12, 140, seed=1762, first=700_000, channel="Web")

    def upto(t, day: str):  # noqa: ANN001, ANN202
        return derive(f"SELECT * FROM t WHERE VisitDate <= DATE '{day}'", t=t)

    # The kiosk vendor's update writes EnteredAt day first with dots ('13.08.2026 10:42'), for the whole file.
    dotted = derive("SELECT * REPLACE (strftime(EnteredAt, '%d.%m.%Y %H:%M:%S') AS EnteredAt) FROM k",
                    k=upto(kiosk, "2026-08-14"))  # fmt: skip
    sql = """WITH entries AS (
    SELECT Channel, EnteredAt, PartySize FROM kiosk_visits
    UNION ALL
    SELECT Channel, EnteredAt, PartySize FROM web_visits
)
SELECT CAST(EnteredAt AS DATE) AS VisitDate, hour(EnteredAt) AS EntryHour,
       SUM(PartySize) FILTER (WHERE Channel = 'Kiosk') AS KioskEntries,
       SUM(PartySize) FILTER (WHERE Channel = 'Web') AS WebEntries
FROM entries
GROUP BY 1, 2
"""
    ref = sql.replace(
        "SELECT Channel, EnteredAt, PartySize FROM kiosk_visits",
        "SELECT Channel, strptime(EnteredAt, '%d.%m.%Y %H:%M:%S') AS EnteredAt, PartySize FROM kiosk_visits",
    )
    return Case(
        id="hourly-entries-hour-varchar",
        now="2026-08-15T06:00:00Z",
        asset="hourly_entries",
        description="Visitors entering per day and hour through the kiosk and web channels, for the front-of-house "
        "rota.",
        sql=sql,
        checks="""checks for hourly_entries:
  - row_count > 0
  - duplicate_count(VisitDate, EntryHour) = 0
  - missing_count(KioskEntries) = 0
  - missing_count(WebEntries) = 0
""",
        formats={"kiosk_visits": "parquet", "web_visits": "csv"},
        before={"kiosk_visits": upto(kiosk, "2026-08-13"), "web_visits": upto(web, "2026-08-13")},
        after={"kiosk_visits": dotted},
        landed={"web_visits": upto(web, "2026-08-14")},
        category=["format_drift", "late_data"],
        remediation=["code_change", "retry"],
        root_cause="Two causes: the kiosk vendor's update writes EnteredAt day first with dots ('13.08.2026 "
        "10:42:05') instead of ISO, for the whole file; and the web feed's visits of 2026-08-14 have not landed. "
        "The transform must parse the new kiosk timestamps, and the run succeeds once the web feed lands.",
        reference=Reference(kind="sql", sql=ref, on_landed=True),
    )


def meter_daily_reads_column_missing() -> Case:
    mtrs = w.meters(50, seed=1771)
    ids = mtrs["mtr_id"].to_pylist()
    reads = w.meter_reads(ids, "2026-03-02T00:00:00", 10, seed=1772)
    more = w.meter_reads(ids, "2026-03-12T00:00:00", 1, seed=1773, first=reads.num_rows + 1)
    # The head-end renamed cons_l to cons_ltr, and re-sent the reads of zone Z03 for 2026-03-12.
    replay = derive("SELECT m.* FROM m JOIN z ON z.mtr_id = m.mtr_id WHERE z.zone_cd = 'Z03'", m=more, z=mtrs)
    after = derive(
        "SELECT rdg_id, mtr_id, rdg_ts, cons_l AS cons_ltr, src FROM (SELECT * FROM a UNION ALL SELECT * FROM b "
        "UNION ALL SELECT * FROM c) ORDER BY rdg_ts, rdg_id",
        a=reads,
        b=more,
        c=replay,
    )
    sql = """SELECT r.mtr_id, m.zone_cd, CAST(r.rdg_ts AS DATE) AS rdg_dt,
       COUNT(*) AS n_rdg, ROUND(SUM(r.cons_l), 1) AS cons_l
FROM mtr_rdg r
JOIN mtr m ON m.mtr_id = r.mtr_id
GROUP BY 1, 2, 3
"""
    ref = """WITH rdg AS (
    SELECT rdg_id, mtr_id, rdg_ts, cons_ltr AS cons_l
    FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY rdg_id ORDER BY rdg_ts) AS rn FROM mtr_rdg)
    WHERE rn = 1
)
SELECT r.mtr_id, m.zone_cd, CAST(r.rdg_ts AS DATE) AS rdg_dt,
       COUNT(*) AS n_rdg, ROUND(SUM(r.cons_l), 1) AS cons_l
FROM rdg r
JOIN mtr m ON m.mtr_id = r.mtr_id
GROUP BY 1, 2, 3
"""
    return Case(
        id="meter-daily-reads-column-missing",
        now="2026-03-13T03:00:00Z",
        asset="mtr_daily_rdg",
        description="Reads and litres per water meter and day, with the meter's zone; meters read every six hours, "
        "so a day has at most four reads.",
        sql=sql,
        checks="""checks for mtr_daily_rdg:
  - row_count > 0
  - duplicate_count(mtr_id, rdg_dt) = 0
  - max(n_rdg) <= 4
""",
        formats={"mtr": "csv", "mtr_rdg": "csv"},
        before={"mtr": mtrs, "mtr_rdg": reads},
        after={"mtr_rdg": after},
        category=["data_quality", "schema_drift"],
        remediation=["code_change", "dedupe"],
        root_cause="Two causes: the meter head-end renamed cons_l to cons_ltr (same litres), and it re-sent zone "
        "Z03's reads of 2026-03-12, so those are in the file twice with the same rdg_id. The transform must read "
        "cons_ltr and keep one row per rdg_id.",
        reference=Reference(kind="sql", sql=ref),
    )
