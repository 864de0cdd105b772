import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ess.audit.models import AuditEvent
from policies import services
from policies.models import Acknowledgement, AcknowledgementRequest, PolicyVersion
from tests.factories import DepartmentFactory, EmployeeFactory, LocationFactory
from tests.policies.factories import TODAY, publish_version, published_policy

pytestmark = pytest.mark.django_db
Status = PolicyVersion.Status


@pytest.fixture
def policy(hr_officer):
    return services.policy_create(
        title="Conduct", slug="conduct", category="general", owner=hr_officer, actor=hr_officer
    )


def _draft(policy, author, significance="major"):
    return services.version_draft(
        policy=policy,
        body="Text",
        change_summary="New",
        significance=significance,
        effective_date=TODAY,
        review_by=TODAY + datetime.timedelta(days=30),
        author=author,
    )


def test_version_moves_through_review_to_publication(policy, hr_officer, admin_user):
    version = _draft(policy, hr_officer)
    services.version_submit(version=version, actor=hr_officer)
    services.version_approve(version=version, reviewer=admin_user)
    services.version_publish(version=version, actor=admin_user, notify_people=False)
    version.refresh_from_db()
    policy.refresh_from_db()
    assert version.status == Status.PUBLISHED
    assert policy.current_version == version == policy.acknowledgement_version
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"policy.version_submit", "policy.version_approve", "policy.version_publish"} <= actions


@pytest.mark.parametrize(
    ("steps", "illegal"),
    [([], "approve"), ([], "publish"), (["submit"], "publish"), (["submit"], "submit")],
)
def test_illegal_transitions_are_refused(policy, hr_officer, admin_user, steps, illegal):
    version = _draft(policy, hr_officer)
    if "submit" in steps:
        services.version_submit(version=version, actor=hr_officer)
    action = {
        "approve": lambda: services.version_approve(version=version, reviewer=admin_user),
        "publish": lambda: services.version_publish(version=version, actor=admin_user),
        "submit": lambda: services.version_submit(version=version, actor=hr_officer),
    }[illegal]
    with pytest.raises(ValidationError, match="cannot be"):
        action()


def test_author_cannot_review_their_own_version(policy, hr_officer):
    version = _draft(policy, hr_officer)
    services.version_submit(version=version, actor=hr_officer)
    with pytest.raises(ValidationError, match="own version"):
        services.version_approve(version=version, reviewer=hr_officer)
    with pytest.raises(ValidationError, match="own version"):
        services.version_reject(version=version, reviewer=hr_officer, comment="no")


def test_reject_needs_a_comment_and_returns_to_draft(policy, hr_officer, admin_user):
    version = _draft(policy, hr_officer)
    services.version_submit(version=version, actor=hr_officer)
    with pytest.raises(ValidationError, match="needs to change"):
        services.version_reject(version=version, reviewer=admin_user, comment=" ")
    services.version_reject(version=version, reviewer=admin_user, comment="Fix section 2")
    version.refresh_from_db()
    assert version.status == Status.DRAFT
    assert version.review_comment == "Fix section 2"


def test_publishing_a_new_version_retires_the_previous(hr_officer, admin_user):
    policy = published_policy(owner=hr_officer, reviewer=admin_user)
    first = policy.current_version
    publish_version(policy, owner=hr_officer, reviewer=admin_user, body="v2", significance="minor")
    first.refresh_from_db()
    assert first.status == Status.RETIRED


def test_audience_by_department_location_and_role(
    hr_officer, admin_user, employee, other_employee, it_agent
):
    from django.contrib.auth.models import Group

    parent = DepartmentFactory()
    child = DepartmentFactory(parent=parent)
    in_child = EmployeeFactory(department=child).user
    oslo = LocationFactory(name="Oslo", country="NO")
    in_oslo = EmployeeFactory(location=oslo).user
    policy = published_policy(
        owner=hr_officer,
        reviewer=admin_user,
        audience_everyone=False,
        departments=[parent],
        locations=[oslo],
        roles=[Group.objects.get(name="it_agent")],
    )
    requested = set(
        AcknowledgementRequest.objects.filter(version=policy.acknowledgement_version).values_list(
            "user_id", flat=True
        )
    )
    assert requested == {in_child.pk, in_oslo.pk, it_agent.pk}


def test_people_joining_the_audience_later_are_asked_too(hr_officer, admin_user, employee):
    policy = published_policy(owner=hr_officer, reviewer=admin_user)
    newcomer = EmployeeFactory().user
    assert not AcknowledgementRequest.objects.filter(user=newcomer).exists()
    assert services.campaigns_sync_all() == 1
    assert AcknowledgementRequest.objects.get(user=newcomer).version == policy.current_version
    assert services.campaigns_sync_all() == 0


def _ack(user, policy):
    version = policy.current_version
    return services.acknowledge(
        user=user, policy=policy, version_number=version.number, text_sha256=version.text_sha256
    )


def test_acknowledgement_binds_to_the_text_shown(hr_officer, admin_user, employee):
    policy = published_policy(owner=hr_officer, reviewer=admin_user)
    with pytest.raises(ValidationError, match="changed while you were reading"):
        services.acknowledge(user=employee, policy=policy, version_number=1, text_sha256="0" * 64)
    ack = _ack(employee, policy)
    assert ack.text_sha256 == policy.current_version.text_sha256
    assert AcknowledgementRequest.objects.get(user=employee).acknowledged_at is not None


def test_acknowledgement_cannot_be_changed_or_deleted(hr_officer, admin_user, employee):
    policy = published_policy(owner=hr_officer, reviewer=admin_user)
    ack = _ack(employee, policy)
    ack.text_sha256 = "forged"
    with pytest.raises(ValidationError):
        ack.save()
    with pytest.raises(ValidationError):
        ack.delete()
    assert Acknowledgement.objects.get(pk=ack.pk).text_sha256 != "forged"


def test_minor_version_keeps_acknowledgements_and_major_asks_again(
    hr_officer, admin_user, employee
):
    from policies.selectors import has_acknowledged_current

    policy = published_policy(owner=hr_officer, reviewer=admin_user)
    _ack(employee, policy)
    publish_version(
        policy, owner=hr_officer, reviewer=admin_user, body="v2 minor", significance="minor"
    )
    policy.refresh_from_db()
    assert has_acknowledged_current(user=employee, policy=policy)
    assert not AcknowledgementRequest.objects.filter(
        user=employee, acknowledged_at__isnull=True
    ).exists()
    publish_version(
        policy, owner=hr_officer, reviewer=admin_user, body="v3 major", significance="major"
    )
    policy.refresh_from_db()
    assert has_acknowledged_current(user=employee, policy=policy) is None
    assert (
        AcknowledgementRequest.objects.get(
            user=employee, acknowledged_at__isnull=True
        ).version.number
        == 3
    )


def test_acknowledging_a_later_minor_version_counts_for_the_major_one(
    hr_officer, admin_user, employee
):
    policy = published_policy(owner=hr_officer, reviewer=admin_user)
    publish_version(policy, owner=hr_officer, reviewer=admin_user, body="v2", significance="minor")
    policy.refresh_from_db()
    _ack(employee, policy)
    request = AcknowledgementRequest.objects.get(user=employee)
    assert request.version.number == 1
    assert request.acknowledged_at is not None


def test_publication_notifies_each_person_once(
    hr_officer, admin_user, employee, django_capture_on_commit_callbacks, mailoutbox
):
    from ess.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        published_policy(owner=hr_officer, reviewer=admin_user, notify_people=True)
    mine = Notification.objects.filter(recipient=employee, kind="policy_acknowledgement")
    assert mine.count() == 1
    assert any(m.to == [employee.email] for m in mailoutbox)


def test_reminders_follow_the_cadence_and_never_twice_a_day(
    hr_officer, admin_user, employee, settings
):
    from ess.notifications.models import Notification

    settings.ESS_POLICY_REMINDER_DAYS = 7
    published_policy(owner=hr_officer, reviewer=admin_user)
    today = timezone.localdate()
    assert services.reminders_send(today=today) == 0  # asked today; not yet time to remind
    later = today + datetime.timedelta(days=7)
    first = services.reminders_send(today=later)
    assert first == AcknowledgementRequest.objects.count()
    assert services.reminders_send(today=later) == 0
    reminders = Notification.objects.filter(
        recipient=employee, dedupe_key__startswith="policy-reminder"
    )
    assert reminders.count() == 1
    assert services.reminders_send(today=later + datetime.timedelta(days=3)) == 0
    assert services.reminders_send(today=later + datetime.timedelta(days=7)) >= 1


def test_search_hook_exposes_published_policies_with_their_audience(hr_officer, admin_user):
    from django.contrib.auth.models import Group

    from policies.search import search_documents

    published_policy(
        owner=hr_officer, reviewer=admin_user, slug="open", body="# Open\n\nFor **everyone**."
    )
    published_policy(
        owner=hr_officer,
        reviewer=admin_user,
        slug="it",
        body="IT only",
        audience_everyone=False,
        roles=[Group.objects.get(name="it_agent")],
    )
    documents = {doc["key"]: doc for doc in search_documents()}
    assert documents["policy:open"]["text"] == "Open\nFor everyone."
    assert documents["policy:open"]["audience"] == "everyone"
    # Editors read every policy, so the search lets them find it too.
    assert documents["policy:it"]["audience"]["roles"] == ["it_agent", "hr_officer", "admin"]
    assert documents["policy:open"]["url"] == "/policies/open/"
