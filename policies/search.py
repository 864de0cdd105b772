"""What the portal search needs to know about policies, without reading our tables itself."""

from collections.abc import Iterator

from ess.content.rendering import plain_text
from policies.models import Policy


def search_documents() -> Iterator[dict]:
    """One document per published policy. `audience` lists who may see it; the search
    filters results by it so nobody sees a title or snippet they cannot open."""
    policies = (
        Policy.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .prefetch_related("audience_departments", "audience_locations", "audience_roles")
    )
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
                    "roles": [g.name for g in policy.audience_roles.all()],
                }
            ),
            "url": policy.get_absolute_url(),
            "updated": version.published_at,
        }
