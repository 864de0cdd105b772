import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handbook.models import Chapter, Section, SectionVersion

STATE_CHOICES = [
    ("unpublished", _("Not published yet")),
    ("open", _("Work in progress")),
    ("in_review", _("Waiting for review")),
    ("stale", _("Past its review date")),
]


class SectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title or owner"), method="filter_text")
    chapter = django_filters.ModelChoiceFilter(label=_("Chapter"), queryset=Chapter.objects.all())
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=STATE_CHOICES, method="filter_state"
    )

    class Meta:
        model = Section
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(owner__first_name__icontains=word)
                | Q(owner__last_name__icontains=word)
                | Q(owner__email__icontains=word)
            )
        return queryset

    def filter_state(self, queryset, name, value):
        if value == "unpublished":
            return queryset.filter(current_version__isnull=True)
        if value == "open":
            return queryset.filter(open_status__isnull=False)
        if value == "in_review":
            return queryset.filter(open_status=SectionVersion.Status.IN_REVIEW)
        return queryset.filter(current_version__isnull=False, review_by__lt=timezone.localdate())
