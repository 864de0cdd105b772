"""The reports area: an index, one page per report, its drill-down lists, exports, PDF and
digest subscriptions. Every view asks the report whether the viewer may read it; the
report's figures are already scoped to the viewer."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from ess.audit.services import audit_record
from ess.portal.tables import pages_by_id, refuse_unknown_keys
from ess.reports import exports, pdf
from ess.reports.base import Report, ReportContext, ReportPage, get_report, reports_for
from ess.reports.digests import DigestRefused, digest_subscribe, digest_unsubscribe
from ess.reports.forms import ReportFilterForm, filter_query
from ess.reports.models import DigestSubscription

FILTER_KEYS = frozenset({"period", "start", "end", "department", "location", "queue", "compare"})
PAGE_KEYS = FILTER_KEYS | {"_export", "part"}
LIST_KEYS = FILTER_KEYS | {"_export", "sort", "page"}
DRILL_PAGE_SIZE = 50


def _report(request: HttpRequest, slug: str) -> Report:
    report = get_report(slug)
    if report is None:
        raise Http404
    if not report.visible_to(request.user):
        raise PermissionDenied
    return report


def _refuse_unknown(request: HttpRequest, allowed: frozenset[str]) -> None:
    unknown = set(request.GET) - allowed
    if unknown:
        raise SuspiciousOperation(f"Unknown report parameters {sorted(unknown)!r}")


def _context(request: HttpRequest, report: Report) -> tuple[ReportFilterForm, ReportContext]:
    form = ReportFilterForm(
        request.GET or None, queues=report.queues(request.user), uses=report.uses
    )
    return form, ReportContext(request.user, form.filters())


def _drill_url(report: Report, ctx: ReportContext, drill: str, params: dict) -> str:
    url = reverse("reports:drill", args=[report.slug, drill])
    return f"{url}?{filter_query(ctx.filters, **params)}"


def _link_drills(report: Report, ctx: ReportContext, page: ReportPage) -> None:
    for figure in page.figures:
        figure.url = (
            _drill_url(report, ctx, figure.drill, figure.drill_params) if figure.drill else ""
        )
    for table in page.tables:
        for row in table.rows:
            if "_drill" in row:
                drill, params = row["_drill"]
                row["_url"] = _drill_url(report, ctx, drill, params)


def _filename(report: Report, ctx: ReportContext, part: str) -> str:
    period = ctx.period
    return f"{report.slug}-{part}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def index(request: HttpRequest) -> HttpResponse:
    reports = reports_for(request.user)
    if not reports:
        raise PermissionDenied
    return render(request, "reports/index.html", {"reports": reports})


def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report(request, slug)
    _refuse_unknown(request, PAGE_KEYS)
    form, ctx = _context(request, report)
    if "_export" in request.GET:
        return _export_part(request, report, ctx)
    page = report.build(ctx)
    _link_drills(report, ctx, page)
    template = "reports/report.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        {
            "report": report,
            "form": form,
            "filters": ctx.filters,
            "page": page,
            "query": filter_query(ctx.filters),
            "export_formats": exports.FORMATS,
            "frequencies": DigestSubscription.Frequency.choices,
            "subscribed": DigestSubscription.objects.filter(
                user=request.user, report=report.slug
            ).values_list("frequency", flat=True),
        },
    )


def _export_part(request: HttpRequest, report: Report, ctx: ReportContext) -> HttpResponse:
    fmt = request.GET["_export"]
    if fmt not in exports.FORMATS:
        raise SuspiciousOperation(f"Unknown export format {fmt!r}")
    key = request.GET.get("part", "")
    table = report.build(ctx).part(key)
    if table is None:
        raise SuspiciousOperation(f"Unknown report part {key!r}")
    audit_record(
        actor=request.user,
        action="reports.exported",
        request=request,
        detail={"report": report.slug, "part": key, "format": fmt},
    )
    return exports.part_response(table, fmt, _filename(report, ctx, key))


def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report(request, slug)
    _refuse_unknown(request, FILTER_KEYS)
    _form, ctx = _context(request, report)
    page = report.build(ctx)
    audit_record(
        actor=request.user,
        action="reports.exported",
        request=request,
        detail={"report": report.slug, "part": "dashboard", "format": "pdf"},
    )
    content = pdf.dashboard_pdf(report=report, ctx=ctx, page=page)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(report, ctx, "dashboard")}.pdf"'
    )
    return response


def drill_page(request: HttpRequest, slug: str, drill: str) -> HttpResponse:
    report = _report(request, slug)
    spec = report.drills.get(drill)
    if spec is None:
        raise Http404
    _refuse_unknown(request, LIST_KEYS | set(spec.params))
    form, ctx = _context(request, report)
    params = {
        name: parse(request.GET[name])
        for name, parse in spec.params.items()
        if request.GET.get(name, "") != ""
    }
    rows = spec.rows(ctx, **params)
    if isinstance(rows, QuerySet):
        rows = pages_by_id(rows)
    # Configured once, below: given the request, tables2 would paginate it a first time.
    table = spec.table(rows)
    # No count of the whole list: a year of a busy queue is a second of counting, and
    # the report's figure already says how many. Pages go on while there are rows.
    RequestConfig(
        request, paginate={"per_page": DRILL_PAGE_SIZE, "paginator_class": LazyPaginator}
    ).configure(table)
    refuse_unknown_keys(request, table, formats=exports.FORMATS)
    if "_export" in request.GET:
        fmt = request.GET["_export"]
        audit_record(
            actor=request.user,
            action="reports.exported",
            request=request,
            detail={"report": report.slug, "part": drill, "format": fmt},
        )
        return exports.list_response(table, fmt, _filename(report, ctx, drill))
    return render(
        request,
        "reports/drill.html",
        {
            "report": report,
            "drill": spec,
            "form": form,
            "filters": ctx.filters,
            "table": table,
            "params": params,
            "back": reverse("reports:report", args=[report.slug]) + "?" + filter_query(ctx.filters),
            "export_formats": exports.FORMATS,
        },
    )


# --- Digests -------------------------------------------------------------------------------------
def digests(request: HttpRequest) -> HttpResponse:
    subscriptions = DigestSubscription.objects.filter(user=request.user).select_related(
        "department", "location", "queue"
    )
    rows = [
        (subscription, get_report(subscription.report))
        for subscription in subscriptions.order_by("report", "frequency")
    ]
    return render(request, "reports/digests.html", {"rows": [r for r in rows if r[1]]})


@require_POST
def digest_create(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report(request, slug)
    form = ReportFilterForm(request.POST, queues=report.queues(request.user), uses=report.uses)
    if not form.is_valid():
        # A digest quietly widened to everything would not be what was asked for.
        messages.error(request, _("These filters cannot be used for a digest. Choose them again."))
        return redirect("reports:report", slug=report.slug)
    try:
        digest_subscribe(
            user=request.user,
            report_slug=report.slug,
            frequency=request.POST.get("frequency", ""),
            filters=form.filters(),
        )
    except DigestRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Subscribed. The digest arrives by e-mail after each complete period."),
        )
    return redirect("reports:digests")


@require_POST
def digest_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not digest_unsubscribe(user=request.user, subscription_id=pk):
        raise Http404
    messages.success(request, _("Unsubscribed. No more digests of this report will be sent."))
    return redirect("reports:digests")
