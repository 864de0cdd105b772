from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        from ess.content.attachments import register_attachment_owner
        from policies import kinds, sections  # noqa: F401  (notification kinds, navigation)
        from policies.selectors import can_read_version

        register_attachment_owner("policies.policyversion", can_read_version)

        from ess.search.sources import register_source
        from policies.search import search_documents

        register_source("policy", search_documents)
