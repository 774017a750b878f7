"""Annotation stage: spaCy with newsindex components over articles, into annotated records."""

from __future__ import annotations

import importlib
import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import chain, islice

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


def _is_source(name: str, source: str | None) -> bool:
    """The publisher's own name ('Wikinews' in a Wikinews article) is no organisation the
    article is about: every article of the source would list it."""
    return source is not None and name.casefold() == source.strip().casefold()


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
        "organizations": [o for o in doc._.organizations if not _is_source(o, article.source)],
        "countries": [c["name"] for c in doc._.countries],
        "country_codes": [c["code"] for c in doc._.countries],
        "quotes": quotes,
        "entities": entities,
        "content_hash": article.content_hash,
    }
    if doc._.works:
        record["works"] = list(doc._.works)
    record["topics"] = classify(article.title, article.body, record, taxonomy)
    return record


def annotate(
    articles: Iterable[Article], nlp: Language, batch_size: int = 32, workers: int = 1,
    taxonomy=None,
) -> Iterator[Record]:
    """Annotated records for articles, in order, with batched spaCy in `workers` processes.

    Beyond a few batches, even one worker is a separate process: the NLP then has a core to
    itself while this process reads files and writes the index.
    """
    articles = iter(articles)
    head = list(islice(articles, WORKER_MIN_BATCHES * batch_size))
    every = chain(head, articles)
    if workers >= 1 and len(head) == WORKER_MIN_BATCHES * batch_size and FORK:
        yield from _annotate_in_workers(every, nlp, batch_size, workers, taxonomy)
        return
    pairs = ((article.title + SEPARATOR + article.body, article) for article in every)
    for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield build_record(article, doc, taxonomy)


# Inputs shorter than this many batches are annotated in this process (no fork for a few files).
WORKER_MIN_BATCHES = 4
FORK = "fork" in mp.get_all_start_methods()
# What forked workers inherit: the loaded pipeline and taxonomy (set just before the fork).
_WORKER_STATE: dict = {}


def _annotate_batch(batch: list[Article]) -> list[Record]:
    """In a worker: one batch of articles through the pipeline, returned as records."""
    nlp, taxonomy = _WORKER_STATE["nlp"], _WORKER_STATE["taxonomy"]
    texts = (article.title + SEPARATOR + article.body for article in batch)
    return [
        build_record(article, doc, taxonomy)
        for article, doc in zip(batch, nlp.pipe(texts, batch_size=len(batch)), strict=True)
    ]


def _annotate_in_workers(
    articles: Iterable[Article], nlp: Language, batch_size: int, workers: int, taxonomy
) -> Iterator[Record]:
    """Batches of articles through forked worker processes that share the loaded pipeline.

    Unlike spaCy's n_process, workers return finished records (a few KB) rather than serialised
    Docs, so this process only reads, collects and stores; at most 2 batches per worker are in
    flight, so memory stays flat however many articles come.
    """
    _WORKER_STATE.update(nlp=nlp, taxonomy=taxonomy)
    pool = mp.get_context("fork").Pool(workers)
    try:
        pending: deque = deque()
        batches = _batches(articles, batch_size)
        for batch in batches:
            pending.append(pool.apply_async(_annotate_batch, (batch,)))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _WORKER_STATE.clear()


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
