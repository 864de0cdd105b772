"""Who may read an article: live and in its audience; editors read everything. The list
filter, the single-article check and the search audience keys must agree."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ess.accounts.roles import Role
from helpdesk.knowledge import selectors, services
from helpdesk.knowledge.models import Audience
from helpdesk.knowledge.permissions import audience_keys, can_edit_knowledge, can_read_article
from helpdesk.permissions import AGENT_ROLES
from tests.factories import DepartmentFactory, EmployeeFactory, LocationFactory
from tests.knowledge.factories import draft_article, published_article


def reads(user, article) -> bool:
    """The single check and the list filter, which must always agree."""
    single = can_read_article(user, article)
    listed = selectors.articles_for_reader(user).filter(pk=article.pk).exists()
    if not can_edit_knowledge(user):
        assert single == listed
    return single


def test_everyone_reads_an_article_for_everyone(employee):
    assert reads(employee, published_article())


def test_nobody_but_editors_reads_a_draft_never_published(employee, kb_editor, admin_user):
    article = draft_article()

    assert not reads(employee, article)
    assert reads(kb_editor, article)
    assert reads(admin_user, article)


def test_a_published_article_being_edited_stays_readable(employee):
    article = published_article()
    services.article_update(by=None, article=article, title="New", body="New text", tags=[])

    assert article.status == "draft"
    assert reads(employee, article)


def test_an_archived_article_is_gone_for_readers(employee, kb_editor):
    article = published_article()
    services.article_archive(by=kb_editor, article=article)

    assert not reads(employee, article)
    assert reads(kb_editor, article)


def test_agents_only_articles_are_for_agents(employee, it_agent, hr_officer, kb_editor):
    article = published_article(audience=Audience.AGENTS)

    assert not reads(employee, article)
    assert reads(it_agent, article)
    assert reads(hr_officer, article)
    assert reads(kb_editor, article)


def test_a_department_audience_covers_its_sub_departments(db):
    operations = DepartmentFactory(name="Operations")
    warehousing = DepartmentFactory(name="Warehousing", parent=operations)
    inside = EmployeeFactory(department=warehousing).user
    outside = EmployeeFactory(department=DepartmentFactory()).user
    article = published_article(audience=Audience.RESTRICTED, departments=[operations])

    assert reads(inside, article)
    assert not reads(outside, article)


def test_a_sub_department_audience_does_not_cover_its_parent(db):
    operations = DepartmentFactory(name="Operations")
    warehousing = DepartmentFactory(name="Warehousing", parent=operations)
    above = EmployeeFactory(department=operations).user
    article = published_article(audience=Audience.RESTRICTED, departments=[warehousing])

    assert not reads(above, article)


def test_a_location_audience(db):
    oslo = LocationFactory(name="Oslo", country="NO")
    in_oslo = EmployeeFactory(location=oslo).user
    in_rotterdam = EmployeeFactory().user
    article = published_article(audience=Audience.RESTRICTED, locations=[oslo])

    assert reads(in_oslo, article)
    assert not reads(in_rotterdam, article)


def test_a_role_audience(employee, payroll_officer):
    article = published_article(audience=Audience.RESTRICTED, roles=[Role.PAYROLL_OFFICER])

    assert reads(payroll_officer, article)
    assert not reads(employee, article)


def test_a_restricted_audience_needs_someone_in_it(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        published_article(audience=Audience.RESTRICTED)


def test_an_account_without_an_hr_record_reads_only_everyone_articles(service_account):
    assert reads(service_account, published_article())
    assert not reads(
        service_account,
        published_article(audience=Audience.RESTRICTED, departments=[DepartmentFactory()]),
    )


def test_a_reader_matching_several_rules_sees_the_article_once(db):
    department = DepartmentFactory()
    oslo = LocationFactory(name="Oslo", country="NO")
    reader = EmployeeFactory(department=department, location=oslo).user
    article = published_article(
        audience=Audience.RESTRICTED, departments=[department], locations=[oslo]
    )

    assert list(selectors.articles_for_reader(reader)) == [article]


def test_article_for_reader_answers_404_outside_the_audience(employee, it_agent):
    article = published_article(audience=Audience.AGENTS)

    with pytest.raises(Http404):
        selectors.article_for_reader(employee, article.key)
    assert selectors.article_for_reader(it_agent, article.key) == article


def test_article_for_editor_is_404_for_unseen_and_403_for_readers(employee, kb_editor):
    hidden = draft_article()
    visible = published_article()

    with pytest.raises(Http404):
        selectors.article_for_editor(employee, hidden.key)
    with pytest.raises(PermissionDenied):
        selectors.article_for_editor(employee, visible.key)
    assert selectors.article_for_editor(kb_editor, hidden.key) == hidden


def test_audience_keys_in_the_search_index_format(db):
    department = DepartmentFactory()
    oslo = LocationFactory(name="Oslo", country="NO")
    restricted = published_article(
        audience=Audience.RESTRICTED,
        departments=[department],
        locations=[oslo],
        roles=[Group.objects.get(name=Role.MANAGER)],
    )

    assert audience_keys(published_article()) == "everyone"
    assert audience_keys(restricted) == [
        f"dept:{department.pk}",
        f"loc:{oslo.pk}",
        "role:manager",
        "role:kb_editor",
        "role:admin",
    ]
    agents = audience_keys(published_article(audience=Audience.AGENTS))
    assert agents == [*(f"role:{role}" for role in AGENT_ROLES), "role:kb_editor"]
