from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ess.portal.health import run_checks
from ess.portal.sections import sections_for
from hr.selectors import employee_for_user


def home(request: HttpRequest) -> HttpResponse:
    tiles = sections_for(request.user, group="main")
    context = {
        "employee": employee_for_user(user=request.user),
        "tiles": [(tile, tile.badge(request.user) if tile.badge else 0) for tile in tiles],
    }
    return render(request, "portal/home.html", context)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    # Names and states only: a public probe must not describe the infrastructure.
    results = run_checks()
    healthy = all(state == "ok" for state in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )
