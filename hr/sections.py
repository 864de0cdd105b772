"""Navigation for My profile and the HR change-request queue."""

from django.utils.translation import gettext_lazy as _

from ess.portal.sections import Section, register_section
from hr.permissions import is_hr
from hr.profile_selectors import change_request_queue_count

register_section(
    Section(
        key="my-profile",
        label=_("My profile"),
        url_name="hr:profile",
        icon="person-vcard",
        description=_("Your personal and job data, and changes you asked HR to make."),
        order=150,
    )
)
register_section(
    Section(
        key="hr-change-requests",
        label=_("Change requests"),
        url_name="hr:queue",
        icon="inboxes",
        description=_("Personal-data changes waiting for an HR decision."),
        visible_to=is_hr,
        order=650,
        badge=change_request_queue_count,
    )
)
