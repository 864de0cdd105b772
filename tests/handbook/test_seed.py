import random

import pytest

from ess.portal.seeding import SeedContext
from handbook.models import Chapter, HandbookPdf, Section, SectionVersion
from handbook.seed import seed_demo as seed_handbook
from handbook.selectors import stale_sections
from hr.seed import seed_demo as seed_hr

pytestmark = pytest.mark.django_db


def test_the_demo_handbook_is_published_with_something_stale_and_something_in_review(
    django_capture_on_commit_callbacks,
):
    lines: list[str] = []
    ctx = SeedContext(rng=random.Random(2026), scale=1, write=lines.append)
    seed_hr(ctx)
    with django_capture_on_commit_callbacks(execute=True):
        seed_handbook(ctx)

    chapters = list(Chapter.objects.prefetch_related("sections"))
    assert len(chapters) >= 8
    for chapter in chapters:
        top = [s for s in chapter.sections.all() if s.parent_id is None]
        assert 2 <= len(top) <= 4, chapter.title
    assert not Section.objects.filter(current_version__isnull=True).exists()
    assert Section.objects.filter(parent__isnull=False).exists()
    assert [s.slug for s in stale_sections()] == ["travelling-safely"]
    assert SectionVersion.objects.filter(status=SectionVersion.Status.IN_REVIEW).count() == 1
    assert SectionVersion.objects.filter(status=SectionVersion.Status.RETIRED).count() == 1
    # Chapters are owned by the heads of the departments behind them.
    it = Section.objects.filter(chapter__slug="it-and-security").first()
    assert it.owner.employee.job_title == "Chief Information Officer"
    # One PDF, built once after the seed committed.
    assert HandbookPdf.objects.get().status == HandbookPdf.Status.READY
    assert any(line.startswith("  handbook: 8 chapters") for line in lines)
