"""Pay periods: a calendar month, paid on the 25th or the working day before it."""

import calendar
import datetime
import re

from babel.dates import format_date
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from payroll.models import PayPeriod

PAY_DAY = 25
PERIOD_CODE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period_code(code: str) -> tuple[int, int]:
    match = PERIOD_CODE.match((code or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        raise ValidationError(
            _("“%(code)s” is not a pay period; write the year and month, like 2026-10.")
            % {"code": code},
            code="bad_period",
        )
    return int(match[1]), int(match[2])


def pay_date_for(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month, PAY_DAY)
    while day.weekday() >= 5:  # Saturday or Sunday: the bank pays the Friday before
        day -= datetime.timedelta(days=1)
    return day


def period_get_or_create(code: str) -> PayPeriod:
    year, month = parse_period_code(code)
    last = calendar.monthrange(year, month)[1]
    period, _created = PayPeriod.objects.get_or_create(
        year=year,
        month=month,
        defaults={
            "start": datetime.date(year, month, 1),
            "end": datetime.date(year, month, last),
            "pay_date": pay_date_for(year, month),
        },
    )
    return period


def period_label(period: PayPeriod, language: str) -> str:
    """“October 2026”, “oktober 2026”: the month as the reader's language names it."""
    return format_date(period.as_date, "LLLL yyyy", locale=language or "en")
