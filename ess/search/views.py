"""Search pages: the search page and its suggestions, result clicks, knowledge gaps,
analytics and synonyms. The engine (`selectors.search`, `selectors.suggest`) decides what
a person may find; these views only parse, call and render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from ess.portal import charts
from ess.portal.tables import refuse_unknown_keys
from ess.search import insights, selectors, services
from ess.search.engine.synonyms import starter_groups
from ess.search.filters import GapFilter
from ess.search.forms import PAGE_SIZE, DateRangeForm, SearchCriteria, SynonymForm
from ess.search.models import DocumentType, Gap, GapStatus, Synonym
from ess.search.permissions import require_search_analytics, require_search_manager
from ess.search.tables import (
    DayTable,
    GapGroupTable,
    HelpfulnessTable,
    QueryTable,
    ZeroQueryTable,
)

EXPORT_FORMATS = ("csv", "xlsx")
TYPE_LABELS = dict(DocumentType.choices)
SUGGEST_MIN_LENGTH = 2
SUGGEST_LIMIT = 8


# --- Searching ---------------------------------------------------------------------------------
def _log_source(request: HttpRequest) -> str | None:
    """Which searches go into the log: one row for each query the person settled on.

    A full page load is a deliberate search (from the header box, a link, or the page
    without JavaScript). While typing, the page asks for live results after each pause;
    those are not logged, except the request search.js marks as final: the one sent when
    the person presses Enter or leaves the field after changing it. A query typed in one go
    and opened from the live results is logged when the result is opened (see
    `open_result`). Going back in history re-renders without logging again.
    """
    if request.htmx:
        if request.htmx.history_restore_request or request.GET.get("final") != "1":
            return None
        return "page"
    return "box" if request.GET.get("from") == "box" else "page"


def _language_name(code: str) -> str:
    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code


def _facets(results, criteria: SearchCriteria) -> dict[str, list[dict]]:
    """Facet values with counts, labels and the URL that applies or removes them."""
    facets = results.facets if results else {}

    def entries(name: str, label, chosen, toggle) -> list[dict]:
        return [
            {
                "value": value,
                "label": label(value),
                "count": count,
                "chosen": value in chosen,
                "url": "?" + criteria.url_params(**toggle(value)),
            }
            for value, count in sorted(facets.get(name, {}).items(), key=lambda i: -i[1])
        ]

    def toggle_type(value: str) -> dict:
        chosen = [t for t in criteria.types if t != value]
        return {"type": chosen if value in criteria.types else [*criteria.types, value]}

    return {
        "type": entries("type", lambda v: TYPE_LABELS.get(v, v), criteria.types, toggle_type),
        "space": entries(
            "space",
            lambda v: v,
            (criteria.space,),
            lambda v: {"space": "" if v == criteria.space else v},
        ),
        "language": entries(
            "language",
            _language_name,
            (criteria.lang,),
            lambda v: {"lang": "" if v == criteria.lang else v},
        ),
    }


def _open_url(hit, *, rank: int, log_id: int | None, query: str) -> str:
    params = {"type": hit.doc_type, "key": hit.key, "rank": rank, "q": query}
    if log_id:
        params = {"log": log_id, **params}
    return f"{reverse('search:open')}?{urlencode(params)}"


def search_page(request: HttpRequest) -> HttpResponse:
    criteria = SearchCriteria.from_query(request.GET)
    results = None
    if criteria.q:
        results = selectors.search(
            user=request.user,
            query=criteria.q,
            limit=PAGE_SIZE,
            offset=criteria.offset,
            doc_types=criteria.types,
            space=criteria.space,
            language=criteria.lang,
            log_source=_log_source(request),
        )
    rows = []
    if results:
        rows = [
            (
                hit,
                TYPE_LABELS.get(hit.doc_type, hit.doc_type),
                _open_url(hit, rank=criteria.offset + n, log_id=results.log_id, query=criteria.q),
            )
            for n, hit in enumerate(results.hits, start=1)
        ]
    total = results.total if results else 0
    pages = -(-total // PAGE_SIZE)
    context = {
        "criteria": criteria,
        "results": results,
        "rows": rows,
        "facets": _facets(results, criteria),
        "previous_url": "?" + criteria.url_params(page=criteria.page - 1)
        if criteria.page > 1
        else "",
        "next_url": "?" + criteria.url_params(page=criteria.page + 1)
        if criteria.page < pages
        else "",
        "pages": pages,
        "did_you_mean_url": "?" + criteria.url_params(q=results.did_you_mean)
        if results and results.did_you_mean
        else "",
        "unfiltered_url": "?" + urlencode({"q": criteria.q}),
        "live": bool(request.htmx and not request.htmx.history_restore_request),
    }
    template = "search/page.html#results" if context["live"] else "search/page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def suggestions(request: HttpRequest) -> HttpResponse:
    """Options for the search boxes' autocomplete: titles starting with what was typed."""
    prefix = " ".join(request.GET.get("q", "").split())[:100]
    hits = []
    if len(prefix) >= SUGGEST_MIN_LENGTH:
        hits = selectors.suggest(user=request.user, prefix=prefix, limit=SUGGEST_LIMIT)
    options = [(hit, TYPE_LABELS.get(hit.doc_type, hit.doc_type)) for hit in hits]
    return render(request, "search/_suggestions.html", {"options": options, "q": prefix})


def _int_param(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


def open_result(request: HttpRequest) -> HttpResponse:
    """Count the click, then go to the document's own address as the index stores it.

    The target is never taken from the request, so this cannot redirect anywhere else, and
    a document the person may not find answers 404 like one that does not exist.
    """
    doc_type, key = request.GET.get("type", ""), request.GET.get("key", "")[:200]
    rank = min(max(_int_param(request, "rank") or 1, 1), 10_000)
    query = " ".join(request.GET.get("q", "").split())[:200]
    document = selectors.visible_document(request.user, doc_type, key)
    if document is None or not url_has_allowed_host_and_scheme(
        document.url, allowed_hosts={request.get_host()}
    ):
        raise Http404
    log_id = _int_param(request, "log")
    if log_id is None and query:
        # Opened from live results, which are not logged while typing: this is the search
        # the person settled on.
        log_id = selectors.search(user=request.user, query=query, limit=1, log_source="page").log_id
    if log_id is not None:
        services.search_click_record(
            user=request.user, log_id=log_id, doc_type=doc_type, key=key, rank=rank
        )
    url = document.url
    if doc_type == DocumentType.ARTICLE and query:
        # The article carries the search on to "ask for help" if it did not answer it.
        url += ("&" if "?" in url else "?") + urlencode({"q": query})
    return redirect(url)


# --- Knowledge gaps ----------------------------------------------------------------------------
def _export(request: HttpRequest, table, name: str) -> HttpResponse:
    fmt = request.GET["_export"]
    return TableExport(fmt, table).response(f"{name}.{fmt}")


def gaps(request: HttpRequest) -> HttpResponse:
    require_search_manager(request.user)
    gap_filter = GapFilter(request.GET, queryset=Gap.objects.all())
    table = GapGroupTable(insights.gap_groups(gap_filter.qs), request=request)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    refuse_unknown_keys(request, table, formats=EXPORT_FORMATS)
    if "_export" in request.GET:
        return _export(request, table, "knowledge-gaps")
    return render(
        request,
        "search/gaps.html",
        {"filter": gap_filter, "table": table, "export_formats": EXPORT_FORMATS},
    )


@require_POST
def gap_dismiss(request: HttpRequest) -> HttpResponse:
    """Dismiss a group of similar gaps: queries nobody will write an article for."""
    require_search_manager(request.user)
    ids = [int(value) for value in request.POST.getlist("gap") if value.isdigit()]
    dismissed = 0
    for gap in insights.gaps_by_ids(ids).filter(status=GapStatus.OPEN):
        services.gap_dismiss(gap_id=gap.pk, by=request.user)
        dismissed += 1
    if not dismissed:
        raise Http404
    messages.success(request, _("Dismissed. It no longer shows among the open gaps."))
    return redirect("search:gaps")


# --- Analytics ---------------------------------------------------------------------------------
def analytics(request: HttpRequest) -> HttpResponse:
    require_search_analytics(request.user)
    form = DateRangeForm(request.GET or None)
    start, end = form.date_range()
    builders = {
        "days": lambda: DayTable(insights.searches_per_day(start, end)),
        "queries": lambda: QueryTable(insights.top_queries(start, end)),
        "zero": lambda: ZeroQueryTable(insights.top_zero_result_queries(start, end)),
        "helpfulness": lambda: HelpfulnessTable(insights.least_helpful_articles()),
    }
    if "_export" in request.GET:
        name = request.GET.get("table", "")
        if name not in builders:
            raise SuspiciousOperation(f"Unknown table {name!r}")
        table = builders[name]()
        refuse_unknown_keys(request, table, formats=EXPORT_FORMATS)
        return _export(request, table, f"search-{name}-{start:%Y%m%d}-{end:%Y%m%d}")
    tables = {name: build() for name, build in builders.items()}
    days = tables["days"].data.data
    return render(
        request,
        "search/analytics.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "totals": insights.search_totals(start, end),
            "tables": tables,
            "charts": _analytics_charts(days),
            "range_query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
            "export_formats": EXPORT_FORMATS,
        },
    )


def _analytics_charts(days: list[insights.Day]) -> dict:
    labels = [f"{day.day:%d %b}" for day in days]
    volume = [
        charts.Series(_("Searches"), [d.searches for d in days], kind="bar", css="primary"),
        charts.Series(
            _("Searches without results"),
            [d.zero_results for d in days],
            kind="line",
            css="danger",
        ),
    ]
    rates = [
        charts.Series(
            _("Click-through rate"),
            [d.click_through_rate for d in days],
            kind="bar",
            css="success",
        ),
        charts.Series(
            _("Zero-result rate"), [d.zero_rate for d in days], kind="line", css="danger"
        ),
    ]
    return {
        "volume": charts.chart_svg(
            title=_("Searches per day"),
            description=_("Bars: searches per day; dashed line: searches that found nothing."),
            labels=labels,
            series=volume,
            x_label=_("Day"),
            y_label=_("Searches"),
        ),
        "volume_legend": charts.legend_html(volume),
        "rates": charts.chart_svg(
            title=_("Click-through and zero-result rate per day"),
            description=_(
                "Bars: share of searches with results where a result was opened; dashed "
                "line: share of searches that found nothing."
            ),
            labels=labels,
            series=rates,
            x_label=_("Day"),
            y_label=_("Share of searches"),
            percent=True,
        ),
        "rates_legend": charts.legend_html(rates),
    }


# --- Synonyms ----------------------------------------------------------------------------------
def _save_synonym(request: HttpRequest, form: SynonymForm, synonym: Synonym | None) -> bool:
    try:
        services.synonym_save(
            by=request.user,
            synonym=synonym,
            terms=form.cleaned_data["terms"],
            active=form.cleaned_data["active"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def synonyms(request: HttpRequest) -> HttpResponse:
    require_search_manager(request.user)
    form = SynonymForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid() and _save_synonym(request, form, None):
        messages.success(request, _("Synonym group added. Searches use it from now on."))
        return redirect("search:synonyms")
    return render(
        request,
        "search/synonyms.html",
        {
            "form": form,
            "groups": Synonym.objects.select_related("created_by").order_by("terms"),
            "starter_groups": starter_groups(),
        },
    )


def synonym_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_search_manager(request.user)
    synonym = get_object_or_404(Synonym, pk=pk)
    initial = {"terms": synonym.terms, "active": synonym.active}
    form = SynonymForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save_synonym(request, form, synonym):
        messages.success(request, _("Synonym group saved."))
        return redirect("search:synonyms")
    return render(request, "search/synonym_form.html", {"form": form, "synonym": synonym})


@require_POST
def synonym_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    require_search_manager(request.user)
    synonym = get_object_or_404(Synonym, pk=pk)
    was_active = synonym.active
    services.synonym_save(
        by=request.user, synonym=synonym, terms=synonym.terms, active=not was_active
    )
    if was_active:
        messages.success(request, _("Synonym group deactivated."))
    else:
        messages.success(request, _("Synonym group activated."))
    return redirect("search:synonyms")


@require_POST
def synonym_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_search_manager(request.user)
    synonym = get_object_or_404(Synonym, pk=pk)
    services.synonym_delete(by=request.user, synonym=synonym)
    messages.success(request, _("Synonym group deleted."))
    return redirect("search:synonyms")
