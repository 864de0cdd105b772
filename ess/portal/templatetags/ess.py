from decimal import Decimal

from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str | None = None) -> str:
    """Format an amount in the active language: € 1.234,50 in Dutch, €1,234.50 in English."""
    if amount is None:
        return "—"
    locale = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
    return format_currency(amount, currency or settings.DEFAULT_CURRENCY, locale=locale)


@register.simple_tag(takes_context=True)
def safe_next(context, fallback: str = "/") -> str:
    """The current page as a `next` value, or the fallback for anything off-site."""
    request = context["request"]
    candidate = request.get_full_path()
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return fallback
