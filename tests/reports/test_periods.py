"""Report periods: presets, the period compared with, buckets and time-zone bounds."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from ess.reports.periods import (
    Bucket,
    Period,
    Preset,
    last_complete_month,
    last_complete_week,
    preset_period,
)

D = datetime.date
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("preset", "today", "start", "end"),
    [
        (Preset.LAST_7, D(2026, 11, 23), D(2026, 11, 17), D(2026, 11, 23)),
        (Preset.LAST_30, D(2026, 3, 1), D(2026, 1, 31), D(2026, 3, 1)),
        (Preset.THIS_MONTH, D(2026, 11, 23), D(2026, 11, 1), D(2026, 11, 23)),
        (Preset.LAST_MONTH, D(2026, 3, 15), D(2026, 2, 1), D(2026, 2, 28)),
        (Preset.LAST_MONTH, D(2026, 1, 1), D(2025, 12, 1), D(2025, 12, 31)),
        (Preset.THIS_QUARTER, D(2026, 11, 23), D(2026, 10, 1), D(2026, 11, 23)),
        (Preset.LAST_QUARTER, D(2026, 11, 23), D(2026, 7, 1), D(2026, 9, 30)),
        (Preset.LAST_QUARTER, D(2026, 2, 10), D(2025, 10, 1), D(2025, 12, 31)),
        (Preset.THIS_YEAR, D(2026, 11, 23), D(2026, 1, 1), D(2026, 11, 23)),
        (Preset.LAST_12_MONTHS, D(2026, 11, 23), D(2025, 12, 1), D(2026, 11, 23)),
    ],
)
def test_presets(preset, today, start, end):
    period = preset_period(preset, today)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        # A rolling range: as many days just before.
        (Period(D(2026, 11, 17), D(2026, 11, 23)), D(2026, 11, 10), D(2026, 11, 16)),
        # Last month (February) against January: whole months, not 28 days.
        (Period(D(2026, 2, 1), D(2026, 2, 28), months=1), D(2026, 1, 1), D(2026, 1, 31)),
        # March against February: the last day stays a last day.
        (Period(D(2026, 3, 1), D(2026, 3, 31), months=1), D(2026, 2, 1), D(2026, 2, 28)),
        # A month under way against the same days of the month before.
        (Period(D(2026, 11, 1), D(2026, 11, 23), months=1), D(2026, 10, 1), D(2026, 10, 23)),
        # 31 May to date against April: the 31st does not exist in April.
        (Period(D(2026, 5, 1), D(2026, 5, 30), months=1), D(2026, 4, 1), D(2026, 4, 30)),
        # A quarter against the quarter before, across a year.
        (Period(D(2026, 1, 1), D(2026, 3, 31), months=3), D(2025, 10, 1), D(2025, 12, 31)),
    ],
)
def test_previous_period(period, start, end):
    previous = period.previous()
    assert (previous.start, previous.end) == (start, end)


def test_bounds_are_local_midnights_across_a_dst_change():
    # October 2026: summer time ends on the 25th, so the month is 31 days and one hour.
    start, after = Period(D(2026, 10, 1), D(2026, 10, 31)).bounds()
    assert start == datetime.datetime(2026, 9, 30, 22, 0, tzinfo=datetime.UTC)
    assert after == datetime.datetime(2026, 10, 31, 23, 0, tzinfo=datetime.UTC)
    # (Subtracting in one zone would count wall-clock time; the database compares instants.)
    assert after.astimezone(datetime.UTC) - start.astimezone(datetime.UTC) == datetime.timedelta(
        days=31, hours=1
    )


def test_bucket_size_follows_the_length():
    assert Period(D(2026, 11, 1), D(2026, 11, 30)).bucket == Bucket.DAY
    assert Period(D(2026, 8, 1), D(2026, 10, 31)).bucket == Bucket.WEEK
    assert Period(D(2025, 12, 1), D(2026, 11, 23)).bucket == Bucket.MONTH


def test_week_buckets_start_on_monday_and_cover_the_period():
    period = Period(D(2026, 8, 5), D(2026, 10, 31))  # a Wednesday to a Saturday
    starts = period.bucket_starts()
    assert starts[0] == D(2026, 8, 3)
    assert all(start.weekday() == 0 for start in starts)
    assert starts[-1] <= period.end < starts[-1] + datetime.timedelta(days=7)
    assert period.bucket_last_days()[-1] == period.end
    assert period.bucket_last_days()[0] == D(2026, 8, 9)


def test_month_buckets_across_a_year():
    period = Period(D(2025, 12, 15), D(2026, 11, 23))
    assert period.bucket_starts()[0] == D(2025, 12, 1)
    assert period.bucket_starts()[-1] == D(2026, 11, 1)
    assert len(period.bucket_starts()) == 12
    assert period.bucket_label(D(2026, 1, 1)) == "2026-01"


def test_digest_periods_are_the_last_complete_week_and_month():
    monday = D(2026, 11, 23)
    for today in (monday, monday + datetime.timedelta(days=6)):
        week = last_complete_week(today)
        assert (week.start, week.end) == (D(2026, 11, 16), D(2026, 11, 22))
    month = last_complete_month(D(2026, 3, 1))
    assert (month.start, month.end) == (D(2026, 2, 1), D(2026, 2, 28))
