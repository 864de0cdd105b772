from django.utils.translation import gettext_lazy as _

from ess.portal.sections import Section, register_section
from hr.letters.permissions import can_manage_letters

register_section(
    Section(
        key="letters",
        label=_("Letters"),
        url_name="letters:mine",
        icon="envelope-paper",
        description=_("Employment confirmations and salary statements, ready to download."),
        order=420,
    )
)
register_section(
    Section(
        key="letter-desk",
        label=_("Letter requests"),
        url_name="letters:queue",
        icon="envelope-check",
        description=_("Approve salary letters, verify codes, edit letter templates."),
        visible_to=can_manage_letters,
        order=660,
        group="admin",
    )
)
