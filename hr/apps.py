from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrConfig(AppConfig):
    name = "hr"
    verbose_name = _("HR")

    def ready(self) -> None:
        from hr import kinds, sections  # noqa: F401  (notification kinds, navigation)
        from hr.directory import sections as directory_sections  # noqa: F401
