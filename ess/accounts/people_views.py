"""People & access: find a person, see their roles and sessions, change hand-given roles."""

from functools import wraps

import django_filters
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from ess.accounts import selectors, services
from ess.accounts.decorators import sensitive_change
from ess.accounts.models import User
from ess.accounts.permissions import can_manage_roles, can_revoke_sessions, require
from ess.accounts.roles import ROLE_LABELS, Role
from ess.accounts.tables import PeopleAccessTable
from ess.portal.tables import SafeOrderingMixin

GRANTABLE = [
    (role.value, ROLE_LABELS[role]) for role in Role if role not in (Role.EMPLOYEE, Role.MANAGER)
]


class PeopleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=gettext_lazy("Name, e-mail or number"), method="filter_text"
    )
    role = django_filters.ChoiceFilter(
        label=gettext_lazy("Role"),
        field_name="groups__name",
        choices=[(role.value, ROLE_LABELS[role]) for role in Role],
    )
    is_active = django_filters.BooleanFilter(label=gettext_lazy("Active"))

    class Meta:
        model = User
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        return selectors.people_search(queryset, value)


class PeopleAccessListView(SafeOrderingMixin, ExportMixin, SingleTableMixin, FilterView):
    template_name = "accounts/people_list.html"
    table_class = PeopleAccessTable
    filterset_class = PeopleFilter
    paginate_by = 50
    export_formats = ("csv", "xlsx")
    export_name = "people-and-access"

    def get_queryset(self):
        return selectors.people_with_access(viewer=self.request.user)


class GrantRoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=GRANTABLE)


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = selectors.person_access(viewer=request.user, pk=pk)
    context.update(
        grant_form=GrantRoleForm(),
        can_manage_roles=can_manage_roles(request.user),
        can_revoke_sessions=can_revoke_sessions(request.user),
    )
    return render(request, "accounts/people_detail.html", context)


def _person(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(selectors.people_with_access(viewer=request.user), pk=pk)


def _role_managers_only(view):
    """Refuse (404) before asking for the password: a stranger learns nothing."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        require(can_manage_roles(request.user))
        return view(request, *args, **kwargs)

    return wrapper


@require_POST
@_role_managers_only
@sensitive_change
def grant_role(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = GrantRoleForm(request.POST)
    if form.is_valid():
        role = Role(form.cleaned_data["role"])
        services.role_grant(user=person, role=role, actor=request.user, request=request)
        messages.success(request, _("Role %(role)s granted.") % {"role": ROLE_LABELS[role]})
    else:
        messages.error(request, _("Choose one of the listed roles."))
    return redirect("people:detail", pk=person.pk)


@require_POST
@_role_managers_only
@sensitive_change
def revoke_role(request: HttpRequest, pk: int, role: str) -> HttpResponse:
    person = _person(request, pk)
    if role not in {value for value, _label in GRANTABLE}:
        messages.error(request, _("That role cannot be revoked here."))
    elif services.role_revoke(user=person, role=Role(role), actor=request.user, request=request):
        messages.success(request, _("Hand-given role %(role)s revoked.") % {"role": role})
    return redirect("people:detail", pk=person.pk)


@require_POST
def revoke_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(can_revoke_sessions(request.user))
    ended = services.sessions_revoke(user=person, actor=request.user, request=request)
    messages.success(request, _("%(count)d sessions ended.") % {"count": ended})
    return redirect("people:detail", pk=person.pk)
