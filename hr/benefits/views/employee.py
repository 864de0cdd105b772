"""The employee's side: elections, dependents, life events and the statement."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ess.accounts.roles import Role
from ess.audit.services import audit_record
from ess.content.attachments import attachments_of
from ess.portal.forms import show_refusal
from hr.benefits import selectors, services
from hr.benefits.forms import (
    DecisionForm,
    DependentForm,
    DocumentForm,
    ElectionForm,
    LifeEventForm,
)
from hr.benefits.models import LifeEvent
from hr.benefits.pdf import render_statement
from hr.benefits.permissions import can_manage_benefits


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def home(request: HttpRequest) -> HttpResponse:
    employee = selectors.employee_for(request.user)
    context = {"employee": employee}
    if employee is not None:
        today = timezone.localdate()
        context.update(
            periods=selectors.change_periods(employee=employee, today=today),
            years=selectors.plan_years(employee=employee, today=today),
            pending_events=selectors.life_events_of(employee=employee)
            .filter(status=LifeEvent.Status.PENDING)
            .count(),
            dependent_count=selectors.dependents_of(employee=employee).count(),
        )
    if request.user.has_role(Role.MANAGER):
        context["team_pending"] = selectors.team_pending_count(request.user)
    return render(request, "benefits/home.html", context)


def year(request: HttpRequest, year: int) -> HttpResponse:
    employee = selectors.require_employee(request.user)
    window = selectors.window_for_year(year)
    today = timezone.localdate()
    rows = selectors.election_rows(employee=employee, plan_year=year, today=today)
    return render(
        request,
        "benefits/year.html",
        {
            "employee": employee,
            "window": window,
            "plan_year": year,
            "rows": rows,
            "period": selectors.change_period_for(employee=employee, plan_year=year, today=today),
            "totals": selectors.totals_of(row.election for row in rows).rows(),
        },
    )


def elect(request: HttpRequest, year: int, plan_id: int) -> HttpResponse:
    employee = selectors.require_employee(request.user)
    window = selectors.window_for_year(year)
    row = selectors.plan_for_election(employee=employee, plan_id=plan_id, plan_year=year)
    period = selectors.change_period_for(employee=employee, plan_year=year)
    election = row.election
    initial = {}
    if election is not None:
        initial = {
            "choice": str(election.coverage_level_id) if election.coverage_level_id else "waive",
            "dependents": list(election.dependents.all()),
        }
    form = ElectionForm(
        request.POST or None,
        initial=initial,
        plan=row.plan,
        dependents=selectors.dependents_of(employee=employee),
    )
    if request.method == "POST" and period is not None and form.is_valid():
        try:
            services.election_make(
                employee=employee,
                plan=row.plan,
                plan_year=year,
                coverage_level=form.coverage_level,
                dependents=list(form.cleaned_data.get("dependents") or []),
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Your choice for %(plan)s is saved.") % {"plan": row.plan})
            return redirect("benefits:year", year=year)
    return render(
        request,
        "benefits/elect.html",
        {
            "window": window,
            "plan_year": year,
            "row": row,
            "plan": row.plan,
            "period": period,
            "form": form,
        },
    )


def statement(request: HttpRequest, employee_id: int, year: int) -> HttpResponse:
    """The confirmation statement: to the employee, and to HR; a 404 for anyone else."""
    employee = selectors.statement_subject(user=request.user, employee_id=employee_id)
    window = selectors.window_for_year(year)
    data = render_statement(
        employee=employee,
        plan_year=year,
        elections=list(selectors.elections_for(employee=employee, plan_year=year)),
        dependents=list(selectors.dependents_of(employee=employee)),
        window=window,
        generated_at=timezone.now(),
    )
    if employee.user_id != request.user.pk:
        audit_record(
            actor=request.user,
            action="benefits.statement_downloaded",
            target=employee,
            request=request,
            detail={"plan_year": year},
        )
    response = HttpResponse(data, content_type="application/pdf")
    filename = f"benefits-statement-{year}-{employee.employee_number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- dependents -----------------------------------------------------------------------------
def dependents(request: HttpRequest) -> HttpResponse:
    employee = selectors.require_employee(request.user)
    form = DependentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dependent_save(
                employee=employee, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Dependent added."))
            return redirect("benefits:dependents")
    return render(
        request,
        "benefits/dependents.html",
        {"dependents": selectors.dependents_of(employee=employee), "form": form},
    )


def dependent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dependent = selectors.dependent_for_owner(user=request.user, pk=pk)
    form = DependentForm(request.POST or None, instance=dependent)
    if request.method == "POST" and form.is_valid():
        try:
            services.dependent_save(
                employee=dependent.employee,
                dependent=dependent,
                actor=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Dependent updated."))
            return redirect("benefits:dependents")
    return render(request, "benefits/dependent_form.html", {"form": form, "dependent": dependent})


@require_POST
def dependent_remove(request: HttpRequest, pk: int) -> HttpResponse:
    dependent = selectors.dependent_for_owner(user=request.user, pk=pk)
    try:
        services.dependent_remove(dependent=dependent, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Dependent removed."))
    return redirect("benefits:dependents")


# --- life events ----------------------------------------------------------------------------
def life_events(request: HttpRequest) -> HttpResponse:
    employee = selectors.require_employee(request.user)
    return render(
        request,
        "benefits/life_events.html",
        {"events": selectors.life_events_of(employee=employee)},
    )


def life_event_new(request: HttpRequest) -> HttpResponse:
    employee = selectors.require_employee(request.user)
    form = LifeEventForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.life_event_report(
                employee=employee,
                kind=data["kind"],
                event_date=data["event_date"],
                description=data["description"],
                document=data.get("document"),
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, _("Life event reported. HR will look at it and let you know.")
            )
            return redirect("benefits:life_event", pk=event.pk)
    return render(request, "benefits/life_event_form.html", {"form": form})


def life_event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.life_event_for_viewer(user=request.user, pk=pk)
    is_owner = event.employee.user_id == request.user.pk
    pending = event.status == LifeEvent.Status.PENDING
    return render(
        request,
        "benefits/life_event_detail.html",
        {
            "event": event,
            "is_owner": is_owner,
            "attachments": attachments_of([event])[event.pk],
            "document_form": DocumentForm() if is_owner and pending else None,
            "decision_form": (
                DecisionForm()
                if pending and not is_owner and can_manage_benefits(request.user)
                else None
            ),
            "allows_changes": event.allows_changes(timezone.localdate()),
        },
    )


@require_POST
def life_event_attach(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.life_event_for_viewer(user=request.user, pk=pk)
    if event.employee.user_id != request.user.pk:
        raise Http404
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            services.life_event_attach(
                event=event, document=form.cleaned_data["document"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Document added."))
    return redirect("benefits:life_event", pk=event.pk)
