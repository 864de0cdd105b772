"""Reads for the knowledge base. Every list a reader sees goes through `articles_for_reader`,
so the lists and the article page agree on who may see what."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from ess.accounts.models import User
from helpdesk.knowledge.models import (
    Article,
    ArticleVersion,
    Category,
    Feedback,
    Question,
    ReviewTask,
    Space,
)
from helpdesk.knowledge.permissions import (
    can_edit_knowledge,
    can_read_article,
    readable_filter,
    require_editor,
)

# What a list of articles shows: title, space, category, owner and when it was published.
LIST_RELATIONS = ("space", "category", "owner", "published_version", "latest_version")


def articles_for_reader(user: User) -> QuerySet[Article]:
    """Live articles in the person's audience (every live article for editors)."""
    return Article.objects.filter(readable_filter(user)).select_related(*LIST_RELATIONS)


def article_for_reader(user: User, key: str) -> Article:
    """The article a reader opens; 404 when it is not live or not for them. Editors also
    open drafts and archived articles, so they can preview what they work on."""
    if can_edit_knowledge(user):
        return get_object_or_404(Article.objects.select_related(*LIST_RELATIONS), key=key)
    return get_object_or_404(articles_for_reader(user), key=key)


def article_for_editor(user: User, key: str) -> Article:
    """An article to change: 404 if the person cannot even read it, 403 if they only read."""
    article = get_object_or_404(Article.objects.select_related(*LIST_RELATIONS), key=key)
    if not can_read_article(user, article):
        raise Http404
    require_editor(user)
    return article


def articles_for_editor(user: User) -> QuerySet[Article]:
    """Every article, drafts and archived ones included (403 for non-editors)."""
    require_editor(user)
    return Article.objects.select_related(*LIST_RELATIONS)


def most_viewed(user: User, limit: int = 10) -> list[Article]:
    return list(articles_for_reader(user).order_by("-views", "pk")[:limit])


def recently_updated(user: User, limit: int = 10) -> list[Article]:
    return list(articles_for_reader(user).order_by("-published_at", "-pk")[:limit])


def space_overview(user: User) -> QuerySet[Space]:
    """Spaces with `article_count`: how many articles in them the person may read."""
    readable = articles_for_reader(user).values("pk")
    return Space.objects.annotate(
        article_count=Count("articles", filter=Q(articles__pk__in=readable), distinct=True)
    )


def space_for_reader(slug: str) -> Space:
    return get_object_or_404(Space, slug=slug)


@dataclass(frozen=True)
class CategoryNode:
    category: Category
    depth: int  # 0 for a category directly under the space
    article_count: int | None = None


def category_tree(space: Space, *, user: User | None = None) -> list[CategoryNode]:
    """The space's categories in tree order (parents before their children), with their
    depth; given a user, also how many articles each holds that the user may read
    (sub-categories not included)."""
    categories = Category.objects.filter(space=space).order_by("path")
    if user is not None:
        readable = articles_for_reader(user).values("pk")
        categories = categories.annotate(
            readable_count=Count("articles", filter=Q(articles__pk__in=readable), distinct=True)
        )
    return [
        CategoryNode(
            category=category,
            depth=category.path.count(" / ") - 1,
            article_count=getattr(category, "readable_count", None),
        )
        for category in categories
    ]


def category_for_reader(space: Space, pk: int) -> Category:
    return get_object_or_404(Category.objects.select_related("space", "parent"), space=space, pk=pk)


def in_category(category: Category, *, include_descendants: bool = True) -> Q:
    if not include_descendants:
        return Q(category=category)
    return Q(category=category) | Q(category__path__startswith=f"{category.path} / ")


def articles_in_category(
    user: User, category: Category, include_descendants: bool = True
) -> QuerySet[Article]:
    return articles_for_reader(user).filter(
        in_category(category, include_descendants=include_descendants)
    )


def articles_in_space(user: User, space: Space) -> QuerySet[Article]:
    return articles_for_reader(user).filter(space=space)


def related_for_reader(user: User, article: Article, limit: int = 5) -> list[Article]:
    """Articles the editor linked first, then others from the same category. Two queries."""
    readable = articles_for_reader(user).exclude(pk=article.pk)
    chosen = list(readable.filter(related=article).order_by("pk")[:limit])
    if len(chosen) < limit and article.category_id is not None:
        chosen += list(
            readable.filter(category_id=article.category_id)
            .exclude(pk__in=[found.pk for found in chosen])
            .order_by("-views", "pk")[: limit - len(chosen)]
        )
    return chosen


def translations_for_reader(user: User, article: Article) -> list[Article]:
    """The original and all its translations, other than this one, that the person may read."""
    original_id = article.translation_of_id or article.pk
    return list(
        articles_for_reader(user)
        .filter(Q(pk=original_id) | Q(translation_of_id=original_id))
        .exclude(pk=article.pk)
        .order_by("language")
    )


def versions(article: Article) -> QuerySet[ArticleVersion]:
    """Newest first, with authors and tags loaded (three queries however many versions)."""
    return (
        article.versions.select_related("author", "published_by")
        .prefetch_related("tags")
        .order_by("-number")
    )


def version_for_editor(user: User, article: Article, number: int) -> ArticleVersion:
    require_editor(user)
    return get_object_or_404(versions(article), number=number)


def published_tags(article: Article) -> list[str]:
    version = article.published_version
    return sorted(tag.name for tag in version.tags.all()) if version else []


def open_review_tasks(user: User) -> QuerySet[ReviewTask]:
    """Open tasks: the person's own articles', or everyone's for editors."""
    tasks = (
        ReviewTask.objects.filter(closed_at__isnull=True)
        .select_related("article__published_version", "article__latest_version", "article__owner")
        .order_by("opened_at", "pk")
    )
    if can_edit_knowledge(user):
        return tasks
    return tasks.filter(article__owner=user)


def review_task_for_user(user: User, pk: int) -> ReviewTask:
    """A task the person may close: their article's, or any for editors; 404 otherwise."""
    tasks = ReviewTask.objects.select_related("article")
    if not can_edit_knowledge(user):
        tasks = tasks.filter(article__owner=user)
    return get_object_or_404(tasks, pk=pk)


def open_questions(user: User) -> QuerySet[Question]:
    """Unanswered questions, for editors (nobody else sees the queue)."""
    if not can_edit_knowledge(user):
        return Question.objects.none()
    return (
        Question.objects.filter(status=Question.Status.OPEN)
        .select_related("asker", "space", "from_article__published_version", "answer_article")
        .order_by("created_at", "pk")
    )


def my_questions(user: User) -> QuerySet[Question]:
    return (
        Question.objects.filter(asker=user)
        .select_related("space", "answer_article__published_version")
        .order_by("-created_at", "-pk")
    )


def question_for_user(user: User, pk: int) -> Question:
    """The asker and editors see a question; anyone else gets 404."""
    questions = Question.objects.select_related(
        "asker", "space", "from_article__published_version", "answer_article__published_version"
    )
    if not can_edit_knowledge(user):
        questions = questions.filter(asker=user)
    return get_object_or_404(questions, pk=pk)


def feedback_summary(article: Article) -> tuple[int, int, int | None]:
    """(helpful, not helpful, percent helpful — None before anyone voted)."""
    yes, no = article.helpful_yes, article.helpful_no
    total = yes + no
    return yes, no, (round(100 * yes / total) if total else None)


def feedback_of(user: User, article: Article) -> Feedback | None:
    return Feedback.objects.filter(user=user, article=article).first()


def spaces_with_categories() -> QuerySet[Space]:
    """All spaces with their categories loaded (for choice lists); two queries."""
    return Space.objects.prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("path"))
    )
