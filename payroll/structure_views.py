"""Payroll officers' pages for salary structures and tax tables. Everyone else gets 403.

Views parse a form and call one service from payroll/structure_services.py (or the file
import); the rules and the audit trail live there.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ess.portal.templatetags.ess import money
from payroll import structure_services as services
from payroll.calculation import GROSS, TAXABLE
from payroll.models import Component, SalaryStructure, TaxBand, TaxTable
from payroll.permissions import is_payroll_officer
from payroll.structure_file import (
    StructureFileError,
    parse_structure_file,
    structure_file_apply,
    structure_file_export,
)
from payroll.structure_forms import BandForm, ComponentForm, NewBandForm, StructureFileForm

View = Callable[..., HttpResponse]


def officers_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_payroll_officer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _errors_to(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def percent(value: Decimal) -> str:
    """8.1700 as "8.17" (or "8,17" in Dutch): rates are stored with four decimals."""
    return number_format(Decimal(format(value.normalize(), "f")))


def _base_text(base: str) -> str:
    return {GROSS: _("gross pay"), TAXABLE: _("taxable pay")}.get(base, base)


def component_summary(component: Component, currency: str) -> str:
    """What a component computes, in one line: "5.5% of BASE, at most €450.00"."""
    method = component.method
    if method == Component.Method.SALARY:
        text = _("annual base salary ÷ 12")
    elif method == Component.Method.FIXED:
        text = money(component.amount, currency)
    elif method == Component.Method.PERCENT:
        text = _("%(rate)s%% of %(base)s") % {
            "rate": percent(component.rate or Decimal(0)),
            "base": _base_text(component.base),
        }
    else:
        text = _("table %(table)s on %(base)s") % {
            "table": component.table_code,
            "base": _base_text(component.base),
        }
    if component.cap is not None:
        text += ", " + _("at most %(amount)s") % {"amount": money(component.cap, currency)}
    if component.floor is not None:
        text += ", " + _("at least %(amount)s") % {"amount": money(component.floor, currency)}
    return text


@dataclass(frozen=True)
class ComponentRow:
    component: Component
    summary: str


@dataclass(frozen=True)
class BandRow:
    band: TaxBand
    number: int
    rate: str
    last: bool


# --- Overview and the file ------------------------------------------------------------------
def _overview(request: HttpRequest, upload_form: StructureFileForm, problems=()) -> HttpResponse:
    structures = (
        SalaryStructure.objects.order_by("code")
        .annotate(component_count=Count("components"))
        .prefetch_related("locations")
    )
    tables = TaxTable.objects.order_by("code", "-year").annotate(band_count=Count("bands"))
    return render(
        request,
        "payroll/structures/index.html",
        {
            "structures": structures,
            "tables": tables,
            "upload_form": upload_form,
            "problems": problems,
        },
    )


@officers_only
def structures(request: HttpRequest) -> HttpResponse:
    return _overview(request, StructureFileForm())


@officers_only
def structure_file(request: HttpRequest) -> HttpResponse:
    """GET downloads every structure and table as TOML; POST imports a file."""
    if request.method != "POST":
        response = HttpResponse(
            structure_file_export(), content_type="application/toml; charset=utf-8"
        )
        name = f"salary-structures-{timezone.localdate():%Y-%m-%d}.toml"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
    form = StructureFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _overview(request, form)
    try:
        parsed = parse_structure_file(form.cleaned_data["file"].read())
        summary = structure_file_apply(parsed, request.user, request=request)
    except StructureFileError as error:
        return _overview(request, form, error.problems)
    messages.success(request, _("The file is imported."))
    for line in summary.lines():
        messages.info(request, line)
    return redirect("payroll:structures")


# --- Structures and components --------------------------------------------------------------
@officers_only
def structure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    structure = get_object_or_404(
        SalaryStructure.objects.select_related("updated_by").prefetch_related("locations"), pk=pk
    )
    rows = [
        ComponentRow(component, component_summary(component, structure.currency))
        for component in structure.components.order_by("position")
    ]
    return render(
        request,
        "payroll/structures/structure_detail.html",
        {"structure": structure, "rows": rows},
    )


def _component_page(
    request: HttpRequest,
    structure: SalaryStructure,
    form: ComponentForm,
    save: Callable[..., Component],
    component: Component | None = None,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(
                data=form.component_data(),
                position=form.cleaned_data["position"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, _("Component saved."))
            return redirect(structure)
    return render(
        request,
        "payroll/structures/component_form.html",
        {"structure": structure, "component": component, "form": form},
    )


@officers_only
def component_add(request: HttpRequest, pk: int) -> HttpResponse:
    structure = get_object_or_404(SalaryStructure, pk=pk)
    form = ComponentForm(request.POST or None)

    def save(**kwargs) -> Component:
        return services.component_add(structure=structure, **kwargs)

    return _component_page(request, structure, form, save)


@officers_only
def component_edit(request: HttpRequest, pk: int) -> HttpResponse:
    component = get_object_or_404(Component.objects.select_related("structure"), pk=pk)
    form = ComponentForm(request.POST or None, initial=ComponentForm.initial_for(component))

    def save(**kwargs) -> Component:
        return services.component_update(component=component, **kwargs)

    return _component_page(request, component.structure, form, save, component)


@require_POST
@officers_only
def component_delete(request: HttpRequest, pk: int) -> HttpResponse:
    component = get_object_or_404(Component.objects.select_related("structure"), pk=pk)
    try:
        services.component_delete(component=component, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(
            request,
            _("%(code)s is still in use: %(problems)s")
            % {"code": component.code, "problems": " ".join(error.messages)},
        )
    else:
        messages.success(request, _("Component %(code)s removed.") % {"code": component.code})
    return redirect(component.structure)


# --- Tax tables and bands -------------------------------------------------------------------
@officers_only
def table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_object_or_404(TaxTable, pk=pk)
    bands = list(table.bands.order_by("lower"))
    rows = [
        BandRow(band, number, percent(band.rate), number == len(bands))
        for number, band in enumerate(bands, start=1)
    ]
    users = (
        Component.objects.filter(table_code=table.code)
        .select_related("structure")
        .order_by("structure__code", "position")
    )
    return render(
        request,
        "payroll/structures/table_detail.html",
        {"table": table, "rows": rows, "used_by": users, "new_band_form": NewBandForm()},
    )


def _band_page(request: HttpRequest, table: TaxTable, form, band: TaxBand | None) -> HttpResponse:
    return render(
        request,
        "payroll/structures/band_form.html",
        {"table": table, "band": band, "form": form},
    )


@officers_only
def band_add(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_object_or_404(TaxTable, pk=pk)
    form = NewBandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.band_add(table=table, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, _("Band added."))
            return redirect(table)
    return _band_page(request, table, form, None)


@officers_only
def band_edit(request: HttpRequest, pk: int) -> HttpResponse:
    band = get_object_or_404(TaxBand.objects.select_related("table"), pk=pk)
    last = not band.table.bands.filter(lower__gt=band.lower).exists()
    form = BandForm(request.POST or None, initial=BandForm.initial_for(band), last=last)
    if request.method == "POST" and form.is_valid():
        try:
            services.band_update(
                band=band, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, _("Band saved."))
            return redirect(band.table)
    return _band_page(request, band.table, form, band)


@require_POST
@officers_only
def band_delete(request: HttpRequest, pk: int) -> HttpResponse:
    band = get_object_or_404(TaxBand.objects.select_related("table"), pk=pk)
    try:
        services.band_delete(band=band, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Band removed."))
    return redirect(band.table)
