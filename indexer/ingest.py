"""Ingest: one index run, from inputs to the store. Files and folders of articles and annotated
records go in; what changed is annotated (NLP in its own process), written in atomic batches and
counted in a Tally. The CLI's `index` calls it once per run, and so does `fetch` (feeds)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from indexer import DEFAULT_MODEL
from indexer.duplicates import PARALLEL_MIN, fresh_signatures, update_duplicates
from indexer.records import Record, RecordError, is_record_file, read_jsonl
from indexer.sources import Article, SourceError, iter_files, read_sources
from indexer.store import COMMIT_EVERY


class Tally:
    """What an index run did, for its summary line and exit code."""

    def __init__(self) -> None:
        self.indexed = self.updated = self.unchanged = self.failed = 0

    def fail(self, message: str) -> None:
        """One line on stderr per failed input: `path: reason`."""
        self.failed += 1
        print(message, file=sys.stderr, flush=True)

    def line(self) -> str:
        return (
            f"indexed {self.indexed}, updated {self.updated}, "
            f"unchanged {self.unchanged}, failed {self.failed}"
        )


def progress(items: Iterable, enabled: bool) -> Iterable:
    """A progress bar on a terminal, nothing when piped."""
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, unit=" articles", file=sys.stderr, dynamic_ncols=True)


def split_inputs(paths: list[str], tally: Tally) -> tuple[list[Path], list[str]]:
    """Annotated-record JSON Lines files (loaded without NLP) apart from raw article inputs."""
    records, raw = [], []
    for item in iter_files(paths):
        if isinstance(item, SourceError):
            tally.fail(str(item))
        elif item.suffix.lower() == ".jsonl" and is_record_file(item):
            records.append(item)
        else:
            raw.append(str(item))
    return records, raw


def readable(items: Iterable[Article | SourceError], tally: Tally) -> Iterator[Article]:
    """Articles, with each broken file or record reported and counted."""
    for item in items:
        if isinstance(item, SourceError):
            tally.fail(str(item))
        else:
            yield item


def within_model_limit(articles: Iterable[Article], limit: int, tally: Tally) -> Iterator[Article]:
    """Articles the NLP model takes in one piece; a longer one is reported, not a crash."""
    from indexer.annotation import SEPARATOR

    for item in articles:
        size = len(item.title) + len(SEPARATOR) + len(item.body)
        if size > limit:
            tally.fail(
                f"{item.path or item.id}: article {item.id} too long for the NLP model "
                f"({size} characters; at most {limit})"
            )
        else:
            yield item


def changed_articles(
    articles: Iterable[Article], known: dict[str, str], tally: Tally
) -> Iterator[Article]:
    """Articles whose content differs from what the index holds; counts the rest."""
    for item in articles:
        if known.get(item.id) == item.content_hash:
            tally.unchanged += 1
        else:
            yield item


def loaded_records(files: list[Path], known: dict[str, str], tally: Tally) -> Iterator[Record]:
    """Annotated records from JSON Lines files, skipping those already indexed unchanged."""
    for path in files:
        for item in read_jsonl(path):
            if isinstance(item, RecordError):
                tally.fail(str(item))
            elif item.get("content_hash") and known.get(item["id"]) == item["content_hash"]:
                tally.unchanged += 1
            else:
                yield item


@dataclass(frozen=True)
class IngestOptions:
    """How a run annotates and writes: the spaCy pipeline, NLP batches and processes, commits."""

    model: str = DEFAULT_MODEL
    batch_size: int = 32
    workers: int = 1
    commit_every: int | None = None  # None: COMMIT_EVERY, or the store's for records alone
    show_progress: bool = False
    duplicates: bool = True  # find near-duplicates after the run (off only to measure its cost)
    # Annotate the articles again even where the index holds their text unchanged: what an
    # upgrade's better annotation needs, since an unchanged article is otherwise skipped.
    reannotate: bool = False


def ingest_paths(
    store, paths: list[str], options: IngestOptions, tally: Tally | None = None
) -> Tally:
    """Index files or folders (articles, or annotated-record JSON Lines) into an open store."""
    tally = tally or Tally()
    record_files, raw = split_inputs(paths, tally)
    known = store.hashes()
    records = loaded_records(record_files, known, tally)
    articles = read_sources(raw) if raw else iter(())
    if options.commit_every is None and record_files and not raw:
        options = replace(options, commit_every=getattr(store, "records_per_commit", None))
    return ingest(store, articles, options, tally, records, known)


def ingest(
    store,
    articles: Iterable[Article | SourceError],
    options: IngestOptions,
    tally: Tally | None = None,
    records: Iterable[Record] = (),
    known: dict[str, str] | None = None,
    committed: Callable[[Record], None] | None = None,
) -> Tally:
    """The run: annotated records as they are, articles whose content changed through the NLP,
    all into the store in atomic batches; every input counted or reported in the Tally.
    `committed` hears of each record once it is in the index."""
    tally = tally or Tally()
    known = store.hashes() if known is None else known

    def counted(items: Iterable[Record]) -> Iterator[Record]:
        for record in items:
            if record["id"] in known:
                tally.updated += 1
            else:
                tally.indexed += 1
            known[record["id"]] = record.get("content_hash") or ""
            yield record

    def all_records() -> Iterator[Record]:
        yield from records
        todo = changed_articles(readable(articles, tally), {} if options.reannotate else known,
                                tally)
        first = next(todo, None)
        if first is None:
            return
        from indexer.annotation import annotate, load_pipeline
        from indexer.topics import load_taxonomy

        nlp = load_pipeline(options.model)
        yield from annotate(
            within_model_limit(_chain(first, todo), nlp.max_length, tally),
            nlp,
            batch_size=options.batch_size,
            workers=options.workers,
            taxonomy=load_taxonomy(store.dir),
        )

    written = store.write(counted(all_records()),
                          commit_every=options.commit_every or COMMIT_EVERY)
    fresh, pending = {}, []
    for record in progress(written, options.show_progress):
        if committed:
            committed(record)
        if options.duplicates:
            pending.append(record)
            if len(pending) >= 4 * PARALLEL_MIN:
                fresh.update(fresh_signatures(pending))
                pending = []
    fresh.update(fresh_signatures(pending))
    if options.duplicates:
        try:
            update_duplicates(store, fresh, known)
        except OSError as exc:  # a read-only folder: the articles are in; groups stay as were
            print(f"newsindex: near-duplicates not stored: {exc}", file=sys.stderr, flush=True)
    return tally


def ingest_feeds(
    store, sources: list[str], options: IngestOptions, politeness=None, concurrency: int = 4
):
    """One fetch run: the new items of the feeds (and OPML lists) named, through `ingest`;
    the feeds' state in the index folder updated as articles are committed. (Tally, FeedRun)."""
    from indexer.sources.feeds import FeedBook, FeedRun
    from indexer.sources.fetch import PoliteClient

    book = FeedBook(store.dir)
    known = store.hashes()
    complete = False
    with PoliteClient(politeness) as client:
        run = FeedRun(client, book, known, concurrency)
        try:
            tally = ingest(store, run.articles(sources), options, known=known,
                           committed=run.committed)
            complete = True
        finally:
            run.finish(complete)
    return tally, run


def _chain(first, rest):
    yield first
    yield from rest


