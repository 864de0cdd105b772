from django.utils.translation import gettext_lazy as _

from ess.portal.sections import Section, register_section
from policies.permissions import can_read_compliance
from policies.selectors import open_request_count

register_section(
    Section(
        key="policies",
        label=_("Policies"),
        url_name="policies:list",
        icon="file-earmark-check",
        description=_("Company policies, and the ones waiting for your acknowledgement."),
        order=300,
        badge=open_request_count,
    )
)
register_section(
    Section(
        key="policy-compliance",
        label=_("Policy compliance"),
        url_name="policies:compliance",
        icon="clipboard-data",
        description=_("Who has acknowledged which policy."),
        visible_to=can_read_compliance,
        order=700,
        group="admin",
    )
)
