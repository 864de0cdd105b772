"""An employee adds their partner, elects a health plan during open enrolment and downloads
the confirmation statement."""

import io

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from hr.benefits.models import Election
from tests.benefits.factories import PlanFactory, open_window

pytestmark = pytest.mark.e2e


def test_employee_elects_a_plan_in_the_window_and_downloads_the_statement(
    page: Page, server, axe, sign_in, employee
):
    window = open_window()
    year = window.plan_year
    PlanFactory(name="Health Plus", description="Specialists, physiotherapy and dental care.")
    sign_in(employee)

    page.get_by_role("link", name="Benefits").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benefits")
    expect(page.get_by_text(f"Open enrolment for {year} is open")).to_be_visible()
    axe.check("Benefits home")

    page.get_by_role("link", name="Manage dependents").click()
    page.get_by_label("Full name").fill("Åse Ødegård")
    page.get_by_label("Relationship").select_option("partner")
    page.get_by_label("Date of birth").fill("1990-05-17")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Dependent added.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Åse Ødegård")).to_be_visible()
    axe.check("Dependents")

    page.goto(server + reverse("benefits:year", args=[year]))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"My benefits for {year}")
    axe.check("Elections for the year")
    page.get_by_role("link", name="Choose Health Plus").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Health Plus")
    axe.check("Choosing a plan")
    page.get_by_label("Employee and partner", exact=False).check()
    page.get_by_label("Åse Ødegård").check()
    page.get_by_role("button", name="Save my choice").click()

    expect(page.get_by_text("Your choice for Health Plus is saved.")).to_be_visible()
    row = page.get_by_role("row", name="Health Plus")
    expect(row).to_contain_text("Employee and partner")
    expect(row).to_contain_text("Åse Ødegård")
    expect(row).to_contain_text("€40.00")
    axe.check("Elections after choosing")
    election = Election.objects.get(employee=employee.employee)
    assert election.status == Election.Status.ENROLLED

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download confirmation statement (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Health Plus" in text
    assert "Åse Ødegård" in text
    assert reader.metadata.title == f"Benefits confirmation statement {year}"
    axe.assert_clean()


def test_hr_approves_a_life_event_and_reads_the_enrolment_report(
    page: Page, server, axe, sign_in_with_totp, employee, hr_officer
):
    from hr.benefits import services
    from tests.benefits.factories import LifeEventFactory

    window = open_window()
    plan = PlanFactory(name="Health Plus")
    services.election_make(
        employee=employee.employee,
        plan=plan,
        plan_year=window.plan_year,
        coverage_level=plan.levels.get(name="Employee only"),
        actor=employee,
    )
    LifeEventFactory(employee=employee.employee)
    sign_in_with_totp(hr_officer)

    page.goto(server + reverse("benefits:manage"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Benefits administration")
    axe.check("Benefits administration")
    page.get_by_role("link", name="Health Plus").click()
    axe.check("Plan with its levels")
    page.goto(server + reverse("benefits:manage_life_events"))
    axe.check("Life-event queue")
    page.get_by_role("link", name=employee.get_full_name()).click()
    axe.check("Life event for HR")
    page.get_by_label("Note to the employee (optional)").fill("Congratulations!")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Life event approved; the employee has been told.")).to_be_visible()

    page.goto(server + reverse("benefits:manage_enrolment"))
    expect(page.get_by_role("cell", name=employee.employee.employee_number)).to_be_visible()
    expect(page.get_by_role("table", name="Health Plus: 1 election")).to_be_visible()
    axe.check("Enrolment report")
    axe.assert_clean()
