"""Factories for the knowledge base. `published_article()` gives an article people can read;
articles are made through the services, so versions and pointers are as in real use."""

import factory

from helpdesk.knowledge import services
from helpdesk.knowledge.models import Article, Audience, Category, Space

DEFAULT_BODY = "How to do the thing.\n\n## Steps\n\n1. Open the portal.\n2. Do the thing.\n"


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Space {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class CategoryFactory(factory.django.DjangoModelFactory):
    """A top-level category of a space; pass `parent` for a deeper one."""

    class Meta:
        model = Category

    space = factory.SubFactory(SpaceFactory)
    parent = None
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    path = factory.LazyAttribute(
        lambda o: f"{(o.parent.path if o.parent else o.space.name)} / {o.name}"
    )


_titles = iter(range(1, 10**9))


def draft_article(
    *,
    by=None,
    space: Space | None = None,
    title: str | None = None,
    body: str = DEFAULT_BODY,
    tags=("howto",),
    **kwargs,
) -> Article:
    space = space or (kwargs["category"].space if kwargs.get("category") else SpaceFactory())
    return services.article_create(
        by=by,
        space=space,
        title=title or f"Article {next(_titles)}",
        body=body,
        tags=tags,
        **kwargs,
    )


def published_article(
    *,
    audience: str = Audience.EVERYONE,
    departments=(),
    locations=(),
    roles=(),
    **kwargs,
) -> Article:
    article = draft_article(**kwargs)
    if audience != Audience.EVERYONE:
        services.article_audience_set(
            by=None,
            article=article,
            audience=audience,
            departments=departments,
            locations=locations,
            roles=roles,
        )
    return services.article_publish(by=kwargs.get("by"), article=article)
