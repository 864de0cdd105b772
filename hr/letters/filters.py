import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hr.letters.models import Letter, LetterTemplate
from hr.models import Department

AGE_CHOICES = [
    ("1", _("Last 24 hours")),
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("older", _("Older than 30 days")),
]


class LetterQueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Employee"), method="filter_person")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Letter.Status.choices, empty_label=_("Any")
    )
    template = django_filters.ModelChoiceFilter(
        label=_("Letter"), queryset=LetterTemplate.objects.order_by("name"), empty_label=_("Any")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="employee__department",
        queryset=Department.objects.order_by("name"),
        empty_label=_("Any"),
    )
    age = django_filters.ChoiceFilter(
        label=_("Requested"), choices=AGE_CHOICES, method="filter_age", empty_label=_("Any time")
    )

    class Meta:
        model = Letter
        fields: list[str] = []

    def filter_person(self, queryset, name, value):
        for word in value.split()[:4]:
            queryset = queryset.filter(
                Q(employee__user__first_name__icontains=word)
                | Q(employee__user__last_name__icontains=word)
                | Q(employee__employee_number__iexact=word)
            )
        return queryset

    def filter_age(self, queryset, name, value):
        now = timezone.now()
        if value == "older":
            return queryset.filter(requested_at__lt=now - datetime.timedelta(days=30))
        return queryset.filter(requested_at__gte=now - datetime.timedelta(days=int(value)))
