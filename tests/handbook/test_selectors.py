import datetime

import pytest
from django.utils import timezone

from handbook import selectors
from handbook.models import SectionVersion
from handbook.search import search_documents
from tests.factories import UserFactory
from tests.handbook.factories import (
    ChapterFactory,
    SectionFactory,
    draft_section,
    publish_version,
    published_section,
)

pytestmark = pytest.mark.django_db


def test_readers_see_published_sections_only_and_editors_see_drafts_too(employee, hr_officer):
    chapter = ChapterFactory(title="Leave")
    shown = published_section(chapter=chapter, title="Annual leave")
    hidden = draft_section(chapter=chapter, title="Sabbaticals")
    draft_section(chapter=ChapterFactory(title="Only drafts"))

    (read,) = selectors.handbook_toc(user=employee)
    assert read.title == "Leave"
    assert [s.title for s in read.all_sections] == ["Annual leave"]
    assert read.all_sections[0].last_updated == shown.current_version.published_at

    edited = selectors.handbook_toc(user=hr_officer)
    assert [c.title for c in edited] == ["Leave", "Only drafts"]
    assert {s.pk for s in edited[0].all_sections} == {shown.pk, hidden.pk}


def test_a_sub_section_is_hidden_while_its_parent_is_unpublished(employee):
    chapter = ChapterFactory()
    parent = draft_section(chapter=chapter, title="Parent")
    published_section(chapter=chapter, parent=parent, title="Child")
    visible = published_section(chapter=chapter, title="Sibling")
    (read,) = selectors.handbook_toc(user=employee)
    assert [s.pk for s in read.all_sections] == [visible.pk]


def test_sections_come_in_reading_order_with_sub_sections_after_their_parent(employee):
    chapter = ChapterFactory()
    second = published_section(chapter=chapter, title="B", position=2)
    first = published_section(chapter=chapter, title="A", position=1)
    child = published_section(chapter=chapter, parent=first, title="A.1", position=9)
    (read,) = selectors.handbook_toc(user=employee)
    assert [s.pk for s in read.all_sections] == [first.pk, child.pk, second.pk]
    assert [s.pk for s in read.top_sections] == [first.pk, second.pk]
    assert read.top_sections[0].subsections == [child]


def test_stale_sections_are_published_sections_past_their_review_date(employee, hr_officer):
    today = timezone.localdate()
    old = published_section(owner=hr_officer, review_by=today - datetime.timedelta(3))
    older = published_section(owner=employee, review_by=today - datetime.timedelta(30))
    published_section(owner=employee, review_by=today)  # due today, not yet past
    draft_section(owner=employee, review_by=today - datetime.timedelta(30))  # nobody reads it

    assert list(selectors.stale_sections()) == [older, old]
    assert list(selectors.stale_sections(owner=hr_officer)) == [old]
    later = today + datetime.timedelta(days=1)
    assert len(selectors.stale_sections(today=later)) == 3


def test_stale_sections_bring_chapter_owner_and_version_in_one_query(
    django_assert_num_queries,
):
    for days in range(1, 7):
        published_section(review_by=timezone.localdate() - datetime.timedelta(days=days))
    with django_assert_num_queries(1):
        rows = [
            (s.chapter.title, s.owner.email, s.current_version.number)
            for s in selectors.stale_sections()
        ]
    assert len(rows) == 6


def test_readers_see_published_and_retired_versions_in_the_history(employee, hr_officer):
    section = published_section(body="One")
    publish_version(section, body="Two")
    SectionVersion.objects.create(
        section=section, number=3, body="Three", change_summary="draft", author=hr_officer
    )
    numbers = [v.number for v in selectors.section_history(user=employee, section=section)]
    assert numbers == [2, 1]
    everything = selectors.section_history(user=hr_officer, section=section)
    assert [v.number for v in everything] == [3, 2, 1]


def test_search_documents_are_published_sections_in_plain_text():
    section = published_section(
        title="Gifts",
        body="## Limits\n\nUp to **€50**. See [the form](https://x.example).",
        language="nl",
    )
    draft_section(title="Secret draft")
    (document,) = search_documents()
    assert document == {
        "type": "handbook",
        "key": f"handbook:section:{section.pk}",
        "title": "Gifts",
        "text": "Limits\nUp to €50. See the form.",
        "language": "nl",
        "audience": "everyone",
        "url": section.get_absolute_url(),
        "updated": section.current_version.published_at,
        "space": "Handbook",
        "category": section.chapter.title,
    }


def test_the_content_hash_changes_with_text_and_titles_but_not_with_drafts():
    chapter = ChapterFactory(title="Pay")
    section = published_section(chapter=chapter, body="Paid on the 25th.")
    first = selectors.content_hash(selectors.published_content())
    SectionFactory(chapter=chapter, owner=UserFactory())  # an unpublished section
    assert selectors.content_hash(selectors.published_content()) == first
    section.title = "Pay day"
    section.save()
    renamed = selectors.content_hash(selectors.published_content())
    assert renamed != first
    publish_version(section, body="Paid on the 24th.")
    assert selectors.content_hash(selectors.published_content()) not in (first, renamed)
