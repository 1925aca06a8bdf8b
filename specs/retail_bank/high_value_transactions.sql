-- agentic-assets generated code: edit the spec's description, not this file
-- asset: high_value_transactions
-- spec_fingerprint: abede600fdca407f
-- model: builtin
-- prompt_sha256: f74ad8ccc0f0a10cde6e0d261c91cb766ace5261bf9acd83bf494994a888ade5
-- approver: demo-approver
-- frozen_at: 2026-12-03T12:02:02+00:00
-- sql_sha256: cd1b2cebe885a441d6c4a9a687a457467e555b0a6b037ff444be66ab9241888c
-- sandbox: 32 rows; 5/5 checks passed on high_value_transactions
SELECT
    t.transaction_id,
    t.customer_id,
    t.event_time,
    t.amount,
    t.currency,
    m.merchant_name,
    m.merchant_category
FROM transactions AS t
JOIN merchants AS m ON m.merchant_id = t.merchant_id
WHERE t.status = 'settled'
  AND t.amount >= 1000
