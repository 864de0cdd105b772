"""The agent workspace's filters. Every accepted query key is listed in WORKSPACE_FILTER_KEYS:
anything else in the query string is refused (400), and saved views keep only these keys."""

import datetime
import re
from collections.abc import Iterable

import django_filters
from django import forms
from django.db import connection
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ess.accounts.models import User
from helpdesk import sla
from helpdesk.choices import desk_choices
from helpdesk.models import (
    UNFINISHED_STATUSES,
    Priority,
    SlaState,
    Status,
    Ticket,
    unfinished_index_condition,
)
from helpdesk.permissions import agent_queue_ids

# The filter keys of the workspace; with the table's own keys they are the whole query string.
WORKSPACE_FILTER_KEYS = frozenset(
    {
        "q",
        "queue",
        "status",
        "priority",
        "assignee",
        "sla",
        "request_type",
        "created_after",
        "created_before",
        "older_than",
    }
)
# Keys the table and its export read; not filters, so saved views leave them out.
WORKSPACE_TABLE_KEYS = frozenset({"sort", "page", "_export"})

ASSIGNEE_ME = "me"
ASSIGNEE_NONE = "unassigned"
REFERENCE = re.compile(r"^#?(\d{1,10})$")
OLDER_THAN_MAX_DAYS = 3650


class WorkspaceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Subject or reference"), method="filter_text", max_length=200
    )
    # Choices (the agent's queues and their request types) are set per agent from the
    # cached lists in helpdesk.choices; the ticket list itself is already the agent's own.
    queue = django_filters.ChoiceFilter(label=_("Queue"), field_name="queue", choices=())
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=Status.choices,
        method="filter_status",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    assignee = django_filters.ChoiceFilter(
        label=_("Assignee"), choices=(), method="filter_assignee"
    )
    sla = django_filters.ChoiceFilter(label=_("SLA"), choices=SlaState.choices, method="filter_sla")
    request_type = django_filters.ChoiceFilter(
        label=_("Request type"), field_name="request_type", choices=()
    )
    created_after = django_filters.DateFilter(
        label=_("Created on or after"),
        field_name="created_at",
        method="filter_created_after",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        label=_("Created before"),
        field_name="created_at",
        method="filter_created_before",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    older_than = django_filters.NumberFilter(
        label=_("Older than (days)"),
        method="filter_older_than",
        min_value=0,
        max_value=OLDER_THAN_MAX_DAYS,
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(
        self,
        data=None,
        *args,
        user: User,
        queue_ids: Iterable[int] | None = None,
        sla_queue_ids: Iterable[int] | None = None,
        **kwargs,
    ):
        """`queue_ids`: the agent's queues, offered as choices. `sla_queue_ids`: every queue
        the listed tickets can be in, when known, so the SLA filter names only their
        targets (None: all queues)."""
        # Without a status choice the workspace shows the work still to do.
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.getlist("status"):
            data.setlist("status", list(UNFINISHED_STATUSES))
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.sla_queue_ids = sla_queue_ids
        if queue_ids is None:
            queue_ids = agent_queue_ids(user)
        choices = desk_choices(queue_ids)
        self.filters["queue"].extra["choices"] = [
            (str(queue.pk), queue.name) for queue in choices.queues
        ]
        self.filters["request_type"].extra["choices"] = [
            (str(pk), name) for pk, name in choices.request_types
        ]
        self.filters["assignee"].extra["choices"] = [
            (ASSIGNEE_ME, _("Me")),
            (ASSIGNEE_NONE, _("Unassigned")),
            *[(str(pk), name) for pk, name in choices.agents if pk != user.pk],
        ]
        fields = self.form.fields
        for field in fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def filter_status(self, queryset, name, value):
        chosen, unfinished = set(value), set(UNFINISHED_STATUSES)
        if chosen == unfinished:
            # The open-work index's own condition, word for word (see the function): the
            # same rows, and the one condition both databases can match to the index.
            return queryset.filter(unfinished_index_condition())
        queryset = queryset.filter(status__in=value)
        if chosen < unfinished and connection.vendor == "sqlite":
            # SQLite cannot see that a bound subset lies inside the index's condition;
            # PostgreSQL can, and would count the same condition twice in its estimates.
            queryset = queryset.filter(unfinished_index_condition())
        return queryset

    def filter_text(self, queryset, name, value):
        value = value.strip()
        reference = REFERENCE.match(value)
        if reference:
            return queryset.filter(Q(pk=int(reference.group(1))) | Q(subject__icontains=value))
        return queryset.filter(subject__icontains=value) if value else queryset

    def filter_assignee(self, queryset, name, value):
        if value == ASSIGNEE_ME:
            return queryset.filter(assignee=self.user)
        if value == ASSIGNEE_NONE:
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee_id=int(value))

    def filter_sla(self, queryset, name, value):
        return sla.filter_by_sla_state(
            queryset, value, timezone.now(), queue_ids=self.sla_queue_ids
        )

    def filter_created_after(self, queryset, name, value):
        return queryset.filter(created_at__gte=_start_of(value))

    def filter_created_before(self, queryset, name, value):
        return queryset.filter(created_at__lt=_start_of(value))

    def filter_older_than(self, queryset, name, value):
        return queryset.filter(created_at__lt=timezone.now() - datetime.timedelta(days=int(value)))


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())
