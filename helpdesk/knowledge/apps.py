from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "helpdesk.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from ess.search.sources import register_source
        from helpdesk.knowledge import kinds, sections  # noqa: F401  (notification kinds, navigation)
        from helpdesk.knowledge.search import search_documents

        register_source("article", search_documents)
