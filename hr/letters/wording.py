"""The values a letter's placeholders stand for, written in the letter's language."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from django.utils import translation
from django.utils.translation import gettext as _

from hr.letters.models import Letterhead
from hr.models import Compensation, Employee

LOCALES = {"en": "en_GB", "nl": "nl_NL"}


def locale_for(language: str) -> str:
    return LOCALES.get(language, "en_GB")


def long_date(day: datetime.date, language: str) -> str:
    return format_date(day, format="long", locale=locale_for(language))


def full_name(employee: Employee) -> str:
    """The legal name when the person recorded one (embassies ask for it), else the
    name they use in the portal."""
    profile = getattr(employee, "profile", None)
    if profile is not None and profile.legal_last_name:
        return f"{profile.legal_first_name} {profile.legal_last_name}".strip()
    return employee.user.get_full_name() or employee.user.email


def placeholder_values(
    *,
    employee: Employee,
    letterhead: Letterhead,
    language: str,
    today: datetime.date,
    addressee: str,
    purpose: str,
    compensation: Compensation | None = None,
) -> dict[str, str]:
    """Every placeholder's text. Salary values are filled only when `compensation` is
    given, which callers do only for approved salary letters (and audit)."""
    locale = locale_for(language)
    with translation.override(language):
        contract = str(Employee.ContractType(employee.contract_type).label)
        end_date = long_date(employee.end_date, language) if employee.end_date else _("no end date")
    values = {
        "full_name": full_name(employee),
        "first_name": employee.user.first_name,
        "last_name": employee.user.last_name,
        "employee_number": employee.employee_number,
        "job_title": employee.job_title,
        "department": employee.department.name,
        "location": employee.location.name,
        "start_date": long_date(employee.start_date, language),
        "end_date": end_date,
        "contract_type": contract[:1].lower() + contract[1:],
        "hours_per_week": format_decimal(employee.hours_per_week, format="#,##0.#", locale=locale),
        "today": long_date(today, language),
        "company_name": letterhead.company_name,
        "addressee": addressee,
        "purpose": purpose,
        "annual_base_salary": "",
        "monthly_base_salary": "",
        "currency": "",
    }
    if compensation is not None:
        annual = Decimal(compensation.annual_base_salary)
        monthly = (annual / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        values["annual_base_salary"] = format_currency(annual, compensation.currency, locale=locale)
        values["monthly_base_salary"] = format_currency(
            monthly, compensation.currency, locale=locale
        )
        values["currency"] = compensation.currency
    return values
