"""Forms of the agent workspace, the ticket page and the desk's administration."""

import re
import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ess.accounts.models import User
from ess.accounts.roles import Role
from helpdesk.choices import desk_choices, show_choices
from helpdesk.models import (
    Approval,
    BusinessHours,
    CannedReply,
    FieldKind,
    FormField,
    Holiday,
    Priority,
    Queue,
    RequestType,
    SlaTarget,
    Status,
)
from helpdesk.permissions import AGENT_ROLES

REFERENCE = re.compile(r"^\s*#?(\d{1,10})\s*$")
BODY_MAX = 20_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; type and size are checked by attachment_add."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _text(label, *, required=True, rows=4, max_length=BODY_MAX):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "class": "form-control"}),
    )


class ReferenceField(forms.CharField):
    """A ticket reference typed as "#123" or "123"; cleans to the id."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "form-control"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        match = REFERENCE.match(value or "")
        if not match:
            raise forms.ValidationError(_("Type a ticket reference such as #123."))
        return int(match.group(1))


# --- The ticket page ---------------------------------------------------------------------------
class TicketUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Status.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Unassigned"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    queue = forms.ModelChoiceField(
        label=_("Queue"),
        queryset=Queue.objects.none(),
        required=False,
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    resolution = _text(
        _("Resolution (shown to the requester when resolved)"), required=False, rows=2
    )

    def __init__(self, *args, ticket, queue_ids, **kwargs):
        queue_ids = set(queue_ids) | {ticket.queue_id}
        kwargs.setdefault(
            "initial",
            {
                "version": ticket.version,
                "status": ticket.status,
                "priority": ticket.priority,
                "assignee": ticket.assignee_id,
                "queue": ticket.queue_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = ticket.queue.agents.filter(is_active=True)
        show_choices(self.fields["assignee"], desk_choices({ticket.queue_id}).agents)
        # Moving a ticket keeps it within what this agent works (and its confidentiality).
        self.fields["queue"].queryset = Queue.objects.filter(
            pk__in=queue_ids, confidential=ticket.confidential
        )
        show_choices(
            self.fields["queue"],
            [
                (queue.pk, queue.name)
                for queue in desk_choices(queue_ids).queues
                if queue.confidential == ticket.confidential
            ],
        )


class ReplyForm(forms.Form):
    body = _text(_("Reply to the requester"), rows=6)
    attachments = MultipleFileField(label=_("Attachments"))


class NoteForm(forms.Form):
    body = _text(_("Internal note (never shown to the requester)"), rows=4)
    attachments = MultipleFileField(label=_("Attachments"))


class CannedPickForm(forms.Form):
    canned = forms.ModelChoiceField(queryset=CannedReply.objects.none())

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canned"].queryset = choices


class ReferenceForm(forms.Form):
    reference = ReferenceField(label=_("Ticket reference"))


class WatcherForm(forms.Form):
    email = forms.EmailField(
        label=_("Watcher's e-mail address"),
        widget=forms.EmailInput(attrs={"class": "form-control"}),
    )
    remove = forms.BooleanField(required=False)

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active person has this e-mail address."))
        return user


class AccessForm(forms.Form):
    officer = forms.ModelChoiceField(
        label=_("Officer"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    revoke = forms.BooleanField(required=False)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


# --- The workspace -------------------------------------------------------------------------------
class SavedViewForm(forms.Form):
    name = forms.CharField(
        label=_("Name of this view"),
        max_length=80,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)


class BulkForm(forms.Form):
    ACTIONS = [
        ("assign", _("Assign")),
        ("status", _("Change status")),
        ("priority", _("Change priority")),
        ("merge", _("Merge into a ticket")),
    ]
    ticket_ids = forms.TypedMultipleChoiceField(coerce=int, choices=())
    action = forms.ChoiceField(
        label=_("Action"), choices=ACTIONS, widget=forms.Select(attrs={"class": "form-select"})
    )
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Unassigned"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[("", "—"), *Status.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    priority = forms.TypedChoiceField(
        label=_("New priority"),
        choices=[("", "—"), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    target = forms.CharField(
        label=_("Merge into ticket"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "#123"}),
    )

    def __init__(self, *args, agents, agent_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents
        if agent_choices is not None:
            show_choices(self.fields["assignee"], agent_choices)
        # Any id may be posted; which of them the agent may work is the service's decision.
        self.fields["ticket_ids"].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "status" and not data.get("status"):
            self.add_error("status", _("Choose the new status."))
        if action == "priority" and not data.get("priority"):
            self.add_error("priority", _("Choose the new priority."))
        if action == "merge":
            match = REFERENCE.match(data.get("target") or "")
            if not match:
                self.add_error("target", _("Type a ticket reference such as #123."))
            else:
                data["target"] = int(match.group(1))
        return data


# --- Availability ---------------------------------------------------------------------------
class SlotPublishForm(forms.Form):
    queue = forms.ModelChoiceField(
        label=_("Queue"),
        queryset=Queue.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    starts = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"})
    )
    ends = forms.TimeField(
        label=pgettext_lazy("end of a range", "To"),
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}),
    )
    length_minutes = forms.IntegerField(
        label=_("Slot length (minutes)"),
        min_value=5,
        max_value=480,
        initial=30,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, queues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = queues

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("The end must be after the start."))
        return data


# --- Administration ------------------------------------------------------------------------------
def agent_people():
    return (
        User.objects.filter(groups__name__in=AGENT_ROLES, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class QueueForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Queue
        fields = (
            "name",
            "slug",
            "description",
            "email_address",
            "confidential",
            "lead",
            "reopen_days",
            "time_zone",
            "agents",
            "is_active",
            "position",
        )
        widgets = {"agents": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = agent_people()
        self.fields["agents"].queryset = people
        self.fields["agents"].help_text = _("People holding an agent role.")
        self.fields["lead"].queryset = people

    def clean_time_zone(self):
        name = self.cleaned_data["time_zone"].strip()
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                _("Unknown time zone; use a name such as Europe/Amsterdam.")
            ) from None
        return name


class BusinessHoursForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = BusinessHours
        fields = ("weekday", "opens", "closes")
        widgets = {
            "opens": forms.TimeInput(attrs={"type": "time"}),
            "closes": forms.TimeInput(attrs={"type": "time"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("opens") and data.get("closes") and data["closes"] <= data["opens"]:
            self.add_error("closes", _("Closing time must be after opening time."))
        return data


class HolidayForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ("date", "name")
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class SlaTargetForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = SlaTarget
        fields = ("priority", "first_response_minutes", "resolution_minutes", "warn_at_percent")
        # The model's own label has a bare percent sign, which gettext reads as a format code.
        labels = {"warn_at_percent": _("Warn when this share of the target is used (percent)")}

    def clean(self):
        data = super().clean()
        response, resolution = data.get("first_response_minutes"), data.get("resolution_minutes")
        if response and resolution and resolution < response:
            self.add_error(
                "resolution_minutes", _("Resolution cannot come before the first response.")
            )
        return data


class OfficerForm(AccessForm):
    pass


class RequestTypeForm(BootstrapMixin, forms.ModelForm):
    approval_role = forms.ChoiceField(
        label=_("Approving role"),
        choices=[("", "—"), *[(role.value, role.value) for role in Role]],
        required=False,
    )

    class Meta:
        model = RequestType
        fields = (
            "name",
            "slug",
            "description",
            "keywords",
            "icon",
            "queue",
            "default_priority",
            "approval",
            "approval_role",
            "allows_appointments",
            "is_active",
            "position",
        )
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if data.get("approval") == Approval.ROLE and not data.get("approval_role"):
            self.add_error("approval_role", _("Choose the role whose holders approve."))
        if data.get("approval") != Approval.ROLE:
            data["approval_role"] = ""
        return data


class FormFieldForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = FormField
        fields = ("label", "key", "kind", "required", "help_text", "choices", "position")
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, request_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_type = request_type
        self.fields["choices"].help_text = _("For a choice: one option per line.")

    def clean_key(self):
        key = self.cleaned_data["key"]
        others = FormField.objects.filter(request_type=self.request_type, key=key)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Another field of this form already has this key."))
        return key

    def clean(self):
        data = super().clean()
        if data.get("kind") == FieldKind.CHOICE and not (data.get("choices") or "").strip():
            self.add_error("choices", _("A choice needs at least one option."))
        return data


class CannedReplyForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ("title", "queue", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}
