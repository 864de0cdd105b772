"""Knowledge gaps and search figures as django-tables2 tables: the page and its exports."""

import django_tables2 as tables
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from ess.search.models import GapStatus

STATUS_LABELS = dict(GapStatus.choices)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{number_format(value * 100, decimal_pos=0)}%"


def _local_link(url: str, text: str) -> str:
    """A link only for a path on this site; anything else is shown as text."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return format_html('<a href="{}">{}</a>', url, text)
    return format_html("{}", text)


class GapGroupTable(tables.Table):
    """Groups of similar queries (`insights.GapGroup`) that found nothing worth opening."""

    sample_query = tables.Column(verbose_name=_("What people searched for"), orderable=False)
    searches = tables.Column(verbose_name=_("Searches"), attrs={"td": {"class": "text-end"}})
    zero_results = tables.Column(verbose_name=_("No results"), attrs={"td": {"class": "text-end"}})
    no_clicks = tables.Column(verbose_name=_("Nothing opened"), attrs={"td": {"class": "text-end"}})
    last_seen = tables.DateTimeColumn(verbose_name=_("Last searched"), format="Y-m-d H:i")
    status = tables.Column(verbose_name=_("Status"), orderable=False)
    actions = tables.TemplateColumn(
        verbose_name=_("Actions"),
        template_name="search/_gap_actions.html",
        orderable=False,
        exclude_from_export=True,
    )

    class Meta:
        attrs = {"class": "table table-sm align-middle"}
        order_by = ("-searches",)
        empty_text = _("No knowledge gaps match these filters.")

    def render_sample_query(self, record) -> str:
        others = format_html_join(
            "", '<li class="list-inline-item">“{}”</li>', ((q,) for q in record.other_queries)
        )
        if not others:
            return format_html('<span class="fw-semibold">“{}”</span>', record.sample_query)
        return format_html(
            '<span class="fw-semibold">“{}”</span><span class="visually-hidden">, {}</span>'
            '<ul class="list-inline small text-body-secondary mb-0">{}</ul>',
            record.sample_query,
            _("similar searches:"),
            others,
        )

    def value_sample_query(self, record) -> str:
        return "; ".join([record.sample_query, *record.other_queries])

    def render_status(self, record) -> str:
        resolved = record.resolved
        if resolved is None:
            return str(STATUS_LABELS.get(record.status, record.status))
        return format_html(
            "{}: {}",
            STATUS_LABELS[GapStatus.RESOLVED],
            _local_link(resolved.resolved_url, resolved.resolved_title or resolved.resolved_url),
        )

    def value_status(self, record) -> str:
        resolved = record.resolved
        if resolved is None:
            return str(STATUS_LABELS.get(record.status, record.status))
        label = STATUS_LABELS[GapStatus.RESOLVED]
        return f"{label}: {resolved.resolved_title} <{resolved.resolved_url}>"


# --- Analytics ----------------------------------------------------------------------------
NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


class _FiguresTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-sm align-middle"}
        # The figures come in the order that makes them meaningful; resorting happens in
        # a spreadsheet after export.
        orderable = False


class DayTable(_FiguresTable):
    day = tables.DateColumn(verbose_name=_("Day"), format="D Y-m-d")
    searches = tables.Column(verbose_name=_("Searches"), attrs=NUMBER)
    zero_results = tables.Column(verbose_name=_("Without results"), attrs=NUMBER)
    zero_rate = tables.Column(verbose_name=_("Zero-result rate"), attrs=NUMBER)
    clicked = tables.Column(verbose_name=_("Opened a result"), attrs=NUMBER)
    click_through_rate = tables.Column(verbose_name=_("Click-through rate"), attrs=NUMBER)

    class Meta(_FiguresTable.Meta):
        empty_text = _("No searches in this period.")

    def render_zero_rate(self, value) -> str:
        return percent(value)

    def render_click_through_rate(self, value) -> str:
        return percent(value)


class QueryTable(_FiguresTable):
    query = tables.Column(verbose_name=_("Query"))
    searches = tables.Column(verbose_name=_("Searches"), attrs=NUMBER)
    results = tables.Column(verbose_name=_("Results (most)"), attrs=NUMBER)
    clicked = tables.Column(verbose_name=_("Opened a result"), attrs=NUMBER)
    click_through_rate = tables.Column(verbose_name=_("Click-through rate"), attrs=NUMBER)

    class Meta(_FiguresTable.Meta):
        empty_text = _("No searches in this period.")

    def render_click_through_rate(self, record, value) -> str:
        return percent(value) if record["results"] else "—"


class ZeroQueryTable(_FiguresTable):
    query = tables.Column(verbose_name=_("Query"))
    searches = tables.Column(verbose_name=_("Searches"), attrs=NUMBER)
    last_seen = tables.DateTimeColumn(verbose_name=_("Last searched"), format="Y-m-d H:i")

    class Meta(_FiguresTable.Meta):
        empty_text = _("Every search in this period found something.")


class HelpfulnessTable(_FiguresTable):
    title = tables.Column(verbose_name=_("Article"))
    space = tables.Column(verbose_name=_("Space"), default="—")
    helpful_yes = tables.Column(verbose_name=_("Helped"), attrs=NUMBER)
    helpful_no = tables.Column(verbose_name=_("Did not help"), attrs=NUMBER)
    helpfulness = tables.Column(verbose_name=_("Helpfulness"), attrs=NUMBER)

    class Meta(_FiguresTable.Meta):
        empty_text = _("No article has been rated yet.")

    def render_title(self, record, value) -> str:
        return _local_link(record.url, value)

    def render_helpfulness(self, value) -> str:
        return percent(value)
