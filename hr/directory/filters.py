"""Search forms for the directory and My team. Department and location choices come from one
query each; the department filter takes its sub-departments along without another query."""

import django_filters
from django.utils.translation import gettext_lazy as _

from hr.directory.selectors import DepartmentTree, name_search
from hr.models import Employee, Location

TEXT_MAX = 100


class DirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or e-mail"), method="filter_name", max_length=TEXT_MAX
    )
    department = django_filters.ChoiceFilter(
        label=_("Department"),
        method="filter_department",
        empty_label=_("Any department"),
        choices=(),
    )
    title = django_filters.CharFilter(
        label=_("Job title"), field_name="job_title", lookup_expr="icontains", max_length=TEXT_MAX
    )
    location = django_filters.ChoiceFilter(
        label=_("Location"), field_name="location_id", empty_label=_("Any location"), choices=()
    )

    class Meta:
        model = Employee
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.departments = DepartmentTree.load()
        self.filters["department"].extra["choices"] = self.departments.choices()
        self.filters["location"].extra["choices"] = [
            (str(pk), name)
            for pk, name in Location.objects.order_by("name").values_list("pk", "name")
        ]

    def filter_name(self, queryset, name, value):
        return name_search(queryset, value)

    def filter_department(self, queryset, name, value):
        return queryset.filter(department_id__in=self.departments.with_descendants(int(value)))


class TeamFilter(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(
        label=_("Reports"),
        method="filter_scope",
        empty_label=_("Direct and indirect"),
        choices=[("direct", _("Direct reports")), ("indirect", _("Indirect reports"))],
    )
    q = django_filters.CharFilter(
        label=_("Name or e-mail"), method="filter_name", max_length=TEXT_MAX
    )
    title = django_filters.CharFilter(
        label=_("Job title"), field_name="job_title", lookup_expr="icontains", max_length=TEXT_MAX
    )

    class Meta:
        model = Employee
        fields: list[str] = []

    def filter_scope(self, queryset, name, value):
        return queryset.filter(is_direct=value == "direct")

    def filter_name(self, queryset, name, value):
        return name_search(queryset, value)
