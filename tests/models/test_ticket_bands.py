"""Bands: labelled ranges of one measure, over per-entity aggregates."""


def test_one_row_per_entity_with_zero_defaults_and_bands(plan, rows, tables):
    p = plan("One row per shop in shops with shop_id, spend (the sum of price of its paid orders) and a tier; "
             "shops without paid orders get 0. The tier goes into tier: 'big' when spend is above 100, "
             "otherwise 'small'.", tables=(tables["shops"], tables["orders"]),
             columns=["shop_id", "spend", "tier"])  # fmt: skip
    assert sorted(rows(p)) == [(1, 12, "small"), (2, 700, "big"), (3, 0, "small")]


def test_band_at_least(plan, rows, tables):
    p = plan("One row per shop in shops with shop_id, spend (the sum of price of its orders) and a tier; "
             "shops without orders get 0. The tier goes into tier: 'big' when spend is at least 12, "
             "otherwise 'small'.", tables=(tables["shops"], tables["orders"]),
             columns=["shop_id", "spend", "tier"])  # fmt: skip
    assert sorted(rows(p)) == [(1, 27, "big"), (2, 700, "big"), (3, 0, "small")]
