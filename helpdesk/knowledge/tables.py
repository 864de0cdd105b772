"""Tables of the knowledge base's editor screens; every value comes from one query."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from helpdesk.knowledge.models import Article


class ArticleTable(tables.Table):
    title = tables.Column(
        verbose_name=_("Title"),
        accessor="latest_version__title",
        linkify=("knowledge:article_manage", {"key": tables.A("key")}),
    )
    key = tables.Column(verbose_name=_("Key"))
    space = tables.Column(verbose_name=_("Space"), accessor="space__name")
    language = tables.Column(verbose_name=_("Language"))
    status = tables.Column(verbose_name=_("Status"))
    owner = tables.Column(verbose_name=_("Owner"), accessor="owner__email", default="—")
    review_by = tables.DateColumn(verbose_name=_("Review by"), format="Y-m-d", default="—")
    updated_at = tables.DateColumn(verbose_name=_("Last updated"), format="Y-m-d")
    views = tables.Column(verbose_name=_("Views"))
    helpful_yes = tables.Column(verbose_name=_("Helpful"))
    helpful_no = tables.Column(verbose_name=_("Not helpful"))

    class Meta:
        model = Article
        fields = (
            "title",
            "key",
            "space",
            "language",
            "status",
            "owner",
            "review_by",
            "updated_at",
            "views",
            "helpful_yes",
            "helpful_no",
        )
        order_by = ("-updated_at",)
