import random
import time

import pytest

from ess.portal.seeding import SeedContext
from ess.search.models import Document
from helpdesk.knowledge.models import Article, ArticleStatus, Audience, Question, ReviewTask
from helpdesk.knowledge.seed import seed_demo as seed_knowledge
from hr.seed import seed_demo as seed_hr

pytestmark = pytest.mark.django_db


def seed(scale: int, django_capture_on_commit_callbacks) -> list[str]:
    lines: list[str] = []
    ctx = SeedContext(rng=random.Random(2026), scale=scale, write=lines.append)
    seed_hr(ctx)
    with django_capture_on_commit_callbacks(execute=True):
        seed_knowledge(ctx)
    return lines


def test_the_demo_knowledge_base_has_everything_a_demo_needs(django_capture_on_commit_callbacks):
    lines = seed(1, django_capture_on_commit_callbacks)

    live = Article.objects.exclude(published_version=None)
    assert live.count() >= 40
    assert set(live.values_list("language", flat=True)) == {"en", "nl", "it", "nb"}
    assert Article.objects.filter(translation_of__isnull=False).count() >= 5
    assert Article.objects.filter(audience=Audience.AGENTS).count() == 2
    assert Article.objects.filter(audience=Audience.RESTRICTED).count() >= 4
    assert Article.objects.filter(status=ArticleStatus.IN_REVIEW).count() == 1
    assert Article.objects.filter(status=ArticleStatus.DRAFT, published_version=None).count() == 1
    assert Article.objects.filter(owner__email="kirsten.editor@northwind.example").exists()
    reasons = set(ReviewTask.objects.filter(closed_at=None).values_list("reason", flat=True))
    assert reasons == {"negative", "comment", "review_due"}
    assert Question.objects.filter(status=Question.Status.OPEN).count() == 1
    assert Question.objects.filter(status=Question.Status.ANSWERED).count() == 1
    assert Article.objects.filter(related__isnull=False).exists()
    assert Document.objects.filter(doc_type="article").count() == live.count()
    assert any(line.startswith("  knowledge: ") for line in lines)


def test_scale_adds_generated_articles_quickly(django_capture_on_commit_callbacks):
    started = time.perf_counter()
    seed(3, django_capture_on_commit_callbacks)

    assert Article.objects.filter(key__startswith="generated-").count() == 150
    assert time.perf_counter() - started < 60
