SELECT
    customer_id,
    CAST(date_trunc('month', event_time) AS DATE) AS month,
    SUM(amount) AS total_amount,
    COUNT(*) AS txn_count
FROM transactions
WHERE status = 'settled'
GROUP BY customer_id, CAST(date_trunc('month', event_time) AS DATE)
