from django.utils.translation import gettext_lazy as _

from ess.accounts.roles import Role
from ess.portal.sections import Section, register_section
from hr.benefits.permissions import can_manage_benefits
from hr.benefits.selectors import team_pending_count

register_section(
    Section(
        key="benefits",
        label=_("Benefits"),
        url_name="benefits:home",
        icon="heart-pulse",
        description=_("Health, pension, commuting and other benefits; your dependents."),
        order=350,
    )
)
register_section(
    Section(
        key="benefits-team",
        label=_("Team benefit requests"),
        url_name="benefits:team",
        icon="people",
        description=_("Purchases of extra leave waiting for your approval."),
        visible_to=lambda user: user.is_authenticated and user.has_role(Role.MANAGER),
        order=650,
        group="admin",
        badge=team_pending_count,
    )
)
register_section(
    Section(
        key="benefits-admin",
        label=_("Benefits administration"),
        url_name="benefits:manage",
        icon="heart-pulse",
        description=_("Plans, open enrolment, the enrolment report and life events."),
        visible_to=can_manage_benefits,
        order=660,
        group="admin",
    )
)
