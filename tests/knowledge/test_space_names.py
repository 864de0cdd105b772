"""A space's short name is its address (/kb/<slug>/); the knowledge base's own pages come
first, so a space called "ask" or "manage" could never be opened."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLPattern, reverse

from helpdesk.knowledge import urls
from helpdesk.knowledge.importing import kb_import_lines
from helpdesk.knowledge.models import RESERVED_SPACE_SLUGS, Space
from tests.knowledge.test_import import line


def test_every_page_address_of_the_knowledge_base_is_reserved():
    literal_first_segments = {
        str(pattern.pattern).split("/")[0]
        for pattern in urls.urlpatterns
        if isinstance(pattern, URLPattern) and not str(pattern.pattern).startswith("<")
    } - {""}
    assert literal_first_segments == RESERVED_SPACE_SLUGS


@pytest.mark.parametrize("slug", sorted(RESERVED_SPACE_SLUGS))
def test_a_page_address_is_refused_as_a_space_name(db, slug):
    space = Space(name=f"Space {slug}", slug=slug)
    with pytest.raises(ValidationError) as refused:
        space.full_clean()
    assert refused.value.error_dict["slug"][0].code == "reserved"


def test_an_ordinary_short_name_is_accepted(db):
    Space(name="Asking", slug="asking").full_clean()


def test_an_imported_space_named_like_a_page_gets_another_address(
    db, kb_editor, client, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = kb_import_lines([line(category="Ask / Forms")], owner=kb_editor)
    assert report.ok
    space = Space.objects.get(name="Ask")
    assert space.slug not in RESERVED_SPACE_SLUGS
    client.force_login(employee)
    response = client.get(reverse("knowledge:space", args=[space.slug]))
    assert response.status_code == 200
    assert response.resolver_match.url_name == "space"
