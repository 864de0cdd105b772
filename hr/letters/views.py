from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin, SingleTableView
from django_tables2.export import ExportMixin

from ess.portal.tables import SafeOrderingMixin
from hr.letters import placeholders, selectors, services
from hr.letters.filters import LetterQueueFilter
from hr.letters.forms import (
    DecisionForm,
    LetterheadForm,
    LetterRequestForm,
    RevokeForm,
    TemplateForm,
    VerifyForm,
)
from hr.letters.models import Letter
from hr.letters.permissions import can_manage_letters, require
from hr.letters.tables import LetterQueueTable, MyLettersTable

Status = Letter.Status


# --- Employees ------------------------------------------------------------------------------
class MyLettersView(SafeOrderingMixin, SingleTableView):
    template_name = "letters/my_letters.html"
    table_class = MyLettersTable
    table_pagination = {"per_page": 25}

    def get_queryset(self):
        return selectors.letters_for_employee(user=self.request.user)


def letter_request(request: HttpRequest) -> HttpResponse:
    form = LetterRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_request(
                user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your request is with HR. We will tell you when the letter is ready.")
                if letter.is_salary
                else _("Your letter is being prepared."),
            )
            return redirect(letter)
    return render(request, "letters/request_form.html", {"form": form})


def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = selectors.letter_for_viewer(user=request.user, pk=pk)
    is_owner = letter.employee.user_id == request.user.pk
    manages = can_manage_letters(request.user)
    context = {
        "letter": letter,
        "is_owner": is_owner,
        "manages": manages,
        # Only the employee reads the text here; HR downloads the PDF, which is audited.
        "text": letter.text if is_owner and letter.status == Status.ISSUED else "",
        "pdf": selectors.letter_pdf(letter) if manages else None,
        "decision_form": DecisionForm(),
        "revoke_form": RevokeForm(),
    }
    return render(request, "letters/letter_detail.html", context)


def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF as an attachment, decrypted for this response only and never cached."""
    letter = selectors.letter_for_viewer(user=request.user, pk=pk)
    manages = can_manage_letters(request.user)
    if letter.status == Status.REVOKED and not manages:
        messages.error(request, _("This letter was revoked and can no longer be downloaded."))
        return redirect(letter)
    if letter.status not in (Status.ISSUED, Status.REVOKED):
        raise Http404
    data = services.letter_pdf_bytes(letter=letter, viewer=request.user, request=request)
    if data is None:
        raise Http404
    name = slugify(letter.template.name) or "letter"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate(letter.issued_at):%Y-%m-%d}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _act(
    request: HttpRequest, pk: int, action: Callable[..., Letter], done: str, **kwargs
) -> HttpResponse:
    letter = selectors.letter_for_viewer(user=request.user, pk=pk)
    try:
        action(letter=letter, actor=request.user, request=request, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(letter)


@require_POST
def letter_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.letter_withdraw, _("Your request is withdrawn."))


# --- HR -------------------------------------------------------------------------------------
def _note(request: HttpRequest) -> str:
    form = DecisionForm(request.POST)
    return form.cleaned_data["note"] if form.is_valid() else ""


@require_POST
def letter_approve(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_manage_letters(request.user))
    return _act(
        request,
        pk,
        services.letter_approve,
        _("Approved. The letter is being produced."),
        note=_note(request),
    )


@require_POST
def letter_reject(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_manage_letters(request.user))
    return _act(
        request,
        pk,
        services.letter_reject,
        _("Declined; the employee is told why."),
        note=_note(request),
    )


@require_POST
def letter_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_manage_letters(request.user))
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        pk,
        services.letter_revoke,
        _("Revoked. Verifying its code now says so."),
        reason=reason,
    )


@require_POST
def letter_retry(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_manage_letters(request.user))
    return _act(request, pk, services.letter_retry, _("Sent to production again."))


class LetterQueueView(SafeOrderingMixin, ExportMixin, SingleTableMixin, FilterView):
    template_name = "letters/queue.html"
    table_class = LetterQueueTable
    filterset_class = LetterQueueFilter
    # The table paginates; `paginate_by` would make the list view count the rows again.
    table_pagination = {"per_page": 50}
    export_formats = ("csv", "xlsx")
    export_name = "letter-requests"

    def get_queryset(self):
        return selectors.letter_queue(user=self.request.user)


def verify(request: HttpRequest) -> HttpResponse:
    require(can_manage_letters(request.user))
    form = VerifyForm(request.GET or None)
    context = {"form": form, "searched": False}
    if form.is_valid():
        letter = services.verification_lookup(
            user=request.user, code=form.cleaned_data["code"], request=request
        )
        context.update(
            searched=True,
            letter=letter,
            pdf=selectors.letter_pdf(letter) if letter else None,
        )
    return render(request, "letters/verify.html", context)


def template_list(request: HttpRequest) -> HttpResponse:
    templates = selectors.templates_for_hr(user=request.user)
    return render(
        request,
        "letters/template_list.html",
        {"templates": templates, "has_letterhead": selectors.has_letterhead()},
    )


def _template_form_page(request: HttpRequest, form: TemplateForm, template=None) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if template is None:
                template = services.template_create(actor=request.user, **data)
                messages.success(request, _("Template created."))
            else:
                template = services.template_update(template=template, actor=request.user, **data)
                messages.success(request, _("Template saved."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("letters:template_edit", pk=template.pk)
    versions = template.versions.select_related("created_by") if template else []
    return render(
        request,
        "letters/template_form.html",
        {
            "form": form,
            "template": template,
            "versions": versions,
            "placeholders": placeholders.PLACEHOLDERS.values(),
        },
    )


def template_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_letters(request.user))
    return _template_form_page(request, TemplateForm(request.POST or None))


def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.template_for_hr(user=request.user, pk=pk)
    form = TemplateForm(request.POST or None, instance=template)
    return _template_form_page(request, form, template)


def letterhead_edit(request: HttpRequest) -> HttpResponse:
    require(can_manage_letters(request.user))
    current = selectors.letterhead()
    form = LetterheadForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.letterhead_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Letterhead saved. New letters use it."))
        return redirect("letters:templates")
    return render(request, "letters/letterhead_form.html", {"form": form})
