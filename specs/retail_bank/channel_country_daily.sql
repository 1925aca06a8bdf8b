-- agentic-assets generated code: edit the spec's description, not this file
-- asset: channel_country_daily
-- spec_fingerprint: eac74f61c9085343
-- model: builtin
-- prompt_sha256: 3169c68d559d9ec62f2bec6885783326d8aca18be7f392ecd855cad1ee9406c6
-- approver: demo-approver
-- frozen_at: 2026-12-03T12:01:48+00:00
-- sql_sha256: b65647de846dc5237ac1ea766bed6c31530ee5a3a7b1847c07821db2580e1eb7
-- sandbox: 1440 rows; 5/5 checks passed on channel_country_daily
SELECT
    CAST(event_time AS DATE) AS day,
    channel,
    country,
    COUNT(*) AS txn_count,
    SUM(amount) AS total_amount
FROM transactions
WHERE status = 'settled'
GROUP BY channel, country, CAST(event_time AS DATE)
