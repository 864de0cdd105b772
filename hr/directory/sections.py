"""Navigation for the directory, org chart and My team (registered from HrConfig.ready)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ess.portal.sections import Section, register_section
from hr.directory.permissions import has_manager_role
from hr.team import team_approval_count


def _waiting_decisions(user) -> int:
    return team_approval_count(user)


register_section(
    Section(
        key="directory",
        label=pgettext_lazy("colleagues", "Directory"),
        url_name="directory:search",
        icon="person-lines-fill",
        description=_("Find a colleague by name, department, job title or office."),
        order=200,
    )
)
register_section(
    Section(
        key="my-team",
        label=_("My team"),
        url_name="directory:team",
        icon="people",
        description=_("Your reports, decisions waiting for you, joiners and anniversaries."),
        visible_to=has_manager_role,
        order=210,
        badge=_waiting_decisions,
    )
)
