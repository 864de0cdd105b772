# ruff: noqa: S608 -- the SQL is fixed fragments and %s placeholders; see the docstring
"""The two places the index can live, behind one small interface.

Both receive the same analysed terms and answer the same three questions: which visible
documents contain any of these terms (best first, by the database's own ranking, as the
candidate pool the ranker re-scores), which words are spelt like this one, and which words
begin with this prefix. SQLite answers with FTS5; PostgreSQL with tsvector and pg_trgm.

The SQL below is assembled from fixed fragments and `%s` placeholders only: table names
come from the models, and every value travels as a parameter (hence the S608 waivers).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from ess.search.models import Document, DocumentAudience, Word

SIMILAR_WORDS = 40


@dataclass(frozen=True)
class Visibility:
    """Which documents a searcher may find, as SQL both back-ends share."""

    audience_keys: tuple[str, ...]
    doc_types: tuple[str, ...] = ()
    space: str = ""
    language: str = ""

    def sql(self, alias: str) -> tuple[str, list]:
        audience_table = DocumentAudience._meta.db_table
        clauses, params = [], []
        if self.audience_keys == ("*",):
            clauses.append("1 = 1")  # a superuser: every document
        elif self.audience_keys:
            marks = ", ".join(["%s"] * len(self.audience_keys))
            clauses.append(
                f"({alias}.audience_everyone OR {alias}.id IN (SELECT document_id FROM "
                f"{audience_table} WHERE key IN ({marks})))"
            )
            params.extend(self.audience_keys)
        else:
            clauses.append(f"{alias}.audience_everyone")
        if self.doc_types:
            clauses.append(f"{alias}.doc_type IN ({', '.join(['%s'] * len(self.doc_types))})")
            params.extend(self.doc_types)
        if self.space:
            clauses.append(f"{alias}.space = %s")
            params.append(self.space)
        if self.language:
            clauses.append(f"{alias}.language = %s")
            params.append(self.language)
        return " AND ".join(clauses), params


class Backend:
    vendor = ""

    def candidates(
        self,
        groups: Sequence[Sequence[str]],
        visibility: Visibility,
        limit: int,
        *,
        every_group: bool = False,
        titles_only: bool = False,
    ) -> list[int]:
        """Visible documents containing a stem of any group (or, with `every_group`, a stem
        of every group), best first by the database's own ranking. `titles_only` asks the
        small index of titles, tags and categories."""
        raise NotImplementedError

    def similar_words(self, word: str) -> list[tuple[str, int]]:
        raise NotImplementedError

    def completions(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        raise NotImplementedError

    def title_prefix_candidates(
        self, stems: Sequence[str], prefixes: Sequence[str], visibility: Visibility, limit: int
    ) -> list[int]:
        """Visible documents whose title holds every stem and a word beginning with one
        of the prefixes."""
        raise NotImplementedError

    @staticmethod
    def _fetch(sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def _terms_ok(stems: Sequence[str]) -> list[str]:
    # Analysed terms are letters and digits only, but the SQL must not depend on that.
    return [stem for stem in stems if stem and stem.isalnum()]


class SqliteBackend(Backend):
    vendor = "sqlite"

    def candidates(self, groups, visibility, limit, *, every_group=False, titles_only=False):
        groups = [terms for terms in (_terms_ok(group) for group in groups) if terms]
        if not groups:
            return []
        ors = ["(" + " OR ".join(f'"{term}"' for term in group) + ")" for group in groups]
        match = (" AND " if every_group else " OR ").join(ors)
        table = "search_title_fts" if titles_only else "search_document_fts"
        weights = "6.0, 3.0" if titles_only else "6.0, 3.0, 1.0"
        where, params = visibility.sql("d")
        sql = (
            f"SELECT d.id FROM {table} f JOIN search_document d ON d.id = f.rowid "
            f"WHERE {table} MATCH %s AND {where} "
            f"ORDER BY bm25({table}, {weights}) LIMIT %s"
        )
        return [row[0] for row in self._fetch(sql, [match, *params, limit])]

    def title_prefix_candidates(self, stems, prefixes, visibility, limit):
        parts = [f'"{term}"' for term in _terms_ok(stems)]
        starts = [f'"{prefix}" *' for prefix in _terms_ok(prefixes)]
        if starts:
            parts.append("(" + " OR ".join(starts) + ")")
        if not parts:
            return []
        match = "title_terms : (" + " AND ".join(parts) + ")"
        where, params = visibility.sql("d")
        sql = (
            "SELECT d.id FROM search_title_fts f JOIN search_document d ON d.id = f.rowid "
            f"WHERE search_title_fts MATCH %s AND {where} "
            "ORDER BY bm25(search_title_fts, 6.0, 3.0) LIMIT %s"
        )
        return [row[0] for row in self._fetch(sql, [match, *params, limit])]

    def similar_words(self, word):
        grams = {word[i : i + 3] for i in range(len(word) - 2)}
        grams = [gram for gram in grams if gram.isalnum()]
        if not grams:
            return []
        match = " OR ".join(f'"{gram}"' for gram in sorted(grams))
        sql = (
            "SELECT w.word, w.df FROM search_word_fts f JOIN search_word w ON w.id = f.rowid "
            "WHERE search_word_fts MATCH %s AND w.df > 0 ORDER BY f.rank LIMIT %s"
        )
        return [(row[0], row[1]) for row in self._fetch(sql, [match, SIMILAR_WORDS])]

    def completions(self, prefix, limit):
        rows = (
            Word.objects.filter(word__gte=prefix, word__lt=prefix + "\U0010ffff", df__gt=0)
            .order_by("-df", "word")
            .values_list("word", "df")[:limit]
        )
        return list(rows)


class PostgresBackend(Backend):
    vendor = "postgresql"

    def candidates(self, groups, visibility, limit, *, every_group=False, titles_only=False):
        groups = [terms for terms in (_terms_ok(group) for group in groups) if terms]
        if not groups:
            return []
        ors = ["(" + " | ".join(group) + ")" for group in groups]
        query = (" & " if every_group else " | ").join(ors)
        column = "title_tsv" if titles_only else "tsv"
        where, params = visibility.sql("d")
        # ts_rank reads each matching row's whole tsvector, which for bodies means
        # de-TOASTing kilobytes per row; the small title vector orders the pool well enough
        # for the ranker, which re-scores it anyway.
        sql = (
            f"SELECT d.id FROM search_document d, to_tsquery('simple', %s) q "
            f"WHERE d.{column} @@ q AND {where} "
            "ORDER BY ts_rank(d.title_tsv, q) DESC, d.popularity DESC, d.id LIMIT %s"
        )
        return [row[0] for row in self._fetch(sql, [query, *params, limit])]

    def title_prefix_candidates(self, stems, prefixes, visibility, limit):
        parts = [f"{term}:A" for term in _terms_ok(stems)]
        starts = [f"{prefix}:*A" for prefix in _terms_ok(prefixes)]
        if starts:
            parts.append("(" + " | ".join(starts) + ")")
        if not parts:
            return []
        where, params = visibility.sql("d")
        sql = (
            "SELECT d.id FROM search_document d, to_tsquery('simple', %s) q "
            f"WHERE d.title_tsv @@ q AND {where} "
            "ORDER BY ts_rank(d.title_tsv, q) DESC, d.id LIMIT %s"
        )
        return [row[0] for row in self._fetch(sql, [" & ".join(parts), *params, limit])]

    def similar_words(self, word):
        with connection.cursor() as cursor:
            # Short words share few trigrams with their misspellings; a lower bar than
            # pg_trgm's default 0.3 lets edit distance, not trigram overlap, decide.
            cursor.execute("SELECT set_limit(0.2)")
            cursor.execute(
                "SELECT word, df FROM search_word WHERE word %% %s AND df > 0 "
                "ORDER BY similarity(word, %s) DESC, df DESC LIMIT %s",
                [word, word, SIMILAR_WORDS],
            )
            return [(row[0], row[1]) for row in cursor.fetchall()]

    def completions(self, prefix, limit):
        # LIKE 'prefix%', which pg_trgm's GIN index serves.
        rows = (
            Word.objects.filter(word__startswith=prefix, df__gt=0)
            .order_by("-df", "word")
            .values_list("word", "df")[:limit]
        )
        return list(rows)


def current_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise RuntimeError(f"search has no back-end for {connection.vendor}")


__all__ = ["Backend", "Document", "Visibility", "current_backend"]
