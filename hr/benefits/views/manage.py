"""HR's side: the plan catalogue, enrolment windows, the enrolment report and the queue."""

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from ess.portal.forms import show_refusal
from ess.portal.tables import SafeOrderingMixin
from hr.benefits import selectors, services
from hr.benefits.filters import EnrolmentFilter, LifeEventFilter
from hr.benefits.forms import CoverageLevelForm, DecisionForm, PlanForm, WindowForm
from hr.benefits.models import CoverageLevel, EnrolmentWindow, LifeEvent
from hr.benefits.permissions import can_manage_benefits, require
from hr.benefits.tables import EnrolmentExport, EnrolmentTable, LifeEventTable


def overview(request: HttpRequest) -> HttpResponse:
    plans = selectors.plans_for_hr(user=request.user)
    return render(
        request,
        "benefits/manage.html",
        {
            "plans": plans,
            "windows": selectors.windows_for_hr(user=request.user),
            "pending_events": LifeEvent.objects.filter(status=LifeEvent.Status.PENDING).count(),
            "today": timezone.localdate(),
        },
    )


def _plan_fields(data: dict) -> dict:
    fields = dict(data)
    return {
        "locations": fields.pop("eligible_locations"),
        "departments": fields.pop("eligible_departments"),
        **fields,
    }


def plan_new(request: HttpRequest) -> HttpResponse:
    require(can_manage_benefits(request.user))
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_save(actor=request.user, **_plan_fields(form.cleaned_data))
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Plan created. Now add its coverage levels."))
            return redirect("benefits:manage_plan", pk=plan.pk)
    return render(request, "benefits/plan_form.html", {"form": form})


def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for_hr(user=request.user, pk=pk)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_save(actor=request.user, plan=plan, **_plan_fields(form.cleaned_data))
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("benefits:manage_plan", pk=plan.pk)
    return render(request, "benefits/plan_form.html", {"form": form, "plan": plan})


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for_hr(user=request.user, pk=pk)
    form = CoverageLevelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.level_save(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Coverage level added."))
            return redirect("benefits:manage_plan", pk=plan.pk)
    return render(request, "benefits/plan_detail.html", {"plan": plan, "form": form})


def level_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_manage_benefits(request.user))
    level = get_object_or_404(CoverageLevel.objects.select_related("plan"), pk=pk)
    form = CoverageLevelForm(request.POST or None, instance=level)
    if request.method == "POST" and form.is_valid():
        try:
            services.level_save(
                actor=request.user, plan=level.plan, level=level, **form.cleaned_data
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Coverage level saved."))
            return redirect("benefits:manage_plan", pk=level.plan_id)
    return render(request, "benefits/level_form.html", {"form": form, "level": level})


@require_POST
def level_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_manage_benefits(request.user))
    level = get_object_or_404(CoverageLevel.objects.select_related("plan"), pk=pk)
    try:
        services.level_delete(actor=request.user, level=level)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Coverage level removed."))
    return redirect("benefits:manage_plan", pk=level.plan_id)


def window_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(can_manage_benefits(request.user))
    window = get_object_or_404(EnrolmentWindow, pk=pk) if pk else None
    form = WindowForm(request.POST or None, instance=window)
    if request.method == "POST" and form.is_valid():
        try:
            services.window_save(actor=request.user, window=window, **form.cleaned_data)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Open enrolment window saved."))
            return redirect("benefits:manage")
    return render(request, "benefits/window_form.html", {"form": form, "window": window})


def employee_detail(request: HttpRequest, employee_id: int) -> HttpResponse:
    """Everything about one person's benefits, for HR."""
    employee = selectors.employee_for_hr(user=request.user, employee_id=employee_id)
    return render(
        request,
        "benefits/employee_detail.html",
        {
            "person": employee,
            "elections": selectors.all_elections_of(employee=employee),
            "dependents": selectors.dependents_of(employee=employee),
            "events": selectors.life_events_of(employee=employee),
            "years": selectors.windows_for_hr(user=request.user).values_list(
                "plan_year", flat=True
            ),
        },
    )


@require_POST
def life_event_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    require(action in ("approve", "reject"))
    require(can_manage_benefits(request.user))
    event = selectors.life_event_for_viewer(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.life_event_decide(
            event=event,
            decider=request.user,
            approve=action == "approve",
            note=note,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Life event approved; the employee has been told.")
            if action == "approve"
            else _("Life event rejected; the employee has been told."),
        )
    if request.POST.get("next") == "queue":
        return redirect("benefits:manage_life_events")
    return redirect("benefits:life_event", pk=event.pk)


# --- lists ----------------------------------------------------------------------------------
class StrictFilterMixin:
    """Filter values come from select lists: anything else is a hand-made URL, answered 400
    (never a silent empty page, never a 500). `default_filters` apply when a key is absent."""

    default_filters: dict[str, str] = {}

    def get_default_filters(self) -> dict[str, str]:
        return dict(self.default_filters)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = (kwargs.get("data") or QueryDict()).copy()
        for key, value in self.get_default_filters().items():
            data.setdefault(key, value)
        kwargs["data"] = data
        return kwargs

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        if not filterset.is_valid():
            raise SuspiciousOperation(f"Invalid filter: {sorted(filterset.errors)}")
        return filterset


class EnrolmentView(
    StrictFilterMixin, SafeOrderingMixin, ExportMixin, SingleTableMixin, FilterView
):
    template_name = "benefits/enrolment.html"
    table_class = EnrolmentTable
    filterset_class = EnrolmentFilter
    paginate_by = 50
    export_formats = ("csv", "xlsx")
    export_name = "benefits-enrolment"
    export_class = EnrolmentExport

    def get_default_filters(self) -> dict[str, str]:
        today = timezone.localdate()
        years = list(
            EnrolmentWindow.objects.filter(opens_on__lte=today)
            .order_by("-plan_year")
            .values_list("plan_year", flat=True)[:1]
        )
        return {"plan_year": str(years[0])} if years else {}

    def get_queryset(self):
        return selectors.enrolment_elections(user=self.request.user).order_by(
            "employee__user__last_name", "employee__user__first_name", "plan__name", "pk"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = selectors.enrolment_summary(self.object_list)
        return context


class LifeEventQueueView(StrictFilterMixin, SafeOrderingMixin, SingleTableMixin, FilterView):
    template_name = "benefits/life_event_queue.html"
    table_class = LifeEventTable
    filterset_class = LifeEventFilter
    paginate_by = 50
    default_filters = {"status": LifeEvent.Status.PENDING}

    def get_queryset(self):
        return selectors.life_event_queue(user=self.request.user).order_by("submitted_at", "pk")
