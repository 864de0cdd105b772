"""Accessibility of the notification and settings pages."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from ess.notifications.models import Notification

pytestmark = pytest.mark.e2e


def test_notification_and_settings_pages_are_accessible(page: Page, server, axe, sign_in, employee):
    Notification.objects.create(
        recipient=employee,
        kind="e2e",
        title="Your payslip for March is ready",
        body="Open it in the payroll section.",
        url="/",
    )
    Notification.objects.create(
        recipient=employee, kind="e2e", title="Welcome to ESS", read_at=timezone.now()
    )
    sign_in(employee)

    pages = [
        ("notifications:list", "Notifications"),
        ("notifications:preferences", "Notification preferences"),
        ("accounts:settings", "Settings and security"),
    ]
    for url_name, heading in pages:
        page.goto(server + reverse(url_name))
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        if url_name == "notifications:list":
            expect(page.get_by_role("link", name="Your payslip for March is ready")).to_be_visible()
            expect(page.get_by_role("button", name="Mark as read")).to_have_count(1)
        axe.check(f"{heading} page")
    axe.assert_clean()
