"""Explicit grants on single objects (django-guardian), audited.

Ownership ("my payslip", "tickets I requested") is a queryset filter in each app's
selectors; guardian is for the exceptions: a confidential case shared with one officer, a
knowledge space opened to one team. Apps with many such rows declare direct foreign-key
permission models (guardian's `UserObjectPermissionBase` / `GroupObjectPermissionBase`)
for their object, so lookups join one small table instead of the generic one.
"""

from django.contrib.auth.models import Group
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from ess.accounts.models import User
from ess.audit.services import audit_record


def _audit_change(
    action: str,
    *,
    perm: str,
    obj: models.Model,
    to: User | Group,
    actor: User | None,
    request: HttpRequest | None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=obj,
        request=request,
        detail={"perm": perm, "to": f"{to._meta.model_name}:{to.pk}"},
    )


def object_permission_grant(
    *,
    perm: str,
    obj: models.Model,
    to: User | Group,
    actor: User | None,
    request: HttpRequest | None = None,
) -> None:
    assign_perm(perm, to, obj)
    _audit_change("permission.granted", perm=perm, obj=obj, to=to, actor=actor, request=request)


def object_permission_revoke(
    *,
    perm: str,
    obj: models.Model,
    to: User | Group,
    actor: User | None,
    request: HttpRequest | None = None,
) -> None:
    remove_perm(perm, to, obj)
    _audit_change("permission.revoked", perm=perm, obj=obj, to=to, actor=actor, request=request)


def objects_granted_to(*, user: User, perm: str, queryset: QuerySet) -> QuerySet:
    """The objects of `queryset` the user holds `perm` on, directly or through a group:
    a fixed number of queries, usable as a filter in selectors (never one check per row)."""
    return get_objects_for_user(user, perm, klass=queryset, accept_global_perms=False)
