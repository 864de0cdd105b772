from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "hr.letters"
    label = "letters"
    verbose_name = _("Employment letters")

    def ready(self) -> None:
        from ess.crypto import register_rotation
        from hr.letters import kinds, sections  # noqa: F401  (notification kinds, navigation)
        from hr.letters.services import pdf_keys_rotate

        register_rotation("letters.pdf", pdf_keys_rotate)
