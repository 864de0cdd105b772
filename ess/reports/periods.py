"""Report periods: presets, the previous period to compare with, and chart buckets.

A period is a run of whole local days, both ends included, in the portal's time zone. Its
database bounds are the first moment of the first day and the first moment after the last
day, as aware datetimes: so "October" is 1 October 00:00 up to 1 November 00:00 in
Amsterdam, whatever the offset on either side of the DST change.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# A longer range gains nothing a year cannot show and makes every figure slower.
MAX_DAYS = 731


class Preset(StrEnum):
    LAST_7 = "last_7"
    LAST_30 = "last_30"
    LAST_90 = "last_90"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    THIS_QUARTER = "this_quarter"
    LAST_QUARTER = "last_quarter"
    THIS_YEAR = "this_year"
    LAST_12_MONTHS = "last_12_months"


PRESET_LABELS = {
    Preset.LAST_7: _("Last 7 days"),
    Preset.LAST_30: _("Last 30 days"),
    Preset.LAST_90: _("Last 90 days"),
    Preset.THIS_MONTH: _("This month"),
    Preset.LAST_MONTH: _("Last month"),
    Preset.THIS_QUARTER: _("This quarter"),
    Preset.LAST_QUARTER: _("Last quarter"),
    Preset.THIS_YEAR: _("This year"),
    Preset.LAST_12_MONTHS: _("Last 12 months"),
}
DEFAULT_PRESET = Preset.LAST_30


class Bucket(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def report_zone() -> ZoneInfo:
    """Reports count days in the company's time zone, not each viewer's: a manager in
    Singapore and one in Amsterdam must read the same figure for "October"."""
    return ZoneInfo(settings.TIME_ZONE)


def report_today() -> datetime.date:
    return datetime.datetime.now(report_zone()).date()


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _shift_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later or earlier; a month's last day stays a last day."""
    first = _add_months(day, months)
    last_of_target = _add_months(first, 1) - datetime.timedelta(days=1)
    is_last_day = (day + datetime.timedelta(days=1)).day == 1
    if is_last_day:
        return last_of_target
    return first.replace(day=min(day.day, last_of_target.day))


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included
    # Whole calendar months (or quarters, years): the previous period is then the months
    # before, not the same number of days before.
    months: int = 0

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[first moment, first moment after) as aware datetimes in the report zone."""
        zone = report_zone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        after = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        return start, after

    def previous(self) -> "Period":
        if self.months:
            # The same stretch of the months before: October for "last month", and 1 to
            # 23 October for "this month" on 23 November, so a month under way is compared
            # with as many days, not with a whole month.
            return Period(
                _shift_months(self.start, -self.months),
                _shift_months(self.end, -self.months),
                self.months,
            )
        length = datetime.timedelta(days=self.days)
        return Period(self.start - length, self.end - length)

    @property
    def bucket(self) -> Bucket:
        if self.days <= 45:
            return Bucket.DAY
        if self.days <= 190:
            return Bucket.WEEK
        return Bucket.MONTH

    def bucket_starts(self) -> list[datetime.date]:
        """The first day of every bucket that overlaps the period, in order."""
        if self.bucket == Bucket.DAY:
            return [self.start + datetime.timedelta(days=n) for n in range(self.days)]
        if self.bucket == Bucket.WEEK:
            first = self.start - datetime.timedelta(days=self.start.weekday())
            count = (self.end - first).days // 7 + 1
            return [first + datetime.timedelta(weeks=n) for n in range(count)]
        first = _month_start(self.start)
        count = (self.end.year - first.year) * 12 + self.end.month - first.month + 1
        return [_add_months(first, n) for n in range(count)]

    def bucket_of(self, day: datetime.date) -> datetime.date:
        if self.bucket == Bucket.DAY:
            return day
        if self.bucket == Bucket.WEEK:
            return day - datetime.timedelta(days=day.weekday())
        return _month_start(day)

    def bucket_last_days(self) -> list[datetime.date]:
        """The last day of every bucket, cut at the period's end (for "as of" figures)."""
        starts = self.bucket_starts()
        ends = [following - datetime.timedelta(days=1) for following in starts[1:]]
        return [*ends, self.end]

    def bucket_label(self, start: datetime.date) -> str:
        if self.bucket == Bucket.MONTH:
            return f"{start:%Y-%m}"
        return f"{start:%d-%m}" if self.days <= 366 else f"{start:%Y-%m-%d}"


def preset_period(preset: Preset, today: datetime.date | None = None) -> Period:
    today = today or report_today()
    match preset:
        case Preset.LAST_7 | Preset.LAST_30 | Preset.LAST_90:
            days = int(preset.value.removeprefix("last_"))
            return Period(today - datetime.timedelta(days=days - 1), today)
        case Preset.THIS_MONTH:
            return Period(_month_start(today), today, months=1)
        case Preset.LAST_MONTH:
            start = _add_months(today, -1)
            return Period(start, _month_start(today) - datetime.timedelta(days=1), months=1)
        case Preset.THIS_QUARTER:
            return Period(_quarter_start(today), today, months=3)
        case Preset.LAST_QUARTER:
            start = _add_months(_quarter_start(today), -3)
            return Period(start, _quarter_start(today) - datetime.timedelta(days=1), months=3)
        case Preset.THIS_YEAR:
            return Period(datetime.date(today.year, 1, 1), today, months=12)
        case Preset.LAST_12_MONTHS:
            start = _add_months(today, -11)
            return Period(start, today, months=12)
    raise ValueError(preset)


def last_complete_week(today: datetime.date) -> Period:
    """Monday to Sunday of the week before `today`'s week."""
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    return Period(monday, monday + datetime.timedelta(days=6))


def last_complete_month(today: datetime.date) -> Period:
    start = _add_months(today, -1)
    return Period(start, _month_start(today) - datetime.timedelta(days=1), months=1)
