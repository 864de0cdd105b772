from django import template
from django.conf import settings

from ess.accounts.ldap import ldap_enabled

register = template.Library()


@register.simple_tag(takes_context=True)
def password_form_shown(context) -> bool:
    """The user-name/password form appears for local accounts, LDAP, or break-glass use."""
    request = context["request"]
    return settings.ESS_LOCAL_LOGIN or ldap_enabled() or "break-glass" in request.GET
