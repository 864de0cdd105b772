"""Every knowledge base URL for anonymous, two employees, a service desk agent, a KB editor
and an administrator: who gets the page, who is refused (403) and who is told it does not
exist (404)."""

import pytest
from django.urls import reverse

from helpdesk.knowledge import services
from helpdesk.knowledge.models import Audience, Question
from tests.knowledge.conftest_web import article_make, category_make, space_make
from tests.matrix import Row, assert_access, expand

pytestmark = pytest.mark.django_db

WHO = ("anonymous", "employee", "other_employee", "it_agent", "kb_editor", "admin_user")


def _all(status: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(WHO, status)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _editors(status: int, *, others: int = 403) -> dict[str, int]:
    return _all(others, kb_editor=status, admin_user=status)


@pytest.fixture
def public_article(kb_editor):
    return article_make(by=kb_editor, category=category_make(space_make(), "Network"))


@pytest.fixture
def team_article(kb_editor, employee):
    """Restricted to the department of `employee`; `other_employee` works elsewhere."""
    return article_make(
        by=kb_editor,
        title="Team-only runbook",
        audience=Audience.RESTRICTED,
        departments=[employee.employee.department],
    )


@pytest.fixture
def agents_article(kb_editor):
    return article_make(by=kb_editor, title="Reset a locked account", audience=Audience.AGENTS)


@pytest.fixture
def draft_article(kb_editor):
    return article_make(by=kb_editor, title="Unfinished", publish=False)


@pytest.fixture
def asked(employee):
    return services.question_ask(
        user=employee, space=space_make(), subject="Printer on floor 3?", details=""
    )


@pytest.fixture
def open_task(public_article, employee):
    services.feedback_record(
        user=employee, article=public_article, helpful=False, comment="Step 2 is wrong"
    )
    return public_article.review_tasks.get()


def _article_url(name: str, fixture: str, *extra):
    def build(request):
        return reverse(name, args=[request.getfixturevalue(fixture).key, *extra])

    build.__name__ = f"{name}-{fixture}"
    return build


def _pk_url(name: str, fixture: str):
    def build(request):
        return reverse(name, args=[request.getfixturevalue(fixture).pk])

    build.__name__ = f"{name}-{fixture}"
    return build


def _category_url(request):
    category = request.getfixturevalue("public_article").category
    return reverse("knowledge:category", args=[category.space.slug, category.pk])


def _missing(name: str, *extra):
    def build(request):
        return reverse(name, args=["no-such-article", *extra])

    build.__name__ = f"{name}-missing"
    return build


MATRIX = [
    # Reading
    Row("knowledge:home", _all(200)),
    Row(lambda r: reverse("knowledge:space", args=[space_make().slug]), _all(200), label="space"),
    Row(lambda r: reverse("knowledge:space", args=["nowhere"]), _all(404), label="space-missing"),
    Row(_category_url, _all(200), label="category"),
    Row(_article_url("knowledge:article", "public_article"), _all(200)),
    Row(
        _article_url("knowledge:article", "team_article"),
        _all(200, other_employee=404, it_agent=404),
    ),
    Row(
        _article_url("knowledge:article", "agents_article"),
        _all(404, it_agent=200, kb_editor=200, admin_user=200),
    ),
    Row(_article_url("knowledge:article", "draft_article"), _editors(200, others=404)),
    Row(_missing("knowledge:article"), _all(404)),
    # Feedback: a plain POST answers with a redirect back to the article
    Row(
        _article_url("knowledge:feedback", "public_article"),
        _all(302),
        method="post",
        data={"helpful": "yes"},
    ),
    Row(
        _article_url("knowledge:feedback", "team_article"),
        _all(302, other_employee=404, it_agent=404),
        method="post",
        data={"helpful": "no"},
    ),
    Row(
        _article_url("knowledge:feedback", "draft_article"),
        _all(404),
        method="post",
        data={"helpful": "no"},
    ),
    Row(_missing("knowledge:feedback"), _all(404), method="post", data={"helpful": "no"}),
    Row(_article_url("knowledge:feedback", "public_article"), _all(405, anonymous=302)),
    # Asking for help
    Row("knowledge:ask", _all(200)),
    Row("knowledge:my_questions", _all(200)),
    Row(
        _pk_url("knowledge:question", "asked"),
        _all(404, employee=200, kb_editor=200, admin_user=200),
    ),
    Row(
        lambda r: reverse("knowledge:question", args=[999_999]), _all(404), label="question-missing"
    ),
    Row(
        _pk_url("knowledge:question_answer", "asked"),
        _editors(302),
        method="post",
        data={"article": "no-such-article"},
    ),
    # Editors
    Row("knowledge:manage", _editors(200)),
    Row("knowledge:article_create", _editors(200)),
    Row("knowledge:question_queue", _editors(200)),
    Row("knowledge:preview", _editors(200), method="post", data={"body": "# Hi"}),
    Row("knowledge:review_tasks", _all(200)),
    Row(
        _pk_url("knowledge:review_task_close", "open_task"),
        _all(404, kb_editor=302, admin_user=302),
        method="post",
    ),
    Row(_article_url("knowledge:article_manage", "public_article"), _editors(200)),
    Row(_article_url("knowledge:article_manage", "draft_article"), _editors(200)),
    Row(_missing("knowledge:article_manage"), _editors(404)),
    Row(_article_url("knowledge:article_edit", "public_article"), _editors(200)),
    Row(_article_url("knowledge:article_versions", "public_article"), _editors(200)),
    Row(_article_url("knowledge:article_diff", "public_article"), _editors(302)),
    Row(_missing("knowledge:article_versions"), _editors(404)),
    *(
        Row(_article_url(f"knowledge:{name}", "draft_article"), _editors(302), method="post")
        for name in ("article_submit", "article_publish", "article_archive")
    ),
    Row(_missing("knowledge:article_publish"), _editors(404), method="post"),
    Row(
        _article_url("knowledge:article_restore", "public_article", 1),
        _editors(302),
        method="post",
    ),
    Row(
        _article_url("knowledge:article_audience", "public_article"),
        _editors(302),
        method="post",
        data={"audience": "agents"},
    ),
    Row(
        _article_url("knowledge:article_related", "public_article"),
        _editors(302),
        method="post",
        data={"related": ""},
    ),
    Row(
        _article_url("knowledge:article_translation", "public_article"),
        _editors(302),
        method="post",
        data={"original": ""},
    ),
    Row(
        _article_url("knowledge:article_attachment", "public_article"), _editors(302), method="post"
    ),
]


@pytest.mark.parametrize(("row", "who"), expand(MATRIX))
def test_permission_matrix(client, request, row, who):
    assert_access(client, request, row, who)


def test_a_missing_and_a_forbidden_article_look_the_same(client, other_employee, team_article):
    client.force_login(other_employee)
    forbidden = client.get(reverse("knowledge:article", args=[team_article.key]))
    missing = client.get(reverse("knowledge:article", args=["no-such-article"]))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content


def test_a_question_of_someone_else_looks_missing(client, other_employee, asked):
    client.force_login(other_employee)
    forbidden = client.get(reverse("knowledge:question", args=[asked.pk]))
    missing = client.get(reverse("knowledge:question", args=[asked.pk + 1000]))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content
    assert Question.objects.count() == 1


def test_an_employee_learns_nothing_about_keys_from_editor_pages(client, employee, draft_article):
    client.force_login(employee)
    existing = client.get(reverse("knowledge:article_manage", args=[draft_article.key]))
    missing = client.get(reverse("knowledge:article_manage", args=["no-such-article"]))
    assert existing.status_code == missing.status_code == 403
