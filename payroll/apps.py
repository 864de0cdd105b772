from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = _("Payroll")

    def ready(self) -> None:
        from ess.crypto import register_rotation
        from payroll import kinds, sections  # noqa: F401  (notification kinds, navigation)
        from payroll.services import pdf_keys_rotate

        register_rotation("payroll.pdf", pdf_keys_rotate)
