"""The compliance report, its drill-down to people, and the stale-content list."""

import django_filters
import django_tables2 as tables
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from ess.portal.tables import SafeOrderingMixin
from policies import compliance as figures
from policies.models import AcknowledgementRequest
from policies.permissions import can_edit_policies, require
from policies.selectors import stale_policies


def compliance(request: HttpRequest) -> HttpResponse:
    rows = figures.compliance_by_policy(viewer=request.user)
    slug = request.GET.get("policy") or (rows[0]["policy"].slug if rows else None)
    context = {"rows": rows}
    if slug:
        policy = figures.policy_for_report(viewer=request.user, slug=slug)
        timeline = figures.completion_over_time(viewer=request.user, policy=policy)
        context.update(
            policy=policy,
            by_department=figures.breakdown(viewer=request.user, policy=policy, by="department"),
            by_location=figures.breakdown(viewer=request.user, policy=policy, by="location"),
            timeline=timeline,
            chart=_chart_points(timeline),
        )
    return render(request, "policies/compliance.html", context)


def _chart_points(timeline) -> dict:
    """Coordinates for a server-drawn SVG line chart (no script: the CSP allows none)."""
    width, height, pad = 600, 200, 30
    if not timeline:
        return {}
    step = (width - 2 * pad) / max(len(timeline) - 1, 1)
    points = " ".join(
        f"{pad + i * step:.1f},{height - pad - (pct / 100) * (height - 2 * pad):.1f}"
        for i, (_day, _n, pct) in enumerate(timeline)
    )
    return {
        "width": width,
        "height": height,
        "pad": pad,
        "points": points,
        "first": timeline[0][0],
        "last": timeline[-1][0],
    }


class StatusFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="filter_status",
        choices=[
            ("acknowledged", _("Acknowledged")),
            ("pending", _("Pending")),
            ("overdue", _("Overdue")),
        ],
    )
    department = django_filters.CharFilter(
        label=_("Department"),
        field_name="user__employee__department__name",
        lookup_expr="iexact",
    )
    location = django_filters.CharFilter(
        label=_("Location"), field_name="user__employee__location__name", lookup_expr="iexact"
    )

    class Meta:
        model = AcknowledgementRequest
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == "acknowledged":
            return queryset.filter(acknowledged_at__isnull=False)
        queryset = queryset.filter(acknowledged_at__isnull=True)
        if value == "overdue":
            return queryset.filter(due_date__lt=today)
        return queryset.filter(due_date__gte=today)


class PeopleTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Name"),
        accessor="user__last_name",
        order_by=("user__last_name", "user__first_name"),
    )
    email = tables.Column(verbose_name=_("E-mail"), accessor="user__email")
    department = tables.Column(
        verbose_name=_("Department"), accessor="user__employee__department__name"
    )
    location = tables.Column(verbose_name=_("Location"), accessor="user__employee__location__name")
    due_date = tables.DateColumn(verbose_name=_("Due"))
    acknowledged_at = tables.DateTimeColumn(
        verbose_name=_("Acknowledged"), default="—", format="Y-m-d H:i"
    )

    class Meta:
        model = AcknowledgementRequest
        fields = ("name", "email", "department", "location", "due_date", "acknowledged_at")

    def render_name(self, record) -> str:
        return record.user.get_full_name() or record.user.email


class ComplianceDrillDown(SafeOrderingMixin, ExportMixin, SingleTableMixin, FilterView):
    template_name = "policies/compliance_people.html"
    table_class = PeopleTable
    filterset_class = StatusFilter
    paginate_by = 50
    export_formats = ("csv", "xlsx")

    def get_queryset(self):
        self.policy = figures.policy_for_report(viewer=self.request.user, slug=self.kwargs["slug"])
        return (
            figures.requests_for_policy(viewer=self.request.user, policy=self.policy)
            .select_related("user__employee__department", "user__employee__location")
            .order_by("due_date", "pk")
        )

    def get_export_filename(self, export_format):
        return f"compliance-{self.policy.slug}.{export_format}"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "policy": self.policy}


def stale_content(request: HttpRequest) -> HttpResponse:
    """Policies and handbook sections past their review date: all for editors."""
    require(can_edit_policies(request.user))
    from handbook.selectors import stale_sections

    return render(
        request,
        "policies/stale.html",
        {
            "policies": stale_policies(),
            "sections": stale_sections(),
        },
    )
