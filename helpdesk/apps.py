from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        # Notification kinds, navigation tiles, attachment owners and the catalog's search
        # source register themselves on import; the forms' cached choice lists connect the
        # receivers that renew them.
        from helpdesk import attachments, choices, kinds, search, sections  # noqa: F401
