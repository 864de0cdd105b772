from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "ess.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from ess.audit import sections  # noqa: F401
