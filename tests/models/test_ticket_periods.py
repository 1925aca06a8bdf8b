"""Calendar windows in words: a year, a month, a range of months, a day of the month, the last days of
data; a window relative to today or a month without its year is refused."""

import pytest

SUM = "Sum price as total_price per state."


@pytest.mark.parametrize(
    ("window", "where"),
    [
        ("Orders placed in 2026 only.", "placed_at >= '2026-01-01' AND placed_at < '2027-01-01'"),
        ("Orders placed during January 2026 only.", "placed_at >= '2026-01-01' AND placed_at < '2026-02-01'"),
        ("Orders placed between January and February 2026.", "placed_at < '2026-03-01'"),
        ("Orders placed from December 2025 to January 2026.",
         "placed_at >= '2025-12-01' AND placed_at < '2026-02-01'"),
        ("Orders placed before the 5th of the month.", "day(placed_at) < 5"),
        ("Orders placed on or after the 7th.", "day(placed_at) >= 7"),
        ("Orders of the last 7 days of data.", "CAST(placed_at AS DATE) > DATE '2026-02-08' - 7"),
    ],
)  # fmt: skip
def test_windows(plan, rows, window, where):
    p = plan(f"{SUM} {window}", columns=["state", "total_price"])
    hand = f"SELECT state, SUM(price) FROM orders WHERE {where} GROUP BY 1"
    assert sorted(rows(p)) == sorted(rows(hand))


@pytest.mark.parametrize(
    ("window", "word"),
    [
        ("Orders of the last 7 days.", "depends on the day"),
        ("Orders placed in February.", "without their year"),
        ("Orders placed between January and February.", "without their year"),
    ],
)
def test_windows_that_cannot_be_written_are_refused(refusal, window, word):
    assert word in refusal(f"{SUM} {window}", columns=["state", "total_price"])


def test_last_days_of_data_is_a_window_not_the_latest_row(plan):
    p = plan(f"{SUM} Only the last 7 days of data.", columns=["state", "total_price"])
    assert "QUALIFY" not in p.sql and "ROW_NUMBER" not in p.sql


def test_a_month_named_and_not_read_is_refused(refusal):
    # 'May' as a month is a window; nothing reads 'the May campaign', so it must not pass unread
    reason = refusal(f"{SUM} Exclude the May campaign rows.", columns=["state", "total_price"])
    assert "May" in reason


@pytest.mark.parametrize(
    ("window", "word"),
    [
        ("Orders year to date.", "depends on the day"),
        ("Orders of last month.", "depends on the day"),
        ("Orders placed in the first quarter of 2026.", "cannot tell the window"),
    ],
)
def test_relative_and_partial_windows_are_refused(refusal, window, word):
    assert word in refusal(f"{SUM} {window}", columns=["state", "total_price"])
