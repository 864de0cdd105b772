import pytest

from hr.letters import services
from tests.letters.factories import CompensationFactory, make_template, salary_template


@pytest.fixture
def letterhead(hr_officer):
    return services.letterhead_update(
        actor=hr_officer,
        company_name="Northwind Logistics",
        address="Maashaven Noordzijde 12\n3072 AD Rotterdam",
        contact_line="hr@northwind.example",
        signatory_name="Hanna Hr",
        signatory_title="HR Advisor",
    )


@pytest.fixture
def employment_template(hr_officer, letterhead):
    return make_template(actor=hr_officer)


@pytest.fixture
def salary_letter_template(hr_officer, letterhead):
    return salary_template(actor=hr_officer)


@pytest.fixture
def paid(employee):
    """The employee's pay on record."""
    return CompensationFactory(employee=employee.employee)
