"""A checked output column read through a CTE traces to its source column in the source's own spelling."""

from __future__ import annotations

from agentic_assets.repair.planner.signals import traced_source_columns

SQL = """
WITH daily AS (SELECT SITE_ID, SUM(READING_KG) AS day_sum FROM loads GROUP BY 1)
SELECT SITE_ID, ROUND(day_sum, 2) AS TOTAL_KG FROM daily
"""


def test_upper_case_source_column_through_a_cte() -> None:
    schemas = {"loads": {"SITE_ID": "VARCHAR", "READING_KG": "DOUBLE"}}
    assert traced_source_columns(SQL, "TOTAL_KG", schemas) == [("loads", "READING_KG")]


def test_camel_case_source_column_through_a_cte() -> None:
    sql = SQL.replace("READING_KG", "readingKg")
    schemas = {"loads": {"SITE_ID": "VARCHAR", "readingKg": "DOUBLE"}}
    assert traced_source_columns(sql, "TOTAL_KG", schemas) == [("loads", "readingKg")]
