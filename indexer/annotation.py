"""Annotation stage: run spaCy with newsindex components over articles and build annotated records."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from indexer import DEFAULT_MODEL
from indexer.records import Record
from indexer.sources import Article
from indexer.topics import classify

# Title and body are processed as one Doc so that names resolve across both.
SEPARATOR = "\n\n"

# Our components, by factory name, and the module that registers each.
COMPONENTS = {
    "newsindex_entities": "indexer.entities",
    "newsindex_quotes": "indexer.quotes",
}
# Pipes of the stock English pipelines that no newsindex feature reads.
UNUSED_PIPES = ("lemmatizer",)


def load_pipeline(
    model: str = DEFAULT_MODEL, components: tuple[str, ...] = tuple(COMPONENTS)
) -> Language:
    """Load an installed spaCy pipeline and append the newsindex components we need."""
    nlp = spacy.load(model, exclude=list(UNUSED_PIPES))
    for name in components:
        importlib.import_module(COMPONENTS[name])
        nlp.add_pipe(name)
    return nlp


def _in_body(start: int, offset: int) -> bool:
    return start >= offset


def build_record(article: Article, doc: Doc, taxonomy=None) -> Record:
    """The annotated record (CONTRACT.md shape) of one article from its processed Doc."""
    offset = len(article.title) + len(SEPARATOR)
    entities = []
    for ent in doc._.entities:
        in_body = _in_body(ent["start"], offset)
        shift = offset if in_body else 0
        entities.append(dict(ent, field="body" if in_body else "title",
                             start=ent["start"] - shift, end=ent["end"] - shift))
    quotes = []
    for quote in doc._.quotes:
        if not _in_body(quote["start"], offset):
            continue
        moved = dict(quote, start=quote["start"] - offset, end=quote["end"] - offset)
        if quote.get("speaker_start") is not None and _in_body(quote["speaker_start"], offset):
            moved["speaker_start"] = quote["speaker_start"] - offset
            moved["speaker_end"] = quote["speaker_end"] - offset
        else:
            moved["speaker_start"] = moved["speaker_end"] = None
        quotes.append(moved)
    record: Record = {
        "id": article.id,
        "path": article.path,
        "title": article.title,
        "body": article.body,
        "published": article.published,
        "source": article.source,
        "url": article.url,
        "author": article.author,
        "persons": list(doc._.persons),
        "organizations": list(doc._.organizations),
        "countries": [c["name"] for c in doc._.countries],
        "country_codes": [c["code"] for c in doc._.countries],
        "quotes": quotes,
        "entities": entities,
        "content_hash": article.content_hash,
    }
    record["topics"] = classify(article.title, article.body, record, taxonomy)
    return record


def annotate(
    articles: Iterable[Article], nlp: Language, batch_size: int = 32, workers: int = 1,
    taxonomy=None,
) -> Iterator[Record]:
    """Annotated records for articles, in order, with batched (optionally multi-process) spaCy."""
    pairs = ((article.title + SEPARATOR + article.body, article) for article in articles)
    for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=workers):
        yield build_record(article, doc, taxonomy)
