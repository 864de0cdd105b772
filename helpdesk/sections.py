"""The service desk's tiles: the catalog for everyone, the workspace for agents and the
desk's administration for administrators."""

from django.utils.translation import gettext_lazy as _

from ess.portal.sections import Section, register_section
from helpdesk.permissions import can_manage_desk, is_agent

register_section(
    Section(
        key="helpdesk",
        label=_("Service desk"),
        url_name="helpdesk:home",
        icon="life-preserver",
        description=_("Ask IT, HR, Payroll or Facilities for something, and follow your requests."),
        order=320,
    )
)

register_section(
    Section(
        key="helpdesk_workspace",
        label=_("Agent workspace"),
        url_name="helpdesk:workspace",
        icon="inboxes",
        description=_("Tickets of your queues: filter, assign, answer and resolve."),
        visible_to=is_agent,
        order=325,
    )
)

register_section(
    Section(
        key="helpdesk_admin",
        label=_("Service desk admin"),
        url_name="helpdesk:admin_queues",
        icon="sliders",
        description=_("Queues, business hours, SLA targets, the catalog and canned replies."),
        visible_to=can_manage_desk,
        order=645,
        group="admin",
    )
)
