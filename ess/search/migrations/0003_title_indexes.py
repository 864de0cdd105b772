"""A second, small full-text index over titles, tags and categories only.

Common words occur in a large share of a big knowledge base's bodies; ranking every such
body on each search would cost most of the time. Titles name a document's subject, and
their index is a fraction of the size, so the engine asks it for the broad part of a query
and the full index only for rare words and for documents that contain all the query's
words (see `engine/backends.py`).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_title_fts USING fts5(
        title_terms, keyword_terms,
        content='search_document', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    "INSERT INTO search_title_fts(search_title_fts) VALUES ('rebuild')",
    """CREATE TRIGGER search_title_fts_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_title_fts(rowid, title_terms, keyword_terms)
        VALUES (new.id, new.title_terms, new.keyword_terms);
    END""",
    """CREATE TRIGGER search_title_fts_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_title_fts(search_title_fts, rowid, title_terms, keyword_terms)
        VALUES ('delete', old.id, old.title_terms, old.keyword_terms);
    END""",
    """CREATE TRIGGER search_title_fts_au AFTER UPDATE OF title_terms, keyword_terms
        ON search_document BEGIN
        INSERT INTO search_title_fts(search_title_fts, rowid, title_terms, keyword_terms)
        VALUES ('delete', old.id, old.title_terms, old.keyword_terms);
        INSERT INTO search_title_fts(rowid, title_terms, keyword_terms)
        VALUES (new.id, new.title_terms, new.keyword_terms);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_title_fts_au",
    "DROP TRIGGER IF EXISTS search_title_fts_ad",
    "DROP TRIGGER IF EXISTS search_title_fts_ai",
    "DROP TABLE IF EXISTS search_title_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE search_document ADD COLUMN title_tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_terms), 'A')
        || setweight(to_tsvector('simple', keyword_terms), 'B')) STORED""",
    "CREATE INDEX search_document_title_tsv ON search_document USING GIN (title_tsv)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_title_tsv",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS title_tsv",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_indexes")]

    operations = [migrations.RunPython(forward, backward)]
