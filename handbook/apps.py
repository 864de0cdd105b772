from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandbookConfig(AppConfig):
    name = "handbook"
    verbose_name = _("Employee handbook")

    def ready(self) -> None:
        from ess.search.sources import register_source
        from handbook import kinds, sections  # noqa: F401  (notification kind, navigation)
        from handbook.search import search_documents

        register_source("handbook", search_documents)
