from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrConfig(AppConfig):
    name = "hr"
    verbose_name = _("HR")

    def ready(self) -> None:
        from ess.content.attachments import register_attachment_owner
        from hr import kinds, sections  # noqa: F401  (notification kinds, navigation)
        from hr.directory import sections as directory_sections  # noqa: F401
        from hr.profile_selectors import can_read_change_request
        from hr.profile_services import change_request_document_read

        register_attachment_owner(
            "hr.changerequest", can_read_change_request, on_read=change_request_document_read
        )

        from ess.search.sources import register_source
        from hr.directory.search import search_documents as people_documents

        register_source("person", people_documents)
