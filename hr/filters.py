import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hr.models import ChangeRequest, Department


class ChangeRequestFilter(django_filters.FilterSet):
    AGES = (
        ("today", _("Filed today")),
        ("week", _("Up to a week old")),
        ("older", _("Older than a week")),
    )

    q = django_filters.CharFilter(label=_("Employee"), method="filter_employee")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ChangeRequest.Status.choices, empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=ChangeRequest.Kind.choices, empty_label=_("Any type")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="employee__department",
        queryset=Department.objects.only("pk", "name"),
        empty_label=_("Any department"),
    )
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGES, method="filter_age", empty_label=_("Any age")
    )

    class Meta:
        model = ChangeRequest
        fields: list[str] = []

    def filter_employee(self, queryset, name, value):
        return queryset.filter(
            Q(employee__user__first_name__icontains=value)
            | Q(employee__user__last_name__icontains=value)
            | Q(employee__user__email__icontains=value)
            | Q(employee__employee_number=value)
        )

    def filter_age(self, queryset, name, value):
        now = timezone.now()
        start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        week_ago = now - datetime.timedelta(days=7)
        if value == "today":
            return queryset.filter(submitted_at__gte=start_of_day)
        if value == "week":
            return queryset.filter(submitted_at__gte=week_ago)
        return queryset.filter(submitted_at__lt=week_ago)
