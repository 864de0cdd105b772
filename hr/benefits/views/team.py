"""Managers approve or reject purchases of extra leave by the people below them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ess.accounts.roles import Role
from hr.benefits import selectors, services
from hr.benefits.forms import ExtraLeaveDecisionForm
from hr.benefits.permissions import require


def team(request: HttpRequest) -> HttpResponse:
    require(request.user.has_role(Role.MANAGER))
    return render(
        request,
        "benefits/team.html",
        {"requests": selectors.team_pending_extra_leave(user=request.user)},
    )


@require_POST
def team_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    require(action in ("approve", "reject"))
    election = selectors.team_election_for_decider(user=request.user, pk=pk)
    form = ExtraLeaveDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("benefits:team")
    try:
        services.extra_leave_decide(
            election=election,
            decider=request.user,
            approve=action == "approve",
            seen_at=form.cleaned_data["seen"],
            note=form.cleaned_data["note"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = election.employee.user.get_full_name() or election.employee.user.email
        if action == "approve":
            messages.success(request, _("Approved the request of %(name)s.") % {"name": name})
        else:
            messages.success(request, _("Rejected the request of %(name)s.") % {"name": name})
    return redirect("benefits:team")
