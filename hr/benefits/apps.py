from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "hr.benefits"
    label = "benefits"
    verbose_name = _("Benefits")

    def ready(self) -> None:
        from ess.content.attachments import register_attachment_owner
        from hr.benefits import kinds, sections  # noqa: F401  (notification kinds, navigation)
        from hr.benefits.selectors import can_read_life_event, team_pending_count
        from hr.benefits.team import pending_extra_leave
        from hr.team import register_team_approvals

        register_team_approvals(
            "benefits.extra_leave", pending_extra_leave, count=team_pending_count
        )
        register_attachment_owner("benefits.lifeevent", can_read_life_event)
