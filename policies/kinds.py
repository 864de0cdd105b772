from django.utils.translation import gettext_lazy as _

from ess.notifications.kinds import NotificationKind, register_kind

POLICY_ACKNOWLEDGEMENT = register_kind(
    NotificationKind("policy_acknowledgement", _("Policies to read and acknowledge"))
)
CONTENT_REVIEW = register_kind(
    NotificationKind("content_review", _("Content I own that needs a review"))
)
