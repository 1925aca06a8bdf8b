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


def test_weeks_starting_on_sunday_are_refused_not_made_iso(refusal):
    reason = refusal("Weekly orders. The week starts on Sunday and is shown as the date of that Sunday in "
                     "week_start. Count the rows as order_count.", columns=["week_start", "order_count"])  # fmt: skip
    assert "sunday" in reason


def test_a_label_format_it_does_not_write_is_refused(refusal):
    reason = refusal("Quarterly orders. Label the quarter of placed_at like Q1/2026 in quarter_label. Count the "
                     "rows as order_count.", columns=["quarter_label", "order_count"])  # fmt: skip
    assert "q1/2026" in reason


def test_the_month_number(plan, rows):
    p = plan("Orders per month number. month_no is the month of placed_at as an integer. Count the rows as "
             "order_count.", columns=["month_no", "order_count"])  # fmt: skip
    assert sorted(rows(p)) == [(1, 3), (2, 3)]
