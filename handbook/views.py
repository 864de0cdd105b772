"""Handbook pages: reading (everyone), and writing, reviewing and publishing (editors)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin, SingleTableView
from django_tables2.export import ExportMixin

from ess.content.diffing import text_diff_html
from ess.content.forms import CompareForm
from ess.content.rendering import render_markdown, table_of_contents
from ess.portal.tables import SafeOrderingMixin
from handbook import selectors, services
from handbook.filters import SectionFilter
from handbook.forms import ChapterForm, ReviewForm, SectionForm, VersionForm
from handbook.models import Chapter, SectionVersion
from handbook.permissions import (
    can_edit_handbook,
    get_section_for_editor,
    get_version_for_editor,
    is_own_work,
    require_editor,
)
from handbook.tables import SectionTable, StaleSectionTable


# --- Reading --------------------------------------------------------------------------------
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "handbook/index.html",
        {
            "chapters": selectors.handbook_toc(user=request.user),
            "pdf": selectors.handbook_pdf_state(),
            "can_edit": can_edit_handbook(request.user),
        },
    )


def chapter(request: HttpRequest, chapter_slug: str) -> HttpResponse:
    item = selectors.chapter_for_reader(user=request.user, slug=chapter_slug)
    return render(
        request,
        "handbook/chapter.html",
        {"chapter": item, "can_edit": can_edit_handbook(request.user)},
    )


def section(request: HttpRequest, chapter_slug: str, section_slug: str) -> HttpResponse:
    item = selectors.section_for_reader(
        user=request.user, chapter_slug=chapter_slug, section_slug=section_slug
    )
    body = item.current_version.body if item.current_version else ""
    return render(
        request,
        "handbook/section.html",
        {
            "section": item,
            "version": item.current_version,
            "body_html": render_markdown(body),
            "headings": table_of_contents(body),
            "nav": selectors.chapter_navigation(user=request.user, section=item),
            "can_edit": can_edit_handbook(request.user),
        },
    )


def section_history(request: HttpRequest, chapter_slug: str, section_slug: str) -> HttpResponse:
    item = selectors.section_for_reader(
        user=request.user, chapter_slug=chapter_slug, section_slug=section_slug
    )
    versions = list(selectors.section_history(user=request.user, section=item))
    numbers = [v.number for v in versions]
    form = CompareForm(
        numbers=numbers,
        initial={
            "old": numbers[1] if len(numbers) > 1 else None,
            "new": numbers[0] if numbers else None,
        },
    )
    return render(
        request,
        "handbook/section_history.html",
        {"section": item, "versions": versions, "form": form},
    )


def section_compare(request: HttpRequest, chapter_slug: str, section_slug: str) -> HttpResponse:
    item = selectors.section_for_reader(
        user=request.user, chapter_slug=chapter_slug, section_slug=section_slug
    )
    numbers = list(
        selectors.section_history(user=request.user, section=item).values_list("number", flat=True)
    )
    form = CompareForm(request.GET, numbers=numbers)
    if not form.is_valid():
        messages.error(request, _("Choose two versions from the list to compare."))
        return redirect("handbook:history", chapter_slug, section_slug)
    old, new = (
        selectors.version_for_reader(user=request.user, section=item, number=form.cleaned_data[k])
        for k in ("old", "new")
    )
    return render(
        request,
        "handbook/section_compare.html",
        {
            "section": item,
            "old": old,
            "new": new,
            "diff": text_diff_html(old.body, new.body),
            "form": form,
        },
    )


def section_version(
    request: HttpRequest, chapter_slug: str, section_slug: str, number: int
) -> HttpResponse:
    item = selectors.section_for_reader(
        user=request.user, chapter_slug=chapter_slug, section_slug=section_slug
    )
    version = selectors.version_for_reader(user=request.user, section=item, number=number)
    return render(
        request,
        "handbook/version.html",
        {
            "section": item,
            "version": version,
            "body_html": render_markdown(version.body),
            "can_edit": can_edit_handbook(request.user),
        },
    )


def print_view(request: HttpRequest) -> HttpResponse:
    chapters = selectors.published_content()
    for item in chapters:
        for entry in item.all_sections:
            entry.body_html = render_markdown(entry.current_version.body)
    return render(request, "handbook/print.html", {"chapters": chapters})


def pdf_download(request: HttpRequest) -> HttpResponse:
    """The newest ready PDF, as a download; readers may read everything in it."""
    pdf = selectors.latest_ready_pdf()
    try:
        handle = pdf.file.open("rb") if pdf is not None else None
    except FileNotFoundError:
        handle = None
    if handle is None:
        messages.info(
            request,
            _(
                "The PDF of the handbook is not ready yet. It is made after each change; "
                "try again in a minute, or use the print view."
            ),
        )
        return redirect("handbook:index")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"employee-handbook-{pdf.generated_at:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-cache"
    response["ETag"] = f'"{pdf.sha256}"'
    return response


# --- Editing --------------------------------------------------------------------------------
class EditorRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        require_editor(request.user)
        return super().dispatch(request, *args, **kwargs)


class SectionListView(SafeOrderingMixin, ExportMixin, SingleTableMixin, FilterView):
    template_name = "handbook/manage/section_list.html"
    table_class = SectionTable
    filterset_class = SectionFilter
    # The table paginates; `paginate_by` would make the list view count the rows again.
    table_pagination = {"per_page": 50}
    export_formats = ("csv", "xlsx")
    export_name = "handbook-sections"

    def get_queryset(self):
        return selectors.section_overview(user=self.request.user)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "chapters": Chapter.objects.all()}


class StaleSectionListView(EditorRequiredMixin, SafeOrderingMixin, ExportMixin, SingleTableView):
    template_name = "handbook/manage/stale_list.html"
    table_class = StaleSectionTable
    table_pagination = {"per_page": 50}
    export_formats = ("csv", "xlsx")
    export_name = "handbook-stale-sections"

    def get_queryset(self):
        return selectors.stale_sections()


class _ServiceFormView(EditorRequiredMixin, FormView):
    """A form whose valid data goes to one service; its ValidationErrors land on the form."""

    success_message = ""

    def call_service(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            result = self.call_service(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.success_url_for(result))


class ChapterCreateView(_ServiceFormView):
    form_class = ChapterForm
    template_name = "handbook/manage/chapter_form.html"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["position"].required = False
        return form

    def call_service(self, form):
        self.success_message = _("Chapter created. Add its first section.")
        return services.chapter_create(
            actor=self.request.user, request=self.request, **form.cleaned_data
        )

    def success_url_for(self, result):
        return reverse("handbook:section_create", args=[result.pk])


class ChapterUpdateView(_ServiceFormView):
    form_class = ChapterForm
    template_name = "handbook/manage/chapter_form.html"

    def get_form_kwargs(self):
        self.chapter = get_object_or_404(Chapter, pk=self.kwargs["pk"])
        return {**super().get_form_kwargs(), "instance": self.chapter}

    def call_service(self, form):
        self.success_message = _("Chapter saved.")
        return services.chapter_update(
            chapter=self.chapter, actor=self.request.user, request=self.request, **form.cleaned_data
        )

    def success_url_for(self, result):
        return reverse("handbook:manage")


class SectionCreateView(_ServiceFormView):
    form_class = SectionForm
    template_name = "handbook/manage/section_form.html"

    def get_form_kwargs(self):
        self.chapter = get_object_or_404(Chapter, pk=self.kwargs["chapter_pk"])
        return {**super().get_form_kwargs(), "chapter": self.chapter}

    def call_service(self, form):
        self.success_message = _("Section created. Write its first version.")
        return services.section_create(
            actor=self.request.user, chapter=self.chapter, request=self.request, **form.cleaned_data
        )

    def success_url_for(self, result):
        return reverse("handbook:write", args=[result.pk])


class SectionUpdateView(_ServiceFormView):
    form_class = SectionForm
    template_name = "handbook/manage/section_form.html"

    def dispatch(self, request, *args, **kwargs):
        # 404 for a section the person cannot read comes before 403 for not being an editor.
        self.section = get_section_for_editor(request.user, kwargs["pk"])
        self.chapter = self.section.chapter
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.section, "chapter": self.chapter}

    def call_service(self, form):
        self.success_message = _("Section saved.")
        data = {**form.cleaned_data}
        if data["position"] is None:
            data["position"] = self.section.position
        return services.section_update(
            section=self.section, actor=self.request.user, request=self.request, **data
        )

    def success_url_for(self, result):
        return reverse("handbook:workbench", args=[result.pk])


class VersionWriteView(_ServiceFormView):
    """Write the section's next version, or go on with its draft."""

    form_class = VersionForm
    template_name = "handbook/manage/version_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.section = get_section_for_editor(request.user, kwargs["pk"])
        self.draft = self.section.versions.filter(status__in=SectionVersion.OPEN_STATUSES).first()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        if self.draft is not None:
            return {"body": self.draft.body, "change_summary": self.draft.change_summary}
        if self.section.current_version is not None:
            return {"body": self.section.current_version.body}
        return {}

    def call_service(self, form):
        self.success_message = _("Draft saved. Submit it for review when it is ready.")
        return services.version_draft_save(
            section=self.section, actor=self.request.user, request=self.request, **form.cleaned_data
        )

    def success_url_for(self, result):
        return reverse("handbook:workbench", args=[self.section.pk])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "section": self.section, "draft": self.draft}


def workbench(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_section_for_editor(request.user, pk)
    context = selectors.section_workbench(user=request.user, section=item)
    open_version = context["open_version"]
    context.update(
        section=item,
        review_form=ReviewForm(),
        open_html=render_markdown(open_version.body) if open_version else "",
        open_diff=text_diff_html(item.current_version.body, open_version.body)
        if open_version and item.current_version
        else "",
        may_review=open_version is not None and not is_own_work(open_version, request.user),
    )
    return render(request, "handbook/manage/workbench.html", context)


def _version_action(request: HttpRequest, pk: int, action, done: str, **kwargs) -> HttpResponse:
    version = get_version_for_editor(request.user, pk)
    try:
        action(version=version, actor=request.user, request=request, **kwargs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("handbook:workbench", version.section_id)


@require_POST
def version_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _version_action(request, pk, services.version_submit, _("Sent for review."))


@require_POST
def version_approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _version_action(
        request,
        pk,
        services.version_approve,
        _("Approved. It can be published now."),
        comment=comment,
    )


@require_POST
def version_reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _version_action(
        request,
        pk,
        services.version_reject,
        _("Sent back to the author with your comment."),
        comment=comment,
    )


@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _version_action(
        request,
        pk,
        services.version_publish,
        _("Published. Everyone reads this version now; the PDF is being updated."),
    )


@require_POST
def pdf_generate(request: HttpRequest) -> HttpResponse:
    require_editor(request.user)
    if services.handbook_pdf_request() is None:
        messages.info(request, _("Nothing is published yet, so there is no PDF to make."))
    else:
        messages.success(request, _("The PDF is up to date or being made now."))
    return redirect("handbook:index")
