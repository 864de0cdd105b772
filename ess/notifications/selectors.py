from django.db.models import QuerySet

from ess.accounts.models import User
from ess.notifications.kinds import all_kinds
from ess.notifications.models import EmailPreference, Notification


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_preference_choices(*, user: User) -> list[tuple[object, bool]]:
    """Every kind with the person's current choice (or the kind's default)."""
    saved = dict(EmailPreference.objects.filter(user=user).values_list("kind", "email_enabled"))
    return [
        (kind, True if kind.mandatory else saved.get(kind.key, kind.email_by_default))
        for kind in all_kinds()
    ]
