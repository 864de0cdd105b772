from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "ess.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from ess.portal import checks  # noqa: F401  (registers the deployment checks)
