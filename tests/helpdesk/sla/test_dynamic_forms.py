"""Request forms from the catalog's fields: every kind, required fields, stored answers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk.dynamic_forms import answers_for_display, request_form_class, split_answers
from helpdesk.models import FieldKind
from tests.factories import EmployeeFactory, UserFactory
from tests.helpdesk.factories import FormFieldFactory, RequestTypeFactory, TicketFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def everything(it_queue):
    request_type = RequestTypeFactory(queue=it_queue, name="Everything", slug="everything")
    for position, (key, kind, required) in enumerate(
        [
            ("summary", FieldKind.TEXT, True),
            ("details", FieldKind.TEXTAREA, False),
            ("amount", FieldKind.NUMBER, False),
            ("needed_by", FieldKind.DATE, False),
            ("size", FieldKind.CHOICE, False),
            ("colleague", FieldKind.PERSON, False),
            ("photo", FieldKind.ATTACHMENT, False),
        ]
    ):
        FormFieldFactory(
            request_type=request_type,
            key=key,
            label=key.replace("_", " ").title(),
            kind=kind,
            required=required,
            position=position,
            choices="Small\nLarge, with <b>tags</b>\n" if kind == FieldKind.CHOICE else "",
            help_text="Say it plainly." if key == "summary" else "",
        )
    return request_type


@pytest.fixture
def colleague(db):
    return EmployeeFactory(
        user__email="colin@example.org",
        user__first_name="Colin",
        user__last_name="Cole",
        employee_number="E777",
    ).user


def _form(request_type, user, data, files=None):
    return request_form_class(request_type, user=user)(data=data, files=files or {})


def test_every_kind_becomes_a_field_in_order(everything, employee):
    form = request_form_class(everything, user=employee)()
    assert list(form.fields) == [
        "summary",
        "details",
        "amount",
        "needed_by",
        "size",
        "colleague",
        "photo",
    ]
    assert form.fields["summary"].required
    assert form.fields["summary"].help_text == "Say it plainly."
    assert form.fields["needed_by"].widget.input_type == "date"
    assert [value for value, _label in form.fields["size"].choices] == [
        "",
        "Small",
        "Large, with <b>tags</b>",
    ]


def test_answers_are_json_safe_and_uploads_separate(everything, employee, colleague):
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    form = _form(
        everything,
        employee,
        {
            "summary": HOSTILE,
            "amount": "12.50",
            "needed_by": "2025-07-01",
            "size": "Large, with <b>tags</b>",
            "colleague": "COLIN@example.org",
        },
        {"photo": photo},
    )
    assert form.is_valid(), form.errors
    answers, uploads = split_answers(form)
    assert answers == {
        "summary": HOSTILE,
        "amount": "12.50",
        "needed_by": "2025-07-01",
        "size": "Large, with <b>tags</b>",
        "colleague": {"user_id": colleague.pk, "name": "Colin Cole"},
    }
    assert list(uploads) == ["photo"]


def test_a_person_can_be_named_by_employee_number(everything, employee, colleague):
    form = _form(everything, employee, {"summary": "x", "colleague": "E777"})
    assert form.is_valid(), form.errors
    assert split_answers(form)[0]["colleague"]["user_id"] == colleague.pk


@pytest.mark.parametrize("who", ["nobody@example.org", "E000000-nope", HOSTILE])
def test_an_unknown_person_is_refused(everything, employee, who):
    form = _form(everything, employee, {"summary": "x", "colleague": who})
    assert not form.is_valid()
    assert "colleague" in form.errors


def test_an_inactive_person_is_refused(everything, employee):
    UserFactory(email="gone@example.org", is_active=False)
    form = _form(everything, employee, {"summary": "x", "colleague": "gone@example.org"})
    assert "colleague" in form.errors


def test_an_option_not_offered_is_refused(everything, employee):
    form = _form(everything, employee, {"summary": "x", "size": "Huge"})
    assert "size" in form.errors


def test_required_fields_must_be_answered(everything, employee):
    form = _form(everything, employee, {"details": "only details"})
    assert "summary" in form.errors


@pytest.mark.parametrize(("key", "value"), [("amount", "twelve"), ("needed_by", "soon")])
def test_numbers_and_dates_must_be_readable(everything, employee, key, value):
    assert key in _form(everything, employee, {"summary": "x", key: value}).errors


def test_answers_show_in_field_order_with_people_by_name(everything, colleague):
    ticket = TicketFactory(
        queue=everything.queue,
        request_type=everything,
        form_answers={
            "colleague": {"user_id": colleague.pk, "name": "Colin Cole"},
            "summary": HOSTILE,
            "needed_by": "2025-07-01",
            "amount": "12.50",
            "removed_field": "kept anyway",
        },
    )
    rows = answers_for_display(ticket)
    assert [label for label, _value in rows] == [
        "Summary",
        "Amount",
        "Needed By",
        "Colleague",
        "removed_field",
    ]
    assert rows[0][1] == HOSTILE  # plain text: templates escape it
    assert rows[3][1] == "Colin Cole"
    assert "2025" in rows[2][1]


def test_answered_files_show_by_name_only_when_they_belong_to_the_ticket(everything):
    from ess.content.attachments import attachment_add
    from helpdesk.models import EventKind, TicketEvent

    ticket = TicketFactory(queue=everything.queue, request_type=everything)
    other = TicketFactory(queue=everything.queue, request_type=everything)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    mine = attachment_add(
        owner=TicketEvent.objects.create(ticket=ticket, kind=EventKind.CREATED),
        upload=SimpleUploadedFile("mine.png", png, content_type="image/png"),
        uploaded_by=ticket.requester,
    )
    theirs = attachment_add(
        owner=TicketEvent.objects.create(ticket=other, kind=EventKind.CREATED),
        upload=SimpleUploadedFile("secret.png", png, content_type="image/png"),
        uploaded_by=other.requester,
    )
    ticket.form_answers = {"photo": [mine.pk, theirs.pk]}
    value = dict(answers_for_display(ticket))["Photo"]
    assert "mine.png" in value
    assert "secret" not in value


def test_a_ticket_without_answers_shows_nothing(employee, it_queue):
    assert answers_for_display(TicketFactory(queue=it_queue)) == []
