from django.utils.translation import gettext_lazy as _

from ess.notifications.kinds import NotificationKind, register_kind

BENEFITS_DECISION = register_kind(
    NotificationKind("benefits_decision", _("Decisions on my benefits and life events"))
)
BENEFITS_TEAM_APPROVAL = register_kind(
    NotificationKind("benefits_team_approval", _("Benefit requests from my team to approve"))
)
