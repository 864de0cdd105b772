"""What the company directory says about a person, whichever protocol brought it.

LDAP entries, OIDC claims and SAML attributes are each turned into one `DirectoryProfile`;
the services then treat all three alike. `ESS_ROLE_MAP` decides which directory groups
grant which portal roles.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ess.accounts.roles import Role


@dataclass(frozen=True)
class DirectoryProfile:
    email: str
    first_name: str = ""
    last_name: str = ""
    employee_number: str = ""
    job_title: str = ""
    department: str = ""
    location: str = ""
    # The manager's key in the same source (an LDAP DN, for example), if the source says.
    manager_key: str = ""
    groups: frozenset[str] = field(default_factory=frozenset)


def parse_role_map(raw: object) -> dict[str, frozenset[str]]:
    """Validate ESS_ROLE_MAP at start-up: known roles, lists of strings, compared lower-case."""
    if not isinstance(raw, dict):
        raise ImproperlyConfigured("ESS_ROLE_MAP must be a JSON object of role -> [values]")
    known = {role.value for role in Role}
    parsed = {}
    for role, values in raw.items():
        if role not in known:
            raise ImproperlyConfigured(
                f"ESS_ROLE_MAP names an unknown role {role!r}; known: {sorted(known)}"
            )
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ImproperlyConfigured(f"ESS_ROLE_MAP[{role!r}] must be a list of strings")
        parsed[role] = frozenset(v.strip().lower() for v in values if v.strip())
    return parsed


def _candidates(value: str) -> set[str]:
    """A group as the map may name it: the whole value, and for a DN also its first CN."""
    value = value.strip().lower()
    found = {value}
    first_rdn = value.split(",", 1)[0]
    if "=" in first_rdn:
        found.add(first_rdn.split("=", 1)[1].strip())
    return found


def roles_for_groups(groups: Iterable[str]) -> set[Role]:
    candidates: set[str] = set()
    for group in groups:
        candidates |= _candidates(group)
    return {Role(role) for role, values in settings.ESS_ROLE_MAP.items() if values & candidates}
