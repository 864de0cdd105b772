"""The database-specific half of the index.

SQLite: FTS5 tables kept in step with `search_document` and `search_word` by triggers
(external content, so the text is stored once). The word table uses the trigram tokenizer,
which finds words spelt alike for typo correction.
PostgreSQL: a generated `tsvector` over the same analysed columns with a GIN index, and
pg_trgm's GIN index on the words.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_document_fts USING fts5(
        title_terms, keyword_terms, body_terms,
        content='search_document', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER search_document_fts_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_document_fts(rowid, title_terms, keyword_terms, body_terms)
        VALUES (new.id, new.title_terms, new.keyword_terms, new.body_terms);
    END""",
    """CREATE TRIGGER search_document_fts_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, title_terms,
            keyword_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.keyword_terms, old.body_terms);
    END""",
    """CREATE TRIGGER search_document_fts_au AFTER UPDATE OF title_terms, keyword_terms,
        body_terms ON search_document BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, title_terms,
            keyword_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.keyword_terms, old.body_terms);
        INSERT INTO search_document_fts(rowid, title_terms, keyword_terms, body_terms)
        VALUES (new.id, new.title_terms, new.keyword_terms, new.body_terms);
    END""",
    """CREATE VIRTUAL TABLE search_word_fts USING fts5(
        word, content='search_word', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER search_word_fts_ai AFTER INSERT ON search_word BEGIN
        INSERT INTO search_word_fts(rowid, word) VALUES (new.id, new.word);
    END""",
    """CREATE TRIGGER search_word_fts_ad AFTER DELETE ON search_word BEGIN
        INSERT INTO search_word_fts(search_word_fts, rowid, word) VALUES ('delete', old.id, old.word);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_word_fts_ad",
    "DROP TRIGGER IF EXISTS search_word_fts_ai",
    "DROP TABLE IF EXISTS search_word_fts",
    "DROP TRIGGER IF EXISTS search_document_fts_au",
    "DROP TRIGGER IF EXISTS search_document_fts_ad",
    "DROP TRIGGER IF EXISTS search_document_fts_ai",
    "DROP TABLE IF EXISTS search_document_fts",
]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE search_document ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_terms), 'A')
        || setweight(to_tsvector('simple', keyword_terms), 'B')
        || setweight(to_tsvector('simple', body_terms), 'D')) STORED""",
    "CREATE INDEX search_document_tsv ON search_document USING GIN (tsv)",
    "CREATE INDEX search_word_trgm ON search_word USING GIN (word gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_word_trgm",
    "DROP INDEX IF EXISTS search_document_tsv",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS tsv",
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
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
