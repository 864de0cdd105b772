from django.utils.translation import gettext_lazy as _

from ess.accounts.permissions import can_view_access
from ess.portal.sections import Section, register_section

register_section(
    Section(
        key="people-access",
        label=_("People & access"),
        url_name="people:list",
        icon="people",
        description=_("Roles, sign-ins and sessions of everyone in the portal."),
        visible_to=can_view_access,
        order=800,
        group="admin",
    )
)
