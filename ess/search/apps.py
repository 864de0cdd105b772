from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "ess.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from ess.search import sections  # noqa: F401
