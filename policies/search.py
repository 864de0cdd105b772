"""What the portal search needs to know about policies, without reading our tables itself."""

from collections.abc import Collection, Iterator

from django.utils import translation

from ess.content.rendering import plain_text
from policies.models import Policy
from policies.permissions import POLICY_EDITOR_ROLES


def search_documents(keys: Collection[str] | None = None) -> Iterator[dict]:
    """One document per published policy. `audience` lists who may see it; the search
    filters results by it so nobody sees a title or snippet they cannot open."""
    policies = (
        Policy.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .prefetch_related("audience_departments", "audience_locations", "audience_roles")
    )
    if keys is not None:
        policies = policies.filter(slug__in=[key.removeprefix("policy:") for key in keys])
    for policy in policies:
        version = policy.current_version
        yield {
            "type": "policy",
            "key": f"policy:{policy.slug}",
            "title": policy.title,
            "text": plain_text(version.body),
            "language": "en",
            "audience": (
                "everyone"
                if policy.audience_everyone
                else {
                    "departments": [d.pk for d in policy.audience_departments.all()],
                    "locations": [loc.pk for loc in policy.audience_locations.all()],
                    # Editors read every policy, so they find every one too.
                    "roles": [g.name for g in policy.audience_roles.all()]
                    + [str(role) for role in POLICY_EDITOR_ROLES],
                }
            ),
            "url": policy.get_absolute_url(),
            "space": "Policies",
            "category": _english(policy.get_category_display),
            "updated": version.published_at,
        }


def _english(label) -> str:
    # Index data stays in one language whoever triggers the indexing.
    with translation.override("en"):
        return str(label())
