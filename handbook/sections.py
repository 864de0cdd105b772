from django.utils.translation import gettext_lazy as _

from ess.portal.sections import Section, register_section

register_section(
    Section(
        key="handbook",
        label=_("Handbook"),
        url_name="handbook:index",
        icon="book",
        description=_("How we work at the company: hours, leave, pay, safety, IT and more."),
        order=300,
    )
)
