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
WHERE t.status = 'settled' AND t.amount >= 1000
