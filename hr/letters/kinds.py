from django.utils.translation import gettext_lazy as _

from ess.notifications.kinds import NotificationKind, register_kind

LETTERS = register_kind(NotificationKind("letters", _("Employment letters I requested")))
LETTER_APPROVALS = register_kind(
    NotificationKind("letter_approvals", _("Letter requests HR must act on"))
)
