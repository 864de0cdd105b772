"""Knowledge base pages: reading, feedback and questions (everyone), and the editors' screens."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from ess.content.attachments import attachment_add, attachments_of
from ess.content.diffing import text_diff_html
from ess.content.forms import CompareForm
from ess.content.rendering import render_markdown
from ess.portal.tables import SafeOrderingMixin
from ess.search.models import Gap
from helpdesk.knowledge import selectors, services
from helpdesk.knowledge.filters import ArticleFilter
from helpdesk.knowledge.forms import (
    ArticleCreateForm,
    ArticleEditForm,
    AskForm,
    AttachmentForm,
    AudienceForm,
    FeedbackForm,
    QuestionAnswerForm,
    RelatedForm,
    TranslationForm,
)
from helpdesk.knowledge.models import Article, Category, Question, Space
from helpdesk.knowledge.permissions import can_edit_knowledge, can_read_article
from helpdesk.knowledge.tables import ArticleTable

PAGE_SIZE = 25
QUERY_MAX = 300


def _query(request: HttpRequest) -> str:
    """The search the reader came from (`?q=`), trimmed to what a search box accepts."""
    return " ".join(request.GET.get("q", "").split())[:QUERY_MAX]


def _search_url() -> str:
    """The portal's search page, or the knowledge base's own title filter until it exists."""
    try:
        return reverse("search:page")
    except NoReverseMatch:
        return reverse("knowledge:home")


def _require_editor(user) -> None:
    if not can_edit_knowledge(user):
        raise PermissionDenied


def _page(request: HttpRequest, items, size: int = PAGE_SIZE):
    return Paginator(items, size).get_page(request.GET.get("page"))


def _service_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- Reading ----------------------------------------------------------------------------------
def home(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    found = None
    if query:
        # Only reached while the portal search page does not exist: a plain title filter.
        found = _page(
            request,
            selectors.articles_for_reader(user=request.user)
            .filter(published_version__title__icontains=query)
            .order_by("-views", "pk"),
        )
    return render(
        request,
        "knowledge/home.html",
        {
            "query": query,
            "found": found,
            "search_url": _search_url(),
            "spaces": selectors.space_overview(user=request.user),
            "most_viewed": selectors.most_viewed(user=request.user, limit=6),
            "recently_updated": selectors.recently_updated(user=request.user, limit=6),
            "can_edit": can_edit_knowledge(request.user),
        },
    )


def space(request: HttpRequest, space_slug: str) -> HttpResponse:
    item = selectors.space_for_reader(slug=space_slug)
    articles = selectors.articles_in_space(user=request.user, space=item).order_by(
        "published_version__title", "pk"
    )
    return render(
        request,
        "knowledge/space.html",
        {
            "space": item,
            "tree": _nest(selectors.category_tree(space=item, user=request.user)),
            "page_obj": _page(request, articles),
            "search_url": _search_url(),
        },
    )


def category(request: HttpRequest, space_slug: str, pk: int) -> HttpResponse:
    item = selectors.category_for_reader(space=selectors.space_for_reader(slug=space_slug), pk=pk)
    articles = selectors.articles_in_category(user=request.user, category=item).order_by(
        "published_version__title", "pk"
    )
    return render(
        request,
        "knowledge/category.html",
        {
            "space": item.space,
            "category": item,
            "ancestors": _ancestors(item),
            "tree": _nest(selectors.category_tree(space=item.space, user=request.user)),
            "page_obj": _page(request, articles),
            "search_url": _search_url(),
        },
    )


def _nest(nodes) -> list[dict]:
    """Tree-ordered nodes (parents first) as nested branches, for a nested list."""
    branches: dict[int, dict] = {}
    roots: list[dict] = []
    for node in nodes:
        branch = {"node": node, "children": []}
        branches[node.category.pk] = branch
        parent = branches.get(node.category.parent_id)
        (parent["children"] if parent else roots).append(branch)
    return roots


def _ancestors(item: Category) -> list[Category]:
    """The categories above this one, top first; a tree is a few levels deep at most."""
    names = item.path.split(" / ")
    paths = [" / ".join(names[:depth]) for depth in range(2, len(names))]
    found = {c.path: c for c in Category.objects.filter(space_id=item.space_id, path__in=paths)}
    return [found[path] for path in paths if path in found]


def article(request: HttpRequest, key: str) -> HttpResponse:
    item = selectors.article_for_reader(user=request.user, key=key)
    # Readers get the published text; an editor opening a never-published draft sees it.
    version = item.published_version or item.latest_version
    voted = request.GET.get("voted")
    # Coming back from the feedback form is not a second reading.
    if item.published_version_id and not voted:
        services.article_view_record(article=item)
    query = _query(request)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": item,
            "version": version,
            "body_html": render_markdown(version.body if version else ""),
            "tags": list(version.tags.all()) if version else [],
            "attachments": attachments_of([item]).get(item.pk, []),
            "ancestors": _ancestors(item.category) if item.category_id else [],
            "translations": selectors.translations_for_reader(user=request.user, article=item),
            "related": selectors.related_for_reader(user=request.user, article=item),
            "summary": selectors.feedback_summary(article=item),
            "form": FeedbackForm(initial={"q": query}),
            "query": query,
            "voted": voted if voted in ("yes", "no") else None,
            "ask_url": _ask_url(item, query),
            "can_edit": can_edit_knowledge(request.user),
        },
    )


def _ask_url(item: Article, query: str) -> str:
    params = {"space": item.space.slug, "article": item.key}
    if query:
        params["q"] = query
    return reverse("knowledge:ask") + "?" + urlencode(params)


@require_POST
def feedback(request: HttpRequest, key: str) -> HttpResponse:
    item = selectors.article_for_reader(user=request.user, key=key)
    if not item.published_version_id:
        raise Http404
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(
                request, "knowledge/article.html#feedback_form", {"article": item, "form": form}
            )
        messages.error(request, _("Choose Yes or No to send your feedback."))
        return redirect(item.get_absolute_url() + "#feedback")
    helpful = form.cleaned_data["helpful"]
    services.feedback_record(
        user=request.user, article=item, helpful=helpful, comment=form.cleaned_data["comment"]
    )
    query = form.cleaned_data["q"]
    if request.htmx:
        return render(
            request,
            "knowledge/article.html#feedback_thanks",
            {
                "article": item,
                "voted": "yes" if helpful else "no",
                "ask_url": _ask_url(item, query),
            },
        )
    params = {"voted": "yes" if helpful else "no"}
    if query:
        params["q"] = query
    return redirect(item.get_absolute_url() + "?" + urlencode(params) + "#feedback")


# --- Ask for help ------------------------------------------------------------------------------
def _readable_article(user, key: str) -> Article | None:
    if not key:
        return None
    try:
        return selectors.article_for_reader(user=user, key=key)
    except Http404:
        return None


def ask(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AskForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            question = services.question_ask(
                user=request.user,
                space=data["space"],
                subject=data["subject"],
                details=data["details"],
                searched_for=data["searched_for"],
                from_article=_readable_article(request.user, data["article"]),
            )
            messages.success(
                request,
                _("Thank you. Your question went to the %(space)s editors.")
                % {"space": question.space.name},
            )
            return redirect(question.get_absolute_url())
    else:
        query = _query(request)
        from_article = _readable_article(request.user, request.GET.get("article", "")[:120])
        space = Space.objects.filter(slug=request.GET.get("space", "")[:60]).first()
        if space is None and from_article is not None:
            space = from_article.space
        form = AskForm(
            initial={
                "subject": query,
                "searched_for": query,
                "space": space,
                "article": from_article.key if from_article else "",
            }
        )
    return render(request, "knowledge/ask.html", {"form": form})


def my_questions(request: HttpRequest) -> HttpResponse:
    questions = selectors.my_questions(user=request.user)
    return render(request, "knowledge/my_questions.html", {"page_obj": _page(request, questions)})


def question(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.question_for_user(user=request.user, pk=pk)
    answer = item.answer_article
    return render(
        request,
        "knowledge/question.html",
        {
            "question": item,
            "answer": answer if answer and can_read_article(request.user, answer) else None,
            "can_edit": can_edit_knowledge(request.user),
            "answer_form": QuestionAnswerForm(),
        },
    )


@require_POST
def question_answer(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request.user)
    item = selectors.question_for_user(user=request.user, pk=pk)
    form = QuestionAnswerForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(item.get_absolute_url())
    try:
        services.question_answer(
            by=request.user, question=item, article=form.cleaned_data["article"]
        )
    except ValidationError as error:
        _service_errors(request, error)
    else:
        messages.success(request, _("Answered. The person who asked has been told."))
    return redirect(item.get_absolute_url())


# --- Editors: lists ----------------------------------------------------------------------------
class EditorRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        _require_editor(request.user)
        return super().dispatch(request, *args, **kwargs)


class ArticleListView(
    EditorRequiredMixin, SafeOrderingMixin, ExportMixin, SingleTableMixin, FilterView
):
    template_name = "knowledge/manage/article_list.html"
    table_class = ArticleTable
    filterset_class = ArticleFilter
    table_pagination = {"per_page": 50}
    export_formats = ("csv", "xlsx")
    export_name = "knowledge-articles"

    def get_queryset(self):
        return selectors.articles_for_editor(user=self.request.user)


def review_tasks(request: HttpRequest) -> HttpResponse:
    tasks = selectors.open_review_tasks(user=request.user)
    return render(
        request,
        "knowledge/manage/review_tasks.html",
        {"page_obj": _page(request, tasks, 50), "can_edit": can_edit_knowledge(request.user)},
    )


@require_POST
def review_task_close(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.review_task_for_user(user=request.user, pk=pk)
    services.review_task_close(by=request.user, task=task)
    messages.success(request, _("Review task closed."))
    return redirect("knowledge:review_tasks")


def question_queue(request: HttpRequest) -> HttpResponse:
    _require_editor(request.user)
    questions = selectors.open_questions(user=request.user)
    return render(
        request, "knowledge/manage/question_queue.html", {"page_obj": _page(request, questions, 50)}
    )


# --- Editors: one article ------------------------------------------------------------------------
def _editable(request: HttpRequest, key: str) -> Article:
    # The role first: someone without it learns nothing about which keys exist.
    _require_editor(request.user)
    return selectors.article_for_editor(user=request.user, key=key)


def article_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request.user)
    if request.method == "POST":
        form = ArticleCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            extra = {"question": _open_question(data["question"])} if data["question"] else {}
            try:
                item = services.article_create(
                    by=request.user,
                    space=data["space"],
                    category=data["category"],
                    title=data["title"],
                    body=data["body"],
                    language=data["language"],
                    tags=data["tags"],
                    source_gap_id=data["gap"] or None,
                    **extra,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Draft saved. Submit it for review or publish it."))
                return redirect("knowledge:article_manage", item.key)
    else:
        form = ArticleCreateForm(initial=_create_initial(request))
    return render(request, "knowledge/manage/article_form.html", {"form": form, "creating": True})


def _open_question(pk: int | None) -> Question | None:
    return Question.objects.filter(pk=pk).select_related("space").first() if pk else None


def _create_initial(request: HttpRequest) -> dict:
    """Prefill from a search gap (`?gap=`) or a reader's question (`?question=`)."""
    initial: dict = {}
    gap_id = request.GET.get("gap", "")
    if gap_id.isdigit() and (gap := Gap.objects.filter(pk=int(gap_id)).first()):
        initial.update(title=gap.sample_query, gap=gap.pk)
        if gap.language:
            initial["language"] = gap.language
    question_id = request.GET.get("question", "")
    if question_id.isdigit() and (asked := _open_question(int(question_id))):
        initial.update(title=asked.subject, space=asked.space, question=asked.pk)
    return initial


def article_manage(request: HttpRequest, key: str) -> HttpResponse:
    item = _editable(request, key)
    return render(
        request,
        "knowledge/manage/article_manage.html",
        {
            "article": item,
            "version": item.latest_version,
            "audience_form": AudienceForm(
                initial={
                    "audience": item.audience,
                    "departments": item.audience_departments.all(),
                    "locations": item.audience_locations.all(),
                    "roles": item.audience_roles.all(),
                }
            ),
            "related_form": RelatedForm(
                initial={"related": ", ".join(a.key for a in item.related.order_by("key"))}
            ),
            "translation_form": TranslationForm(
                initial={"original": item.translation_of.key if item.translation_of else ""}
            ),
            "attachment_form": AttachmentForm(),
            "attachments": attachments_of([item]).get(item.pk, []),
            "tasks": item.review_tasks.filter(closed_at__isnull=True).order_by("opened_at"),
        },
    )


def article_edit(request: HttpRequest, key: str) -> HttpResponse:
    item = _editable(request, key)
    latest = item.latest_version
    if request.method == "POST":
        form = ArticleEditForm(request.POST, space=item.space)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.article_update(by=request.user, article=item, **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("New version saved as a draft."))
                return redirect("knowledge:article_manage", item.key)
    else:
        form = ArticleEditForm(
            space=item.space,
            initial={
                "title": latest.title if latest else "",
                "body": latest.body if latest else "",
                "tags": ", ".join(t.name for t in latest.tags.all()) if latest else "",
                "category": item.category,
                "language": item.language,
            },
        )
    return render(
        request,
        "knowledge/manage/article_form.html",
        {"form": form, "article": item, "creating": False},
    )


def _article_action(request: HttpRequest, key: str, action, done: str, **kwargs) -> HttpResponse:
    item = _editable(request, key)
    try:
        action(by=request.user, article=item, **kwargs)
    except ValidationError as error:
        _service_errors(request, error)
    else:
        messages.success(request, done)
    return redirect("knowledge:article_manage", item.key)


@require_POST
def article_submit(request: HttpRequest, key: str) -> HttpResponse:
    return _article_action(request, key, services.article_submit, _("Sent for review."))


@require_POST
def article_publish(request: HttpRequest, key: str) -> HttpResponse:
    return _article_action(
        request, key, services.article_publish, _("Published. Readers see this version now.")
    )


@require_POST
def article_archive(request: HttpRequest, key: str) -> HttpResponse:
    return _article_action(
        request, key, services.article_archive, _("Archived. Readers no longer find it.")
    )


@require_POST
def article_restore(request: HttpRequest, key: str, number: int) -> HttpResponse:
    return _article_action(
        request,
        key,
        services.article_restore_version,
        _("Version %(number)d restored as a new draft.") % {"number": number},
        number=number,
    )


@require_POST
def article_audience(request: HttpRequest, key: str) -> HttpResponse:
    item = _editable(request, key)
    form = AudienceForm(request.POST)
    if not form.is_valid():
        for message in form.non_field_errors() + [e for f in form.errors.values() for e in f]:
            messages.error(request, message)
        return redirect("knowledge:article_manage", item.key)
    return _article_action(
        request, key, services.article_audience_set, _("Audience saved."), **form.cleaned_data
    )


@require_POST
def article_related(request: HttpRequest, key: str) -> HttpResponse:
    item = _editable(request, key)
    form = RelatedForm(request.POST)
    if not form.is_valid():
        for message in form.errors.get("related", []):
            messages.error(request, message)
        return redirect("knowledge:article_manage", item.key)
    return _article_action(
        request,
        key,
        services.article_related_set,
        _("Related articles saved."),
        related=form.cleaned_data["related"],
    )


@require_POST
def article_translation(request: HttpRequest, key: str) -> HttpResponse:
    item = _editable(request, key)
    form = TranslationForm(request.POST)
    if not form.is_valid():
        for message in form.errors.get("original", []):
            messages.error(request, message)
        return redirect("knowledge:article_manage", item.key)
    originals = form.cleaned_data["original"]
    if not originals:
        return _article_action(
            request, key, services.article_translation_unlink, _("Now an original article.")
        )
    return _article_action(
        request,
        key,
        services.article_translation_link,
        _("Translation link saved."),
        original=originals[0],
    )


@require_POST
def article_attachment(request: HttpRequest, key: str) -> HttpResponse:
    item = _editable(request, key)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect("knowledge:article_manage", item.key)
    try:
        attachment = attachment_add(
            owner=item, upload=form.cleaned_data["upload"], uploaded_by=request.user
        )
    except ValidationError as error:
        _service_errors(request, error)
    else:
        messages.success(request, _("Uploaded %(name)s.") % {"name": attachment.original_name})
    return redirect("knowledge:article_manage", item.key)


def article_versions(request: HttpRequest, key: str) -> HttpResponse:
    item = _editable(request, key)
    history = list(selectors.versions(article=item))
    numbers = [v.number for v in history]
    form = CompareForm(
        numbers=numbers,
        initial={
            "old": numbers[1] if len(numbers) > 1 else None,
            "new": numbers[0] if numbers else None,
        },
    )
    return render(
        request,
        "knowledge/manage/article_versions.html",
        {"article": item, "versions": history, "form": form},
    )


def article_diff(request: HttpRequest, key: str) -> HttpResponse:
    item = _editable(request, key)
    history = {v.number: v for v in selectors.versions(article=item)}
    form = CompareForm(request.GET, numbers=list(history))
    if not form.is_valid():
        messages.error(request, _("Choose two versions from the list to compare."))
        return redirect("knowledge:article_versions", item.key)
    old, new = history[form.cleaned_data["old"]], history[form.cleaned_data["new"]]
    return render(
        request,
        "knowledge/manage/article_diff.html",
        {
            "article": item,
            "old": old,
            "new": new,
            "title_changed": old.title != new.title,
            "diff": text_diff_html(old.body, new.body),
            "form": form,
        },
    )


@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    _require_editor(request.user)
    body = request.POST.get("body", "")[:200_000]
    return render(request, "knowledge/manage/_preview.html", {"body_html": render_markdown(body)})
