"""Business time for seeding: each queue's open intervals laid end to end once, so a due
time is two binary searches instead of a walk through the calendar per ticket.

The intervals are the queue's BusinessHours in its time zone (zoneinfo, so DST days have
their real length), with its holidays left out. A queue without hours runs 24/7.
"""

import datetime
from bisect import bisect_left, bisect_right
from zoneinfo import ZoneInfo

from helpdesk.models import Queue


class BusinessTimeline:
    def __init__(
        self,
        *,
        hours: dict[int, list[tuple[datetime.time, datetime.time]]],
        holidays: set[datetime.date],
        time_zone: str,
        first: datetime.date,
        last: datetime.date,
    ) -> None:
        zone = ZoneInfo(time_zone)
        self.always_open = not hours
        self.starts: list[float] = []  # epoch seconds of each opening
        self.before: list[float] = []  # business seconds before each opening
        self.until: list[float] = []  # business seconds at each closing
        self.ends: list[float] = []  # epoch seconds of each closing
        total = 0.0
        day = first
        while day <= last:
            if day not in holidays:
                for opens, closes in hours.get(day.weekday(), ()):
                    start = datetime.datetime.combine(day, opens, tzinfo=zone).timestamp()
                    end = datetime.datetime.combine(day, closes, tzinfo=zone).timestamp()
                    self.starts.append(start)
                    self.ends.append(end)
                    self.before.append(total)
                    total += end - start
                    self.until.append(total)
            day += datetime.timedelta(days=1)

    @classmethod
    def for_queue(cls, queue: Queue, *, first: datetime.date, last: datetime.date):
        hours: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
        for row in queue.business_hours.order_by("weekday", "opens"):
            hours.setdefault(row.weekday, []).append((row.opens, row.closes))
        holidays = set(queue.holidays.values_list("date", flat=True))
        return cls(
            hours=hours, holidays=holidays, time_zone=queue.time_zone, first=first, last=last
        )

    def business_seconds_at(self, moment: float) -> float:
        """Business seconds from the start of the timeline to `moment`."""
        index = bisect_right(self.ends, moment)
        if index == len(self.ends):
            raise ValueError("moment after the end of the timeline")
        return self.before[index] + max(0.0, moment - self.starts[index])

    def moment_at(self, business_seconds: float) -> float:
        """The epoch second at which `business_seconds` of business time have passed."""
        index = bisect_left(self.until, business_seconds)
        if index == len(self.until):
            raise ValueError("beyond the end of the timeline")
        return self.starts[index] + (business_seconds - self.before[index])

    def add_minutes(self, moment: float, minutes: float) -> float:
        if self.always_open or minutes == 0:
            return moment + minutes * 60
        return self.moment_at(self.business_seconds_at(moment) + minutes * 60)

    def minutes_between(self, start: float, end: float) -> int:
        """Whole business minutes; negative when `end` is earlier (as helpdesk.sla counts)."""
        if end < start:
            return -self.minutes_between(end, start)
        if self.always_open:
            return int((end - start) // 60)
        return int((self.business_seconds_at(end) - self.business_seconds_at(start)) // 60)
