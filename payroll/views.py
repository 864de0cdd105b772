"""Payroll pages. Employees: their released payslips, the PDF, a comparison with the month
before, the annual statement. Payroll officers: runs, progress, approval, release and
corrections. Every response is `no-store`: pay must not linger in a shared browser cache."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from ess.portal.tables import refuse_unknown_keys
from payroll import selectors, services
from payroll.filters import RunPayslipFilter
from payroll.forms import ApproveForm, CalculateForm, CorrectionForm, ImportForm
from payroll.importing import lines_as_csv, parse_payroll_csv
from payroll.lines import grouped, lines_from_json
from payroll.models import PayrollRun, Payslip
from payroll.periods import period_label
from payroll.permissions import is_payroll_officer
from payroll.tables import RunPayslipTable, RunTable

EXPORT_FORMATS = ("csv", "xlsx")


def officers_only(view: Callable) -> Callable:
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        if not is_payroll_officer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(guarded)


def _language(request: HttpRequest) -> str:
    return (translation.get_language() or "en").split("-")[0]


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Employees ------------------------------------------------------------------------------
@never_cache
def my_payslips(request: HttpRequest) -> HttpResponse:
    years = selectors.payslip_years(request.user)
    year = request.GET.get("year", "")
    chosen = int(year) if year.isdigit() and int(year) in years else None
    if year and chosen is None:
        messages.info(request, _("You have no payslips for %(year)s.") % {"year": year[:4]})
    payslips = list(selectors.payslips_of(request.user, year=chosen))
    language = _language(request)
    rows = [(payslip, period_label(payslip.period, language)) for payslip in payslips]
    return render(
        request,
        "payroll/my_payslips.html",
        {"rows": rows, "years": years, "year": chosen},
    )


@never_cache
def payslip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payslip = selectors.payslip_for_viewer(user=request.user, pk=pk)
    services.payslip_read_record(
        payslip=payslip, viewer=request.user, what="viewed", request=request
    )
    is_owner = payslip.employee.user_id == request.user.pk
    return render(
        request,
        "payroll/payslip_detail.html",
        {
            "payslip": payslip,
            "label": period_label(payslip.period, _language(request)),
            "groups": grouped(lines_from_json(payslip.lines)),
            "versions": selectors.payslip_versions(payslip),
            "is_owner": is_owner,
            "officer": is_payroll_officer(request.user),
        },
    )


@never_cache
def payslip_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    payslip = selectors.payslip_for_viewer(user=request.user, pk=pk)
    if not payslip.pdf_name:
        raise Http404
    try:
        data = services.payslip_pdf_bytes(payslip=payslip, viewer=request.user, request=request)
    except services.PdfIntegrityError as error:
        # A stored payslip that fails its checksum is never handed out.
        raise Http404 from error
    suffix = f"-v{payslip.version}" if payslip.version > 1 else ""
    return _pdf_response(data, f"payslip-{payslip.period.code}{suffix}.pdf")


@never_cache
def payslip_compare(request: HttpRequest, pk: int) -> HttpResponse:
    payslip = selectors.payslip_for_viewer(user=request.user, pk=pk)
    previous = selectors.previous_payslip(payslip)
    services.payslip_read_record(
        payslip=payslip, viewer=request.user, what="compared", request=request
    )
    language = _language(request)
    return render(
        request,
        "payroll/payslip_compare.html",
        {
            "payslip": payslip,
            "previous": previous,
            "label": period_label(payslip.period, language),
            "previous_label": period_label(previous.period, language) if previous else "",
            "rows": selectors.compare_lines(payslip, previous),
            "net_change": payslip.net - previous.net if previous else None,
        },
    )


@never_cache
def annual_statement(request: HttpRequest, year: int) -> HttpResponse:
    language = "nl" if _language(request) == "nl" else "en"
    data = services.annual_statement_pdf(
        user=request.user, year=year, language=language, request=request
    )
    if data is None:
        raise Http404
    return _pdf_response(data, f"annual-statement-{year}.pdf")


# --- Payroll officers -----------------------------------------------------------------------
def _configured(request: HttpRequest, table, per_page: int = 50):
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
    refuse_unknown_keys(request, table, formats=EXPORT_FORMATS)
    return table


def _export(request: HttpRequest, table, name: str) -> HttpResponse | None:
    export = request.GET.get("_export")
    if export is None:
        return None
    services.export_record(actor=request.user, table=name, request=request)
    return TableExport(export, table).response(f"{name}.{export}")


@officers_only
def runs(request: HttpRequest) -> HttpResponse:
    table = _configured(request, RunTable(selectors.runs()))
    exported = _export(request, table, "payroll-runs")
    if exported:
        return exported
    return render(
        request,
        "payroll/runs.html",
        {"table": table, "calculate_form": CalculateForm()},
    )


@officers_only
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.runs(), pk=pk)
    payslip_filter = RunPayslipFilter(request.GET, queryset=selectors.run_payslips(run))
    table = _configured(request, RunPayslipTable(payslip_filter.qs))
    exported = _export(request, table, f"payroll-{run.period.code}")
    if exported:
        return exported
    return render(
        request,
        "payroll/run_detail.html",
        {
            "run": run,
            "table": table,
            "filter": payslip_filter,
            "progress": services.generation_progress(run),
            "approve_form": ApproveForm(),
        },
    )


@officers_only
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(PayrollRun.objects.select_related("period"), pk=pk)
    return render(
        request,
        "payroll/run_detail.html#progress",
        {"run": run, "progress": services.generation_progress(run)},
    )


def _after(request: HttpRequest, run: PayrollRun | None) -> HttpResponse:
    return redirect(run) if run is not None else redirect("payroll:runs")


@require_POST
@officers_only
def run_calculate(request: HttpRequest) -> HttpResponse:
    form = CalculateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["period"]))
        return redirect("payroll:runs")
    try:
        run = services.calculation_start(
            period_code=form.cleaned_data["period"], actor=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("payroll:runs")
    run.refresh_from_db()
    if run.calculating_since is None:
        messages.success(request, _("The payroll is calculated."))
    else:
        messages.info(request, _("The calculation is running; this page follows it."))
    return redirect(run)


@officers_only
def run_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"period": request.GET.get("period", "")[:7]},
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = parse_payroll_csv(upload.read(), file_name=upload.name)
        if result.ok:
            try:
                run = services.run_import(
                    form.cleaned_data["period"], result, upload.name, actor=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(count)d payslips imported into %(period)s.")
                    % {"count": run.employee_count, "period": run.period.code},
                )
                return redirect(run)
        else:
            problems = result.problems
            form.add_error(
                "file",
                _("The file has %(count)d problems; nothing was imported.")
                % {"count": len(problems)},
            )
    return render(request, "payroll/import.html", {"form": form, "problems": problems[:500]})


def _run_action(request: HttpRequest, pk: int, action: Callable, done: str, **kwargs):
    run = get_object_or_404(PayrollRun, pk=pk)
    try:
        action(run=run, actor=request.user, request=request, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(run)


@require_POST
@officers_only
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("release_at", [])))
        return redirect("payroll:run", pk=pk)
    return _run_action(
        request,
        pk,
        services.run_approve,
        _("Approved. The payslip PDFs are being produced."),
        release_at=form.cleaned_data["release_at"],
    )


@require_POST
@officers_only
def run_release(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_action(request, pk, services.run_release, _("Released. Employees are being told."))


@require_POST
@officers_only
def run_retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_action(
        request, pk, services.run_retry_failed, _("The failed PDFs are being produced again.")
    )


@officers_only
def payslip_correct(request: HttpRequest, pk: int) -> HttpResponse:
    payslip = get_object_or_404(
        Payslip.objects.select_related("period", "employee__user", "run"), pk=pk
    )
    number = payslip.employee.employee_number
    initial_lines = lines_as_csv(number, lines_from_json(payslip.lines))
    form = CorrectionForm(request.POST or None, initial={"lines": initial_lines})
    problems = []
    if request.method == "POST" and form.is_valid():
        result = parse_payroll_csv(form.cleaned_data["lines"].encode())
        others = {slip.employee_id for slip in result.slips} - {payslip.employee_id}
        if not result.ok:
            problems = result.problems
            form.add_error("lines", _("The lines have problems; nothing was changed."))
        elif others or not result.slips:
            form.add_error(
                "lines", _("Every line must be for employee %(number)s.") % {"number": number}
            )
        else:
            try:
                new = services.payslip_reissue(
                    payslip=payslip,
                    lines=result.slips[0].lines,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Version %(version)d is being produced.") % {"version": new.version}
                )
                return redirect(new)
    return render(
        request,
        "payroll/correct.html",
        {"payslip": payslip, "form": form, "problems": problems},
    )
