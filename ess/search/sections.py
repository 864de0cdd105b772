"""Navigation entries for knowledge gaps and search analytics.

Search itself is no tile: the search box sits in every page's header.
"""

from django.utils.translation import gettext_lazy as _

from ess.portal.sections import Section, register_section
from ess.search.permissions import can_manage_search, can_view_search_analytics

register_section(
    Section(
        key="search_gaps",
        label=_("Knowledge gaps"),
        url_name="search:gaps",
        icon="search",
        description=_("What people searched for and did not find."),
        visible_to=can_manage_search,
        order=610,
        group="admin",
    )
)
register_section(
    Section(
        key="search_analytics",
        label=_("Search analytics"),
        url_name="search:analytics",
        icon="bar-chart",
        description=_("How often people search, find and open what they looked for."),
        visible_to=can_view_search_analytics,
        order=620,
        group="admin",
    )
)
register_section(
    Section(
        key="search_synonyms",
        label=_("Search synonyms"),
        url_name="search:synonyms",
        icon="arrow-left-right",
        description=_("Words that mean the same to the search engine."),
        visible_to=can_manage_search,
        order=630,
        group="admin",
    )
)
