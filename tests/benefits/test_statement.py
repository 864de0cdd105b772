import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ess.audit.models import AuditEvent
from hr.benefits import services
from tests.benefits.factories import DependentFactory, PlanFactory, open_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def elections(employee):
    window = open_window()
    health = PlanFactory(name="Health Plus")
    gym = PlanFactory(name="Gym <b>club</b>")
    partner = DependentFactory(
        employee=employee.employee, full_name="Åse Ødegård <script>x</script>"
    )
    DependentFactory(
        employee=employee.employee,
        full_name="Łukasz Şahin",
        relationship="child",
    )
    services.election_make(
        employee=employee.employee,
        plan=health,
        plan_year=window.plan_year,
        coverage_level=health.levels.get(name="Employee and partner"),
        dependents=[partner],
        actor=employee,
    )
    services.election_make(
        employee=employee.employee,
        plan=gym,
        plan_year=window.plan_year,
        coverage_level=None,
        actor=employee,
    )
    return window


def _pdf(response) -> PdfReader:
    return PdfReader(io.BytesIO(response.content))


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_statement_lists_elections_costs_and_dependents(client, employee, elections):
    client.force_login(employee)
    url = reverse("benefits:statement", args=[employee.employee.pk, elections.plan_year])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    reader = _pdf(response)
    assert reader.metadata.title == f"Benefits confirmation statement {elections.plan_year}"
    assert reader.metadata.author == "ESS — Employee self-service"
    text = _text(reader)
    assert employee.get_full_name() in text
    assert employee.employee.employee_number in text
    assert "Health Plus" in text
    assert "Employee and partner" in text
    assert "Enrolled" in text
    assert "€40.00" in text  # the employee's monthly cost
    assert "€15.00" in text  # the employer's contribution
    assert "€480.00" in text  # a year of the employee's cost
    assert "Gym <b>club</b>" in text  # markup printed as text
    assert "Waived" in text
    assert "Åse Ødegård <script>x</script>" in text
    assert "Łukasz Şahin" in text


def test_statement_is_in_the_employees_language(client, employee, hr_officer, elections):
    employee.language = "nl"
    employee.save(update_fields=["language"])
    client.force_login(hr_officer)  # whoever downloads it, it speaks the employee's language
    url = reverse("benefits:statement", args=[employee.employee.pk, elections.plan_year])
    text = _text(_pdf(client.get(url)))
    assert "€ 40,00" in text
    assert AuditEvent.objects.filter(action="benefits.statement_downloaded").count() == 1


def test_statement_is_only_for_the_owner_and_hr(
    client, employee, other_employee, manager, payroll_officer, elections
):
    url = reverse("benefits:statement", args=[employee.employee.pk, elections.plan_year])
    for person in (other_employee, manager, payroll_officer):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(employee)
    missing_year = reverse("benefits:statement", args=[employee.employee.pk, 1999])
    assert client.get(missing_year).status_code == 404
