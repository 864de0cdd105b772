"""The service desk's notification kinds (people choose per kind whether they get e-mail)."""

from django.utils.translation import gettext_lazy as _

from ess.notifications.kinds import NotificationKind, register_kind

TICKET = register_kind(
    NotificationKind("helpdesk.ticket", _("Updates on my service desk requests"))
)
APPROVAL = register_kind(
    NotificationKind("helpdesk.approval", _("Service desk requests waiting for my approval"))
)
ASSIGNED = register_kind(
    NotificationKind("helpdesk.assigned", _("Service desk tickets assigned to me"))
)
SLA = register_kind(
    NotificationKind("helpdesk.sla", _("Service desk tickets close to or past their deadline"))
)
APPOINTMENT = register_kind(
    NotificationKind("helpdesk.appointment", _("Appointments with the service desk"))
)
