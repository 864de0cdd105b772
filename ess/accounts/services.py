"""Writes for accounts: language preference and role membership."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest

from ess.accounts.models import User
from ess.accounts.roles import Role
from ess.audit.services import audit_record


def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.full_clean(validate_unique=False)
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def role_grant(
    *, user: User, role: Role, actor: User | None = None, request: HttpRequest | None = None
) -> None:
    group = Group.objects.get(name=role)
    if user.groups.filter(pk=group.pk).exists():
        return
    user.groups.add(group)
    audit_record(
        actor=actor, action="role.granted", target=user, request=request, detail={"role": role}
    )


@transaction.atomic
def role_revoke(
    *, user: User, role: Role, actor: User | None = None, request: HttpRequest | None = None
) -> None:
    group = Group.objects.get(name=role)
    if not user.groups.filter(pk=group.pk).exists():
        return
    user.groups.remove(group)
    audit_record(
        actor=actor, action="role.revoked", target=user, request=request, detail={"role": role}
    )


@transaction.atomic
def role_set_members(*, role: Role, user_ids: Iterable[int]) -> tuple[int, int]:
    """Make exactly `user_ids` hold `role`, in bulk; returns (added, removed).

    Used for derived roles such as `manager`, which follows the org chart.
    """
    group = Group.objects.get(name=role)
    through = User.groups.through
    wanted = set(user_ids)
    current = set(through.objects.filter(group=group).values_list("user_id", flat=True))
    to_add = wanted - current
    to_remove = current - wanted
    if to_remove:
        through.objects.filter(group=group, user_id__in=to_remove).delete()
    through.objects.bulk_create(
        [through(group=group, user_id=user_id) for user_id in to_add], batch_size=1000
    )
    return len(to_add), len(to_remove)
