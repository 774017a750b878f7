"""Store stage: annotated records into the Whoosh index, committed in atomic batches."""

from __future__ import annotations

import json
import os
import re
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from whoosh import index
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.query import Term
from whoosh.writing import SegmentWriter

from indexer.records import Record, facet_values
from indexer.schema import ARTICLE, QUOTE, SCHEMA, SEP, term_text
from indexer.speaker_corrections import applied

DEFAULT_INDEX = "var/index"
TOC_TEMP = re.compile(r"^_MAIN_\d+\.toc\.[\d.]+$")  # a commit's table of contents being written
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?=\s)|\n")
CONTEXT_REACH = 400  # characters looked at around a partial quote for its sentence
COMMIT_EVERY = 500


def default_index_dir() -> Path:
    """The index folder: $NEWSINDEX_INDEX or ./var/index."""
    return Path(os.environ.get("NEWSINDEX_INDEX") or DEFAULT_INDEX)


def pack(data: dict) -> bytes:
    """Compact stored form of a record (the index keeps the whole record for export and pages)."""
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), 3)


def unpack(blob: bytes) -> dict:
    """Inverse of pack."""
    return json.loads(zlib.decompress(blob))


def joined(values: Iterable[str]) -> str:
    """Several facet values in one field, separated so that spaces and commas survive."""
    return SEP.join(v.replace(SEP, " ") for v in values if v)


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the sentence(s) holding text[start:end]: from the last sentence end before it
    to the first one after it (a full stop, ! or ? before white space, or a line break)."""
    before = [m.end() for m in SENTENCE_END.finditer(text, max(0, start - CONTEXT_REACH), start)]
    after = SENTENCE_END.search(text, end, end + CONTEXT_REACH)
    return (before[-1] if before else max(0, start - CONTEXT_REACH),
            after.start() + 1 if after else min(len(text), end + CONTEXT_REACH))


def quote_mentions(record: Record, quote: dict) -> list[str]:
    """Canonical entities that a quotation is about (for 'what did X say about Y').

    A direct quote is about what it mentions itself. A partial quote is a few quoted words
    inside the writer's paraphrase ('Hegseth said it was "unrealistic" for Ukraine to join
    NATO'): it is about what its sentence mentions, the speaker aside.
    """
    start, end = quote["start"], quote["end"]
    if quote.get("kind") == "partial":
        start, end = sentence_around(record.get("body") or "", start, end)
    names = []
    for ent in record.get("entities", []):
        if ent.get("field") != "body" or not ent.get("canonical"):
            continue
        if start <= ent["start"] and ent["end"] <= end:
            name = ent.get("country") or ent["canonical"]
            if name not in names and name != quote.get("speaker"):
                names.append(name)
    return names


def quote_data(record: Record, quote: dict) -> dict:
    """What a quote hit shows: the quote with its article's title, date, source and mentions."""
    return dict(
        quote,
        article_id=record["id"],
        title=record.get("title") or "",
        published=record.get("published"),
        source=record.get("source"),
        mentions=quote_mentions(record, quote),
    )


def article_document(record: Record) -> dict:
    """The Whoosh document of an article."""
    doc = {
        "kind": ARTICLE,
        "id": record["id"],
        "article_id": record["id"],
        "content_hash": record.get("content_hash") or "",
        "title": record.get("title") or "",
        "body": record["body"],
        "record": pack(record),
    }
    if record.get("published"):
        doc["published"] = record["published"]
    for field in ("person", "organization", "country", "topic", "source"):
        doc[field] = joined(facet_values(record, field))
    return doc


def quote_documents(record: Record, base: dict) -> Iterator[dict]:
    """One Whoosh document per quotation, carrying the article's facets for filtering."""
    for n, quote in enumerate(record.get("quotes", [])):
        data = quote_data(record, quote)
        doc = {k: base[k] for k in base if k not in ("title", "body", "record", "content_hash")}
        doc.update(
            kind=QUOTE,
            id=f"{record['id']}#q{n}",
            quote=quote["text"],
            speaker=quote.get("speaker") or "",
            record=pack(data),
        )
        doc["mentions"] = joined(data["mentions"])
        if quote.get("kind"):
            doc["quote_kind"] = quote["kind"]
        if isinstance(quote.get("confidence"), int | float):
            doc["confidence"] = repr(float(quote["confidence"]))
        yield doc


def _cached_length_reader(self, fieldname, column):
    """W3PerDocReader._cached_reader that also remembers a field without a length column.

    Whoosh asks for a field's length on every posting it writes, and for fields that keep no
    lengths (facets, ids) its own version stats the column file each time: a fifth of all
    indexing time.
    """
    if fieldname not in self._readers:
        self._readers[fieldname] = (
            self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        )
    return self._readers[fieldname]


W3PerDocReader._cached_reader = _cached_length_reader


class Store:
    """A Whoosh index folder holding article and quote documents."""

    def __init__(self, index_dir: str | os.PathLike):
        self.dir = Path(index_dir)
        # Without mmap: Whoosh copies each memory-mapped segment file it opens into a BytesIO,
        # so every searcher would hold a private copy of the whole index in memory.
        storage = FileStorage(str(self.dir), supports_mmap=False)
        if index.exists_in(self.dir):
            self.ix = storage.open_index()
        else:
            self.dir.mkdir(parents=True, exist_ok=True)
            self.ix = storage.create_index(SCHEMA)

    @classmethod
    def open_existing(cls, index_dir: str | os.PathLike) -> Store:
        """Open an index that must already exist (searching never creates one)."""
        if not index.exists_in(Path(index_dir)):
            raise FileNotFoundError(f"{index_dir}: no index here; run `newsindex index PATH` first")
        return cls(index_dir)

    def searcher(self):
        """A searcher over the latest commit."""
        return self.ix.searcher()

    def hashes(self) -> dict[str, str]:
        """Article id -> content hash, to skip NLP for unchanged articles.

        Read from the term dictionaries, where each term knows its first document, rather than
        from every stored record: a re-run over an unchanged corpus must cost next to nothing.
        """
        out: dict[str, str] = {}
        with self.ix.searcher() as s:
            for leaf, _ in s.reader().leaf_readers():
                ids = {}  # document number of each article -> its id
                for text, info in leaf.iter_field("article_id"):
                    doc = info.min_id()  # an article is added before its quotes
                    if not leaf.is_deleted(doc):
                        ids[doc] = term_text(text)
                        out[ids[doc]] = ""
                for text, info in leaf.iter_field("content_hash"):
                    docs = (
                        [info.min_id()] if info.doc_frequency() == 1
                        else leaf.postings("content_hash", text).all_ids()
                    )
                    for doc in docs:
                        if doc in ids:
                            out[ids[doc]] = term_text(text)
        return out

    def get(self, article_id: str) -> Record | None:
        """The stored annotated record of one article."""
        with self.ix.searcher() as s:
            fields = s.document(id=article_id, kind=ARTICLE)
        return unpack(fields["record"]) if fields else None

    def records(self) -> Iterator[Record]:
        """Every stored article record (for export and re-applying topics without NLP)."""
        with self.ix.searcher() as s:
            for fields in s.documents(kind=ARTICLE):
                yield unpack(fields["record"])

    @contextmanager
    def writer(self, wait: float = 600.0, on_wait: Callable[[str], None] | None = None):
        """A writer that waits for another indexer's lock, and commits or cancels as a whole."""
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                w: SegmentWriter = self.ix.writer(limitmb=256)
                break
            except LockError:
                if time.monotonic() > deadline:
                    raise LockError(f"{self.dir}: another indexer holds the write lock") from None
                if not told:
                    (on_wait or (lambda m: print(m, file=sys.stderr)))(
                        f"{self.dir}: another indexer is writing; waiting for it to finish"
                    )
                    told = True
                time.sleep(0.5)
        self._remove_half_written_tocs()
        try:
            yield w
        except BaseException:
            w.cancel()
            raise
        else:
            try:
                w.commit()
            except BaseException:
                self._unlock(w)
                raise

    @staticmethod
    def _unlock(w: SegmentWriter) -> None:
        """After a commit that failed half-way: cancel it, or at least give up the write lock, so
        that this process's next writer does not wait for a lock it holds itself."""
        if w.is_closed:
            return
        try:
            w.cancel()
        except Exception:
            with suppress(Exception):
                w.writelock.release()

    def _remove_half_written_tocs(self) -> None:
        """Whoosh writes a commit's table of contents under a temporary name, then renames it;
        a writer killed in between leaves that file, which Whoosh never deletes. Called with the
        write lock held, so no live writer owns one."""
        for name in os.listdir(self.dir):
            if TOC_TEMP.match(name):
                (self.dir / name).unlink(missing_ok=True)

    def write(
        self, records: Iterable[Record], commit_every: int = COMMIT_EVERY
    ) -> Iterator[Record]:
        """Add or replace records, committing every `commit_every`; yields each once committed.
        The index's speaker corrections are applied to them on the way in."""
        batch: list[Record] = []
        for record in applied(records, self.dir):
            batch.append(record)
            if len(batch) >= commit_every:
                self._commit(batch)
                yield from batch
                batch = []
        if batch:
            self._commit(batch)
            yield from batch

    def _commit(self, batch: list[Record]) -> None:
        # Whoosh's delete_by_term does not see documents added in the same writer, so an id
        # that comes twice in one batch (the same article in two files) would be stored twice.
        latest = {record["id"]: record for record in batch}
        with self.writer() as w:
            known = set(w.schema.names())  # an index made before a field was added lacks it
            for record in latest.values():
                w.delete_by_term("article_id", record["id"])
                doc = article_document(record)
                w.add_document(**doc)
                for qdoc in quote_documents(record, doc):
                    w.add_document(**{k: v for k, v in qdoc.items() if k in known})

    def mark_duplicates(self, groups: dict[str, str]) -> None:
        """Nothing to write: Whoosh searchers read the groups from duplicates.json."""

    def delete(self, article_ids: Iterable[str]) -> int:
        """Remove articles and their quotes."""
        n = 0
        with self.writer() as w:
            for aid in article_ids:
                n += w.delete_by_query(Term("article_id", aid))
        return n

    def size_bytes(self) -> int:
        """Bytes on disk of the index folder."""
        return sum(p.stat().st_size for p in self.dir.iterdir() if p.is_file())
