"""The directory, the org chart and My team show work data only: nothing from a person's
private profile, emergency contacts or pay reaches any page or export."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from hr.models import Compensation, EmergencyContact, PersonalProfile
from tests.directory.factories import person

pytestmark = pytest.mark.django_db

PRIVATE = {
    "legal_first_name": "Hendrika",
    "legal_last_name": "Zwanenburg-Quist",
    "preferred_name": "Rikkie",
    "date_of_birth": datetime.date(1987, 3, 14),
    "national_id": "123456782",
    "national_id_country": "NL",
    "address_line1": "Pijnackerstraat 77",
    "address_line2": "Achterhuis",
    "postcode": "3035 HV",
    "city": "Schiedam",
    "country": "NL",
    "personal_phone": "+31 6 98765432",
    "personal_email": "rikkie.private@home.example",
    "iban": "NL91ABNA0417164300",
    "bank_account_holder": "H. Zwanenburg-Quist",
    "tax_residency": "BE",
}
NEEDLES = [
    "Hendrika",
    "Zwanenburg",
    "Rikkie",
    "1987",
    "14 March",
    "123456782",
    "Pijnackerstraat",
    "Achterhuis",
    "3035",
    "Schiedam",
    "98765432",
    "home.example",
    "NL91ABNA",
    "0417164300",
    "Opa Kees",
    "0612340000",
    "87654",
    "87,654",
    "87.654",
]


@pytest.fixture
def private_report(manager):
    """A report of the `manager` fixture's person, with every private field filled in."""
    boss = manager.employee
    report = person("Rika", "Visser", manager=boss, title="Planner", phone="+31 10 555 0101")
    # Their own team too, so the org chart and card show counts around them.
    person("Tom", "Dekker", manager=report)
    PersonalProfile.objects.create(employee=report, **PRIVATE)
    EmergencyContact.objects.create(
        employee=report, name="Opa Kees", relationship="grandfather", phone="0612340000"
    )
    Compensation.objects.create(
        employee=report,
        annual_base_salary=Decimal("87654.32"),
        currency="EUR",
        effective_from=datetime.date(2024, 1, 1),
    )
    return report


def _assert_clean(content: bytes, where: str) -> None:
    text = content.decode()
    leaked = [needle for needle in NEEDLES if needle in text]
    assert not leaked, f"{where} shows private data: {leaked}"


@pytest.mark.parametrize("who", ["other_employee", "manager", "hr_officer", "payroll_officer"])
def test_directory_pages_never_show_private_data(client, request, private_report, who):
    client.force_login(request.getfixturevalue(who))
    urls = [
        reverse("directory:search"),
        reverse("directory:search") + "?q=visser",
        reverse("directory:card", args=[private_report.pk]),
        reverse("directory:org_for", args=[private_report.pk]),
        reverse("directory:org_for", args=[private_report.manager_id]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Rika Visser" in response.content.decode()
        _assert_clean(response.content, url)


@pytest.mark.parametrize("export", ["", "?_export=csv", "?_export=xlsx&scope=direct"])
def test_manager_sees_no_private_or_pay_data_of_reports(client, manager, private_report, export):
    client.force_login(manager)
    response = client.get(reverse("directory:team") + export)
    assert response.status_code == 200
    if export.startswith("?_export=xlsx"):
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
        assert "Rika Visser" in cells
        _assert_clean(cells.encode(), "team export (xlsx)")
    else:
        assert "Rika Visser" in response.content.decode()
        _assert_clean(response.content, f"My team {export}")
