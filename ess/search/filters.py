import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ess.search.models import Gap, GapStatus

PERIOD_CHOICES = [
    ("7", _("Searched in the last 7 days")),
    ("30", _("Searched in the last 30 days")),
    ("90", _("Searched in the last 90 days")),
]


class GapFilter(django_filters.FilterSet):
    """Open gaps unless another status is asked for: those are the ones to work on."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=GapStatus.choices, empty_label=_("Open (default)")
    )
    period = django_filters.ChoiceFilter(
        label=_("Period"),
        choices=PERIOD_CHOICES,
        empty_label=_("Any time"),
        method="filter_period",
    )

    class Meta:
        model = Gap
        fields: list[str] = []

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=GapStatus.OPEN)
        return super().filter_queryset(queryset)

    def filter_period(self, queryset, name, value):
        since = timezone.now() - datetime.timedelta(days=int(value))
        return queryset.filter(last_seen__gte=since)
