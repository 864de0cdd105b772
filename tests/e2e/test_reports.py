"""A manager reads My team for last quarter, drills into overdue acknowledgements and
exports the list."""

import datetime
import io
import re

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from ess.reports.periods import Preset, preset_period
from hr.services import manager_role_sync
from policies.models import AcknowledgementRequest
from tests.factories import EmployeeFactory
from tests.policies.factories import published_policy

pytestmark = pytest.mark.e2e


@pytest.fixture
def team_with_a_late_acknowledgement(hr_officer, admin_user):
    quarter = preset_period(Preset.LAST_QUARTER)
    mid = quarter.start + datetime.timedelta(days=40)
    mila = EmployeeFactory(user__email="mila@example.org", user__first_name="Mila")
    anna = EmployeeFactory(user__first_name="Anna", user__last_name="Adams", manager=mila)
    ben = EmployeeFactory(user__first_name="Ben", user__last_name="Berg", manager=mila)
    manager_role_sync()
    policy = published_policy(owner=hr_officer, reviewer=admin_user, slug="safety")
    AcknowledgementRequest.objects.filter(version=policy.current_version).delete()
    AcknowledgementRequest.objects.create(
        version=policy.current_version,
        user=anna.user,
        due_date=mid,
        acknowledged_at=datetime.datetime.combine(mid, datetime.time(9), tzinfo=datetime.UTC),
        acknowledged_on=mid,
    )
    AcknowledgementRequest.objects.create(
        version=policy.current_version, user=ben.user, due_date=mid
    )
    return mila.user


def test_manager_filters_last_quarter_drills_into_overdue_and_exports(
    page: Page, server, axe, sign_in, team_with_a_late_acknowledgement
):
    sign_in(team_with_a_late_acknowledgement)
    page.get_by_role("link", name="Reports").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    axe.check("Reports index")
    page.locator("#main").get_by_role("link", name="My team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My team")

    page.get_by_label("Period", exact=True).select_option(label="Last quarter")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/reports/team/\?period=last_quarter&"))
    expect(page.locator("[data-figure=ack_rate]")).to_have_text("50.0%")
    axe.check("My team, last quarter")

    page.locator("[data-figure=ack_overdue]").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdue acknowledgements")
    expect(page.get_by_role("cell", name="Ben Berg")).to_be_visible()
    expect(page.get_by_role("cell", name="Anna Adams")).to_have_count(0)
    axe.check("Overdue acknowledgements")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export XLSX").click()
    download = download_info.value
    assert download.suggested_filename.startswith("team-overdue-")
    assert download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Name", "Policy")
    assert [row[0] for row in rows[1:]] == ["Ben Berg"]

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="My team").click()
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("heading", level=1)).to_have_text("My team")
    axe.check("My team on a phone")
    axe.assert_clean()
