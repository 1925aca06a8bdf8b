-- agentic-assets generated code: edit the spec's description, not this file
-- asset: monthly_customer_totals
-- spec_fingerprint: 0696f0e16787ef39
-- model: builtin
-- prompt_sha256: f22bf36008aacfd3e38020fd77fa5e555051f8909b83acc3c0e114614bccb28e
-- approver: demo-approver
-- frozen_at: 2026-12-03T12:02:35+00:00
-- sql_sha256: 6025970a53c62be09091d87346709347360713bbc37228347ef2f780d99f717e
-- sandbox: 4705 rows; 5/5 checks passed on monthly_customer_totals
SELECT
    CAST(date_trunc('month', event_time) AS DATE) AS month,
    customer_id,
    SUM(amount) AS total_amount,
    COUNT(*) AS txn_count
FROM transactions
WHERE status = 'settled'
GROUP BY customer_id, CAST(date_trunc('month', event_time) AS DATE)
