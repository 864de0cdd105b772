"""Directory search, a colleague's card, the org chart and My team."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from ess.portal.tables import SafeOrderingMixin
from hr.directory import selectors
from hr.directory.events import team_events
from hr.directory.filters import DirectoryFilter, TeamFilter
from hr.directory.permissions import require_team
from hr.directory.tables import DirectoryTable, TeamTable
from hr.team import team_approvals_for


class StrictListMixin:
    """What no control on the page can send is refused with 400 instead of being guessed
    at: a filter value outside its choices (an unknown department, a 5,000-character name),
    a second sort key, or a page size (which would otherwise list everyone on one page)."""

    def get(self, request, *args, **kwargs):
        if "per_page" in request.GET or len(request.GET.getlist("sort")) > 1:
            raise SuspiciousOperation("Page size or repeated sort key in a directory list")
        return super().get(request, *args, **kwargs)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        if filterset.is_bound and not filterset.is_valid():
            raise SuspiciousOperation(f"Invalid directory filter: {filterset.errors.as_json()}")
        return filterset


class DirectorySearchView(StrictListMixin, SafeOrderingMixin, SingleTableMixin, FilterView):
    template_name = "directory/search.html"
    table_class = DirectoryTable
    filterset_class = DirectoryFilter
    # The table paginates; a `paginate_by` would make the list view count a second time.
    table_pagination = {"per_page": 25}

    def get_queryset(self):
        return selectors.directory_people(viewer=self.request.user)


def person_card(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_card(viewer=request.user, pk=pk)
    return render(
        request,
        "directory/card.html",
        {
            "person": person,
            "manager_is_current": selectors.is_current(person.manager),
            "is_me": person.user_id == request.user.pk,
        },
    )


def org_chart(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    chart = selectors.org_chart(
        viewer=request.user, pk=pk, all_reports=request.GET.get("reports") == "all"
    )
    return render(request, "directory/org_chart.html", {"chart": chart})


class TeamView(StrictListMixin, SafeOrderingMixin, ExportMixin, SingleTableMixin, FilterView):
    template_name = "directory/team.html"
    table_class = TeamTable
    filterset_class = TeamFilter
    # The table paginates; a `paginate_by` would make the list view count a second time.
    table_pagination = {"per_page": 25}
    export_formats = ("csv", "xlsx")
    export_name = "my-team"

    def dispatch(self, request, *args, **kwargs):
        require_team(request.user)
        self.manager = selectors.team_manager(user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.team_members(manager=self.manager)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.GET.get(self.export_trigger_param):
            return context  # an export is the table alone
        return {
            **context,
            "approvals": team_approvals_for(self.request.user),
            "events": team_events(manager=self.manager),
        }
