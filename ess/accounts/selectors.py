from allauth.usersessions.models import UserSession
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from ess.accounts.models import RoleGrant, User
from ess.accounts.permissions import can_view_access, require
from ess.audit.models import AuditEvent


def people_with_access(*, viewer: User) -> QuerySet[User]:
    require(can_view_access(viewer))
    return User.objects.prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role", "source"))
    ).select_related("employee__department")


def people_search(queryset: QuerySet[User], text: str) -> QuerySet[User]:
    for word in text.split()[:5]:
        queryset = queryset.filter(
            Q(email__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(employee__employee_number__iexact=word)
        )
    return queryset


def person_access(*, viewer: User, pk: int) -> dict:
    """Everything the People & access page shows about one person."""
    person = get_object_or_404(people_with_access(viewer=viewer), pk=pk)
    last_sign_in = (
        AuditEvent.objects.filter(action="auth.login", actor=person)
        .order_by("-occurred_at")
        .first()
    )
    return {
        "person": person,
        "grants": list(person.role_grants.all()),
        "held_roles": sorted(person.groups.values_list("name", flat=True)),
        "last_sign_in": last_sign_in,
        "sessions": list(UserSession.objects.filter(user=person).order_by("-last_seen_at")),
        "history": list(
            AuditEvent.objects.filter(target_type="accounts.user", target_id=str(person.pk))
            .filter(action__regex=r"^(role|user|auth)\.")
            .order_by("-occurred_at")[:20]
        ),
    }
