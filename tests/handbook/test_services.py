"""The version workflow: every move checked, audited, and nobody reviews their own text."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ess.audit.models import AuditEvent
from ess.notifications.models import Notification
from handbook import services
from handbook.models import Section, SectionVersion
from tests.factories import UserFactory
from tests.handbook.factories import (
    ChapterFactory,
    SectionFactory,
    SectionVersionFactory,
    published_section,
)

pytestmark = pytest.mark.django_db

Status = SectionVersion.Status


def _actions(version: SectionVersion) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="handbook.sectionversion", target_id=str(version.pk))
        .order_by("occurred_at", "id")
        .values_list("action", flat=True)
    )


def test_a_version_moves_from_draft_to_published_and_every_step_is_audited(hr_officer, admin_user):
    section = SectionFactory()
    version = services.version_draft_save(
        section=section, actor=hr_officer, body="# Leave\n\nTake it.", change_summary="First"
    )
    assert (version.status, version.number) == (Status.DRAFT, 1)
    services.version_submit(version=version, actor=hr_officer)
    services.version_approve(version=version, actor=admin_user, comment="Good")
    published = services.version_publish(version=version, actor=hr_officer, queue_pdf=False)

    assert published.status == Status.PUBLISHED
    assert published.reviewer == admin_user
    assert published.published_by == hr_officer
    section.refresh_from_db()
    assert section.current_version == published
    assert _actions(version) == [
        "handbook.version_created",
        "handbook.version_submitted",
        "handbook.version_approved",
        "handbook.version_published",
    ]
    approved = AuditEvent.objects.get(action="handbook.version_approved")
    assert approved.actor == admin_user
    assert approved.detail == {"section": section.pk, "number": 1}


def test_publishing_retires_the_previous_version_and_moves_the_review_date(hr_officer, admin_user):
    section = published_section(review_by=timezone.localdate())
    old = section.current_version
    new = services.version_draft_save(
        section=section, actor=hr_officer, body="New text", change_summary="Rewrite"
    )
    services.version_submit(version=new, actor=hr_officer)
    services.version_approve(version=new, actor=admin_user)
    services.version_publish(version=new, actor=admin_user, queue_pdf=False)

    old.refresh_from_db()
    section.refresh_from_db()
    assert old.status == Status.RETIRED
    assert old.retired_at is not None
    assert section.current_version == new
    assert section.review_by == timezone.localdate() + services.REVIEW_INTERVAL
    assert "handbook.version_retired" in _actions(old)
    assert new.number == 2


@pytest.mark.parametrize(
    ("status", "move", "message"),
    [
        (Status.DRAFT, "publish", "Only an approved version can be published; version 1 is draft"),
        (Status.DRAFT, "approve", "Only a version in review can be approved"),
        (Status.DRAFT, "reject", "Only a version in review can be sent back"),
        (Status.IN_REVIEW, "submit", "Only a draft can be submitted for review"),
        (Status.IN_REVIEW, "publish", "Only an approved version can be published"),
        (Status.APPROVED, "approve", "Only a version in review can be approved"),
        (Status.PUBLISHED, "publish", "version 1 is published"),
        (Status.RETIRED, "submit", "version 1 is retired"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(
    hr_officer, admin_user, status, move, message
):
    version = SectionVersionFactory(status=status, author=hr_officer)
    calls = {
        "submit": lambda: services.version_submit(version=version, actor=hr_officer),
        "approve": lambda: services.version_approve(version=version, actor=admin_user),
        "reject": lambda: services.version_reject(version=version, actor=admin_user, comment="x"),
        "publish": lambda: services.version_publish(version=version, actor=admin_user),
    }
    with pytest.raises(ValidationError, match=message) as refused:
        calls[move]()
    assert refused.value.error_list[0].code == "illegal_transition"
    version.refresh_from_db()
    assert version.status == status
    assert not AuditEvent.objects.filter(target_id=str(version.pk)).exists()


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_author_cannot_review_their_own_version(hr_officer, decision):
    version = SectionVersionFactory(status=Status.IN_REVIEW, author=hr_officer)
    action = getattr(services, f"version_{decision}")
    with pytest.raises(ValidationError, match="someone else must review it") as refused:
        action(version=version, actor=hr_officer, comment="Looks fine to me")
    assert refused.value.error_list[0].code == "self_review"
    version.refresh_from_db()
    assert version.status == Status.IN_REVIEW


def test_whoever_last_edited_the_draft_cannot_review_it_either(hr_officer, admin_user):
    section = SectionFactory()
    version = services.version_draft_save(
        section=section, actor=hr_officer, body="One", change_summary="First"
    )
    services.version_draft_save(section=section, actor=admin_user, body="Two", change_summary="x")
    services.version_submit(version=version, actor=hr_officer)
    with pytest.raises(ValidationError, match="someone else"):
        services.version_approve(version=version, actor=admin_user)
    with pytest.raises(ValidationError, match="someone else"):
        services.version_approve(version=version, actor=hr_officer)
    third_editor = UserFactory()
    assert services.version_approve(version=version, actor=third_editor).status == Status.APPROVED


def test_sending_back_needs_a_comment_and_tells_the_author(hr_officer, admin_user):
    version = SectionVersionFactory(status=Status.IN_REVIEW, author=hr_officer)
    with pytest.raises(ValidationError, match="Say what needs to change"):
        services.version_reject(version=version, actor=admin_user, comment="  ")
    services.version_reject(version=version, actor=admin_user, comment="Add the Oslo rules.")
    version.refresh_from_db()
    assert version.status == Status.DRAFT
    assert version.review_comment == "Add the Oslo rules."
    note = Notification.objects.get(recipient=hr_officer)
    assert note.kind == "handbook_review"
    assert "was sent back" in note.title
    assert note.body == "Add the Oslo rules."
    # Back in draft, the author may change it and submit again.
    services.version_draft_save(
        section=version.section, actor=hr_officer, body="With Oslo", change_summary="Oslo"
    )
    assert services.version_submit(version=version, actor=hr_officer).status == Status.IN_REVIEW


def test_a_section_has_one_draft_at_a_time_and_saving_again_changes_it(hr_officer):
    section = SectionFactory()
    first = services.version_draft_save(
        section=section, actor=hr_officer, body="One", change_summary="a"
    )
    again = services.version_draft_save(
        section=section, actor=hr_officer, body="Two", change_summary="b"
    )
    assert again.pk == first.pk
    assert (again.body, again.number) == ("Two", 1)
    assert section.versions.count() == 1


def test_the_text_cannot_change_while_it_is_in_review(hr_officer):
    section = SectionFactory()
    version = services.version_draft_save(
        section=section, actor=hr_officer, body="One", change_summary="a"
    )
    services.version_submit(version=version, actor=hr_officer)
    with pytest.raises(ValidationError, match="Version 1 is in review"):
        services.version_draft_save(
            section=section, actor=hr_officer, body="Sneaky", change_summary="b"
        )


def test_a_new_version_must_change_the_published_text(hr_officer):
    section = published_section(body="Same words.")
    with pytest.raises(ValidationError, match="same as the published version"):
        services.version_draft_save(
            section=section, actor=hr_officer, body="Same words.\n", change_summary="none"
        )


def test_sub_sections_go_one_level_deep_and_stay_in_their_chapter(hr_officer):
    chapter = ChapterFactory()
    top = services.section_create(
        actor=hr_officer,
        chapter=chapter,
        title="Leave",
        slug="leave",
        owner=hr_officer,
        review_by=datetime.date(2030, 1, 1),
    )
    child = services.section_create(
        actor=hr_officer,
        chapter=chapter,
        parent=top,
        title="Holidays",
        slug="holidays",
        owner=hr_officer,
        review_by=datetime.date(2030, 1, 1),
    )
    assert child.position == 1
    with pytest.raises(ValidationError, match="one level deep"):
        services.section_create(
            actor=hr_officer,
            chapter=chapter,
            parent=child,
            title="Too deep",
            slug="deep",
            owner=hr_officer,
            review_by=datetime.date(2030, 1, 1),
        )
    with pytest.raises(ValidationError, match="same chapter"):
        services.section_create(
            actor=hr_officer,
            chapter=ChapterFactory(),
            parent=top,
            title="Elsewhere",
            slug="elsewhere",
            owner=hr_officer,
            review_by=datetime.date(2030, 1, 1),
        )
    assert Section.objects.count() == 2


def test_a_chapter_cannot_take_the_name_of_a_handbook_page(hr_officer):
    with pytest.raises(ValidationError, match="used by the handbook itself"):
        services.chapter_create(actor=hr_officer, title="Manage", slug="manage")


def test_editing_a_chapter_records_which_fields_changed(hr_officer):
    chapter = services.chapter_create(actor=hr_officer, title="Pay", slug="pay")
    services.chapter_update(
        chapter=chapter,
        actor=hr_officer,
        title="Pay and benefits",
        slug="pay",
        summary="",
        position=chapter.position,
    )
    event = AuditEvent.objects.get(action="handbook.chapter_updated")
    assert event.detail == {"fields": ["title"]}
