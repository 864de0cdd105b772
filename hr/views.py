from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from ess.accounts.decorators import sensitive_change
from ess.content.attachments import attachments_of
from ess.portal.tables import SafeOrderingMixin
from hr import profile_selectors as selectors
from hr import profile_services as services
from hr.filters import ChangeRequestFilter
from hr.forms import (
    CHANGE_REQUEST_FORMS,
    CommentForm,
    DecisionForm,
    DirectProfileForm,
    EmergencyContactFormSet,
)
from hr.models import ChangeRequest, Employee
from hr.permissions import is_hr
from hr.profile_fields import (
    SENSITIVE_FIELDS,
    display,
    field_label,
    request_diff,
    request_has_sensitive,
)
from hr.tables import ChangeRequestTable

PERSONAL_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "date_of_birth",
    "national_id_country",
    "national_id",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "country",
    "personal_phone",
    "personal_email",
    "iban",
    "bank_account_holder",
    "tax_residency",
)


def _my_employee(request: HttpRequest) -> Employee:
    employee = selectors.employee_with_private_data(user=request.user)
    if employee is None:
        raise Http404(_("There is no employment record for your account yet; contact HR."))
    return employee


def profile(request: HttpRequest) -> HttpResponse:
    employee = selectors.employee_with_private_data(user=request.user)
    if employee is None:
        return render(request, "hr/profile_missing.html", status=404)
    personal = selectors.profile_of(employee)
    rows = [
        (field_label(field), display(field, getattr(personal, field, "")))
        for field in PERSONAL_FIELDS
    ]
    context = {
        "employee": employee,
        "personal_rows": rows,
        "contacts": employee.emergency_contacts.all(),
        "requests": selectors.change_requests_of(employee=employee),
        "history": _history_entries(selectors.profile_history(employee=employee)[:10]),
        "kinds": ChangeRequest.Kind.choices,
        "sensitive_fields": SENSITIVE_FIELDS,
    }
    return render(request, "hr/profile.html", context)


def employee_record(request: HttpRequest, pk: int) -> HttpResponse:
    """HR's view of one person's private data: masked until HR asks, and every reveal audited."""
    employee = selectors.employee_record_for_hr(user=request.user, pk=pk)
    personal = selectors.profile_of(employee)
    reveal = request.GET.get("reveal") == "1"
    compensation = selectors.current_compensation(employee=employee)
    if reveal:
        shown = [f for f in SENSITIVE_FIELDS if getattr(personal, f, "")]
        if compensation is not None:
            shown.append("annual_base_salary")
        services.sensitive_read_record(
            actor=request.user,
            employee=employee,
            fields=shown,
            purpose="hr_record_view",
            request=request,
        )
    rows = [
        (field_label(field), display(field, getattr(personal, field, ""), reveal=reveal))
        for field in PERSONAL_FIELDS
    ]
    context = {
        "employee": employee,
        "personal_rows": rows,
        "contacts": employee.emergency_contacts.all(),
        "compensation": compensation,
        "revealed": reveal,
        "requests": selectors.change_requests_of(employee=employee),
        "history": _history_entries(selectors.profile_history(employee=employee)[:20]),
    }
    return render(request, "hr/employee_record.html", context)


def profile_edit(request: HttpRequest) -> HttpResponse:
    employee = _my_employee(request)
    personal = selectors.profile_of(employee)
    initial = {
        field: getattr(personal, field, "")
        for field in ("preferred_name", "personal_phone", "personal_email")
    }
    contacts = [
        {"name": c.name, "relationship": c.relationship, "phone": c.phone}
        for c in employee.emergency_contacts.all()
    ]
    form = DirectProfileForm(request.POST or None, initial=initial)
    formset = EmergencyContactFormSet(request.POST or None, initial=contacts, prefix="contacts")
    # Both parts are checked before anything is saved, so a bad phone number in a contact
    # does not leave a half-saved profile behind.
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        changes = services.profile_update_direct(
            actor=request.user,
            employee=employee,
            contacts=[
                services.ContactInput(
                    **{k: f.cleaned_data[k] for k in ("name", "relationship", "phone")}
                )
                # Every filled-in form counts, changed or not: the list replaces what is stored.
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ],
            **form.cleaned_data,
        )
        if changes:
            messages.success(request, _("Your profile is updated."))
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("hr:profile")
    return render(
        request, "hr/profile_edit.html", {"form": form, "formset": formset, "employee": employee}
    )


def request_new(request: HttpRequest, kind: str) -> HttpResponse:
    form_class = CHANGE_REQUEST_FORMS.get(kind)
    if form_class is None:
        raise Http404
    employee = _my_employee(request)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_request_submit(
                actor=request.user,
                employee=employee,
                kind=kind,
                values=form.values(),
                effective_date=form.cleaned_data["effective_date"],
                reason=form.cleaned_data["reason"],
                document=form.cleaned_data.get("document"),
            )
        except ValidationError as error:  # the supporting document was refused
            form.add_error("document", error)
        except services.ChangeRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Your request is with HR. We will let you know."))
            return redirect("hr:request", pk=change.pk)
    return render(
        request,
        "hr/request_form.html",
        {"form": form, "kind_label": ChangeRequest.Kind(kind).label, "employee": employee},
    )


# Changing where the salary goes is the classic account-takeover payoff: confirm it is them.
bank_request_new = sensitive_change(request_new)


def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = selectors.change_request_for_user(user=request.user, pk=pk)
    hr_viewer = is_hr(request.user)
    reveal = hr_viewer and request.GET.get("reveal") == "1" and request_has_sensitive(change)
    if reveal:
        services.sensitive_read_record(
            actor=request.user,
            employee=change.employee,
            fields=sorted(set(change.proposed) & SENSITIVE_FIELDS),
            purpose="change_request_review",
            request=request,
        )
    context = {
        "change": change,
        "diff": request_diff(change, reveal=reveal),
        "revealed": reveal,
        "can_reveal": hr_viewer and request_has_sensitive(change) and not reveal,
        "comments": selectors.change_request_comments(change),
        "attachments": attachments_of([change]).get(change.pk, []),
        "is_owner": change.employee.user_id == request.user.pk,
        "can_decide": hr_viewer
        and change.status == ChangeRequest.Status.PENDING
        and change.employee.user_id != request.user.pk,
        "decision_form": DecisionForm(),
        "comment_form": CommentForm(),
    }
    return render(request, "hr/request_detail.html", context)


def _refusal_redirect(request: HttpRequest, pk: int, refusal: Exception) -> HttpResponse:
    messages.error(request, str(refusal))
    return redirect("hr:request", pk=pk)


@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_hr(request.user):
        raise PermissionDenied
    change = selectors.change_request_for_user(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve, ask for information or reject."))
        return redirect("hr:request", pk=pk)
    try:
        change = services.change_request_decide(
            actor=request.user,
            request=change,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except services.ChangeRefused as refusal:
        return _refusal_redirect(request, pk, refusal)
    messages.success(
        request, _("Decision recorded: %(status)s.") % {"status": change.get_status_display()}
    )
    return redirect("hr:queue")


@require_POST
def request_comment(request: HttpRequest, pk: int) -> HttpResponse:
    change = selectors.change_request_for_user(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("body", [_("Write a comment.")])))
        return redirect("hr:request", pk=pk)
    try:
        services.change_request_comment(
            actor=request.user, request=change, body=form.cleaned_data["body"]
        )
    except services.ChangeRefused as refusal:
        return _refusal_redirect(request, pk, refusal)
    messages.success(request, _("Comment added."))
    return redirect("hr:request", pk=pk)


@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    change = selectors.change_request_for_user(user=request.user, pk=pk)
    try:
        services.change_request_withdraw(actor=request.user, request=change)
    except services.ChangeRefused as refusal:
        return _refusal_redirect(request, pk, refusal)
    messages.success(request, _("Request withdrawn."))
    return redirect("hr:profile")


def history(request: HttpRequest) -> HttpResponse:
    employee = _my_employee(request)
    page = Paginator(selectors.profile_history(employee=employee), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "hr/history.html", {"page": page, "entries": _history_entries(page)})


def _history_entries(changes) -> list[dict]:
    return [
        {
            "entry": entry,
            "label": field_label(entry.field)
            if entry.field != "emergency_contacts"
            else _("Emergency contacts"),
            "old": display(entry.field, entry.old_value),
            "new": display(entry.field, entry.new_value),
        }
        for entry in changes
    ]


class ChangeRequestQueueView(
    LoginRequiredMixin, SafeOrderingMixin, ExportMixin, SingleTableMixin, FilterView
):
    template_name = "hr/queue.html"
    table_class = ChangeRequestTable
    filterset_class = ChangeRequestFilter
    # The table paginates; `paginate_by` would make the list view count the rows again.
    table_pagination = {"per_page": 50}
    export_formats = ("csv", "xlsx")
    export_name = "change-requests"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_hr(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.change_request_queue(user=self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if kwargs["data"] is None or not kwargs["data"]:
            # The queue opens on what needs deciding.
            kwargs["data"] = {"status": ChangeRequest.Status.PENDING}
        return kwargs
