"""What the knowledge base hands the portal search: one document per live article."""

from ess.search.sources import registered_sources
from helpdesk.knowledge import services
from helpdesk.knowledge.models import Audience
from helpdesk.knowledge.search import search_documents
from tests.knowledge.factories import draft_article, published_article


def test_the_source_is_registered():
    assert registered_sources()["article"] is search_documents


def test_a_document_carries_the_published_version_and_its_signals(kb_editor, category):
    article = published_article(
        space=category.space,
        category=category,
        title="Replace a laptop",
        body="Bring it to the **service desk**.",
        tags=["laptop", "hardware"],
    )
    services.article_update(by=kb_editor, article=article, title="Draft", body="Draft", tags=[])
    services.article_view_record(article=article)

    [document] = search_documents(None)

    assert document == {
        "type": "article",
        "key": article.key,
        "title": "Replace a laptop",
        "text": "Bring it to the service desk.",
        "language": "en",
        "url": article.get_absolute_url(),
        "updated": article.published_version.published_at,
        "audience": "everyone",
        "space": "IT",
        "category": "IT / Devices",
        "tags": ["hardware", "laptop"],
        "helpful_yes": 0,
        "helpful_no": 0,
        "views": 1,
    }


def test_only_live_articles_are_findable(kb_editor):
    live = published_article()
    draft_article()
    archived = published_article()
    services.article_archive(by=kb_editor, article=archived)

    assert [document["key"] for document in search_documents(None)] == [live.key]


def test_keys_limit_the_documents_to_those_still_findable(kb_editor):
    first, second, third = published_article(), published_article(), published_article()
    services.article_archive(by=kb_editor, article=third)

    keys = [document["key"] for document in search_documents([first.key, third.key])]

    assert keys == [first.key]
    assert second.key not in keys


def test_agents_only_documents_list_agent_and_editor_roles(db):
    published_article(audience=Audience.AGENTS)

    [document] = search_documents(None)

    assert "role:it_agent" in document["audience"]
    assert "role:kb_editor" in document["audience"]
    assert "role:employee" not in document["audience"]


def test_building_documents_takes_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    for _ in range(6):
        published_article(audience=Audience.RESTRICTED, roles=["manager"])
    # articles with space, category and version; departments; locations; roles; tags
    with django_assert_max_num_queries(5):
        assert len(list(search_documents(None))) == 6
