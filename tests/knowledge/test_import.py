"""Importing articles from JSON Lines: every problem is reported with its line, a file with
any problem writes nothing, and importing the same file again changes nothing."""

import json
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from helpdesk.knowledge.importing import BODY_MAX_BYTES, kb_import_lines
from helpdesk.knowledge.models import Article, ArticleStatus, Category, Space
from tests.knowledge.factories import published_article

EVAL_CORPUS = Path("/work/shared/eval/search/articles.jsonl")


def line(**fields) -> str:
    article = {
        "key": "wifi",
        "title": "Connect to the office Wi-Fi",
        "body": "Pick **Northwind** and sign in.",
        "category": "IT / Network",
        "language": "en",
        "tags": ["wifi", "network"],
    }
    article.update(fields)
    return json.dumps({name: value for name, value in article.items() if value is not ...})


@pytest.fixture
def refreshed(monkeypatch):
    """The keys each search-index refresh was asked for."""
    calls: list[list[str]] = []
    monkeypatch.setattr("helpdesk.knowledge.services._index_refresh", calls.append)
    return calls


def test_import_creates_published_articles_with_spaces_and_categories(
    db, kb_editor, refreshed, django_capture_on_commit_callbacks
):
    lines = [
        line(),
        line(key="vpn", title="VPN", category="IT / Network / Remote", tags=["vpn"]),
        line(key="conduct", title="Code of conduct", category="Policies", tags=[]),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = kb_import_lines(lines, owner=kb_editor)

    assert report.ok
    assert report.created == ["wifi", "vpn", "conduct"]
    wifi = Article.objects.get(key="wifi")
    assert wifi.status == ArticleStatus.PUBLISHED
    assert wifi.published_version == wifi.latest_version
    assert wifi.published_version.title == "Connect to the office Wi-Fi"
    assert sorted(tag.name for tag in wifi.published_version.tags.all()) == ["network", "wifi"]
    assert wifi.owner == kb_editor
    assert wifi.review_by is not None
    assert set(Space.objects.values_list("name", flat=True)) == {"IT", "Policies"}
    assert list(Category.objects.values_list("path", flat=True)) == [
        "IT / Network",
        "IT / Network / Remote",
    ]
    remote = Category.objects.get(path="IT / Network / Remote")
    assert remote.parent.path == "IT / Network"
    assert Article.objects.get(key="conduct").category is None
    assert refreshed == [["conduct", "vpn", "wifi"]]  # one refresh for the whole file


def test_reimporting_the_same_file_changes_nothing(db, refreshed):
    lines = [line(), line(key="vpn", title="VPN")]
    kb_import_lines(lines)

    report = kb_import_lines(lines)

    assert report.created == []
    assert report.updated == []
    assert report.unchanged == ["wifi", "vpn"]
    assert Article.objects.get(key="wifi").versions.count() == 1


def test_a_changed_line_makes_a_new_published_version(db, refreshed):
    kb_import_lines([line()])

    report = kb_import_lines([line(body="Pick **Northwind-Staff** now.", tags=["wifi"])])

    assert report.updated == ["wifi"]
    wifi = Article.objects.get(key="wifi")
    assert wifi.versions.count() == 2
    assert wifi.published_version.number == 2
    assert wifi.published_version.body == "Pick **Northwind-Staff** now."
    assert [tag.name for tag in wifi.published_version.tags.all()] == ["wifi"]


def test_a_changed_category_alone_updates_the_article_without_a_new_version(db, refreshed):
    kb_import_lines([line()])

    report = kb_import_lines([line(category="IT / Devices")])

    assert report.updated == ["wifi"]
    wifi = Article.objects.get(key="wifi")
    assert wifi.category.path == "IT / Devices"
    assert wifi.versions.count() == 1


def test_import_republishes_an_article_an_editor_left_in_draft(db, refreshed):
    kb_import_lines([line()])
    wifi = Article.objects.get(key="wifi")
    from helpdesk.knowledge import services

    services.article_archive(by=None, article=wifi)

    report = kb_import_lines([line()])

    wifi.refresh_from_db()
    assert report.updated == ["wifi"]
    assert wifi.status == ArticleStatus.PUBLISHED
    assert wifi.published_version == wifi.latest_version


def test_a_translation_may_come_before_its_original(db, refreshed):
    lines = [
        line(key="wifi-nl", title="Wifi op kantoor", language="nl", translation_of="wifi"),
        line(),
    ]

    report = kb_import_lines(lines)

    assert report.ok, report.problems
    assert Article.objects.get(key="wifi-nl").translation_of.key == "wifi"


def test_a_translation_may_name_an_original_already_in_the_knowledge_base(db, refreshed):
    published_article(key="wifi", title="Wi-Fi")

    report = kb_import_lines([line(key="wifi-it", language="it", translation_of="wifi")])

    assert report.ok, report.problems
    assert Article.objects.get(key="wifi-it").translation_of.key == "wifi"


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ("[1, 2]", "line 2: each line must be a JSON object"),
        (line(key=...), "line 2: “key” is missing"),
        (line(key="vpn", title="  "), "line 2: “title” is empty"),
        (line(key="vpn", body=...), "line 2: “body” is missing"),
        (line(key="vpn", category=""), "line 2: “category” is empty"),
        (line(key="vpn", title=7), "line 2: “title” must be a string"),
        (line(key="vpn/../x"), "line 2: the key “vpn/../x” may hold only"),
        (line(), "line 2: the key “wifi” is already used on line 1"),
        (line(key="vpn", language="de"), "line 2: unknown language “de”"),
        (line(key="vpn", tags="vpn"), "line 2: “tags” must be a list of strings"),
        (line(key="vpn", tags=["vpn", 3]), "line 2: “tags” must be a list of strings"),
        (line(key="vpn", translation_of="nowhere"), "line 2: “translation_of” names “nowhere”"),
        (line(key="vpn", title="x" * 201), "line 2: the title is longer than 200 characters"),
        (line(key="vpn", body="x" * (BODY_MAX_BYTES + 1)), "line 2: the text is larger than"),
        (line(key="vpn", category="IT // Network"), "line 2: the category “IT // Network”"),
        (line(key="vpn", translation_of="wifi"), "line 2: a translation must be in another"),
        (line(key="vpn", translation_of="vpn", language="nl"), "line 2: an article cannot be"),
    ],
)
def test_each_problem_is_reported_with_its_line_and_nothing_is_written(db, bad_line, message):
    report = kb_import_lines([line(), bad_line, line(key="printers", title="Printers")])

    assert not report.ok
    assert any(problem.startswith(message) for problem in report.problems), report.problems
    assert not Article.objects.exists()
    assert not Space.objects.exists()


def test_a_translation_of_a_translation_is_refused(db):
    lines = [
        line(),
        line(key="wifi-nl", language="nl", translation_of="wifi"),
        line(key="wifi-it", language="it", translation_of="wifi-nl"),
    ]

    report = kb_import_lines(lines)

    assert report.problems == [
        "line 3: “wifi-nl” is itself a translation; name its original instead"
    ]


def test_two_translations_in_one_language_are_refused(db):
    lines = [
        line(),
        line(key="wifi-nl", language="nl", translation_of="wifi"),
        line(key="wifi-nl-2", language="nl", translation_of="wifi"),
    ]

    report = kb_import_lines(lines)

    assert report.problems == [
        "line 3: “wifi” already has a translation in this language: “wifi-nl”"
    ]


def test_every_problem_in_the_file_is_reported_not_only_the_first(db):
    report = kb_import_lines(["{", line(), line(language="xx", key="b"), line(key="c", tags=1)])

    assert [problem.split(":")[0] for problem in report.problems] == ["line 1", "line 3", "line 4"]


def test_blank_lines_are_skipped_and_still_counted(db, refreshed):
    report = kb_import_lines(["", "   ", line(), "", "{"])

    assert report.problems[0].startswith("line 5: not valid JSON")


def test_text_that_is_not_utf8_is_reported(db):
    report = kb_import_lines([line().encode(), "café".encode("latin-1")])

    assert report.problems == ["line 2: the text is not UTF-8"]


def test_command_imports_a_file_and_prints_a_summary(db, tmp_path, kb_editor, capsys):
    source = tmp_path / "articles.jsonl"
    source.write_text("\ufeff" + line() + "\n\n" + line(key="vpn", title="VPN") + "\n")

    call_command("kb_import", str(source), owner=kb_editor.email)

    assert "2 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert Article.objects.get(key="vpn").owner == kb_editor


def test_command_fails_with_every_problem_and_writes_nothing(db, tmp_path, capsys):
    source = tmp_path / "articles.jsonl"
    source.write_text(line() + "\n" + "{oops\n")

    with pytest.raises(CommandError, match="1 problem"):
        call_command("kb_import", str(source))

    assert "line 2: not valid JSON" in capsys.readouterr().err
    assert not Article.objects.exists()


def test_command_refuses_an_unknown_owner(db, tmp_path):
    source = tmp_path / "articles.jsonl"
    source.write_text(line())

    with pytest.raises(CommandError, match="No user"):
        call_command("kb_import", str(source), owner="nobody@example.org")


@pytest.mark.skipif(not EVAL_CORPUS.exists(), reason="the shared evaluation corpus is absent")
def test_the_evaluation_corpus_imports_in_full_and_quickly(db, django_capture_on_commit_callbacks):
    lines = EVAL_CORPUS.read_bytes().splitlines()
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        report = kb_import_lines(lines)
    elapsed = time.perf_counter() - started

    assert report.ok, report.problems
    assert len(report.created) == 64
    assert elapsed < 10
    assert Article.objects.filter(status=ArticleStatus.PUBLISHED).count() == 64
    assert Article.objects.get(key="hr-jaaropgave-nl").translation_of.key == (
        "hr-annual-income-statement"
    )
    from ess.search.models import Document

    assert Document.objects.filter(doc_type="article").count() == 64
    assert kb_import_lines(lines).unchanged == [r.key for r in Article.objects.order_by("pk")]
