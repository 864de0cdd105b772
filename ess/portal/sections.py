"""The portal's one extension point for navigation and home-page tiles.

Each app registers its sections in `AppConfig.ready()`. The page frame and the dashboard
list the registered sections the signed-in person may see; no template names an app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise

from ess.accounts.models import User


def _everyone(user: User) -> bool:
    return user.is_authenticated


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    url_name: str
    icon: str = "circle"
    description: str | Promise = ""
    visible_to: Callable[[User], bool] = _everyone
    order: int = 100
    # "main" sections sit in the top navigation and on the home page; "admin" ones in the
    # user menu only.
    group: str = "main"
    # Something waiting for the person here (a count shown on the home tile), if any.
    badge: Callable[[User], int] | None = None

    @property
    def url(self) -> str:
        return _reverse_once(self.url_name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=256)
def _reverse_once(url_name: str, script_prefix: str, urlconf: str | None) -> str:
    # The page frame names every section's URL three times on every page; a section's URL
    # changes only with the script prefix or the URLconf, which are part of the key.
    return reverse(url_name, urlconf=urlconf)


_SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> Section:
    _SECTIONS[section.key] = section
    return section


def sections_for(user: User, *, group: str | None = None) -> list[Section]:
    visible = [
        section
        for section in _SECTIONS.values()
        if (group is None or section.group == group) and section.visible_to(user)
    ]
    return sorted(visible, key=lambda section: (section.order, section.key))
