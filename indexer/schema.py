"""The one Whoosh schema: every module that reads or writes the index goes through it."""

from __future__ import annotations

from whoosh import columns, fields
from whoosh.analysis import RegexTokenizer, StemmingAnalyzer

# Facet values keep their spelling and may hold spaces and commas ("arts, culture, ..."),
# so a multi-valued facet field splits on this separator only.
SEP = "\x1f"
ARTICLE, QUOTE = "article", "quote"
# The text fields a search of each kind of document looks in.
SEARCHED = {ARTICLE: ("title", "body"), QUOTE: ("quote",)}


def term_text(term: str | bytes) -> str:
    """A term as Whoosh hands it back (bytes from lexicons and postings) as text."""
    return term.decode("utf-8") if isinstance(term, bytes) else term


def facet_field() -> fields.KEYWORD:
    """A stored, multi-valued, exact-match field for facet values."""
    field = fields.KEYWORD(stored=True, scorable=False)
    field.analyzer = RegexTokenizer(rf"[^{SEP}]+")
    return field


def text_field() -> fields.TEXT:
    """Stemmed English text with positions (phrases) and a spelling dictionary ("did you mean").

    Not stored: a hit's text comes from the `record` blob, which holds it already (storing it
    twice made the index a third larger and every hit unpickle the text twice).
    """
    return fields.TEXT(analyzer=StemmingAnalyzer(), stored=False, phrase=True, spelling=True)


def build_schema() -> fields.Schema:
    """Articles and quotes share one index (one atomic commit); `kind` tells them apart."""
    return fields.Schema(
        kind=fields.ID(stored=True),
        id=fields.ID(stored=True, unique=True),
        article_id=fields.ID(stored=True),
        content_hash=fields.ID(stored=True),
        title=text_field(),
        body=text_field(),
        quote=text_field(),
        published=fields.ID(stored=True, sortable=True),
        person=facet_field(),
        organization=facet_field(),
        country=facet_field(),
        topic=facet_field(),
        source=facet_field(),
        work=facet_field(),  # names called works or products (records.FACET_FIELDS)
        speaker=facet_field(),
        mentions=facet_field(),
        # A quotation's kind (direct | partial) and confidence (its number as text), kept in
        # columns for the "direct only" and minimum-confidence filters. Indexes made before
        # these fields keep their schema; search reads both from the stored records there.
        quote_kind=fields.ID(sortable=True),
        confidence=fields.ID(sortable=True),
        # A quotation's words as a number (duplicates.quote_digest), a column only: the quotes
        # view shows a quote that near-duplicate copies repeat once. Read from the stored
        # records in indexes made before it.
        quote_words=fields.COLUMN(columns.NumericColumn("q", default=0)),
        record=fields.STORED(),
    )


SCHEMA = build_schema()
FACETS = ("person", "country", "topic", "organization", "source")
