from django.utils.translation import gettext_lazy as _

from ess.notifications.kinds import NotificationKind, register_kind

HANDBOOK_REVIEW = register_kind(
    NotificationKind("handbook_review", _("Handbook sections I own or review"))
)
