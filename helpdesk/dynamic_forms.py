"""The request types' own forms, built from their FormField rows, and their answers shown back.

Answers are stored as JSON on the ticket: text as typed (templates escape it), numbers as
decimal strings, dates in ISO format, a person as {"user_id", "name"} and attachments as
the ids of the content attachments the ticket service stored.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ess.accounts.models import User
from helpdesk.models import FieldKind, FormField, RequestType, Ticket

TEXT_MAX = 500
TEXTAREA_MAX = 5000


class PersonField(forms.Field):
    """An active colleague, by e-mail address or employee number."""

    widget = forms.TextInput
    default_error_messages = {
        "unknown": gettext_lazy("No active colleague has this e-mail address or employee number.")
    }

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "maxlength": "254"})

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        person = None
        if len(text) <= 254:
            person = (
                User.objects.filter(is_active=True)
                .filter(Q(email__iexact=text) | Q(employee__employee_number=text))
                .first()
            )
        if person is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        return person


def _field_for(spec: FormField) -> forms.Field:
    common = {
        "label": spec.label,
        "required": spec.required,
        "help_text": spec.help_text,
    }
    if spec.kind == FieldKind.TEXTAREA:
        return forms.CharField(
            max_length=TEXTAREA_MAX, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if spec.kind == FieldKind.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=4, **common)
    if spec.kind == FieldKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if spec.kind == FieldKind.CHOICE:
        options = [(option, option) for option in spec.choice_list]
        return forms.ChoiceField(choices=[("", "---------"), *options], **common)
    if spec.kind == FieldKind.PERSON:
        return PersonField(**common)
    if spec.kind == FieldKind.ATTACHMENT:
        # Type and size are checked by ess.content.attachments when the file is stored.
        return forms.FileField(**common)
    return forms.CharField(max_length=TEXT_MAX, **common)


def _fields_of(request_type: RequestType) -> list[FormField]:
    return list(FormField.objects.filter(request_type=request_type).order_by("position", "id"))


def request_form_class(request_type: RequestType, *, user: User) -> type[forms.Form]:
    """A form class with one field per FormField row, named by the field's key.

    `user` is the person filling it in; it is kept on the class for fields that may come
    to depend on who asks (nothing does yet).
    """
    specs = _fields_of(request_type)
    attributes = {spec.key: _field_for(spec) for spec in specs}
    attributes["field_specs"] = specs
    attributes["filled_in_by"] = user
    return type(f"RequestForm_{request_type.slug.replace('-', '_')}", (forms.Form,), attributes)


def _json_value(value):
    if isinstance(value, User):
        return {"user_id": value.pk, "name": value.get_full_name() or value.email}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def split_answers(form: forms.Form) -> tuple[dict, dict[str, UploadedFile]]:
    """(JSON-safe answers, uploads by field key) from a valid form; empty answers left out."""
    answers: dict = {}
    uploads: dict[str, UploadedFile] = {}
    for key, value in form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        if isinstance(value, UploadedFile):
            uploads[key] = value
            continue
        answers[key] = _json_value(value)
    return answers, uploads


def _display(kind: str, value, attachment_names: dict[int, str]) -> str:
    if kind == FieldKind.PERSON and isinstance(value, dict):
        return str(value.get("name", ""))
    if kind == FieldKind.DATE and isinstance(value, str):
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    if kind == FieldKind.ATTACHMENT:
        ids = value if isinstance(value, list) else [value]
        return ", ".join(attachment_names.get(i, _("(removed file)")) for i in ids)
    if isinstance(value, dict | list):
        return ", ".join(
            str(item) for item in (value.values() if isinstance(value, dict) else value)
        )
    return str(value)


def answers_for_display(ticket: Ticket) -> list[tuple[str, str]]:
    """(label, value) in the form's order; answers of fields removed since come last."""
    answers = ticket.form_answers or {}
    if not answers:
        return []
    specs = _fields_of(ticket.request_type) if ticket.request_type_id else []
    attachment_names = _attachment_names(ticket, specs, answers)
    rows = []
    seen = set()
    for spec in specs:
        seen.add(spec.key)
        if spec.key in answers:
            rows.append((spec.label, _display(spec.kind, answers[spec.key], attachment_names)))
    rows.extend(
        (key, _display("", value, attachment_names))
        for key, value in answers.items()
        if key not in seen
    )
    return rows


def _attachment_names(ticket: Ticket, specs: list[FormField], answers: dict) -> dict[int, str]:
    """Names of the files answered, only among the files stored with this ticket."""
    from django.contrib.contenttypes.models import ContentType

    from ess.content.models import Attachment
    from helpdesk.models import TicketEvent

    ids: list[int] = []
    for spec in specs:
        if spec.kind != FieldKind.ATTACHMENT or spec.key not in answers:
            continue
        value = answers[spec.key]
        ids.extend(i for i in (value if isinstance(value, list) else [value]) if isinstance(i, int))
    if not ids:
        return {}
    files = Attachment.objects.filter(
        pk__in=ids,
        owner_type=ContentType.objects.get_for_model(TicketEvent),
        owner_id__in=TicketEvent.objects.filter(ticket=ticket).values("pk"),
    )
    return dict(files.values_list("pk", "original_name"))
