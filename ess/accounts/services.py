"""Writes for accounts: language, roles (with their source) and ending access."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest

from ess.accounts.models import RoleGrant, User
from ess.accounts.roles import ALL_ROLES, Role
from ess.audit.services import audit_record
from hr.models import Employee

ROLE_NAMES = frozenset(role.value for role in ALL_ROLES)


def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.full_clean(validate_unique=False)
    user.save(update_fields=["language"])
    return user


def _derived_roles(user: User) -> set[str]:
    """Roles that follow from the organisation rather than from a grant."""
    derived = set()
    if Employee.objects.filter(user=user).exists():
        derived.add(Role.EMPLOYEE.value)
    if Employee.objects.filter(manager__user=user).exists():
        derived.add(Role.MANAGER.value)
    return derived


@transaction.atomic
def role_membership_sync(*, user: User) -> tuple[set[str], set[str]]:
    """Make the user's role groups match their grants plus derived roles.

    Returns (added, removed) role names.
    """
    granted = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    wanted = granted | _derived_roles(user)
    current = set(user.groups.filter(name__in=ROLE_NAMES).values_list("name", flat=True))
    added, removed = wanted - current, current - wanted
    if added:
        user.groups.add(*Group.objects.filter(name__in=added))
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
    user.__dict__.pop("role_names", None)
    return added, removed


@transaction.atomic
def role_grant(
    *, user: User, role: Role, actor: User | None = None, request: HttpRequest | None = None
) -> RoleGrant:
    """Give a role by hand. It stays until revoked by hand, whatever the directory says."""
    grant, created = RoleGrant.objects.get_or_create(
        user=user, role=role, source=RoleGrant.Source.MANUAL, defaults={"granted_by": actor}
    )
    if created:
        role_membership_sync(user=user)
        audit_record(
            actor=actor,
            action="role.granted",
            target=user,
            request=request,
            detail={"role": str(role), "source": "manual"},
        )
    return grant


@transaction.atomic
def role_revoke(
    *, user: User, role: Role, actor: User | None = None, request: HttpRequest | None = None
) -> bool:
    """Take back a hand-given role. A directory grant of the same role is left alone."""
    deleted, _ = RoleGrant.objects.filter(
        user=user, role=role, source=RoleGrant.Source.MANUAL
    ).delete()
    if deleted:
        role_membership_sync(user=user)
        audit_record(
            actor=actor,
            action="role.revoked",
            target=user,
            request=request,
            detail={"role": str(role), "source": "manual"},
        )
    return bool(deleted)


@transaction.atomic
def directory_roles_apply(
    *, user: User, roles: Iterable[Role], source_label: str, request: HttpRequest | None = None
) -> tuple[set[str], set[str]]:
    """Replace the user's directory-given roles with `roles` (gained and lost, both audited)."""
    wanted = {str(role) for role in roles}
    existing = set(
        RoleGrant.objects.filter(user=user, source=RoleGrant.Source.DIRECTORY).values_list(
            "role", flat=True
        )
    )
    gained, lost = wanted - existing, existing - wanted
    if lost:
        RoleGrant.objects.filter(
            user=user, source=RoleGrant.Source.DIRECTORY, role__in=lost
        ).delete()
    RoleGrant.objects.bulk_create(
        [RoleGrant(user=user, role=role, source=RoleGrant.Source.DIRECTORY) for role in gained]
    )
    role_membership_sync(user=user)
    for action, changed in (("role.directory_granted", gained), ("role.directory_revoked", lost)):
        for role in sorted(changed):
            audit_record(
                actor=None,
                action=action,
                target=user,
                request=request,
                detail={"role": role, "source": source_label},
            )
    return gained, lost


def sessions_end(*, user: User) -> int:
    """End every portal session of the user, on every web node (sessions live in the DB)."""
    from allauth.usersessions.models import UserSession

    sessions = list(UserSession.objects.filter(user=user))
    for session in sessions:
        session.end()
    return len(sessions)


@transaction.atomic
def user_deactivate(
    *, user: User, reason: str, actor: User | None = None, request: HttpRequest | None = None
) -> User:
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = sessions_end(user=user)
    audit_record(
        actor=actor,
        action="user.deactivated",
        target=user,
        request=request,
        detail={"reason": reason, "sessions_ended": ended},
    )
    return user


def user_reactivate(*, user: User, reason: str, actor: User | None = None) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, action="user.reactivated", target=user, detail={"reason": reason})
    return user


def role_set_members(*, role: Role, user_ids: Iterable[int]) -> tuple[int, int]:
    """Make exactly `user_ids` hold `role`, in bulk; returns (added, removed).

    For derived roles that follow the org chart; grants of the role must be part of
    `user_ids` (see hr.services.manager_role_sync).
    """
    group = Group.objects.get(name=role)
    through = User.groups.through
    wanted = set(user_ids)
    current = set(through.objects.filter(group=group).values_list("user_id", flat=True))
    to_add, to_remove = wanted - current, current - wanted
    if to_remove:
        through.objects.filter(group=group, user_id__in=to_remove).delete()
    through.objects.bulk_create(
        [through(group=group, user_id=user_id) for user_id in to_add], batch_size=1000
    )
    return len(to_add), len(to_remove)


def sessions_revoke(*, user: User, actor: User, request: HttpRequest | None = None) -> int:
    """An administrator ends someone's sessions (a lost laptop, a suspected takeover)."""
    ended = sessions_end(user=user)
    audit_record(
        actor=actor,
        action="user.sessions_revoked",
        target=user,
        request=request,
        detail={"sessions_ended": ended},
    )
    return ended
