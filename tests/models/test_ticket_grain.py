"""Time grains read from a ticket: dates, ISO weeks, 'YYYY-MM' and quarter labels, integer years."""

import datetime as dt

import pytest


@pytest.mark.parametrize(
    ("description", "column", "expected"),
    [
        ("Orders per month. The month is a 'YYYY-MM' label of placed_at in month_label.", "month_label",
         "strftime(placed_at, '%Y-%m')"),
        ("Orders per ISO week. Label the week as YYYY-Www in week_label, from placed_at.", "week_label",
         "strftime(placed_at, '%G-W%V')"),
        ("Orders per quarter. The quarter is labelled like 2026-Q1 in quarter_label.", "quarter_label",
         "strftime(placed_at, '%Y') || '-Q' || CAST(quarter(placed_at) AS VARCHAR)"),
        ("Orders per year. The year of placed_at is an integer column year.", "year", "year(placed_at)"),
        ("Orders per week. A week starts on Monday; report the date of that Monday as week_start.", "week_start",
         "CAST(date_trunc('week', placed_at) AS DATE)"),
    ],
)  # fmt: skip
def test_grain_forms(plan, rows, description, column, expected):
    p = plan(description + " Count the rows as order_count.", columns=[column, "order_count"])
    hand = f"SELECT {expected} AS g, COUNT(*) FROM orders GROUP BY 1"
    assert sorted(rows(p)) == sorted(rows(hand))
    assert "dayofweek" not in p.sql  # 'starting on Monday' describes the week, it is not a filter


def test_calendar_day(plan, rows):
    p = plan("Daily order totals. The day is the calendar date of placed_at, column day. Sum price as total_price.",
             columns=["day", "total_price"])  # fmt: skip
    assert sorted(rows(p))[0] == (dt.date(2026, 1, 3), 22)


def test_a_grain_from_the_words_that_define_a_plain_name(plan, rows):
    p = plan("Orders per period. The month of placed_at formatted as 'YYYY-MM' text in period. Count the rows "
             "as order_count.", columns=["period", "order_count"])  # fmt: skip
    assert sorted(rows(p)) == [("2026-01", 3), ("2026-02", 3)]


def test_weeks_starting_on_sunday_start_on_that_sunday(plan, rows):
    p = plan("Weekly orders. The week starts on Sunday and is shown as the date of that Sunday in "
             "week_start. Count the rows as order_count.", columns=["week_start", "order_count"])  # fmt: skip
    # 2026-01-03 is a Saturday (week of Sunday 2025-12-28); 01-04 a Sunday; 02-01 and 02-08 Sundays
    assert sorted(rows(p)) == [
        (dt.date(2025, 12, 28), 2), (dt.date(2026, 1, 4), 1), (dt.date(2026, 2, 1), 2), (dt.date(2026, 2, 8), 1)
    ]  # fmt: skip
    assert "dayofweek" not in p.sql  # the day a week starts on is no filter


def test_a_sunday_week_has_no_iso_label(refusal):
    reason = refusal("Weekly orders. The week starts on Sunday, labelled as YYYY-Www text in week_label. Count "
                     "the rows as order_count.", columns=["week_label", "order_count"])  # fmt: skip
    assert "sunday" in reason


@pytest.mark.parametrize(
    "description",
    [
        "Orders per calendar month and state. Count the rows as order_count; month is the first day of the "
        "month of placed_at.",
        "Monthly order counts by state. Count the rows as order_count, by month of placed_at (the first day "
        "of the month, column month).",
        "Month-level counts per state. Count the rows as order_count; the month column holds the first day of "
        "the month of placed_at.",
    ],
)
def test_the_ways_of_saying_month(plan, rows, description):
    p = plan(description, columns=["month", "state", "order_count"])
    hand = "SELECT CAST(date_trunc('month', placed_at) AS DATE), state, COUNT(*) FROM orders GROUP BY 1, 2"
    assert sorted(rows(p)) == sorted(rows(hand))


def test_rolled_up_to_the_quarter_in_a_plain_name(plan, rows):
    p = plan("Totals per state, rolled up to the quarter of placed_at in period. Sum price as total_price.",
             columns=["period", "state", "total_price"])  # fmt: skip
    hand = "SELECT CAST(date_trunc('quarter', placed_at) AS DATE), state, SUM(price) FROM orders GROUP BY 1, 2"
    assert sorted(rows(p)) == sorted(rows(hand))


@pytest.mark.parametrize(
    ("description", "columns", "word"),
    [
        # a stated grain no output column holds: totals over all time would be a wrong table
        ("Monthly totals per state. Sum price as total_price.", ["state", "total_price"], "Monthly"),
        ("Totals per state, rolled up to the quarter. Sum price as total_price; month is the first day of the "
         "month of placed_at.", ["month", "state", "total_price"], "quarter"),
    ],
)  # fmt: skip
def test_a_stated_grain_no_column_holds_is_refused(refusal, description, columns, word):
    assert word in refusal(description, columns=columns)


def test_a_fiscal_year_is_refused_unless_defined(plan, rows, refusal):
    reason = refusal("Totals per fiscal year. Sum price as total_price, with fiscal_year the fiscal year of "
                     "placed_at.", columns=["fiscal_year", "total_price"])  # fmt: skip
    assert "fiscal" in reason
    p = plan("Totals per fiscal year. Sum price as total_price. The fiscal year starts in February and is named "
             "after the year it ends in; fiscal_year is the fiscal year of placed_at as an integer.",
             columns=["fiscal_year", "total_price"])  # fmt: skip
    # January 2026 falls in the fiscal year ending January 2026; February 2026 in the one ending in 2027
    assert sorted(rows(p)) == [(2026, 27), (2027, 680)]


def test_two_time_columns_and_neither_named_is_refused(refusal, plan, rows, tables):
    # The table comes from the fixture: `conftest` as a module name is whichever test folder's loaded first.
    from agentic_assets.models.builtin.contracts import ColumnInfo, TableInfo

    two = TableInfo(name="orders", columns=[*tables["orders"].columns, ColumnInfo(name="shipped_at", type="TIMESTAMP")])
    reason = refusal("Monthly totals. Sum price as total_price; month is the first day of the month.",
                     tables=(two,), columns=["month", "total_price"])  # fmt: skip
    assert "placed_at, shipped_at" in reason
    p = plan("Monthly totals. Sum price as total_price; month is the first day of the month of placed_at.",
             tables=(two,), columns=["month", "total_price"])  # fmt: skip
    assert "date_trunc('month', placed_at)" in p.sql


def test_a_label_format_it_does_not_write_is_refused(refusal):
    reason = refusal("Quarterly orders. Label the quarter of placed_at like Q1/2026 in quarter_label. Count the "
                     "rows as order_count.", columns=["quarter_label", "order_count"])  # fmt: skip
    assert "q1/2026" in reason


def test_the_month_number(plan, rows):
    p = plan("Orders per month number. month_no is the month of placed_at as an integer. Count the rows as "
             "order_count.", columns=["month_no", "order_count"])  # fmt: skip
    assert sorted(rows(p)) == [(1, 3), (2, 3)]


@pytest.mark.parametrize(
    ("description", "column", "word"),
    [
        ("Totals per month. The month is shown as 'Mon YYYY' text in month_label.", "month_label", "Mon YYYY"),
        ("Totals per month. month_label is the month of placed_at as text.", "month_label", "no format"),
        ("Totals per day. day_no is the day of placed_at as an integer.", "day_no", "say which"),
    ],
)
def test_grain_forms_it_cannot_tell_are_refused(refusal, description, column, word):
    assert word in refusal(description + " Sum price as total_price.", columns=[column, "total_price"])


def test_the_last_day_of_the_month_is_no_deduplication(plan, rows):
    p = plan("Totals per state per month. Sum price as total_price; month is the last day of the month of "
             "placed_at.", columns=["month", "state", "total_price"])  # fmt: skip
    assert "QUALIFY" not in p.sql
    hand = "SELECT last_day(placed_at), state, SUM(price) FROM orders GROUP BY 1, 2"
    assert sorted(rows(p)) == sorted(rows(hand))


def test_the_hour_of_day_as_a_number(plan, rows):
    p = plan("Hourly totals. Sum price as total_price; hour is the hour of day of placed_at as an integer.",
             columns=["hour", "total_price"])  # fmt: skip
    assert sorted(rows(p)) == sorted(rows("SELECT hour(placed_at), SUM(price) FROM orders GROUP BY 1"))
