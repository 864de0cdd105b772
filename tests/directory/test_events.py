"""Team events: joiners, work anniversaries (29 February included) and leavers."""

import datetime

import pytest

from hr.directory.events import anniversary_in, next_anniversary, team_events
from tests.directory.factories import person

pytestmark = pytest.mark.django_db

LEAP_DAY = datetime.date(2020, 2, 29)


@pytest.mark.parametrize(
    ("start", "year", "expected"),
    [
        (LEAP_DAY, 2027, datetime.date(2027, 2, 28)),
        (LEAP_DAY, 2028, datetime.date(2028, 2, 29)),
        (datetime.date(2019, 3, 1), 2027, datetime.date(2027, 3, 1)),
        (datetime.date(2019, 2, 28), 2028, datetime.date(2028, 2, 28)),
    ],
)
def test_anniversary_of_29_february_falls_on_28_february_in_common_years(start, year, expected):
    assert anniversary_in(start, year) == expected


def test_next_anniversary_counts_whole_years_and_includes_today():
    assert next_anniversary(LEAP_DAY, datetime.date(2027, 2, 28)) == (
        datetime.date(2027, 2, 28),
        7,
    )
    assert next_anniversary(LEAP_DAY, datetime.date(2027, 3, 1)) == (
        datetime.date(2028, 2, 29),
        8,
    )
    assert next_anniversary(datetime.date(2019, 1, 5), datetime.date(2026, 12, 20)) == (
        datetime.date(2027, 1, 5),
        8,
    )


def _names(events) -> list[str]:
    return [event.name.split()[0] for event in events]


@pytest.fixture
def boss():
    top = person("Mila", "Manager")
    person("Outsider", "Elsewhere", start=datetime.date(2019, 2, 15))  # not in the team
    return top


def test_anniversaries_in_the_next_30_days_including_a_leap_day_start(boss):
    today = datetime.date(2027, 2, 10)
    lead = person("Lead", "Direct", manager=boss, start=datetime.date(2015, 6, 1))
    person("Leap", "Indirect", manager=lead, start=LEAP_DAY)
    person("Feb", "Fifteen", manager=boss, start=datetime.date(2019, 2, 15))
    person("Today", "Exactly", manager=boss, start=datetime.date(2026, 2, 10))
    person("Too", "Late", manager=boss, start=datetime.date(2018, 3, 20))
    person("Yesterday", "Past", manager=boss, start=datetime.date(2018, 2, 9))
    person(
        "Gone",
        "Left",
        manager=boss,
        start=datetime.date(2018, 2, 20),
        end=datetime.date(2026, 12, 31),
    )

    events = team_events(manager=boss, today=today)

    assert [(e.name.split()[0], e.date, e.years) for e in events.anniversaries] == [
        ("Today", datetime.date(2027, 2, 10), 1),
        ("Feb", datetime.date(2027, 2, 15), 8),
        ("Leap", datetime.date(2027, 2, 28), 7),
    ]


def test_leap_day_start_celebrates_on_29_february_in_a_leap_year(boss):
    person("Leap", "Indirect", manager=boss, start=LEAP_DAY)
    events = team_events(manager=boss, today=datetime.date(2028, 2, 1))
    assert [(e.date, e.years) for e in events.anniversaries] == [(datetime.date(2028, 2, 29), 8)]
    later = team_events(manager=boss, today=datetime.date(2027, 3, 1))
    assert later.anniversaries == []
    assert later.counts["anniversaries"] == 0


def test_anniversaries_across_new_year(boss):
    person("January", "Fifth", manager=boss, start=datetime.date(2019, 1, 5))
    person("December", "Late", manager=boss, start=datetime.date(2019, 12, 28))
    person("February", "Too", manager=boss, start=datetime.date(2019, 2, 5))
    events = team_events(manager=boss, today=datetime.date(2026, 12, 20))
    assert _names(events.anniversaries) == ["December", "January"]


def test_joiners_within_30_days_either_side_and_leavers_within_30_days(boss):
    today = datetime.date(2026, 11, 22)
    lead = person("Lead", "Direct", manager=boss, start=datetime.date(2015, 6, 1))
    person("Recent", "Joiner", manager=lead, start=today - datetime.timedelta(days=20))
    person("Coming", "Joiner", manager=boss, start=today + datetime.timedelta(days=30))
    person("Old", "Joiner", manager=boss, start=today - datetime.timedelta(days=31))
    person("Far", "Joiner", manager=boss, start=today + datetime.timedelta(days=31))
    person("Leaving", "Soon", manager=lead, end=today + datetime.timedelta(days=10))
    person("Last", "Day", manager=boss, end=today)
    person("Already", "Gone", manager=boss, end=today - datetime.timedelta(days=1))
    person("Leaving", "Later", manager=boss, end=today + datetime.timedelta(days=31))

    events = team_events(manager=boss, today=today)

    assert _names(events.joiners) == ["Recent", "Coming"]
    assert [e.name for e in events.leavers] == ["Last Day", "Leaving Soon"]
    assert [e.started for e in events.joiners] == [True, False]
    assert events.counts == {"joiners": 2, "anniversaries": 0, "leavers": 2}


def test_long_event_lists_are_cut_but_counted(boss):
    today = datetime.date(2026, 11, 22)
    for n in range(8):
        person(f"Joiner{n}", "New", manager=boss, start=today - datetime.timedelta(days=n))
    events = team_events(manager=boss, today=today, limit=5)
    assert len(events.joiners) == 5
    assert events.counts["joiners"] == 8


def test_a_busy_month_shows_the_first_anniversaries_and_counts_them_all(boss):
    today = datetime.date(2026, 12, 20)
    for n in range(8):  # 27 December, 28 December, ... 3 January: across New Year
        start = datetime.date(2018, 12, 27) + datetime.timedelta(days=n)
        person(f"Anni{n}", "Versary", manager=boss, start=start)
    events = team_events(manager=boss, today=today, limit=5)
    assert _names(events.anniversaries) == ["Anni0", "Anni1", "Anni2", "Anni3", "Anni4"]
    assert events.counts["anniversaries"] == 8
    assert [e.years for e in events.anniversaries] == [8, 8, 8, 8, 8]


def test_no_manager_record_means_no_events():
    events = team_events(manager=None, today=datetime.date(2026, 11, 22))
    assert not events.any
