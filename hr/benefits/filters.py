import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from hr.benefits.eligibility import department_parents, with_subdepartments
from hr.benefits.models import CoverageLevel, Election, EnrolmentWindow, LifeEvent, Plan
from hr.models import Department, Location


class LevelChoiceField(ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.plan.name}: {obj.name}"


class LevelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = LevelChoiceField


def _plan_years() -> list[tuple[int, str]]:
    years = EnrolmentWindow.objects.order_by("-plan_year").values_list("plan_year", flat=True)
    return [(year, str(year)) for year in years]


class EnrolmentFilter(django_filters.FilterSet):
    plan_year = django_filters.ChoiceFilter(
        label=_("Plan year"), choices=_plan_years, empty_label=_("All years")
    )
    plan = django_filters.ModelChoiceFilter(
        label=_("Plan"), queryset=Plan.objects.order_by("name"), empty_label=_("All plans")
    )
    coverage_level = LevelChoiceFilter(
        label=_("Coverage level"),
        queryset=CoverageLevel.objects.select_related("plan").order_by("plan__name", "position"),
        empty_label=_("All levels"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Election.Status.choices, empty_label=_("All statuses")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        method="filter_department",
        empty_label=_("All departments"),
    )
    location = django_filters.ModelChoiceFilter(
        label=_("Location"),
        queryset=Location.objects.order_by("name"),
        field_name="employee__location",
        empty_label=_("All locations"),
    )

    class Meta:
        model = Election
        fields: list[str] = []

    def filter_department(self, queryset, name, value):
        departments = with_subdepartments([value.pk], department_parents())
        return queryset.filter(employee__department_id__in=departments)


class LifeEventFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=LifeEvent.Status.choices, empty_label=_("All statuses")
    )
    kind = django_filters.ChoiceFilter(
        label=_("What happened"), choices=LifeEvent.Kind.choices, empty_label=_("All kinds")
    )
    location = django_filters.ModelChoiceFilter(
        label=_("Location"),
        queryset=Location.objects.order_by("name"),
        field_name="employee__location",
        empty_label=_("All locations"),
    )

    class Meta:
        model = LifeEvent
        fields: list[str] = []
