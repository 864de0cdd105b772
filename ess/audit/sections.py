from django.utils.translation import gettext_lazy as _

from ess.audit.permissions import can_read_audit_log
from ess.portal.sections import Section, register_section

register_section(
    Section(
        key="audit",
        label=_("Audit log"),
        url_name="audit:list",
        icon="shield-check",
        description=_("Who did what, and when."),
        visible_to=can_read_audit_log,
        order=900,
        group="admin",
    )
)
