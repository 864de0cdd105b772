from django.utils.translation import gettext_lazy as _

from ess.portal.sections import Section, register_section
from handbook.selectors import versions_in_review_count

register_section(
    Section(
        key="handbook",
        label=_("Handbook"),
        url_name="handbook:index",
        icon="book",
        description=_("How we work: hours and leave, pay, safety, IT, travel and more."),
        order=320,
        # Editors see how many versions wait for review; readers see no badge (and no query).
        badge=lambda user: versions_in_review_count(user=user),
    )
)
