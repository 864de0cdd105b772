"""Factories for the handbook. `published_section()` gives a section people can read."""

import datetime

import factory
from django.utils import timezone

from handbook.models import Chapter, Section, SectionVersion
from tests.factories import UserFactory

DEFAULT_BODY = "Some text about how we work.\n\n## Details\n\nMore text.\n"


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    title = factory.Sequence(lambda n: f"Chapter {n}")
    slug = factory.Sequence(lambda n: f"chapter-{n}")
    position = factory.Sequence(lambda n: n)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    chapter = factory.SubFactory(ChapterFactory)
    title = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")
    position = factory.Sequence(lambda n: n)
    owner = factory.SubFactory(UserFactory)
    review_by = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=300))


class SectionVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SectionVersion

    section = factory.SubFactory(SectionFactory)
    number = factory.LazyAttribute(lambda o: o.section.versions.count() + 1)
    body = DEFAULT_BODY
    change_summary = "First edition"
    author = factory.SubFactory(UserFactory)
    last_edited_by = factory.SelfAttribute("author")


def publish_version(section: Section, *, body: str, number: int | None = None, **kwargs):
    """Make `body` the section's published text, retiring what was published before."""
    now = timezone.now()
    section.versions.filter(status=SectionVersion.Status.PUBLISHED).update(
        status=SectionVersion.Status.RETIRED, retired_at=now
    )
    version = SectionVersionFactory(
        section=section,
        body=body,
        status=SectionVersion.Status.PUBLISHED,
        published_at=now,
        **({"number": number} if number else {}),
        **kwargs,
    )
    section.current_version = version
    section.save(update_fields=["current_version"])
    return version


def published_section(*, body: str = DEFAULT_BODY, **kwargs) -> Section:
    section = SectionFactory(**kwargs)
    publish_version(section, body=body)
    return section


def draft_section(*, body: str = "A draft nobody reads yet.", **kwargs) -> Section:
    """A section whose only version is a draft."""
    section = SectionFactory(**kwargs)
    SectionVersionFactory(section=section, body=body)
    return section
