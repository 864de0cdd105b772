"""Filing a request: articles that might answer it first, the request type's own questions,
files, filing for a report, and hostile input."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ess.content.models import Attachment
from ess.search.models import Gap, SearchLog
from ess.search.services import index_refresh
from helpdesk.models import (
    AppointmentSlot,
    ApprovalState,
    Deflection,
    FieldKind,
    Ticket,
)
from tests.factories import EmployeeFactory
from tests.helpdesk.factories import FormFieldFactory, RequestTypeFactory
from tests.helpdesk.web_employee.conftest import png, svg
from tests.knowledge.factories import published_article

XSS = '<script>alert("x")</script>'
HOSTILE_NAME = "<img src=x onerror=alert(1)>"


def _media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- Deflection -------------------------------------------------------------------------------
@pytest.fixture
def vpn_article(db):
    article = published_article(
        title="Connect to the VPN from home", body="Open the VPN client and sign in."
    )
    index_refresh(doc_type="article")
    return article


def _suggestions(client, request_type, subject: str):
    return client.get(
        reverse("helpdesk:deflect_suggestions", args=[request_type.slug]),
        {"subject": subject},
        headers={"HX-Request": "true"},
    )


def _open_links(response) -> list[str]:
    prefix = reverse("search:open") + "?"
    return [
        html.unescape(link)
        for link in re.findall(r'href="([^"]+)"', response.content.decode())
        if link.startswith(prefix)
    ]


def test_typing_a_subject_suggests_a_published_article_through_the_click_link(
    client, employee, software_type, vpn_article
):
    client.force_login(employee)

    response = _suggestions(client, software_type, "vpn from home")

    assert response.status_code == 200
    html_text = response.content.decode()
    assert "Connect to the VPN from home" in html_text
    [link] = _open_links(response)
    assert "q=vpn+from+home" in link
    assert "log=" not in link
    assert "This solved it" in html_text
    assert 'hx-swap-oob="innerHTML"' in html_text  # the "this solved it" forms


def test_typing_a_subject_logs_no_search_and_no_knowledge_gap(
    client, employee, software_type, vpn_article
):
    client.force_login(employee)

    for typed in ("new", "new la", "new lap", "new laptop", "vpn fr", "vpn from home"):
        assert _suggestions(client, software_type, typed).status_code == 200

    assert not SearchLog.objects.exists()
    assert not Gap.objects.exists()


def test_an_opened_suggestion_is_logged_once_and_kept_on_the_filed_ticket(
    client, employee, software_type, vpn_article
):
    client.force_login(employee)
    _suggestions(client, software_type, "vpn fr")
    [link] = _open_links(_suggestions(client, software_type, "vpn from home"))

    opened = client.get(link)

    assert opened.status_code == 302
    assert opened["Location"].startswith(vpn_article.get_absolute_url())
    search = SearchLog.objects.get()
    assert (search.query, search.clicked_type, search.clicked_key, search.clicked_rank) == (
        "vpn from home",
        "article",
        vpn_article.key,
        1,
    )
    client.post(
        reverse("helpdesk:request", args=[software_type.slug]),
        {"subject": "vpn from home", "description": "Still no luck."},
    )
    context = Ticket.objects.get().search_context
    assert {"kind": "article", "key": vpn_article.key}.items() <= context[0].items()
    assert context[0]["title"] == "Connect to the VPN from home"
    assert {"kind": "search", "query": "vpn from home"}.items() <= context[1].items()
    assert len(context) == 2  # nothing of what was typed on the way


def test_a_short_subject_suggests_nothing_and_logs_nothing(client, employee, software_type):
    client.force_login(employee)
    url = reverse("helpdesk:deflect_suggestions", args=[software_type.slug])
    response = client.get(url, {"subject": "vp"})
    assert "This solved it" not in response.content.decode()
    assert not SearchLog.objects.exists()


def test_this_solved_it_counts_once_logs_one_answered_search_and_files_nothing(
    client, employee, software_type, vpn_article
):
    client.force_login(employee)
    for typed in ("vpn", "vpn fr", "vpn from home"):
        _suggestions(client, software_type, typed)
    data = {
        "request_type": software_type.slug,
        "query": "vpn from home",
        "doc_type": "article",
        "doc_key": vpn_article.key,
    }
    first = client.post(reverse("helpdesk:deflect"), data)
    client.post(reverse("helpdesk:deflect"), data)

    assert first.status_code == 200
    assert "Glad it helped" in first.content.decode()
    assert reverse("portal:home") in first.content.decode()
    deflection = Deflection.objects.get()
    assert (deflection.query, deflection.doc_key) == ("vpn from home", vpn_article.key)
    assert not Ticket.objects.exists()
    search = SearchLog.objects.get()
    assert (search.query, search.source, search.clicked_key) == (
        "vpn from home",
        "deflection",
        vpn_article.key,
    )
    assert Gap.objects.get().no_clicks == 0  # answered: not a gap worth an article


def test_this_solved_it_on_an_unknown_article_is_not_found(client, employee, software_type):
    client.force_login(employee)
    response = client.post(
        reverse("helpdesk:deflect"),
        {
            "request_type": software_type.slug,
            "query": "x",
            "doc_type": "article",
            "doc_key": "nope",
        },
    )
    assert response.status_code == 404
    assert not Deflection.objects.exists()


def test_filing_after_only_typing_keeps_no_half_typed_searches_on_the_ticket(
    client, employee, software_type, vpn_article
):
    client.force_login(employee)
    for typed in ("vpn", "vpn fr", "vpn from home"):
        _suggestions(client, software_type, typed)
    response = client.post(
        reverse("helpdesk:request", args=[software_type.slug]),
        {"subject": "vpn from home", "description": "Still no luck."},
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.search_context == []


# --- The form ---------------------------------------------------------------------------------
@pytest.fixture
def every_kind_type(db, it_queue):
    request_type = RequestTypeFactory(queue=it_queue, name="Everything", slug="everything")
    for position, kind in enumerate(FieldKind.values, start=1):
        FormFieldFactory(
            request_type=request_type,
            key=kind,
            label=f"The {kind}",
            kind=kind,
            choices="Red\nBlue" if kind == FieldKind.CHOICE else "",
            position=position,
        )
    return request_type


def test_filing_with_every_kind_of_field_stores_the_answers(
    client, employee, other_employee, every_kind_type
):
    client.force_login(employee)
    response = client.post(
        reverse("helpdesk:request", args=[every_kind_type.slug]),
        {
            "subject": "All kinds",
            "answers-text": "short",
            "answers-textarea": "long\ntext",
            "answers-number": "42",
            "answers-date": "2026-12-01",
            "answers-choice": "Blue",
            "answers-person": other_employee.email,
            "answers-attachment": png("form.png"),
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    ticket = Ticket.objects.get()
    answers = ticket.form_answers
    assert answers["text"] == "short"
    assert answers["textarea"] == "long\ntext"
    assert str(answers["number"]) == "42"
    assert answers["date"] == "2026-12-01"
    assert answers["choice"] == "Blue"
    assert answers["person"]["user_id"] == other_employee.pk
    assert Attachment.objects.get().original_name == "form.png"
    assert ticket.approval_state == ApprovalState.NOT_NEEDED


def test_missing_required_answers_are_listed_and_the_typed_input_is_kept(
    client, employee, laptop_type
):
    client.force_login(employee)
    response = client.post(
        reverse("helpdesk:request", args=[laptop_type.slug]),
        {"subject": "My laptop is ancient", "description": "Five years old & slow"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="My laptop is ancient"' in html
    assert "Five years old &amp; slow" in html
    assert 'href="#id_answers-model"' in html
    assert 'href="#id_answers-reason"' in html
    assert "data-error-summary" in html
    assert not Ticket.objects.exists()


def test_a_request_needing_approval_says_so_after_filing(client, employee, manager, laptop_type):
    client.force_login(employee)
    response = client.post(
        reverse("helpdesk:request", args=[laptop_type.slug]),
        {
            "subject": "New laptop please",
            "answers-model": 'Developer 16"',
            "answers-reason": "Builds take an hour",
        },
        follow=True,
    )

    ticket = Ticket.objects.get()
    assert ticket.approval_state == ApprovalState.PENDING
    assert "waits for approval" in response.content.decode()


def test_a_manager_may_file_for_a_report_below_them(client, employee, manager, software_type):
    grandchild = EmployeeFactory(user__email="gina@example.org", manager=employee.employee).user
    client.force_login(manager)
    page = client.get(reverse("helpdesk:request", args=[software_type.slug])).content.decode()
    assert f'value="{employee.pk}"' in page
    assert f'value="{grandchild.pk}"' in page

    response = client.post(
        reverse("helpdesk:request", args=[software_type.slug]),
        {"subject": "Install Slack for Gina", "on_behalf_of": grandchild.pk},
    )

    assert response.status_code == 302
    assert Ticket.objects.get().on_behalf_of == grandchild


def test_a_manager_cannot_file_for_someone_outside_their_team(
    client, manager, other_employee, software_type
):
    client.force_login(manager)
    response = client.post(
        reverse("helpdesk:request", args=[software_type.slug]),
        {"subject": "Install Slack", "on_behalf_of": other_employee.pk},
    )
    assert response.status_code == 400
    assert 'href="#id_on_behalf_of"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_someone_without_reports_files_for_themselves_only(
    client, employee, other_employee, software_type
):
    client.force_login(employee)
    page = client.get(reverse("helpdesk:request", args=[software_type.slug])).content.decode()
    assert 'name="on_behalf_of"' not in page
    client.post(
        reverse("helpdesk:request", args=[software_type.slug]),
        {"subject": "Install Slack", "on_behalf_of": other_employee.pk},
    )
    assert Ticket.objects.get().on_behalf_of is None


def test_an_inactive_request_type_is_not_found(client, employee, software_type):
    software_type.is_active = False
    software_type.save()
    client.force_login(employee)
    assert client.get(reverse("helpdesk:request", args=[software_type.slug])).status_code == 404


# --- Files and hostile input ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("drawing.svg", svg().read()),
        ("page.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_svg_and_html_uploads_are_refused_with_no_ticket_and_no_file_left(
    client, employee, software_type, settings, name, content
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(employee)
    response = client.post(
        reverse("helpdesk:request", args=[software_type.slug]),
        {
            "subject": "Look at this",
            "attachments": [png(), SimpleUploadedFile(name, content, content_type="text/html")],
        },
    )

    assert response.status_code == 400
    assert 'href="#id_attachments"' in response.content.decode()
    assert "Please choose them again." in response.content.decode()
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert _media_files(settings) == []


def test_a_refused_file_in_a_form_answer_files_nothing(client, employee, every_kind_type, settings):
    client.force_login(employee)
    response = client.post(
        reverse("helpdesk:request", args=[every_kind_type.slug]),
        {"subject": "Bad file", "answers-attachment": svg(), "attachments": [png()]},
    )
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    assert _media_files(settings) == []


def test_hostile_text_and_file_names_come_out_escaped(client, employee, every_kind_type):
    client.force_login(employee)
    client.post(
        reverse("helpdesk:request", args=[every_kind_type.slug]),
        {
            "subject": f"Help {XSS}",
            "description": f"Body {XSS}",
            "answers-text": XSS,
            "answers-textarea": XSS,
            "answers-choice": "Red",
            "attachments": [png(f"{HOSTILE_NAME}.png")],
        },
    )
    ticket = Ticket.objects.get()

    html = client.get(ticket.get_absolute_url()).content.decode()

    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 4
    assert "&lt;img src=x onerror=alert(1)&gt;.png" in html
    assert "<img src=x" not in html


# --- Appointments -----------------------------------------------------------------------------
def test_an_appointment_picked_while_filing_is_booked(client, employee, it_agent, software_type):
    software_type.allows_appointments = True
    software_type.save()
    start = timezone.now() + datetime.timedelta(days=3)
    slot = AppointmentSlot.objects.create(
        queue=software_type.queue,
        agent=it_agent,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=30),
        location="Desk 4",
    )
    client.force_login(employee)
    page = client.get(reverse("helpdesk:request", args=[software_type.slug])).content.decode()
    assert f'value="{slot.pk}"' in page

    response = client.post(
        reverse("helpdesk:request", args=[software_type.slug]),
        {"subject": "Set up my docking station", "slot": slot.pk},
    )

    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.ticket == Ticket.objects.get()
    ticket_page = client.get(response["Location"]).content.decode()
    assert reverse("helpdesk:appointment_ics", args=[slot.ticket.pk]) in ticket_page


def test_a_slot_taken_meanwhile_files_nothing(
    client, employee, other_employee, it_agent, software_type
):
    software_type.allows_appointments = True
    software_type.save()
    start = timezone.now() + datetime.timedelta(days=3)
    slot = AppointmentSlot.objects.create(
        queue=software_type.queue,
        agent=it_agent,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=30),
    )
    client.force_login(employee)
    client.get(reverse("helpdesk:request", args=[software_type.slug]))
    # Someone else books it between the page and the submit.
    from tests.helpdesk.factories import TicketFactory

    AppointmentSlot.objects.filter(pk=slot.pk).update(
        ticket=TicketFactory(requester=other_employee, queue=software_type.queue),
        booked_at=timezone.now(),
    )
    response = client.post(
        reverse("helpdesk:request", args=[software_type.slug]),
        {"subject": "Set up my docking station", "slot": slot.pk},
    )

    assert response.status_code == 400
    assert Ticket.objects.filter(requester=employee).count() == 0


def test_a_booking_refused_after_filing_leaves_no_ticket_and_no_file(
    client, employee, it_agent, software_type, settings, monkeypatch
):
    from django.core.exceptions import ValidationError

    from helpdesk import views_employee

    software_type.allows_appointments = True
    software_type.save()
    start = timezone.now() + datetime.timedelta(days=3)
    slot = AppointmentSlot.objects.create(
        queue=software_type.queue,
        agent=it_agent,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=30),
    )

    def taken_meanwhile(**kwargs):
        raise ValidationError("This time is no longer available. Please choose another.")

    # The race lost between the form's check and the booking itself.
    monkeypatch.setattr(views_employee.appointments, "slot_book", taken_meanwhile)
    client.force_login(employee)
    response = client.post(
        reverse("helpdesk:request", args=[software_type.slug]),
        {"subject": "Dock", "slot": slot.pk, "attachments": [png()]},
    )

    assert response.status_code == 400
    assert 'href="#id_slot"' in response.content.decode()
    assert not Ticket.objects.exists()
    assert _media_files(settings) == []
