"""Import articles from JSON Lines: one article per line, published on arrival.

Each line is an object with `key`, `title`, `body` (Markdown) and `category` ("IT / Devices":
the first segment names the space, the rest the category path; "Policies" alone is the space
only), and optionally `language` (en, nl, it, nb; en when absent), `tags` (a list of strings)
and `translation_of` (the key of the original, in the same file — before or after — or
already in the knowledge base).

The whole file is checked first and every problem is reported as "line N: message"; one
problem and nothing is written. Then, in one transaction, articles are created or updated by
key: a changed title, text, tags, category or language makes a new version; an unchanged
line changes nothing, so importing the same file twice is harmless.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ess.accounts.models import User
from ess.audit.services import audit_record
from helpdesk.knowledge.models import (
    RESERVED_SPACE_SLUGS,
    Article,
    ArticleStatus,
    ArticleVersion,
    Category,
    Language,
    Space,
)
from helpdesk.knowledge.services import (
    KEY_MAX_LENGTH,
    KEY_PATTERN,
    REVIEW_INTERVAL,
    TITLE_MAX_LENGTH,
    index_refresh_on_commit,
    tags_get_or_create,
)

BODY_MAX_BYTES = 200 * 1024
NAME_MAX_LENGTH = 100
PATH_MAX_LENGTH = 300
SEPARATOR = " / "
BATCH = 500


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }


@dataclass
class _Row:
    line: int
    key: str
    title: str
    body: str
    space: str
    categories: list[str]  # the path below the space, outermost first
    language: str
    tags: list[str]
    translation_of: str | None

    @property
    def category_path(self) -> str | None:
        return SEPARATOR.join([self.space, *self.categories]) if self.categories else None


def kb_import_lines(
    lines: Iterable[str | bytes], *, owner: User | None = None, by: User | None = None
) -> ImportReport:
    """Check every line, then (only if all are fine) write them all in one transaction."""
    report = ImportReport()
    rows = _parse(lines, report.problems)
    if rows and not report.problems:
        _check_translations(rows, report.problems)
    if report.problems:
        return report
    _write(rows, owner=owner, by=by or owner, report=report)
    return report


# --- Checking ---------------------------------------------------------------------------------
def _parse(lines: Iterable[str | bytes], problems: list[str]) -> list[_Row]:
    rows: list[_Row] = []
    first_line_of: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(_line(number, _("the text is not UTF-8")))
                continue
        if number == 1:
            raw = raw.removeprefix("\ufeff")
        if not raw.strip():
            continue
        row = _parse_line(number, raw, problems)
        if row is None:
            continue
        if row.key in first_line_of:
            problems.append(
                _line(
                    number,
                    _("the key “%(key)s” is already used on line %(first)s")
                    % {"key": row.key, "first": first_line_of[row.key]},
                )
            )
            continue
        first_line_of[row.key] = number
        rows.append(row)
    return rows


def _line(number: int, message: str) -> str:
    return _("line %(number)s: %(message)s") % {"number": number, "message": message}


def _parse_line(number: int, raw: str, problems: list[str]) -> _Row | None:
    found: list[str] = []
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        problems.append(_line(number, _("not valid JSON (%(error)s)") % {"error": exc.msg}))
        return None
    if not isinstance(data, dict):
        problems.append(_line(number, _("each line must be a JSON object")))
        return None
    for name in ("key", "title", "body", "category"):
        value = data.get(name)
        if value is None:
            found.append(_("“%(field)s” is missing") % {"field": name})
        elif not isinstance(value, str):
            found.append(_("“%(field)s” must be a string") % {"field": name})
        elif not value.strip():
            found.append(_("“%(field)s” is empty") % {"field": name})
    key = data.get("key") if isinstance(data.get("key"), str) else ""
    title = data.get("title") if isinstance(data.get("title"), str) else ""
    body = data.get("body") if isinstance(data.get("body"), str) else ""
    category = data.get("category") if isinstance(data.get("category"), str) else ""
    if key.strip() and (not KEY_PATTERN.match(key) or len(key) > KEY_MAX_LENGTH):
        found.append(
            _(
                "the key “%(key)s” may hold only letters, digits, hyphens and underscores, "
                "at most %(max)s of them"
            )
            % {"key": key[:KEY_MAX_LENGTH], "max": KEY_MAX_LENGTH}
        )
    if len(title.strip()) > TITLE_MAX_LENGTH:
        found.append(_("the title is longer than %(max)s characters") % {"max": TITLE_MAX_LENGTH})
    if len(body.encode("utf-8")) > BODY_MAX_BYTES:
        found.append(_("the text is larger than %(max)s KB") % {"max": BODY_MAX_BYTES // 1024})
    segments = [segment.strip() for segment in category.split("/")]
    if category.strip():
        if any(not segment for segment in segments):
            found.append(
                _("the category “%(category)s” has an empty part") % {"category": category}
            )
        elif any(len(segment) > NAME_MAX_LENGTH for segment in segments):
            found.append(
                _("a part of the category is longer than %(max)s characters")
                % {"max": NAME_MAX_LENGTH}
            )
        elif len(SEPARATOR.join(segments)) > PATH_MAX_LENGTH:
            found.append(
                _("the category is longer than %(max)s characters") % {"max": PATH_MAX_LENGTH}
            )
    language = data.get("language", Language.EN)
    if language not in Language.values:
        found.append(
            _("unknown language “%(language)s” (use one of %(choices)s)")
            % {"language": language, "choices": ", ".join(Language.values)}
        )
    tags = data.get("tags", [])
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        found.append(_("“tags” must be a list of strings"))
        tags = []
    translation_of = data.get("translation_of")
    if translation_of is not None and (
        not isinstance(translation_of, str) or not translation_of.strip()
    ):
        found.append(_("“translation_of” must be the key of another article"))
        translation_of = None
    problems.extend(_line(number, message) for message in found)
    if found:
        return None
    return _Row(
        line=number,
        key=key,
        title=title.strip(),
        body=body,
        space=segments[0],
        categories=segments[1:],
        language=language,
        tags=tags,
        translation_of=translation_of or None,
    )


def _check_translations(rows: list[_Row], problems: list[str]) -> None:
    """Every `translation_of` names an original (in the file or the knowledge base) that is
    not itself a translation, in another language, with one translation per language."""
    in_file = {row.key: row for row in rows}
    wanted = {row.translation_of for row in rows if row.translation_of} - set(in_file)
    in_db = {
        article.key: article
        for article in Article.objects.filter(key__in=wanted).only(
            "key", "language", "translation_of"
        )
    }
    # What the knowledge base already holds, for the articles this file does not change.
    db_translations: dict[tuple[str, str], str] = {}
    originals = {row.translation_of for row in rows if row.translation_of}
    for key, original_key, language in Article.objects.filter(
        translation_of__key__in=originals
    ).values_list("key", "translation_of__key", "language"):
        if key not in in_file:
            db_translations[(original_key, language)] = key
    seen: dict[tuple[str, str], str] = {}
    for row in rows:
        original_key = row.translation_of
        if original_key is None:
            continue
        if original_key == row.key:
            problems.append(_line(row.line, _("an article cannot be a translation of itself")))
            continue
        if original_key in in_file:
            original = in_file[original_key]
            original_is_translation = original.translation_of is not None
            original_language = original.language
        elif original_key in in_db:
            original = in_db[original_key]
            original_is_translation = original.translation_of_id is not None
            original_language = original.language
        else:
            problems.append(
                _line(
                    row.line,
                    _(
                        "“translation_of” names “%(key)s”, which is neither in the file nor in "
                        "the knowledge base"
                    )
                    % {"key": original_key},
                )
            )
            continue
        if original_is_translation:
            problems.append(
                _line(
                    row.line,
                    _("“%(key)s” is itself a translation; name its original instead")
                    % {"key": original_key},
                )
            )
            continue
        if original_language == row.language:
            problems.append(
                _line(
                    row.line,
                    _("a translation must be in another language than its original “%(key)s”")
                    % {"key": original_key},
                )
            )
            continue
        pair = (original_key, row.language)
        other = seen.get(pair) or db_translations.get(pair)
        if other:
            problems.append(
                _line(
                    row.line,
                    _("“%(key)s” already has a translation in this language: “%(other)s”")
                    % {"key": original_key, "other": other},
                )
            )
            continue
        seen[pair] = row.key
    # Within the file the check above already caught chains; here, the knowledge base's
    # translations of an article that this file would make a translation.
    has_translations = set(
        Article.objects.filter(translation_of__key__in=[row.key for row in rows])
        .exclude(key__in=list(in_file))
        .values_list("translation_of__key", flat=True)
    )
    problems.extend(
        _line(
            row.line,
            _("“%(key)s” has translations of its own, so it cannot be a translation")
            % {"key": row.key},
        )
        for row in rows
        if row.translation_of and row.key in has_translations
    )


# --- Writing ----------------------------------------------------------------------------------
@transaction.atomic
def _write(rows: list[_Row], *, owner: User | None, by: User | None, report: ImportReport):
    now = timezone.now()
    spaces = _spaces_for(rows)
    categories = _categories_for(rows, spaces)
    tags = {tag.name: tag for tag in tags_get_or_create(n for row in rows for n in row.tags)}
    existing = {
        article.key: article
        for article in Article.objects.filter(key__in=[row.key for row in rows])
        .select_related("latest_version")
        .prefetch_related("latest_version__tags")
    }

    def tags_of(row: _Row) -> list:
        names = {name.strip().lower()[:60] for name in row.tags if name.strip()}
        return [tags[name] for name in sorted(names)]

    new_rows = [row for row in rows if row.key not in existing]
    articles = _create(new_rows, spaces, categories, tags_of, owner=owner, by=by, now=now)
    report.created = [row.key for row in new_rows]
    for row in rows:
        if row.key in existing:
            article = existing[row.key]
            changed = _update(row, article, spaces, categories, tags_of(row), by=by, now=now)
            (report.updated if changed else report.unchanged).append(row.key)
            articles[row.key] = article
    linked = _link_translations(rows, articles)
    for key in linked:
        if key in report.unchanged:
            report.unchanged.remove(key)
            report.updated.append(key)
    audit_record(
        actor=by,
        action="knowledge.articles_imported",
        detail={
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
            "keys": [row.key for row in rows][:200],
        },
    )
    index_refresh_on_commit(row.key for row in rows)


def _spaces_for(rows: list[_Row]) -> dict[str, Space]:
    names = {row.space for row in rows}
    spaces = {space.name: space for space in Space.objects.filter(name__in=names)}
    missing = sorted(names - set(spaces))
    if missing:
        taken = set(Space.objects.values_list("slug", flat=True)) | RESERVED_SPACE_SLUGS
        top = max(Space.objects.values_list("position", flat=True), default=0)
        for offset, name in enumerate(missing, start=1):
            slug = _free_slug(name, taken, fallback="space")
            spaces[name] = Space.objects.create(name=name, slug=slug, position=top + offset)
    return spaces


def _free_slug(name: str, taken: set[str], *, fallback: str, max_length: int = 60) -> str:
    base = slugify(name)[: max_length - 4].strip("-") or fallback
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def _categories_for(rows: list[_Row], spaces: dict[str, Space]) -> dict[str, Category]:
    """Every category path the rows name, with each level above it, created if missing."""
    wanted: set[str] = set()
    for row in rows:
        for depth in range(1, len(row.categories) + 1):
            wanted.add(SEPARATOR.join([row.space, *row.categories[:depth]]))
    if not wanted:
        return {}
    found = {category.path: category for category in Category.objects.filter(path__in=wanted)}
    missing = sorted(wanted - set(found), key=lambda path: (path.count(SEPARATOR), path))
    if missing:
        space_ids = {spaces[path.split(SEPARATOR)[0]].pk for path in missing}
        slugs_taken: dict[tuple[int, int | None], set[str]] = {}
        for space_id, parent_id, slug in Category.objects.filter(
            space_id__in=space_ids
        ).values_list("space_id", "parent_id", "slug"):
            slugs_taken.setdefault((space_id, parent_id), set()).add(slug)
        for path in missing:
            parts = path.split(SEPARATOR)
            space = spaces[parts[0]]
            parent = found.get(SEPARATOR.join(parts[:-1])) if len(parts) > 2 else None
            taken = slugs_taken.setdefault((space.pk, parent.pk if parent else None), set())
            found[path] = Category.objects.create(
                space=space,
                parent=parent,
                name=parts[-1],
                slug=_free_slug(parts[-1], taken, fallback="category"),
                path=path,
            )
    return found


def _create(rows, spaces, categories, tags_of, *, owner, by, now) -> dict[str, Article]:
    """New articles, published at once, in a handful of bulk statements."""
    if not rows:
        return {}
    review_by = timezone.localdate() + REVIEW_INTERVAL
    articles = Article.objects.bulk_create(
        [
            Article(
                key=row.key,
                space=spaces[row.space],
                category=categories.get(row.category_path) if row.category_path else None,
                language=row.language,
                owner=owner,
                status=ArticleStatus.PUBLISHED,
                review_by=review_by,
                created_at=now,
                updated_at=now,
                published_at=now,
            )
            for row in rows
        ],
        batch_size=BATCH,
    )
    versions = ArticleVersion.objects.bulk_create(
        [
            ArticleVersion(
                article=article,
                number=1,
                title=row.title,
                body=row.body,
                change_note=_("Imported"),
                author=by,
                created_at=now,
                published_at=now,
                published_by=by,
            )
            for article, row in zip(articles, rows, strict=True)
        ],
        batch_size=BATCH,
    )
    through = ArticleVersion.tags.through
    through.objects.bulk_create(
        [
            through(articleversion_id=version.pk, tag_id=tag.pk)
            for version, row in zip(versions, rows, strict=True)
            for tag in tags_of(row)
        ],
        batch_size=BATCH,
    )
    for article, version in zip(articles, versions, strict=True):
        article.latest_version = article.published_version = version
    Article.objects.bulk_update(articles, ["latest_version", "published_version"], batch_size=BATCH)
    return {article.key: article for article in articles}


def _update(row: _Row, article: Article, spaces, categories, tags: list, *, by, now) -> bool:
    """Bring an existing article in line with its line; True when anything changed."""
    changed: list[str] = []
    space = spaces[row.space]
    category = categories.get(row.category_path) if row.category_path else None
    if article.space_id != space.pk:
        article.space, changed = space, [*changed, "space"]
    if article.category_id != (category.pk if category else None):
        article.category, changed = category, [*changed, "category"]
    if article.language != row.language:
        article.language, changed = row.language, [*changed, "language"]
    latest = article.latest_version
    same_text = (
        latest is not None
        and latest.title == row.title
        and latest.body == row.body
        and {tag.pk for tag in latest.tags.all()} == {tag.pk for tag in tags}
    )
    if not same_text:
        number = (latest.number if latest else 0) + 1
        latest = ArticleVersion.objects.create(
            article=article,
            number=number,
            title=row.title,
            body=row.body,
            change_note=_("Imported"),
            author=by,
            created_at=now,
        )
        latest.tags.set(tags)
        article.latest_version = latest
        changed.append("latest_version")
    if article.status != ArticleStatus.PUBLISHED or article.published_version_id != latest.pk:
        if latest.published_at is None:
            latest.published_at, latest.published_by = now, by
            latest.save(update_fields=["published_at", "published_by"])
        article.status = ArticleStatus.PUBLISHED
        article.published_version = latest
        article.published_at = now
        if article.review_by is None:
            article.review_by = timezone.localdate() + REVIEW_INTERVAL
        changed += ["status", "published_version", "published_at", "review_by"]
    if changed:
        article.updated_at = now
        article.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    return bool(changed)


def _link_translations(rows: list[_Row], articles: dict[str, Article]) -> list[str]:
    """Point each article at its original as the file says; returns the keys that moved."""
    wanted = {row.translation_of for row in rows if row.translation_of} - set(articles)
    originals = {article.key: article for article in Article.objects.filter(key__in=wanted)}
    originals.update(articles)
    moved = []
    for row in rows:
        article = articles[row.key]
        target = originals[row.translation_of].pk if row.translation_of else None
        if article.translation_of_id != target:
            article.translation_of_id = target
            moved.append(article)
    Article.objects.bulk_update(moved, ["translation_of"], batch_size=BATCH)
    return [article.key for article in moved]
