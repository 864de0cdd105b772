"""Ticket files are served only through the authorising view, always as a download.

Owner, another employee, the queue's agent, an agent of another queue; a file with an
internal note is for the desk only; SVG and HTML never get in, and leave nothing behind.
"""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ess.content.models import Attachment
from helpdesk import services
from helpdesk.models import EventKind

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def ticket_with_files(
    employee, it_queue, it_agent, software_type, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(
            requester=employee,
            request_type=software_type,
            subject="Screen shows stripes",
            description="Photo attached.",
            attachments=[_upload("<img src=x onerror=alert(1)>.png", PNG, "image/png")],
        )
        services.ticket_note(
            ticket=ticket,
            author=it_agent,
            body="Vendor quote attached.",
            attachments=[_upload("quote.pdf", PDF, "application/pdf")],
        )
    public = Attachment.objects.get(content_type="image/png")
    internal = Attachment.objects.get(content_type="application/pdf")
    return ticket, public, internal


def _get(client, user, attachment):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("content:attachment", args=[attachment.pk]))


def test_requester_downloads_an_image_as_a_file_with_nosniff(client, employee, ticket_with_files):
    _, public, _ = ticket_with_files
    response = _get(client, employee, public)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize(
    ("who", "public_status", "internal_status"),
    [
        ("employee", 200, 404),
        ("other_employee", 404, 404),
        ("it_agent", 200, 200),
        ("facilities_agent", 404, 404),
        ("hr_officer", 404, 404),
    ],
)
def test_who_may_open_ticket_files(
    client, request, ticket_with_files, facilities_queue, who, public_status, internal_status
):
    _, public, internal = ticket_with_files
    user = request.getfixturevalue(who)
    assert _get(client, user, public).status_code == public_status
    assert _get(client, user, internal).status_code == internal_status


def test_anonymous_is_sent_to_sign_in(client, ticket_with_files):
    _, public, _ = ticket_with_files
    response = _get(client, None, public)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_missing_and_forbidden_files_look_the_same(client, other_employee, ticket_with_files):
    _, public, _ = ticket_with_files
    client.force_login(other_employee)
    forbidden = client.get(reverse("content:attachment", args=[public.pk]))
    missing = client.get(reverse("content:attachment", args=[public.pk + 1000]))
    assert forbidden.status_code == missing.status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("disguised.png", b"<html><body onload=alert(1)></body></html>"),
    ],
)
def test_svg_and_html_are_refused_and_leave_nothing(
    employee, software_type, tmp_path, settings, name, content
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        services.ticket_create(
            requester=employee,
            request_type=software_type,
            subject="Look at this",
            attachments=[_upload(name, content)],
        )
    assert not Attachment.objects.exists()
    assert not employee.helpdesk_requests.exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_the_file_belongs_to_the_event_it_came_with(ticket_with_files):
    ticket, public, internal = ticket_with_files
    assert public.owner.kind == EventKind.CREATED
    assert public.owner.ticket_id == ticket.pk
    assert internal.owner.kind == EventKind.NOTE
    assert internal.owner.internal
    assert public.original_name == "<img src=x onerror=alert(1)>.png"
