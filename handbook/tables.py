import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from handbook.models import Section, SectionVersion

STATUS_LABELS = dict(SectionVersion.Status.choices)


class SectionTable(tables.Table):
    """Sections for editors; every value comes from the selector's one query."""

    chapter = tables.Column(
        verbose_name=_("Chapter"),
        accessor="chapter__title",
        order_by=("chapter__position", "chapter__title"),
    )
    title = tables.Column(
        verbose_name=_("Section"), linkify=("handbook:workbench", {"pk": tables.A("pk")})
    )
    owner = tables.Column(verbose_name=_("Owner"), accessor="owner__last_name")
    review_by = tables.DateColumn(verbose_name=_("Review by"), format="Y-m-d")
    published_number = tables.Column(verbose_name=_("Published version"), default="—")
    last_updated = tables.DateColumn(verbose_name=_("Last updated"), format="Y-m-d", default="—")
    open_status = tables.Column(verbose_name=_("Work in progress"), default="—")

    class Meta:
        model = Section
        fields = (
            "chapter",
            "title",
            "owner",
            "review_by",
            "published_number",
            "last_updated",
            "open_status",
        )
        order_by = ("chapter", "title")

    def render_title(self, record, value) -> str:
        return f"{record.parent.title} › {value}" if record.parent_id else value  # noqa: RUF001

    def render_owner(self, record) -> str:
        return record.owner.get_full_name() or record.owner.email

    def value_owner(self, record) -> str:
        return record.owner.email

    def render_open_status(self, value) -> str:
        return str(STATUS_LABELS.get(value, value))


class StaleSectionTable(SectionTable):
    class Meta(SectionTable.Meta):
        fields = ("chapter", "title", "owner", "review_by", "last_updated")
        exclude = ("published_number", "open_status")
        order_by = ("review_by",)
