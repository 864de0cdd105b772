from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# One module per audience; each registers its report when imported.
REPORT_MODULES = ("team", "hr", "desk", "knowledge", "payroll")


class ReportsConfig(AppConfig):
    name = "ess.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        import importlib

        from ess.reports import (
            digests,  # noqa: F401  (registers the notification kind)
            sections,  # noqa: F401
        )

        for module in REPORT_MODULES:
            importlib.import_module(f"ess.reports.{module}")
