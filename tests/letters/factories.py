"""Letter templates, pay records and letters for the letter tests."""

import datetime
from decimal import Decimal

import factory

from hr.letters import services
from hr.letters.models import Letter, LetterTemplate
from hr.models import Compensation
from tests.factories import EmployeeFactory

EMPLOYMENT_BODY = (
    "To whom it may concern,\n\n"
    "We confirm that {full_name} ({employee_number}) works for {company_name} as "
    "{job_title} in {department} since {start_date}, on a {contract_type} contract of "
    "{hours_per_week} hours per week.\n\nIssued for: {purpose}."
)
SALARY_BODY = (
    "Dear Sir or Madam,\n\n{full_name} earns {annual_base_salary} a year "
    "({monthly_base_salary} a month), paid in {currency}."
)


class CompensationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compensation

    employee = factory.SubFactory(EmployeeFactory)
    annual_base_salary = Decimal("61873.45")
    currency = "EUR"
    effective_from = datetime.date(2024, 1, 1)


def make_template(
    *,
    actor,
    name: str = "Employment confirmation",
    body: str = EMPLOYMENT_BODY,
    subject: str = "Confirmation of employment",
    language: str = "en",
    purpose: str = LetterTemplate.Purpose.EMPLOYMENT,
    is_active: bool = True,
) -> LetterTemplate:
    return services.template_create(
        actor=actor,
        name=name,
        purpose=purpose,
        language=language,
        subject=subject,
        body=body,
        is_active=is_active,
    )


def salary_template(*, actor, name: str = "Salary statement") -> LetterTemplate:
    return make_template(
        actor=actor,
        name=name,
        body=SALARY_BODY,
        subject="Salary statement",
        purpose=LetterTemplate.Purpose.SALARY,
    )


def request_letter(user, template, *, addressee="Maasstad Housing", purpose="rent") -> Letter:
    return services.letter_request(
        user=user, template=template, addressee=addressee, purpose=purpose
    )


def issued_letter(user, template, **kwargs) -> Letter:
    """A letter produced straight away (the task runs here instead of on commit)."""
    letter = request_letter(user, template, **kwargs)
    if letter.status == Letter.Status.PENDING:
        raise AssertionError("issued_letter() is for letters without salary")
    services.letter_produce(letter_id=letter.pk)
    letter.refresh_from_db()
    return letter
