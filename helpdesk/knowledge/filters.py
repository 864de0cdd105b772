import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ess.accounts.models import User
from ess.accounts.roles import Role
from helpdesk.knowledge.models import Article, ArticleStatus, Language, Space

REVIEW_SOON_DAYS = 14
REVIEW_CHOICES = [
    ("overdue", _("Past its review date")),
    ("soon", _("Review due within 14 days")),
    ("none", _("No review date")),
]


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title, key or tag"), method="filter_text")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ArticleStatus.choices)
    space = django_filters.ModelChoiceFilter(label=_("Space"), queryset=Space.objects.all())
    language = django_filters.ChoiceFilter(label=_("Language"), choices=Language.choices)
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"),
        queryset=User.objects.filter(groups__name__in=[Role.KB_EDITOR, Role.ADMIN], is_active=True)
        .distinct()
        .order_by("email"),
    )
    review = django_filters.ChoiceFilter(
        label=_("Review"), choices=REVIEW_CHOICES, method="filter_review"
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(latest_version__title__icontains=word)
                | Q(key__icontains=word)
                | Q(latest_version__tags__name__iexact=word)
            )
        # A tag match joins the version's tags; one row per article all the same.
        return queryset.distinct()

    def filter_review(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(review_by__lt=today)
        if value == "soon":
            soon = today + datetime.timedelta(days=REVIEW_SOON_DAYS)
            return queryset.filter(review_by__gte=today, review_by__lte=soon)
        return queryset.filter(review_by__isnull=True)
