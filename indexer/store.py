"""Store stage: annotated records into the Whoosh index, committed in atomic batches."""

from __future__ import annotations

import ctypes
import functools
import json
import marshal
import multiprocessing
import os
import pickle
import re
import signal
import struct
import sys
import threading
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from itertools import chain, islice
from pathlib import Path

from whoosh import formats, index
from whoosh.analysis import IDTokenizer, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, W3PostingsWriter, _lenfield
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.query import Term
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from indexer.duplicates import quote_digest
from indexer.facets import keep_long_postings
from indexer.records import ARTICLE_ONLY, FACET_FIELDS, Record, facet_values
from indexer.schema import ARTICLE, QUOTE, SCHEMA, SEARCHED, SEP, term_text
from indexer.segment_arrays import SegmentArrays
from indexer.speaker_corrections import applied

DEFAULT_INDEX = "var/index"
TOC_TEMP = re.compile(r"^_MAIN_\d+\.toc\.[\d.]+$")  # a commit's table of contents being written
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?=\s)|\n")
CONTEXT_REACH = 400  # characters looked at around a partial quote for its sentence
COMMIT_EVERY = 500
PARALLEL_MIN = 1000  # records in one commit from which it is written by several processes
STEM_CACHE = 200_000  # distinct words whose stems are kept while writing
WRITER_MB = 256  # postings a writer holds in memory (Whoosh's estimate) before it sorts a run out
RUN_BATCH = 10_000  # postings marshalled together when a segment's postings spill to disk
PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent dies (Linux)


def default_index_dir() -> Path:
    """The index folder: $NEWSINDEX_INDEX or ./var/index."""
    return Path(os.environ.get("NEWSINDEX_INDEX") or DEFAULT_INDEX)


def pack(data: dict) -> bytes:
    """The stored form of a record (the index keeps the whole record for export and pages):
    its JSON. Whoosh compresses each document's stored fields together, so compressing the
    record here too made a bulk load compress it twice (the second time for nothing)."""
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def unpack(blob: bytes) -> dict:
    """Inverse of pack; also reads the zlib-compressed JSON that indexes made before kept (a
    zlib stream never starts with "{")."""
    return json.loads(blob if blob[:1] == b"{" else zlib.decompress(blob))


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


def sentence_text(text: str, start: int, end: int) -> str:
    """The sentence(s) holding text[start:end] (`sentence_around`), on one line."""
    first, last = sentence_around(text, start, end)
    return " ".join(text[first:last].split())


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


def quote_context(record: Record, quote: dict) -> str | None:
    """A partial quote's sentence: the writer's report around the few quoted words ('Hegseth
    told the meeting it was "unrealistic" for Ukraine to join NATO'), where what was said is.
    None for a direct quote, which is what was said itself."""
    if quote.get("kind") != "partial":
        return None
    return sentence_text(record.get("body") or "", quote["start"], quote["end"]) or None


def quote_data(record: Record, quote: dict) -> dict:
    """What a quote hit shows: the quote with its article's title, date, source and mentions,
    and a partial quote's sentence."""
    return dict(
        quote,
        article_id=record["id"],
        title=record.get("title") or "",
        published=record.get("published"),
        source=record.get("source"),
        mentions=quote_mentions(record, quote),
        context=quote_context(record, quote),
    )


def quote_searched(data: dict) -> str:
    """The text a quote is found by: a partial quote's whole sentence (what it is about is in
    the paraphrase around the quoted words), a direct quote's own words."""
    return data.get("context") or data["text"]


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
    for field in FACET_FIELDS:
        doc[field] = joined(facet_values(record, field))
    return doc


def quote_documents(record: Record, base: dict) -> Iterator[dict]:
    """One Whoosh document per quotation, carrying the article's facets for filtering."""
    for n, quote in enumerate(record.get("quotes", [])):
        data = quote_data(record, quote)
        doc = {k: base[k] for k in base
               if k not in ("title", "body", "record", "content_hash", *ARTICLE_ONLY)}
        doc.update(
            kind=QUOTE,
            id=f"{record['id']}#q{n}",
            quote=quote_searched(data),
            speaker=quote.get("speaker") or "",
            record=pack(data),
        )
        doc["mentions"] = joined(data["mentions"])
        doc["quote_words"] = quote_digest(quote["text"])
        if quote.get("kind"):
            doc["quote_kind"] = quote["kind"]
        if isinstance(quote.get("confidence"), int | float):
            doc["confidence"] = repr(float(quote["confidence"]))
        yield doc


def _doc_field_length(self, docnum, fieldname, default=0):
    """W3PerDocReader.doc_field_length from a field's whole length column read once.

    Whoosh asks for a field's length on every posting it writes (and scores), and its own
    version reads the column a byte at a time through seek and read, and stats the column
    file of a field that keeps no lengths each time: a fifth of all indexing time. One byte
    per document, so a million documents cost a megabyte per text field.
    """
    cache = self.__dict__.setdefault("_newsindex_lengths", {})
    lengths = cache.get(fieldname)
    if lengths is None:
        name = _lenfield(fieldname)
        lengths = cache[fieldname] = (
            _column_bytes(self.column_reader(name, LENGTHS_COLUMN))
            if self.has_column(name) else b""
        )
    if docnum >= len(lengths) or not lengths[docnum]:
        return default
    return byte_to_length(lengths[docnum])


def _column_bytes(reader) -> bytes:
    """The bytes of a one-byte-per-document column (the documents past its end are 0)."""
    return reader._dbfile.get(reader._basepos, reader._count)


W3PerDocReader.doc_field_length = _doc_field_length


def _write_block(self, last=False):
    """W3PostingsWriter._write_block, a block of one posting left uncompressed.

    Whoosh means to skip compressing a block whose pickle is under 20 bytes, but its next line
    sets the level again, so every block goes through zlib. Most terms of a news archive (names,
    numbers, rare words) have one posting in a segment: on the BBC corpus 71% of all blocks,
    about 65 bytes each, which zlib makes 3% larger, at the cost of setting up a compressor
    each time (4% of the time a bulk load spent writing). A block records its own compression,
    so readers, ours (facets.extent_ids) and Whoosh's, read both kinds."""
    if len(self._ids) > 1 or not self._compression:
        return _compressed_write_block(self, last)
    level, self._compression = self._compression, 0
    try:
        return _compressed_write_block(self, last)
    finally:
        self._compression = level


_compressed_write_block = W3PostingsWriter._write_block
W3PostingsWriter._write_block = _write_block


def _pool_add(self, item) -> None:
    """PostingPool.add without its per-posting type asserts: the same size estimate, and a
    sorted run written out when the pool passes its memory limit. A bulk load adds one posting
    per call (800k for the BBC corpus); without the asserts a call takes a third less time of
    its own (1.47 s -> 1.01 s there, profiled)."""
    self.fieldnames.add(item[0])
    self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
    if self.currentsize > self.limit:
        self.save()
    self.current.append(item)


def _write_run(self, f, items) -> None:
    """SortingPool._write_run with the postings marshalled in batches, not pickled one by one.

    A segment whose postings outgrow the writer's memory limit is sorted in runs on disk and
    merged at the end: every segment of a bulk load past some tens of thousands of articles.
    Pickling and unpickling each posting cost more than the rest of the spill and the merge
    together (on the BBC corpus forced to spill: 4.6 s of 31, profiled); marshal writes the
    postings' plain tuples of str, bytes, int and float in one call per batch."""
    items = iter(items)
    while batch := list(islice(items, RUN_BATCH)):
        data = marshal.dumps(batch)
        f.write(_RUN_LENGTH.pack(len(data)))
        f.write(data)
    f.close()


def _read_run(self, path):
    """SortingPool._read_run for runs of marshalled batches (_write_run): the postings in
    order, the run's file removed once read."""
    f = self._open_run(path)
    try:
        while header := f.read(_RUN_LENGTH.size):
            (size,) = _RUN_LENGTH.unpack(header)
            yield from marshal.loads(f.read(size))  # marshal.load(f) reads a few bytes a time
    finally:
        f.close()
        self._remove_run(path)


_RUN_LENGTH = struct.Struct("<I")  # bytes of the batch that follows, in a run's file
PostingPool.add = _pool_add
PostingPool._write_run = _write_run
PostingPool._read_run = _read_run


@functools.cache
def cached_stemmer(stem: Callable[[str], str]) -> Callable[[str], str]:
    """A stemming function behind one C-level LRU cache for the whole process (Whoosh wraps
    each StemFilter's in a Python-level one, a third of the cost of stemming)."""
    return functools.lru_cache(maxsize=STEM_CACHE)(stem)


class FastText:
    """One pass of Whoosh's StemmingAnalyzer over a text for a positions field and its
    spelling field, giving exactly what `field.index` and `field.spellable_words` give.

    Whoosh runs its analyzer (a chain of generators passing one Token object along) once for
    the postings and again, without stemming, for the spelling words, and writes a spelling
    posting of every word of every document although only the word list is ever read ("did
    you mean" walks the terms): together two thirds of the time a bulk load spends. Here the
    tokens are made once, the spelling words come from them, and each spelling word goes to
    a writer once. A field whose analyzer or format is anything else is left to Whoosh.
    """

    def __init__(self, field) -> None:
        tokenizer, _, stop, stemmer = field.analyzer.items
        self.field, self.finditer = field, tokenizer.expression.finditer
        self.stops, self.min, self.max = stop.stops, stop.min, stop.max
        self.stem, self.ignore = cached_stemmer(stemmer.stemfn), stemmer.ignore
        self.encode, self.boost = field.format.encode, field.format.field_boost
        self.last: tuple[str, list[str]] | None = None  # the text analysed last, its words
        self.spelled: set[str] = set()  # spelling words this writer has had already

    @staticmethod
    def fits(field) -> bool:
        """Whether a field is a positions field analysed exactly as StemmingAnalyzer does."""
        items = getattr(field.analyzer, "items", ())
        return (field.separate_spelling() and type(field.format) is formats.Positions
                and [type(i) for i in items] == [RegexTokenizer, LowercaseFilter, StopFilter,
                                                 StemFilter]
                and not items[0].gaps and items[2].renumber)

    def words(self, value: str) -> tuple[int, list[str]]:
        """The position of the first word kept and the words kept (lower case, no stop words):
        StopFilter numbers the kept words on from the first one's place among all tokens."""
        stops, low, high = self.stops, self.min, self.max
        tokens = [m.group().lower() for m in self.finditer(value)]
        keep = [len(t) >= low and (high is None or len(t) <= high) and t not in stops
                for t in tokens]
        kept = [t for t, k in zip(tokens, keep, strict=True) if k]
        self.last = (value, kept)
        return (keep.index(True) if kept else 0), kept

    def index(self, value, **kwargs):
        """field.index: (term bytes, frequency, weight, encoded positions) per distinct stem."""
        if not isinstance(value, str):
            return type(self.field).index(self.field, value, **kwargs)
        first, kept = self.words(value)
        stem, ignore = self.stem, self.ignore
        positions: dict[str, list[int]] = {}
        for pos, word in enumerate(kept, first):
            term = word if word in ignore else stem(word)
            if term in positions:
                positions[term].append(pos)
            else:
                positions[term] = [pos]
        return [(term.encode("utf-8"), len(p), float(len(p)) * self.boost, self.encode(p))
                for term, p in positions.items()]

    def spellable_words(self, value):
        """field.spellable_words, less the words this writer was given already."""
        if self.last is not None and self.last[0] is value:
            words = self.last[1]
        elif isinstance(value, str):
            words = self.words(value)[1]
        else:
            words = list(type(self.field).spellable_words(self.field, value))
        new = sorted(set(words) - self.spelled)
        self.spelled.update(new)
        return new


class FastTerms:
    """field.index, exactly, for a field whose analyzer only cuts the value into terms (ids,
    facet values) and whose postings hold no positions: without Token objects."""

    def __init__(self, field) -> None:
        analyzer = field.analyzer
        self.field, self.boost = field, field.format.field_boost
        self.frequency = type(field.format) is formats.Frequency
        self.finditer = None if type(analyzer) is IDTokenizer else analyzer.expression.finditer

    @staticmethod
    def fits(field) -> bool:
        """An id or facet field: one IDTokenizer or RegexTokenizer, Existence or Frequency."""
        analyzer = field.analyzer
        return (type(field.format) in (formats.Existence, formats.Frequency)
                and not field.separate_spelling()
                and (type(analyzer) is IDTokenizer
                     or type(analyzer) is RegexTokenizer and not analyzer.gaps))

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            return type(self.field).index(self.field, value, **kwargs)
        terms = [value] if self.finditer is None else [m.group() for m in self.finditer(value)]
        if not self.frequency:
            return [(t.encode("utf-8"), 1, self.boost, b"") for t in set(terms)]
        return [(t.encode("utf-8"), n, float(n) * self.boost, pack_uint(n))
                for t, n in Counter(terms).items()]


@contextmanager
def fast_analysis(writer: SegmentWriter):
    """FastText and FastTerms for the writer's fields while documents are added, taken off
    again before the commit writes the schema into the index's table of contents. The writer
    gets a schema of its own first: an index made in this process shares the module's SCHEMA."""
    writer.schema = pickle.loads(pickle.dumps(writer.schema))
    patched = []
    for field in writer.schema:
        if FastText.fits(field):
            fast = FastText(field)
            field.index, field.spellable_words = fast.index, fast.spellable_words
            patched.append((field, ("index", "spellable_words")))
        elif FastTerms.fits(field):
            field.index = FastTerms(field).index
            patched.append((field, ("index",)))
    try:
        yield writer
    finally:
        for field, names in patched:
            for name in names:
                delattr(field, name)


def add_records(w: SegmentWriter, records: Iterable[Record], known: set[str]) -> None:
    """Each record's article document and its quotes' documents, in that order (fields the
    index lacks, made before a field was added to the schema, left out)."""
    for record in records:
        doc = article_document(record)
        w.add_document(**{k: v for k, v in doc.items() if k in known})
        for qdoc in quote_documents(record, doc):
            w.add_document(**{k: v for k, v in qdoc.items() if k in known})


def commit(w: SegmentWriter) -> None:
    """SegmentWriter.commit, with the segments other processes wrote for this commit
    (`w.added_segments`) listed after the writer's own in the table of contents."""
    w._check_state()
    segments = w._merge_segments(None, None, None)
    if w._added:
        segments.append(w._finalize_segment())
    else:
        w._close_segment()
    segments += getattr(w, "added_segments", [])
    w._commit_toc(segments)
    w._finish()
    SegmentArrays(w.storage.folder).prune(segment.segment_id() for segment in segments)


class ForkedWriters:
    """Forked processes, one per share of a batch, each writing its documents into a segment
    of the index of its own, which it hands back; until then nothing of it is visible. A share
    may be any iterable of records (a generator too): the processes are forked, not sent it."""

    def __init__(self, ix, shares: list[Iterable[Record]], known: set[str]) -> None:
        context = multiprocessing.get_context("fork")
        self.storage, self.jobs = ix.storage, []
        limitmb = max(64, min(WRITER_MB, 1024 // (len(shares) + 1)))
        for share in shares:
            reader, sender = context.Pipe(duplex=False)
            proc = context.Process(target=_write_share, daemon=True,
                                   args=(ix, share, known, limitmb, sender, os.getpid()))
            proc.start()
            sender.close()
            self.jobs.append((proc, reader))
        self.done: list = []

    def segments(self) -> list:
        """The segments written, in the order of the shares; raises if a writer failed."""
        for proc, reader in self.jobs[len(self.done):]:
            try:
                status, value = reader.recv()
            except EOFError:
                status, value = "died", None
            reader.close()
            proc.join()
            value = f"exit code {proc.exitcode}" if value is None else value
            if status != "ok":
                raise RuntimeError(f"a process writing part of the batch failed: {value}")
            self.done.append(value)
        return self.done

    def abandon(self) -> None:
        """Stop the writers and delete the segments they finished."""
        for proc, reader in self.jobs:
            if proc.is_alive():
                proc.kill()
            proc.join()
            reader.close()
        for segment in self.done:
            delete_segment_files(self.storage, segment)


def _write_share(ix, records: Iterable[Record], known: set[str], limitmb: int, sender,
                 parent: int) -> None:
    """In a forked process: write the records' documents into a new segment, send it back."""
    _die_with_parent(parent)
    w = None
    try:
        w = SegmentWriter(ix, _lk=False, limitmb=limitmb)  # the parent holds the lock
        with fast_analysis(w):
            add_records(w, records, known)
        sender.send(("ok", w._finalize_segment()))
    except BaseException:
        if w is not None:  # not w.cancel(): it would delete the parent's temporary folder
            with suppress(Exception):
                w._close_segment()
            delete_segment_files(ix.storage, w.newsegment)
        sender.send(("failed", traceback.format_exc()))
    sender.close()


def delete_segment_files(storage, segment) -> None:
    """The files of a segment no commit will name (best effort: the next commit deletes
    whatever files no commit names)."""
    prefix = segment.segment_id() + "."
    for name in list(storage):
        if name.startswith(prefix):
            with suppress(OSError):
                storage.delete_file(name)


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (kill -9 included), so that no
    writer outlives the run that holds the lock; where prctl is missing, a thread watches."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.2)
            os.kill(os.getpid(), signal.SIGKILL)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # it died before the above took effect
        os.kill(os.getpid(), signal.SIGKILL)


class Store:
    """A Whoosh index folder holding article and quote documents."""

    # Annotated records loaded alone (no NLP) per commit: redoing a batch a crash lost is
    # cheap, and every commit writes a segment whose term dictionary repeats most words.
    records_per_commit = 5000
    # A batch of at least this many records is written by several processes, one segment
    # each (below it, starting them costs more than they save); at most write_workers.
    parallel_min = PARALLEL_MIN
    write_workers = os.cpu_count() or 1

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
                w: SegmentWriter = self.ix.writer(limitmb=WRITER_MB)
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
            with fast_analysis(w):
                yield w
        except BaseException:
            w.cancel()
            delete_segment_files(w.storage, w.newsegment)
            raise
        else:
            try:
                commit(w)
            except BaseException:
                self._unlock(w)
                raise
            # Outside the write lock: the next writer need not wait for it.
            keep_long_postings(self.ix, chain.from_iterable(SEARCHED.values()))

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
        latest = list({record["id"]: record for record in batch}.values())
        # Each process gets half of parallel_min records at least.
        workers = min(self.write_workers, len(latest) // max(1, self.parallel_min // 2))
        if workers > 1 and len(latest) >= self.parallel_min and hasattr(os, "fork"):
            self._commit_parallel(latest, workers)
            return
        with self.writer() as w:
            known = set(w.schema.names())  # an index made before a field was added lacks it
            for record in latest:
                w.delete_by_term("article_id", record["id"])
            add_records(w, latest, known)

    def _commit_parallel(self, records: list[Record], workers: int) -> None:
        """One commit of a large batch written by `workers` processes at once: forked ones each
        write the documents of a consecutive share of the records into a segment of their own,
        while this one deletes the replaced articles; then it lists their segments, in the order
        of the shares, in the table of contents in one commit (as Whoosh's multi-segment MpWriter
        does, without its document queue): the documents get the numbers one writer would give
        them. (This process writing a share itself measured slower: Whoosh's writer flushes its
        own segment only at the commit, after the others had finished, one core idle meanwhile.)

        A segment is visible only once that commit's table of contents is renamed into place:
        a run killed before leaves files no commit names, which the next commit deletes. The
        forked writers die with this process (see _die_with_parent)."""
        size = -(-len(records) // workers)
        self.write_shares([records[start:start + size] for start in range(0, len(records), size)],
                          [record["id"] for record in records])

    def write_shares(self, shares: list[Iterable[Record]], replaced: Iterable[str] = ()) -> None:
        """One commit of records written by one forked process per share, one segment each, in
        the order of the shares; the articles `replaced` names are deleted meanwhile."""
        with self.writer() as w:
            known = set(w.schema.names())
            # Forked before this writer buffers anything, so that no copy of it is flushed.
            others = ForkedWriters(self.ix, shares, known)
            try:
                for article_id in replaced:
                    w.delete_by_term("article_id", article_id)
                w.added_segments = others.segments()
            except BaseException:
                others.abandon()
                raise
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
        """Bytes on disk of the index folder (the kept posting lists included)."""
        total = 0
        # os.walk passes over a folder that a writer removes meanwhile (rglob would raise)
        for folder, _, files in os.walk(self.dir):
            for name in files:
                with suppress(OSError):  # a file a commit removes meanwhile
                    total += os.stat(os.path.join(folder, name)).st_size
        return total
