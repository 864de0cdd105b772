"""The employee side of the service desk: the catalog, filing a request (with articles that
might answer it first), my requests, a ticket as its requester sees it, ratings and
approvals.

Who may see a ticket is decided by `helpdesk.selectors.ticket_for_viewer` alone: a ticket
that does not exist and one the person may not see answer the same 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.core.signing import BadSignature
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from ess.accounts.models import User
from ess.content.attachments import files_removed_on_error
from ess.portal.tables import SafeOrderingMixin
from ess.search import selectors as search_selectors
from ess.search import services as search_services
from ess.search.selectors import clean_query
from helpdesk import appointments, dynamic_forms, permissions, selectors, services
from helpdesk.forms_employee import (
    SUBJECT_MAX,
    ApprovalDecisionForm,
    DeflectForm,
    MyRequestFilter,
    MyRequestTable,
    RatingForm,
    ReplyForm,
    TicketRequestForm,
    attachable,
)
from helpdesk.models import (
    UNFINISHED_STATUSES,
    AppointmentSlot,
    ApprovalState,
    EventKind,
    Priority,
    RequestType,
    Status,
    Ticket,
)
from helpdesk.search import catalog_by_queue
from hr.directory.selectors import current_employees
from hr.org import subtree_filter

OPEN_SHOWN = 5
SUGGESTIONS = 5
SUGGEST_MIN_LENGTH = 3
QUERY_MAX = 100
TICKET_TEMPLATE = "helpdesk/employee/ticket.html"


def _is_requester(user, ticket: Ticket) -> bool:
    return user.pk in (ticket.requester_id, ticket.on_behalf_of_id)


def _requester_ticket(request: HttpRequest, pk: int) -> Ticket:
    """A ticket the person filed or that is for them; 404 unseen, 403 seen but not theirs."""
    ticket = selectors.ticket_for_viewer(request.user, pk)
    if not _is_requester(request.user, ticket):
        raise PermissionDenied
    return ticket


def _active_request_type(slug: str) -> RequestType:
    return get_object_or_404(
        RequestType.objects.select_related("queue"),
        slug=slug,
        is_active=True,
        queue__is_active=True,
    )


# --- Catalog -----------------------------------------------------------------------------------
def _catalog_context(query: str, *, live: bool = False) -> dict:
    catalog = catalog_by_queue(query)
    return {
        "query": query,
        "catalog": catalog,
        "match_count": sum(len(request_types) for _queue, request_types in catalog),
        "live": live,
    }


def _catalog_query(request: HttpRequest) -> str:
    return clean_query(request.GET.get("q"))[:QUERY_MAX]


def home(request: HttpRequest) -> HttpResponse:
    query = _catalog_query(request)
    open_requests = (
        selectors.my_requests(request.user)
        .filter(status__in=UNFINISHED_STATUSES)
        .select_related("request_type")
        .order_by("-created_at", "-pk")[:OPEN_SHOWN]
    )
    return render(
        request,
        "helpdesk/employee/home.html",
        {
            **_catalog_context(query),
            "open_requests": list(open_requests),
            "approvals_waiting": selectors.pending_approvals(request.user).count(),
        },
    )


def catalog_search(request: HttpRequest) -> HttpResponse:
    query = _catalog_query(request)
    if not request.htmx:
        return redirect(reverse("helpdesk:home") + ("?" + urlencode({"q": query}) if query else ""))
    return render(
        request,
        "helpdesk/employee/home.html#catalog",
        _catalog_context(query, live=True),
    )


# --- Filing a request --------------------------------------------------------------------------
def _reports_of(user):
    """The people below this person in the reporting line, or None when there are none."""
    path = current_employees().filter(user=user).values_list("org_path", flat=True).first()
    if not path:
        return None
    reports = (
        current_employees()
        .filter(subtree_filter(path, include_self=False), user__is_active=True)
        .values("user_id")
    )
    people = User.objects.filter(pk__in=reports).order_by("first_name", "last_name", "pk")
    return people if people.exists() else None


def _service_errors(error: ValidationError, form, answers_form, *, field: str | None) -> None:
    """Show a service's refusal next to the field it is about, or above the form."""
    if field is None and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            if name in form.fields:
                form.add_error(name, errors)
            elif answers_form is not None and name in answers_form.fields:
                answers_form.add_error(name, errors)
            else:
                form.add_error(None, errors)
        return
    form.add_error(field, error.messages)


def _file_request(request: HttpRequest, request_type: RequestType, form, answers_form):
    """File the request and book its appointment in one transaction: a refused upload or a
    slot taken meanwhile files nothing. Returns the ticket, or None with the form's errors."""
    answers, uploads = dynamic_forms.split_answers(answers_form)
    for key, upload in uploads.items():
        try:
            attachable(upload)
        except ValidationError as error:
            answers_form.add_error(key, error)
    if not answers_form.is_valid():
        return None
    data = form.cleaned_data
    field = None
    try:
        # The rows are rolled back on an error; the block removes files already written.
        with files_removed_on_error(), transaction.atomic():
            ticket = services.ticket_create(
                requester=request.user,
                subject=data["subject"],
                description=data["description"],
                request_type=request_type,
                form_answers=answers,
                uploads=uploads,
                attachments=data["attachments"],
                on_behalf_of=data.get("on_behalf_of"),
            )
            if data.get("slot") is not None:
                field = "slot"
                appointments.slot_book(slot_id=data["slot"].pk, ticket=ticket, user=request.user)
    except ValidationError as error:
        _service_errors(error, form, answers_form, field=field)
        return None
    return ticket


def request_new(request: HttpRequest, slug: str) -> HttpResponse:
    request_type = _active_request_type(slug)
    answers_class = dynamic_forms.request_form_class(request_type, user=request.user)
    slots = (
        appointments.open_slots(queue=request_type.queue)
        if request_type.allows_appointments
        else None
    )
    bound = (request.POST, request.FILES) if request.method == "POST" else ()
    form = TicketRequestForm(
        *bound,
        suggestions_url=reverse("helpdesk:deflect_suggestions", args=[request_type.slug]),
        reports=_reports_of(request.user),
        slots=slots,
        initial={"subject": clean_query(request.GET.get("subject"))[:SUBJECT_MAX]},
    )
    answers_form = answers_class(*bound, prefix="answers")
    if request.method == "POST":
        forms_valid = form.is_valid() & answers_form.is_valid()  # both, for every error
        ticket = forms_valid and _file_request(request, request_type, form, answers_form)
        if ticket:
            if ticket.approval_state == ApprovalState.PENDING:
                message = _(
                    "Your request %(reference)s is filed. It waits for approval before work "
                    "starts; we let you know."
                )
            else:
                message = _("Your request %(reference)s is filed. We let you know how it goes.")
            messages.success(request, message % {"reference": ticket.reference})
            return redirect(ticket)
    return render(
        request,
        "helpdesk/employee/request.html",
        {
            "request_type": request_type,
            "form": form,
            "answers_form": answers_form,
            "error_forms": [f for f in (form, answers_form) if f.errors],
            # A browser never refills a file input: say so rather than lose them silently.
            "files_dropped": bool(request.FILES),
        },
        status=400 if request.method == "POST" else 200,
    )


def _open_url(hit, *, rank: int, query: str) -> str:
    """Through the search click endpoint, so an opened suggestion is in the search log
    (a ticket's search history is built from it). The suggestions themselves are not
    logged, so the link carries the subject rather than a log row: the endpoint logs the
    subject as the search the person settled on, with this click."""
    params = {"type": hit.doc_type, "key": hit.key, "rank": rank, "q": query}
    return f"{reverse('search:open')}?{urlencode(params)}"


def deflect_suggestions(request: HttpRequest, slug: str) -> HttpResponse:
    """Articles for the subject typed so far. Asked after each pause in typing, so nothing
    is logged here: half-typed subjects ("new la", "new lap") are not searches anyone
    settled on and would fill the search log and the knowledge-gap report."""
    request_type = _active_request_type(slug)
    subject = clean_query(request.GET.get("subject"))[:SUBJECT_MAX]
    rows = []
    if len(subject) >= SUGGEST_MIN_LENGTH:
        results = search_selectors.search(
            user=request.user, query=subject, doc_types=("article",), limit=SUGGESTIONS
        )
        rows = [
            (hit, _open_url(hit, rank=rank, query=subject))
            for rank, hit in enumerate(results.hits, start=1)
        ]
    return render(
        request,
        "helpdesk/employee/request.html#suggestions",
        {"request_type": request_type, "subject": subject, "rows": rows, "live": True},
    )


def _log_solving_search(user, query: str, document) -> None:
    """The subject that found the answer, logged once as a search with the article as its
    click: the person settled on it, so it belongs in the log and in analytics."""
    results = search_selectors.search(
        user=user,
        query=query,
        doc_types=("article",),
        log_source="deflection",
        limit=SUGGESTIONS,
    )
    if results.log_id is None:
        return
    found = [(hit.doc_type, hit.key) for hit in results.hits]
    wanted = (document.doc_type, document.key)
    rank = found.index(wanted) + 1 if wanted in found else 1
    search_services.search_click_record(
        user=user, log_id=results.log_id, doc_type=document.doc_type, key=document.key, rank=rank
    )


@require_POST
def deflect(request: HttpRequest) -> HttpResponse:
    form = DeflectForm(request.POST)
    if not form.is_valid():
        raise SuspiciousOperation("Malformed deflection")
    data = form.cleaned_data
    request_type = _active_request_type(data["request_type"])
    # Only an article the person may find counts; anything else looks like nothing there.
    document = search_selectors.visible_document(request.user, data["doc_type"], data["doc_key"])
    if document is None:
        raise Http404
    query = clean_query(data["query"])[:SUBJECT_MAX]
    recorded = services.deflection_record(
        user=request.user,
        request_type=request_type,
        query=query,
        doc_type=document.doc_type,
        doc_key=document.key,
    )
    if recorded and query:  # a second click logs no second search
        _log_solving_search(request.user, query, document)
    return render(
        request,
        "helpdesk/employee/deflected.html",
        {"request_type": request_type, "document": document},
    )


# --- My requests -------------------------------------------------------------------------------
class MyRequestsView(SafeOrderingMixin, SingleTableMixin, FilterView):
    template_name = "helpdesk/employee/my_requests.html"
    table_class = MyRequestTable
    filterset_class = MyRequestFilter
    table_pagination = {"per_page": 25}

    def get(self, request, *args, **kwargs):
        unknown = set(request.GET) - MyRequestFilter.ALLOWED_KEYS
        if unknown:
            raise SuspiciousOperation(f"Unknown query keys {sorted(unknown)!r}")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.my_requests(self.request.user).select_related(
            "request_type", "requester", "on_behalf_of"
        )

    def get_table_kwargs(self):
        return {"user": self.request.user}


my_requests = MyRequestsView.as_view()


# --- A ticket ----------------------------------------------------------------------------------
STATUS_LABELS = dict(Status.choices)
PRIORITY_LABELS = dict(Priority.choices)


def _event_summary(event) -> str:
    """One line saying what happened, in the requester's words."""
    data = event.data or {}
    if event.kind == EventKind.CREATED:
        return _("Request filed")
    if event.kind == EventKind.REPLY:
        return _("Reply")
    if event.kind == EventKind.STATUS and data.get("to") in STATUS_LABELS:
        return _("Status changed to %(status)s") % {"status": STATUS_LABELS[data["to"]]}
    if event.kind == EventKind.PRIORITY and data.get("to") in PRIORITY_LABELS:
        return _("Priority changed to %(priority)s") % {"priority": PRIORITY_LABELS[data["to"]]}
    if event.kind == EventKind.APPOINTMENT and data.get("action") == "booked":
        return _("Appointment booked")
    if event.kind == EventKind.APPOINTMENT and data.get("action") == "cancelled":
        return _("Appointment cancelled")
    return EventKind(event.kind).label if event.kind in EventKind.values else event.kind


def _ticket_context(request: HttpRequest, ticket: Ticket, **forms) -> dict:
    events = selectors.ticket_timeline(ticket, include_internal=False)
    is_requester = _is_requester(request.user, ticket)
    finished = ticket.status in (Status.RESOLVED, Status.CLOSED)
    can_reply = is_requester and ticket.status != Status.CLOSED and not ticket.merged_into_id
    can_rate = is_requester and finished and not ticket.merged_into_id
    return {
        "ticket": ticket,
        "is_requester": is_requester,
        "timeline": [(event, _event_summary(event), event.attachment_list) for event in events],
        "answers": dynamic_forms.answers_for_display(ticket),
        "appointment": AppointmentSlot.objects.filter(ticket=ticket)
        .select_related("agent")
        .first(),
        "reply_form": forms.get("reply_form") or (ReplyForm() if can_reply else None),
        "rating_form": forms.get("rating_form")
        or (
            RatingForm(initial={"rating": ticket.rating, "comment": ticket.rating_comment})
            if can_rate
            else None
        ),
        "error_forms": [form for form in forms.values() if form.errors],
        "approval_pending": ticket.approval_state == ApprovalState.PENDING,
        "sla_paused": ticket.status == Status.WAITING_REQUESTER,
    }


def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.ticket_for_viewer(request.user, pk)
    if not _is_requester(request.user, item) and permissions.can_work_ticket(request.user, item):
        return redirect("helpdesk:work", pk=item.pk)
    return render(request, TICKET_TEMPLATE, _ticket_context(request, item))


@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    item = _requester_ticket(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ticket_reply(
                ticket=item,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your reply is added."))
            return redirect(item)
    return render(
        request, TICKET_TEMPLATE, _ticket_context(request, item, reply_form=form), status=400
    )


def _record_rating(request: HttpRequest, item: Ticket, form: RatingForm) -> bool:
    try:
        services.ticket_rate(
            ticket=item,
            user=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return False
    messages.success(request, _("Thank you for your rating."))
    return True


@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    item = _requester_ticket(request, pk)
    form = RatingForm(request.POST)
    if form.is_valid() and _record_rating(request, item, form):
        return redirect(item)
    return render(
        request, TICKET_TEMPLATE, _ticket_context(request, item, rating_form=form), status=400
    )


def rate_link(request: HttpRequest, token: str) -> HttpResponse:
    """The rating link of the "resolved" e-mail. Opening it records nothing (mail scanners
    open links); it shows the chosen rating, ready to send with a comment."""
    try:
        ticket_id, rating = services.rating_token_read(token)
    except BadSignature:
        raise Http404 from None
    item = selectors.ticket_for_viewer(request.user, ticket_id)
    if not _is_requester(request.user, item):
        raise Http404
    form = RatingForm(request.POST or None, initial={"rating": rating})
    if request.method == "POST" and form.is_valid() and _record_rating(request, item, form):
        return redirect(item)
    return render(
        request,
        "helpdesk/employee/rate.html",
        {"ticket": item, "form": form, "error_forms": [form] if form.errors else []},
        status=400 if request.method == "POST" else 200,
    )


def appointment_ics(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.ticket_for_viewer(request.user, pk)
    slot = AppointmentSlot.objects.filter(ticket=item).select_related("agent", "queue").first()
    if slot is None:
        raise Http404
    filename, calendar = appointments.slot_ics_download(slot)
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Approvals ---------------------------------------------------------------------------------
def _approvals_page(request: HttpRequest, bound=None, status: int = 200) -> HttpResponse:
    pending = selectors.pending_approvals(request.user).select_related(
        "ticket__requester", "ticket__on_behalf_of", "ticket__request_type", "ticket__queue"
    )
    rows = []
    for approval in pending:
        form = bound if bound is not None and bound.approval_id == approval.pk else None
        rows.append(
            (
                approval,
                dynamic_forms.answers_for_display(approval.ticket),
                form or ApprovalDecisionForm(auto_id=f"approval-{approval.pk}-%s"),
            )
        )
    return render(
        request,
        "helpdesk/employee/approvals.html",
        {"rows": rows, "error_forms": [bound] if bound is not None and bound.errors else []},
        status=status,
    )


def approvals(request: HttpRequest) -> HttpResponse:
    return _approvals_page(request)


@require_POST
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    approval = get_object_or_404(
        selectors.pending_approvals(request.user).select_related("ticket"), pk=pk
    )
    if not permissions.can_approve(request.user, approval):
        raise Http404
    form = ApprovalDecisionForm(request.POST, auto_id=f"approval-{approval.pk}-%s")
    form.approval_id = approval.pk
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.approval_decide(
                approval=approval,
                actor=request.user,
                approve=approve,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            message = (
                _("Request %(reference)s approved.")
                if approve
                else _("Request %(reference)s rejected.")
            )
            messages.success(request, message % {"reference": approval.ticket.reference})
            return redirect("helpdesk:approvals")
    return _approvals_page(request, bound=form, status=400)
