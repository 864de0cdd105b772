import datetime

from policies import services
from policies.models import Policy, PolicyVersion

TODAY = datetime.date(2026, 11, 2)


def published_policy(
    *,
    owner,
    reviewer,
    slug="conduct",
    body="# Conduct\n\nBe kind.",
    significance=PolicyVersion.Significance.MAJOR,
    notify_people=False,
    acknowledge_by=None,
    **audience,
) -> Policy:
    policy = Policy.objects.filter(slug=slug).first() or services.policy_create(
        title=slug.title(), slug=slug, category="general", owner=owner, actor=owner, **audience
    )
    publish_version(
        policy,
        owner=owner,
        reviewer=reviewer,
        body=body,
        significance=significance,
        notify_people=notify_people,
        acknowledge_by=acknowledge_by,
    )
    policy.refresh_from_db()
    return policy


def publish_version(
    policy, *, owner, reviewer, body, significance, notify_people=False, acknowledge_by=None
) -> PolicyVersion:
    version = services.version_draft(
        policy=policy,
        body=body,
        change_summary="Changed.",
        significance=significance,
        effective_date=TODAY,
        review_by=TODAY + datetime.timedelta(days=365),
        author=owner,
    )
    services.version_submit(version=version, actor=owner)
    services.version_approve(version=version, reviewer=reviewer)
    return services.version_publish(
        version=version, actor=reviewer, notify_people=notify_people, acknowledge_by=acknowledge_by
    )
