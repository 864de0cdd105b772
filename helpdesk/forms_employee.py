"""Forms, the filter and the table of the employee side of the service desk."""

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ess.accounts.models import User
from ess.content import attachments as content_attachments
from ess.portal.tables import DrawnTableMixin
from helpdesk.models import RequestType, Status, Ticket
from helpdesk.tables import LINK_ID

SUBJECT_MAX = 200
BODY_MAX = 10_000
COMMENT_MAX = 2_000
MAX_FILES = 10
RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked before anything is stored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("Attach at most %(count)d files.") % {"count": MAX_FILES}, code="too_many"
            )
        return [attachable(super(MultipleFileField, self).clean(item, initial)) for item in files]


def attachable(upload: UploadedFile | None) -> UploadedFile | None:
    """Refuse a file the attachment store would refuse, before the request is filed.

    The store checks again when it saves; checking every file first means a bad second
    file cannot leave the first one stored for a request that was then not filed.
    """
    if upload is None:
        return None
    content_attachments.attachment_check(upload)
    return upload


def _slot_label(slot) -> str:
    start = formats.date_format(slot.starts_at, "DATETIME_FORMAT")
    return f"{start} — {slot.location}" if slot.location else start


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _slot_label(obj)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.email


class TicketRequestForm(forms.Form):
    """The fixed part of a request: subject, description, files, and for some people the
    report it is for and an appointment. The request type's own questions are a second form
    (`helpdesk.dynamic_forms.request_form_class`) rendered alongside."""

    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        help_text=_("A few words; matching help articles appear below as you type."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        help_text=_("PDF, images or Office documents."),
    )

    def __init__(self, *args, suggestions_url: str, reports=None, slots=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Typing a subject fetches help articles that may answer it (see request.html).
        self.fields["subject"].widget.attrs.update(
            {
                "autocomplete": "off",
                "hx-get": suggestions_url,
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#deflect-suggestions",
                "hx-sync": "this:replace",
            }
        )
        if reports is not None:
            self.fields["on_behalf_of"] = PersonChoiceField(
                label=_("On behalf of"),
                queryset=reports,
                required=False,
                empty_label=_("Myself"),
                help_text=_("File this request for someone in your team."),
            )
        if slots is not None:
            self.fields["slot"] = SlotChoiceField(
                label=_("Appointment"),
                queryset=slots,
                required=False,
                empty_label=_("No appointment"),
                help_text=_("Pick a time that suits you, if you would like to meet."),
            )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = MultipleFileField(label=_("Attachments"))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How did we do?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 is poor, 5 is excellent."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApprovalDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject; the requester reads it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why you reject the request."))
        return data


class DeflectForm(forms.Form):
    """ "This solved it" on a suggested article."""

    request_type = forms.SlugField(max_length=60)
    query = forms.CharField(max_length=SUBJECT_MAX, required=False)
    doc_type = forms.CharField(max_length=20)
    doc_key = forms.CharField(max_length=120)


# --- My requests -------------------------------------------------------------------------------
class MyRequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Text"), method="filter_text", max_length=100)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    request_type = django_filters.ModelChoiceFilter(
        label=_("Request type"),
        queryset=RequestType.objects.order_by("name"),
    )

    # The only query keys this page answers to; anything else is refused (400).
    ALLOWED_KEYS = frozenset({"q", "status", "request_type", "sort", "page"})

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        for word in value.split()[:5]:
            condition = Q(subject__icontains=word) | Q(description__icontains=word)
            if word.lstrip("#").isdigit():
                condition |= Q(pk=int(word.lstrip("#")))
            queryset = queryset.filter(condition)
        return queryset


class MyRequestTable(DrawnTableMixin, tables.Table):
    reference = tables.Column(
        verbose_name=_("Reference"), accessor="pk", linkify=True, order_by=("id",)
    )
    subject = tables.Column(verbose_name=_("Subject"), linkify=True)
    request_type = tables.Column(
        verbose_name=_("Request type"), accessor="request_type__name", default="—"
    )
    status = tables.Column(verbose_name=_("Status"))
    for_whom = tables.Column(
        verbose_name=_("For"), accessor="on_behalf_of", orderable=False, empty_values=()
    )
    created_at = tables.DateTimeColumn(verbose_name=_("Filed"), format="SHORT_DATETIME_FORMAT")
    updated_at = tables.DateTimeColumn(
        verbose_name=_("Last update"), format="SHORT_DATETIME_FORMAT"
    )

    class Meta:
        model = Ticket
        fields = ("reference", "subject", "request_type", "status", "for_whom", "created_at")
        sequence = (
            "reference",
            "subject",
            "request_type",
            "status",
            "for_whom",
            "created_at",
            "updated_at",
        )
        order_by = ("-created_at",)
        attrs = {"class": "table table-sm align-middle"}
        template_name = "portal/_drawn_table.html"

    def __init__(self, *args, user: User, **kwargs):
        self.viewer = user
        super().__init__(*args, **kwargs)

    def render_reference(self, value) -> str:
        return f"#{value}"

    def render_for_whom(self, record) -> str:
        person = record.on_behalf_of or record.requester
        if person.pk == self.viewer.pk:
            return _("Me")
        return person.get_full_name() or person.email

    def page_rows(self) -> list[str]:
        """The page's rows as HTML, each value escaped (see DrawnTableMixin)."""
        statuses = {value: str(label) for value, label in Status.choices}
        link = reverse("helpdesk:ticket", args=[LINK_ID]).replace(str(LINK_ID), "{}", 1)

        def when(moment) -> str:
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")

        rows = []
        for bound in self.page.object_list:
            ticket = bound.record
            url = link.format(ticket.pk)
            cells = (
                f'<a href="{url}">#{ticket.pk}</a>',
                f'<a href="{url}">{escape(ticket.subject)}</a>',
                escape(ticket.request_type.name) if ticket.request_type_id else "—",
                escape(statuses.get(ticket.status, ticket.status)),
                escape(self.render_for_whom(ticket)),
                escape(when(ticket.created_at)),
                escape(when(ticket.updated_at)),
            )
            rows.append(mark_safe("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"))  # noqa: S308 (every value above is escaped)
        return rows
