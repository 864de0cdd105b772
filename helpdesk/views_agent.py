"""The agent side of the service desk: the workspace and the ticket page with its actions.
Satisfaction figures and appointment availability are in helpdesk.views_team.

Workspace pages answer 403 to people without an agent role; a ticket the agent may not work
answers 404, exactly as a ticket that does not exist. Every write goes through
helpdesk.services (or helpdesk.appointments); these views parse, call and render.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin
from django_tables2.paginators import LazyPaginator

from ess.accounts.models import User
from ess.audit.services import audit_record
from ess.portal.tables import SafeOrderingMixin, pages_by_id
from helpdesk import dynamic_forms, selectors, services
from helpdesk.choices import desk_choices
from helpdesk.filters import WORKSPACE_FILTER_KEYS, WORKSPACE_TABLE_KEYS, WorkspaceFilter
from helpdesk.forms_agent import (
    AccessForm,
    BulkForm,
    CannedPickForm,
    NoteForm,
    ReferenceForm,
    ReplyForm,
    SavedViewForm,
    TicketUpdateForm,
    WatcherForm,
)
from helpdesk.knowledge.permissions import can_edit_knowledge
from helpdesk.models import (
    AppointmentSlot,
    ApprovalState,
    Priority,
    Status,
    Ticket,
    TicketLink,
    TicketUserObjectPermission,
)
from helpdesk.permissions import DeskAccess, agent_queue_ids, desk_access, is_agent
from helpdesk.tables import WorkspaceTable

PAGE_SIZE = 25


def _require_agent(user: User) -> None:
    if not is_agent(user):
        raise PermissionDenied


def _access(request: HttpRequest) -> DeskAccess:
    """The agent's queues and grants, read once per request."""
    if not hasattr(request, "_desk_access"):
        request._desk_access = desk_access(request.user)
    return request._desk_access


def _workable_ticket(request: HttpRequest, pk: int) -> Ticket:
    """The ticket, if this agent may work it; 404 for missing and forbidden alike."""
    _require_agent(request.user)
    tickets = selectors.workable_tickets(request.user, access=_access(request)).select_related(
        "requester__employee",
        "on_behalf_of__employee",
        "queue",
        "request_type",
        "assignee",
        "merged_into",
    )
    try:
        # get(), not first(): no ORDER BY, whose compilation over the six joined tables'
        # columns cost more than the query itself.
        return tickets.get(pk=pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _workable_by_reference(user: User, reference: int) -> Ticket | None:
    return selectors.workable_tickets(user).filter(pk=reference).first()


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _back_to_ticket(ticket: Ticket, anchor: str = "") -> HttpResponse:
    url = reverse("helpdesk:work", args=[ticket.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- Workspace ----------------------------------------------------------------------------------
class AgentRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        _require_agent(request.user)
        return super().dispatch(request, *args, **kwargs)


def _refuse_unknown_params(query: QueryDict) -> None:
    unknown = set(query) - WORKSPACE_FILTER_KEYS - WORKSPACE_TABLE_KEYS
    if unknown:
        raise SuspiciousOperation(f"Unknown workspace parameters {sorted(unknown)!r}")


def _filter_query(query: QueryDict) -> str:
    """The filter part of a query string, as a saved view keeps it."""
    kept = QueryDict(mutable=True)
    for key in sorted(WORKSPACE_FILTER_KEYS & set(query)):
        values = [value for value in query.getlist(key) if value]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


class WorkspaceView(
    AgentRequiredMixin, SafeOrderingMixin, ExportMixin, SingleTableMixin, FilterView
):
    template_name = "helpdesk/agent/workspace.html"
    table_class = WorkspaceTable
    filterset_class = WorkspaceFilter
    # No COUNT(*) over every ticket per page view: the next page is found by reading one more.
    table_pagination = {"per_page": PAGE_SIZE, "paginator_class": LazyPaginator}
    export_formats = ("csv", "xlsx")
    export_name = "tickets"

    def get(self, request, *args, **kwargs):
        _refuse_unknown_params(request.GET)
        # Read once: the ticket list, the filter's choices and the bulk form all use them.
        self.access = desk_access(request.user)
        self.queue_ids = self.access.member_queue_ids
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # Paged by id: the page's ids come from the open-work index alone, then only the
        # page's rows are read in full (an export still reads every row).
        return pages_by_id(
            selectors.workable_tickets(self.request.user, access=self.access)
            .select_related(*WorkspaceTable.related_read)
            .only(*WorkspaceTable.fields_read)
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        kwargs["queue_ids"] = self.queue_ids
        access = self.access
        if not access.granted_ticket_ids:
            # Without single-ticket grants the list holds only these queues' tickets.
            kwargs["sla_queue_ids"] = access.member_queue_ids | access.officer_queue_ids
        return kwargs

    def create_export(self, export_format):
        audit_record(
            actor=self.request.user,
            action="helpdesk.tickets_exported",
            request=self.request,
            detail={"format": export_format, "query": _filter_query(self.request.GET)},
        )
        return super().create_export(export_format)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = _filter_query(self.request.GET)
        context.update(
            saved_views=selectors.saved_views(user),
            saved_view_form=SavedViewForm(initial={"query": query}),
            current_query=query,
            bulk_form=BulkForm(
                agents=_queue_agents(self.queue_ids),
                agent_choices=desk_choices(self.queue_ids).agents,
            ),
            quick_filters=[
                (_("Assigned to me"), "assignee=me"),
                (_("Unassigned"), "assignee=unassigned"),
                (_("SLA breached"), "sla=breached"),
                (_("SLA at risk"), "sla=at_risk"),
            ],
        )
        return context


def _queue_agents(queue_ids: set[int]):
    return (
        User.objects.filter(helpdesk_queues__in=queue_ids, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    _require_agent(request.user)
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("helpdesk:workspace")
    query = _filter_query(QueryDict(form.cleaned_data["query"]))
    try:
        view = services.saved_view_save(
            owner=request.user,
            name=form.cleaned_data["name"],
            query=query,
            allowed_keys=WORKSPACE_FILTER_KEYS,
        )
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("helpdesk:workspace")
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(reverse("helpdesk:workspace") + (f"?{view.query}" if view.query else ""))


@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_agent(request.user)
    try:
        services.saved_view_delete(owner=request.user, view_id=pk)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("View deleted."))
    return redirect("helpdesk:workspace")


@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    _require_agent(request.user)
    form = BulkForm(request.POST, agents=_queue_agents(agent_queue_ids(request.user)))
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("helpdesk:workspace")
    data = form.cleaned_data
    ids = list(dict.fromkeys(data["ticket_ids"]))
    if data["action"] == "merge":
        _bulk_merge(request, ids, data["target"])
    else:
        changes = {
            "assign": {"assignee": data["assignee"]},
            "status": {"status": data["status"]},
            "priority": {"priority": data["priority"]},
        }[data["action"]]
        result = services.tickets_bulk_update(actor=request.user, ticket_ids=ids, **changes)
        _bulk_report(request, result.updated, result.skipped)
    return redirect(_workspace_return(request))


def _workspace_return(request: HttpRequest) -> str:
    query = _filter_query(QueryDict(request.POST.get("return_query", "")))
    return reverse("helpdesk:workspace") + (f"?{query}" if query else "")


def _bulk_merge(request: HttpRequest, ids: list[int], target_id: int) -> None:
    target = _workable_by_reference(request.user, target_id)
    if target is None:
        messages.error(
            request, _("No ticket you can work has the reference #%(id)s.") % {"id": target_id}
        )
        return
    found = {
        ticket.pk: ticket
        for ticket in selectors.workable_tickets(request.user)
        .filter(pk__in=ids)
        .exclude(pk=target.pk)
    }
    skipped = [
        (pk, _("not found or not yours to work"))
        for pk in ids
        if pk not in found and pk != target.pk
    ]
    if not found:
        _bulk_report(request, [], skipped)
        return
    try:
        services.ticket_merge(actor=request.user, target=target, duplicates=list(found.values()))
    except ValidationError as error:
        _error_messages(request, error)
        return
    _bulk_report(request, list(found), skipped)


def _bulk_report(request: HttpRequest, updated: list[int], skipped: list[tuple[int, str]]) -> None:
    if updated:
        messages.success(
            request,
            _("Updated: %(refs)s.") % {"refs": ", ".join(f"#{pk}" for pk in updated)},
        )
    for pk, reason in skipped:
        messages.warning(request, _("Skipped #%(id)s: %(reason)s.") % {"id": pk, "reason": reason})
    if not updated and not skipped:
        messages.info(request, _("Nothing was selected."))


# --- The ticket page ----------------------------------------------------------------------------
def _search_context(ticket: Ticket) -> list[dict]:
    entries = []
    for entry in ticket.search_context or []:
        if not isinstance(entry, dict):
            continue
        at = parse_datetime(str(entry.get("at", ""))) if entry.get("at") else None
        entries.append({**entry, "at": at})
    return entries


def _linked_tickets(request: HttpRequest, ticket: Ticket) -> list[Ticket]:
    pairs = TicketLink.objects.filter(Q(from_ticket=ticket) | Q(to_ticket=ticket)).values_list(
        "from_ticket_id", "to_ticket_id"
    )
    linked = {other for pair in pairs for other in pair if other != ticket.pk}
    if not linked:
        return []
    # Only tickets this agent may work are named; a link never reveals another queue's case.
    return list(
        selectors.workable_tickets(request.user, access=_access(request))
        .filter(pk__in=linked)
        .only("pk", "subject", "status")
        .order_by("pk")
    )


def _granted_officers(ticket: Ticket) -> list[User]:
    rows = TicketUserObjectPermission.objects.filter(
        content_object=ticket, permission__codename="view_ticket"
    ).select_related("user")
    return sorted({row.user for row in rows}, key=lambda user: (str(user), user.pk))


def _officer_choices(ticket: Ticket, user: User):
    return ticket.queue.agents.filter(is_active=True).exclude(pk=user.pk).order_by("email")


def _work_context(request: HttpRequest, ticket: Ticket, **overrides) -> dict:
    user = request.user
    queue_ids = _access(request).member_queue_ids
    canned = selectors.canned_replies_for(ticket)
    context = {
        "ticket": ticket,
        "now": timezone.now(),
        "answers": dynamic_forms.answers_for_display(ticket),
        "search_context": _search_context(ticket),
        "events": selectors.ticket_timeline(ticket, include_internal=True),
        "update_form": TicketUpdateForm(ticket=ticket, queue_ids=queue_ids),
        "reply_form": ReplyForm(),
        "note_form": NoteForm(),
        "canned_replies": canned,
        "reference_form": ReferenceForm(),
        "watcher_form": WatcherForm(),
        "watchers": list(ticket.watchers.order_by("email")),
        "links": _linked_tickets(request, ticket),
        "approval_pending": ticket.approval_state == ApprovalState.PENDING,
        "appointment": AppointmentSlot.objects.filter(ticket=ticket)
        .select_related("agent")
        .first(),
        "shortcuts": [
            ("r", _("Write a reply")),
            ("n", _("Write an internal note")),
            ("s", _("Change the status")),
            ("?", _("Show these shortcuts")),
        ],
    }
    if ticket.confidential:
        context["officers"] = _granted_officers(ticket)
        context["access_form"] = AccessForm(officers=_officer_choices(ticket, user))
    context.update(overrides)
    return context


@require_GET
def work(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _workable_ticket(request, pk)
    return render(request, "helpdesk/agent/work.html", _work_context(request, ticket))


def _changes(ticket: Ticket, data: dict) -> dict:
    wanted = {
        "status": data["status"],
        "priority": data["priority"],
        "assignee": data["assignee"],
        "queue": data["queue"] or ticket.queue,
    }
    current = {
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": ticket.assignee,
        "queue": ticket.queue,
    }
    return {key: value for key, value in wanted.items() if value != current[key]}


def _conflict_details(wanted: dict, current: Ticket) -> list[str]:
    """What the agent asked for that is now different, in words, with the current values."""
    details = []
    labels = {
        "status": (_("Status"), lambda value: Status(value).label),
        "priority": (_("Priority"), lambda value: Priority(value).label),
        "assignee": (_("Assignee"), lambda value: str(value) if value else _("Unassigned")),
        "queue": (_("Queue"), str),
    }
    for key, (label, show) in labels.items():
        now_value = getattr(current, key)
        if key == "queue" and wanted[key] is None:
            continue
        if wanted[key] != now_value:
            details.append(
                _("%(field)s is now “%(current)s” (you chose “%(yours)s”).")
                % {"field": label, "current": show(now_value), "yours": show(wanted[key])}
            )
    return details


@require_POST
def work_update(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _workable_ticket(request, pk)
    form = TicketUpdateForm(
        request.POST, ticket=ticket, queue_ids=_access(request).member_queue_ids
    )
    if not form.is_valid():
        context = _work_context(request, ticket, update_form=form)
        return render(request, "helpdesk/agent/work.html", context, status=400)
    data = form.cleaned_data
    changes = _changes(ticket, data)
    if not changes and data["version"] == ticket.version:
        messages.info(request, _("Nothing changed."))
        return _back_to_ticket(ticket)
    try:
        services.ticket_update(
            ticket_id=ticket.pk,
            actor=request.user,
            expected_version=data["version"],
            resolution=data["resolution"],
            **changes,
        )
    except services.TicketConflict as conflict:
        return _conflict_response(request, conflict.current, data)
    except ValidationError as error:
        _error_messages(request, error)
        return _back_to_ticket(ticket, "update")
    messages.success(request, _("Ticket updated."))
    if not selectors.workable_tickets(request.user).filter(pk=ticket.pk).exists():
        # Moved to a queue this agent does not work: the page would now be a 404.
        return redirect("helpdesk:workspace")
    return _back_to_ticket(ticket)


def _conflict_response(request: HttpRequest, current: Ticket, wanted: dict) -> HttpResponse:
    ticket = _workable_ticket(request, current.pk)
    context = _work_context(
        request,
        ticket,
        conflict=_conflict_details(wanted, ticket),
    )
    return render(request, "helpdesk/agent/work.html", context, status=409)


def _uploads(request: HttpRequest, form) -> list:
    return list(form.cleaned_data.get("attachments") or [])


def _timeline_entry(request: HttpRequest, pk: int, *, form_class, form_key: str, write, done):
    """Add a reply or a note. A refusal (a file type, a closed ticket) is shown on the form
    with the typed text kept, never after a redirect that would lose it."""
    ticket = _workable_ticket(request, pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            event = write(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=_uploads(request, form),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, done)
            return _back_to_ticket(ticket, f"event-{event.pk}")
    context = _work_context(request, ticket, **{form_key: form})
    return render(request, "helpdesk/agent/work.html", context, status=400)


@require_POST
def work_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _timeline_entry(
        request,
        pk,
        form_class=ReplyForm,
        form_key="reply_form",
        write=services.ticket_reply,
        done=_("Reply sent."),
    )


@require_POST
def work_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _timeline_entry(
        request,
        pk,
        form_class=NoteForm,
        form_key="note_form",
        write=services.ticket_note,
        done=_("Internal note added."),
    )


def _other_ticket(request: HttpRequest, ticket: Ticket) -> Ticket | None:
    form = ReferenceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return None
    other = _workable_by_reference(request.user, form.cleaned_data["reference"])
    if other is None:
        messages.error(
            request,
            _("No ticket you can work has the reference #%(id)s.")
            % {"id": form.cleaned_data["reference"]},
        )
    return other


@require_POST
def work_merge(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _workable_ticket(request, pk)
    target = _other_ticket(request, ticket)
    if target is None:
        return _back_to_ticket(ticket, "merge")
    try:
        services.ticket_merge(actor=request.user, target=target, duplicates=[ticket])
    except ValidationError as error:
        _error_messages(request, error)
        return _back_to_ticket(ticket, "merge")
    messages.success(request, _("Merged into %(ref)s.") % {"ref": target.reference})
    return _back_to_ticket(target)


@require_POST
def work_link(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _workable_ticket(request, pk)
    other = _other_ticket(request, ticket)
    if other is None:
        return _back_to_ticket(ticket, "links")
    action = services.ticket_unlink if request.POST.get("remove") else services.ticket_link
    try:
        action(actor=request.user, ticket=ticket, other=other)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Links updated."))
    return _back_to_ticket(ticket, "links")


@require_POST
def work_watchers(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _workable_ticket(request, pk)
    form = WatcherForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back_to_ticket(ticket, "watchers")
    action = services.watcher_remove if form.cleaned_data["remove"] else services.watcher_add
    try:
        action(ticket=ticket, user=form.cleaned_data["email"], actor=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Watchers updated."))
    return _back_to_ticket(ticket, "watchers")


@require_POST
def work_access(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _workable_ticket(request, pk)
    if not ticket.confidential:
        raise Http404
    form = AccessForm(request.POST, officers=_officer_choices(ticket, request.user))
    if not form.is_valid():
        _form_errors(request, form)
        return _back_to_ticket(ticket, "access")
    officer = form.cleaned_data["officer"]
    action = (
        services.confidential_revoke if form.cleaned_data["revoke"] else services.confidential_grant
    )
    try:
        action(ticket=ticket, officer=officer, actor=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Access updated."))
    return _back_to_ticket(ticket, "access")


@require_POST
def work_kcs(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _workable_ticket(request, pk)
    try:
        article = services.kcs_draft_from_ticket(ticket=ticket, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        if isinstance(error, ValidationError):
            _error_messages(request, error)
        else:
            messages.error(request, _("You may not write knowledge articles."))
        return _back_to_ticket(ticket)
    if can_edit_knowledge(request.user):
        messages.success(request, _("Knowledge article draft created from this ticket."))
        return redirect("knowledge:article_edit", key=article.key)
    messages.success(
        request,
        _("Knowledge article drafted from this ticket and sent to the knowledge editors."),
    )
    return _back_to_ticket(ticket)


@require_GET
def canned_preview(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _workable_ticket(request, pk)
    form = CannedPickForm(request.GET, choices=selectors.canned_replies_for(ticket))
    body = ""
    if form.is_valid():
        body = services.canned_reply_render(
            canned=form.cleaned_data["canned"], ticket=ticket, agent=request.user
        )
    reply_form = ReplyForm(initial={"body": body})
    return render(
        request, "helpdesk/agent/work.html#reply_body", {"reply_form": reply_form, "ticket": ticket}
    )
