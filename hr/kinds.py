"""Notification kinds for personal-data changes."""

from django.utils.translation import gettext_lazy as _

from ess.notifications.kinds import NotificationKind, register_kind

CHANGE_REQUEST = register_kind(
    NotificationKind("hr_change_request", _("My personal-data change requests"))
)
PERSONAL_DATA_SECURITY = register_kind(
    NotificationKind(
        "hr_personal_data_security",
        _("Security notices about my bank account and contact details"),
        mandatory=True,
    )
)
