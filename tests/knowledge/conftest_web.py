"""Builders for the knowledge base page tests: articles made through the services, as an
editor would make them, so the pages see exactly what production data looks like."""

from django.contrib.auth.models import Group

from helpdesk.knowledge import services
from helpdesk.knowledge.models import Article, Audience, Category, Space


def space_make(name: str = "IT", slug: str = "it") -> Space:
    return Space.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def category_make(space: Space, path: str) -> Category:
    """A category by its full path below the space ("Devices / Laptops"), parents included."""
    parent = None
    names = path.split(" / ")
    for depth, name in enumerate(names, start=1):
        full = " / ".join([space.name, *names[:depth]])
        parent, _ = Category.objects.get_or_create(
            path=full,
            defaults={
                "space": space,
                "parent": parent,
                "name": name,
                "slug": name.lower().replace(" ", "-"),
            },
        )
    return parent


def article_make(
    *,
    by,
    title: str = "Connect to the VPN",
    body: str = "Open the VPN client and sign in.",
    space: Space | None = None,
    category: Category | None = None,
    tags=("vpn",),
    language: str = "en",
    publish: bool = True,
    audience: str = Audience.EVERYONE,
    departments=(),
    locations=(),
    roles=(),
    owner=None,
) -> Article:
    article = services.article_create(
        by=by,
        space=space or space_make(),
        category=category,
        title=title,
        body=body,
        tags=list(tags),
        language=language,
        owner=owner or by,
    )
    if audience != Audience.EVERYONE:
        services.article_audience_set(
            by=by,
            article=article,
            audience=audience,
            departments=departments,
            locations=locations,
            roles=[Group.objects.get(name=role) for role in roles],
        )
    if publish:
        services.article_publish(by=by, article=article)
    article.refresh_from_db()
    return article
