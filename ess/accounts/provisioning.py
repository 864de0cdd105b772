"""Just-in-time provisioning: the directory's view of a person becomes a user, an employment
record and roles — the same way for LDAP, OpenID Connect and SAML."""

from django.db import transaction
from django.http import HttpRequest

from ess.accounts.directory import DirectoryProfile, roles_for_groups
from ess.accounts.models import DirectoryIdentity, User
from ess.accounts.services import directory_roles_apply
from ess.audit.services import audit_record
from hr.models import Employee
from hr.services import employee_upsert_from_directory


def _manager_for(profile: DirectoryProfile) -> Employee | None:
    if not profile.manager_key:
        return None
    identity = (
        DirectoryIdentity.objects.filter(dn__iexact=profile.manager_key)
        .select_related("user__employee")
        .first()
    )
    return getattr(identity.user, "employee", None) if identity else None


@transaction.atomic
def directory_user_upsert(
    *,
    user: User | None,
    profile: DirectoryProfile,
    source_label: str,
    request: HttpRequest | None = None,
) -> User:
    """Create (user=None) or refresh a person from the directory, with roles recomputed."""
    if user is None:
        user = User(
            email=profile.email.lower(),
            first_name=profile.first_name[:150],
            last_name=profile.last_name[:150],
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        audit_record(
            actor=None,
            action="user.provisioned",
            target=user,
            request=request,
            detail={"source": source_label},
        )
    else:
        changed = []
        for field in ("first_name", "last_name"):
            value = getattr(profile, field)[:150]
            if value and getattr(user, field) != value:
                setattr(user, field, value)
                changed.append(field)
        email = profile.email.lower()
        if email and email != user.email and not User.objects.filter(email=email).exists():
            user.email = email
            changed.append("email")
        if changed:
            user.save(update_fields=changed)
    employee_upsert_from_directory(
        user=user,
        employee_number=profile.employee_number,
        job_title=profile.job_title,
        department_name=profile.department,
        location_name=profile.location,
        manager=_manager_for(profile),
    )
    directory_roles_apply(
        user=user,
        roles=roles_for_groups(profile.groups),
        source_label=source_label,
        request=request,
    )
    return user
