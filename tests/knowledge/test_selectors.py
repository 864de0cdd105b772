"""Reader lists: what they hold, in what order, and a query count that does not grow."""

import pytest

from helpdesk.knowledge import selectors, services
from helpdesk.knowledge.models import Audience, Language
from tests.knowledge.factories import CategoryFactory, draft_article, published_article


def make_articles(count: int, **kwargs):
    return [published_article(**kwargs) for _ in range(count)]


@pytest.mark.parametrize("count", [5, 10])
def test_reader_lists_take_a_fixed_number_of_queries(
    employee, category, count, django_assert_max_num_queries
):
    make_articles(count, space=category.space, category=category)
    employee.role_names  # noqa: B018  (loaded once per request by the middleware's checks)
    # 1: department tree; 2: the articles with space, category, owner and versions
    with django_assert_max_num_queries(2):
        rows = list(selectors.articles_for_reader(employee))
        assert [article.title for article in rows]
    with django_assert_max_num_queries(2):
        assert len(selectors.most_viewed(employee, 5)) == 5
    with django_assert_max_num_queries(2):
        assert [article.space.name for article in selectors.recently_updated(employee, 5)]
    with django_assert_max_num_queries(2):
        assert [space.article_count for space in selectors.space_overview(employee)] == [count]
    with django_assert_max_num_queries(2):
        nodes = selectors.category_tree(category.space, user=employee)
        assert nodes[0].article_count == count
    with django_assert_max_num_queries(2):
        assert len(list(selectors.articles_in_category(employee, category))) == count


def test_versions_and_review_tasks_take_a_fixed_number_of_queries(
    kb_editor, django_assert_max_num_queries
):
    article = published_article(owner=kb_editor)
    for number in range(5):
        services.article_update(
            by=kb_editor, article=article, title=f"T{number}", body="B", tags=[f"t{number}"]
        )
        services.feedback_record(
            user=kb_editor, article=article, helpful=True, comment=f"comment {number}"
        )
    # versions: the versions with authors, then their tags
    with django_assert_max_num_queries(2):
        assert [len(version.tags.all()) for version in selectors.versions(article)]
    # the editor's roles; the tasks with article, versions and owner
    with django_assert_max_num_queries(2):
        assert [task.article.title for task in selectors.open_review_tasks(kb_editor)]


def test_articles_in_a_category_include_its_sub_categories_unless_asked(employee, category):
    laptops = CategoryFactory(space=category.space, parent=category, name="Laptops")
    top = published_article(space=category.space, category=category)
    deep = published_article(space=category.space, category=laptops)

    assert set(selectors.articles_in_category(employee, category)) == {top, deep}
    assert list(selectors.articles_in_category(employee, category, include_descendants=False)) == [
        top
    ]
    tree = selectors.category_tree(category.space)
    assert [(node.category.name, node.depth) for node in tree] == [("Devices", 0), ("Laptops", 1)]


def test_related_lists_chosen_links_first_then_the_same_category(employee, kb_editor, category):
    article = published_article(space=category.space, category=category)
    neighbour = published_article(space=category.space, category=category)
    chosen = published_article()
    hidden = published_article(audience=Audience.AGENTS)
    services.article_related_set(by=kb_editor, article=article, related=[chosen, hidden])

    assert selectors.related_for_reader(employee, article) == [chosen, neighbour]


def test_translations_list_the_original_and_its_other_translations(employee):
    original = published_article()
    dutch = published_article(language=Language.NL, translation_of=original)
    italian = published_article(language=Language.IT, translation_of=original)
    draft_article(language=Language.NB, translation_of=original)

    assert selectors.translations_for_reader(employee, dutch) == [original, italian]
    assert selectors.translations_for_reader(employee, original) == [italian, dutch]


def test_review_tasks_are_the_owners_and_editors_see_all(employee, kb_editor):
    mine = published_article(owner=employee)
    theirs = published_article(owner=kb_editor)
    for article in (mine, theirs):
        services.feedback_record(user=kb_editor, article=article, helpful=False, comment="?")

    assert [task.article for task in selectors.open_review_tasks(employee)] == [mine]
    assert len(selectors.open_review_tasks(kb_editor)) == 2


def test_the_question_queue_is_for_editors(employee, kb_editor, space):
    services.question_ask(user=employee, space=space, subject="Where?", details="")

    assert not selectors.open_questions(employee).exists()
    assert selectors.open_questions(kb_editor).count() == 1
    assert selectors.my_questions(employee).count() == 1


def test_feedback_summary(employee, kb_editor):
    article = published_article()
    assert selectors.feedback_summary(article) == (0, 0, None)
    services.feedback_record(user=employee, article=article, helpful=True)
    services.feedback_record(user=kb_editor, article=article, helpful=False)
    article.refresh_from_db()

    assert selectors.feedback_summary(article) == (1, 1, 50)
