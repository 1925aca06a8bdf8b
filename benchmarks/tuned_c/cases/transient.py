"""Transient failures: the object store fails a read for a moment; data, schema and transform are as before."""

from __future__ import annotations

from . import worlds as w
from .case import Case, Reference, derive


def claims_weekly_exposure_policy_read() -> Case:
    pol = w.policies(600, seed=1101)
    ids = pol["policy_id"].to_pylist()
    old = w.claims(ids, "2026-04-06", 21, 40, seed=1102)
    new = w.claims(ids, "2026-04-27", 7, 40, seed=1103, first_id=old.num_rows + 1)
    sql = """WITH banded AS (
    SELECT c.claim_id, p.product, p.region, date_trunc('week', c.reported_at) AS week,
           c.claim_amount,
           CASE WHEN c.claim_amount < 500 THEN 'small'
                WHEN c.claim_amount < 2500 THEN 'medium'
                ELSE 'large' END AS size_band
    FROM claims c
    JOIN policies p ON p.policy_id = c.policy_id
    WHERE c.status <> 'rejected'
)
SELECT product, week, size_band, COUNT(*) AS claims, ROUND(SUM(claim_amount), 2) AS claimed
FROM banded
GROUP BY 1, 2, 3
"""
    return Case(
        id="claims-weekly-exposure-policy-read",
        now="2026-05-04T05:30:00Z",
        asset="claims_weekly_exposure",
        description="Claims reported per product, week and size band (small under 500, medium under 2,500, "
        "large above), rejected claims left out, for the weekly reserving meeting.",
        sql=sql,
        checks="""checks for claims_weekly_exposure:
  - row_count > 0
  - missing_count(product) = 0
  - invalid_count(size_band) = 0:
      valid values: [small, medium, large]
  - invalid_count(claimed) = 0:
      valid min: 0
""",
        formats={"claims": "csv", "policies": "csv"},
        before={"claims": old, "policies": pol},
        after={"claims": derive("SELECT * FROM a UNION ALL SELECT * FROM b", a=old, b=new)},
        faults={"read_failures": {"policies": 2}},
        category="transient",
        remediation="retry",
        root_cause="The object store failed the first two reads of the policies file with a connection reset. "
        "The claims feed only gained a week of new claims; schema and transform are unchanged, and the same run "
        "succeeds when it is retried after a backoff.",
        reference=Reference(kind="retry"),
    )


def freight_monthly_spend_carrier_read() -> Case:
    inv = w.invoices("2026-01-05", 80, 30, seed=1111)
    sql = """SELECT c.CARRIER_NM AS carrier, c.MODE AS transport_mode,
       date_trunc('month', i.INV_DT) AS month,
       COUNT(*) AS invoices, ROUND(SUM(i.INV_AMT), 2) AS spend_eur,
       ROUND(SUM(i.INV_AMT) / SUM(i.WEIGHT_KG) * 1000, 2) AS eur_per_tonne
FROM freight_invoices i
JOIN carriers c ON c.CARRIER_CD = i.CARRIER_CD
GROUP BY 1, 2, 3
"""
    return Case(
        id="freight-monthly-spend-carrier-read",
        now="2026-03-26T04:10:00Z",
        asset="carrier_monthly_spend",
        description="Invoiced freight spend per carrier and month, with the cost per tonne moved, for procurement.",
        sql=sql,
        checks="""checks for carrier_monthly_spend:
  - row_count > 0
  - missing_count(carrier) = 0
  - duplicate_count(carrier, month) = 0
  - invalid_count(eur_per_tonne) = 0:
      valid min: 1
      valid max: 2000
""",
        formats={"freight_invoices": "parquet", "carriers": "csv"},
        before={
            "freight_invoices": derive("SELECT * FROM inv WHERE INV_DT < DATE '2026-03-20'", inv=inv),
            "carriers": w.carriers(),
        },
        after={"freight_invoices": inv},
        faults={"read_failures": {"carriers": 1}},
        category="transient",
        remediation="retry",
        root_cause="The first read of the carriers file failed with a transient object-store error. The invoices "
        "only gained new days; nothing else changed, and a retry succeeds.",
        reference=Reference(kind="retry"),
    )
