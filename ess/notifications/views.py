from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ess.notifications import selectors, services
from ess.notifications.forms import EmailPreferencesForm


def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notification_list(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/notification_list.html", {"page_obj": page})


def bell(request: HttpRequest) -> HttpResponse:
    """The bell's badge, refreshed by htmx so the count stays current without a reload."""
    count = selectors.notification_unread_count(user=request.user)
    return render(request, "notifications/notification_list.html#bell", {"unread_count": count})


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_mark_read(user=request.user, notification_id=pk)
    return redirect("notifications:list")


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications:list")


def preferences(request: HttpRequest) -> HttpResponse:
    choices = selectors.email_preference_choices(user=request.user)
    form = EmailPreferencesForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        services.email_preferences_set(user=request.user, choices=form.cleaned_choices())
        messages.success(request, _("Your e-mail preferences were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
