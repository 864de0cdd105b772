"""Business calendars: opening hours in the queue's zone, holidays, DST, around the clock."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk.models import BusinessHours, Holiday
from helpdesk.sla import BusinessCalendar, CalendarError
from tests.helpdesk.factories import QueueFactory

AMS = ZoneInfo("Europe/Amsterdam")
OFFICE = {day: [(time(9), time(17))] for day in range(5)}
EVERY_DAY = {day: [(time(9), time(17))] for day in range(7)}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


def office(**kwargs) -> BusinessCalendar:
    return BusinessCalendar(zone="Europe/Amsterdam", weekly=OFFICE, **kwargs)


def test_minutes_within_one_day_end_within_the_day():
    # Tuesday 2025-06-10, 10:00
    assert office().add_minutes(local(2025, 6, 10, 10), 90) == local(2025, 6, 10, 11, 30)


def test_a_target_that_ends_at_closing_time_is_due_at_closing_time():
    assert office().add_minutes(local(2025, 6, 10, 9), 480) == local(2025, 6, 10, 17)


def test_minutes_carry_over_the_night():
    assert office().add_minutes(local(2025, 6, 10, 16), 120) == local(2025, 6, 11, 10)


def test_minutes_carry_over_the_weekend():
    # Friday 16:00 + 2 hours = Monday 10:00
    assert office().add_minutes(local(2025, 6, 13, 16), 120) == local(2025, 6, 16, 10)


def test_a_start_outside_opening_hours_counts_from_the_next_opening():
    assert office().add_minutes(local(2025, 6, 14, 12), 30) == local(2025, 6, 16, 9, 30)
    assert office().add_minutes(local(2025, 6, 10, 6), 30) == local(2025, 6, 10, 9, 30)


def test_holidays_are_closed():
    calendar = office(holidays=[date(2025, 6, 16)])
    assert calendar.add_minutes(local(2025, 6, 13, 16), 120) == local(2025, 6, 17, 10)
    assert calendar.minutes_between(local(2025, 6, 13, 9), local(2025, 6, 17, 9)) == 480


def test_split_days_and_overlapping_intervals():
    calendar = BusinessCalendar(
        zone="Europe/Amsterdam",
        weekly={1: [(time(13), time(17)), (time(9), time(12)), (time(11), time(12, 30))]},
    )
    # Tuesday: 09:00-12:30 (merged) and 13:00-17:00
    assert calendar.minutes_between(local(2025, 6, 10, 0), local(2025, 6, 11, 0)) == 450
    assert calendar.add_minutes(local(2025, 6, 10, 12), 60) == local(2025, 6, 10, 13, 30)


def test_office_hours_last_eight_hours_on_the_spring_dst_day():
    calendar = BusinessCalendar(zone="Europe/Amsterdam", weekly=EVERY_DAY)
    # 2025-03-30: clocks go from 02:00 to 03:00.
    assert calendar.add_minutes(local(2025, 3, 30, 9), 480) == local(2025, 3, 30, 17)
    assert calendar.add_minutes(local(2025, 3, 30, 9), 480).astimezone(UTC).hour == 15
    assert calendar.minutes_between(local(2025, 3, 30, 0), local(2025, 3, 31, 0)) == 480
    assert calendar.add_minutes(local(2025, 3, 29, 16), 120) == local(2025, 3, 30, 10)


def test_office_hours_last_eight_hours_on_the_autumn_dst_day():
    calendar = BusinessCalendar(zone="Europe/Amsterdam", weekly=EVERY_DAY)
    # 2025-10-26: clocks go from 03:00 back to 02:00.
    assert calendar.add_minutes(local(2025, 10, 26, 9), 480) == local(2025, 10, 26, 17)
    assert calendar.minutes_between(local(2025, 10, 26, 0), local(2025, 10, 27, 0)) == 480
    assert calendar.add_minutes(local(2025, 10, 25, 16), 120) == local(2025, 10, 26, 10)


def test_around_the_clock_counts_real_minutes_across_dst():
    calendar = BusinessCalendar(zone="Europe/Amsterdam")
    assert calendar.minutes_between(local(2025, 3, 30, 0), local(2025, 3, 31, 0)) == 23 * 60
    assert calendar.minutes_between(local(2025, 10, 26, 0), local(2025, 10, 27, 0)) == 25 * 60
    start = local(2025, 6, 14, 23, 30)
    assert calendar.add_minutes(start, 90) == start + timedelta(minutes=90)


def test_around_the_clock_with_a_holiday_skips_that_day():
    calendar = BusinessCalendar(zone="Europe/Amsterdam", holidays=[date(2025, 12, 25)])
    assert calendar.add_minutes(local(2025, 12, 24, 23), 120) == local(2025, 12, 26, 1)
    assert calendar.minutes_between(local(2025, 12, 24, 23), local(2025, 12, 26, 1)) == 120


@pytest.mark.parametrize(
    ("start", "minutes"),
    [
        (local(2025, 6, 10, 10, 17), 1),
        (local(2025, 6, 13, 16, 59), 481),
        (local(2025, 6, 14, 3), 2000),
        (local(2025, 3, 28, 12), 1440),
        (local(2025, 10, 24, 8), 4800),
        (local(2025, 6, 10, 10, 17), -1),
        (local(2025, 6, 16, 10), -120),
        (local(2025, 6, 16, 3), -2000),
    ],
)
def test_minutes_between_is_the_inverse_of_add_minutes(start, minutes):
    for calendar in (office(holidays=[date(2025, 6, 12)]), BusinessCalendar(zone="UTC")):
        due = calendar.add_minutes(start, minutes)
        assert calendar.minutes_between(start, due) == minutes


def test_subtracting_walks_back_over_the_weekend():
    assert office().add_minutes(local(2025, 6, 16, 10), -120) == local(2025, 6, 13, 16)


def test_a_calendar_that_never_opens_refuses():
    calendar = BusinessCalendar(
        zone="Europe/Amsterdam",
        weekly={0: [(time(9), time(17))]},
        holidays=[date(2025, 6, 16) + timedelta(weeks=n) for n in range(60)],
    )
    with pytest.raises(CalendarError):
        calendar.add_minutes(local(2025, 6, 14, 9), 60)


def test_an_interval_closing_at_23_59_runs_to_midnight():
    calendar = BusinessCalendar(zone="Europe/Amsterdam", weekly={1: [(time(0), time(23, 59))]})
    assert calendar.minutes_between(local(2025, 6, 10, 0), local(2025, 6, 11, 0)) == 1440


@pytest.mark.django_db
def test_a_queues_calendar_comes_from_its_hours_and_holidays():
    queue = QueueFactory(name="Payroll", time_zone="America/New_York")
    for weekday in range(5):
        BusinessHours.objects.create(queue=queue, weekday=weekday, opens=time(8), closes=time(12))
    Holiday.objects.create(queue=queue, date=date(2025, 7, 4), name="Independence Day")
    calendar = BusinessCalendar.for_queue(queue)
    new_york = ZoneInfo("America/New_York")
    # Thursday 3 July 11:00 + 2 hours: Friday is a holiday, so Monday 09:00.
    start = datetime(2025, 7, 3, 11, tzinfo=new_york)
    assert calendar.add_minutes(start, 120) == datetime(2025, 7, 7, 9, tzinfo=new_york)
