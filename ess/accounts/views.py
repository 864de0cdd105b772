from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ess.accounts.forms import LanguageForm
from ess.accounts.services import user_set_language


def account_settings(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(initial={"language": request.user.language})
    return render(request, "accounts/settings.html", {"language_form": form})


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("portal:home")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Save the person's language and switch to it at once."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That language is not available."))
        return HttpResponseRedirect(reverse("accounts:settings"))
    language = form.cleaned_data["language"]
    user_set_language(user=request.user, language=language)
    response = HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    if language:
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    messages.success(request, _("Language saved."))
    return response
