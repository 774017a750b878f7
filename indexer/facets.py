"""Index arrays: per index generation, facet fields, postings and lengths as numpy arrays.

Whoosh's own `groupedby` walks every matching document in Python; on broad queries over large
indexes that takes seconds. Here each facet field is read once per index generation into a
value -> documents table (CSR-like: one array of document numbers grouped by value), so that a
count over any set of matching documents is one `np.bincount`, and a filter is a few slices.

Whoosh's matchers also hand out postings one document at a time. A posting list is stored as
blocks of up to 128 postings, each one pickled tuple (delta-coded ids, weights, positions), so
`postings()` reads it block by block into arrays: a term over half of 100,000 articles takes
milliseconds instead of a Python loop over every document.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import pickle
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, AndNot, Every, Not, NullQuery, Or, Query, Term
from whoosh.reading import IndexReader
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.schema import term_text
from indexer.segment_arrays import MIN_POSTINGS, SegmentArrays

Canonical = Callable[[str, str], str]
# Whoosh keeps a field's length per document as one byte; this decodes all 256 at once.
LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
# Fewer matching documents than postings / SPARSE_FACTOR: count from the documents' side (two
# lookups in FacetTable._starts per document). Measured on the 1M bench index with random
# masks: it wins below ~1/16 of the postings whatever the table (1/32: 46 vs 78 ms over 21.8M
# postings, 2.2 vs 3.1 ms over 1M; 1/8: 277 vs 118 ms, 5.2 vs 2.3 ms). Binary searches instead
# of the lookups won below 1/35 at 100k articles but only below 1/256 at 1M.
SPARSE_FACTOR = 16
# Bytes of term postings kept per generation (broad terms recur across queries).
POSTINGS_BUDGET = 96 * 1024 * 1024
BLOCK_LENGTH = struct.Struct("!i")  # before each block of a Whoosh 3 posting list


def value_dtype(n: int) -> np.dtype:
    """The smallest unsigned integer type that numbers n values (uint8, uint16, uint32)."""
    return np.min_scalar_type(max(n - 1, 0))


@dataclass
class FacetTable:
    """One facet field: canonical values, and which documents carry each.

    The postings are kept in document order (one pair per document and value): a few
    documents' values are then found by binary search, without a second, document-major copy.
    """

    values: list[str]  # canonical value per value id
    docs: np.ndarray  # int32 document numbers (live documents only), ascending
    value_of_posting: np.ndarray  # value id of each entry in docs (smallest unsigned type)
    index: dict[str, int]  # canonical value -> value id
    _universe: tuple | None = dataclasses.field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.docs) > 1 and (self.docs[1:] < self.docs[:-1]).any():
            order = np.argsort(self.docs, kind="stable")
            self.docs, self.value_of_posting = self.docs[order], self.value_of_posting[order]

    def count(self, mask: np.ndarray, universe: np.ndarray | None = None) -> np.ndarray:
        """Documents per value among those where mask is true (each document counted once).

        `universe`: the documents the table was made from (mask a part of them). When mask
        leaves out only a few of them (a match-all, a very broad word), the counts are the
        table's totals less those of the few left out."""
        matching = np.count_nonzero(mask)
        if matching * SPARSE_FACTOR < len(self.docs):
            return self._count_few(np.flatnonzero(mask))
        if universe is not None and (self._size(universe) - matching) * SPARSE_FACTOR < len(
                self.docs):
            return self._totals - self._count_few(np.flatnonzero(universe > mask))
        hit = mask[self.docs]  # np.compress: half the time of value_of_posting[hit] here
        return np.bincount(np.compress(hit, self.value_of_posting), minlength=len(self.values))

    def _size(self, universe: np.ndarray) -> int:
        """How many documents universe holds (counted once per universe array)."""
        kept = self._universe
        if kept is None or kept[0] is not universe:
            kept = self._universe = (universe, int(np.count_nonzero(universe)))
        return kept[1]

    @functools.cached_property
    def _totals(self) -> np.ndarray:
        """Documents per value among all the table's documents."""
        return np.bincount(self.value_of_posting, minlength=len(self.values))

    @functools.cached_property
    def _starts(self) -> np.ndarray:
        """Where each document's postings start (document d's are starts[d]..starts[d + 1]; two
        more entries, empty, stand for every document past the last): a document's values are
        then two lookups, not two binary searches over every posting, which at a million
        articles miss the processor's caches at every step (4 bytes per document)."""
        last = int(self.docs[-1]) if len(self.docs) else -1
        per_document = np.bincount(self.docs, minlength=last + 3) if len(self.docs) else (
            np.zeros(2, dtype=np.int64))
        starts = np.zeros(len(per_document) + 1, dtype=np.int64)
        np.cumsum(per_document, out=starts[1:])
        return starts.astype(np.int32 if len(self.docs) < 2**31 else np.int64)

    def _count_few(self, matching: np.ndarray) -> np.ndarray:
        """Counts for a few matching documents: read only their own values."""
        starts = self._starts
        at = np.minimum(matching, len(starts) - 2)
        first = starts[at]
        lengths = starts[at + 1] - first
        # Every position first[i] .. first[i] + lengths[i] - 1, without a Python loop.
        shift = np.repeat(first - (np.cumsum(lengths) - lengths), lengths)
        positions = np.arange(int(lengths.sum())) + shift
        return np.bincount(self.value_of_posting[positions], minlength=len(self.values))

    def mask_for(self, values: Iterable[str], size: int) -> np.ndarray:
        """Documents carrying any of the values."""
        out = np.zeros(size, dtype=bool)
        ids = [self.index[v] for v in values if v in self.index]
        if ids:
            chosen = np.isin(self.value_of_posting, ids)
            out[self.docs[chosen]] = True
        return out


@dataclass
class SegmentTable:
    """One facet field within one segment, as stored (no merges applied): built once, reused by
    every later generation whatever the merges."""

    values: list[str]  # stored spellings
    docs: np.ndarray  # the segment's own int32 document numbers, deleted ones included, ascending
    value_of_posting: np.ndarray  # spelling id of each entry (smallest unsigned type)


def _block_arrays(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """All postings of an on-disk posting list, read a whole block at a time."""
    deltas: list[tuple] = []
    weights: list[np.ndarray] = []
    lasts: list[int] = []  # last id of each block
    total = 0
    matcher.reset()
    while matcher.is_active():
        matcher._read_data()
        ids, ws = matcher._data[0], matcher._data[1]
        n = len(ids)
        deltas.append(ids)
        lasts.append(matcher._maxid)
        if ws is None:
            weights.append(np.ones(n))
        elif isinstance(ws, float):
            weights.append(np.full(n, ws))
        else:
            weights.append(np.asarray(ws, dtype=np.float64))
        total += n
        matcher._next_block()
    if not total:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return decoded_ids(deltas, lasts), np.concatenate(weights)


def decoded_ids(blocks: list, lasts: list[int]) -> np.ndarray:
    """Document numbers from a posting list's blocks of delta-coded ids and each block's last id.

    Each block's ids restart from zero: its first delta becomes the step from the previous
    block's last id, then one cumulative sum decodes the whole list."""
    steps = np.fromiter(chain.from_iterable(blocks), dtype=np.int64)
    if len(blocks) > 1:
        starts = np.cumsum([len(b) for b in blocks[:-1]])
        steps[starts] -= np.array(lasts[:-1], dtype=np.int64)
    return np.cumsum(steps)


def _matcher_arrays(matcher: Matcher) -> tuple[np.ndarray, np.ndarray]:
    """Postings of any other matcher (in-memory lists), one at a time."""
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


def postings(
    reader: IndexReader, field: str, text: str | bytes, kept: SegmentArrays | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers (int32) and weights (term frequencies: float32 when that is exact) of
    one term, deleted documents included. With `kept`, a segment's long posting list is read
    from (or, the first time, written to) its numpy file beside the index."""
    ids, weights = [], []
    for leaf, base in reader.leaf_readers():
        if (field, text) not in leaf:
            continue
        segment = segment_id(leaf) if kept is not None else None
        long_list = segment is not None and leaf.doc_frequency(field, text) >= MIN_POSTINGS
        found = kept.load(segment, field, text) if long_list else None
        if found is not None:
            ids.append(found[0] + np.int32(base))
            weights.append(found[1])
            continue
        matcher = leaf.postings(field, text)
        if isinstance(matcher, FilterMatcher):  # deletions: callers mask them out
            matcher = matcher.child
        if isinstance(matcher, W3LeafMatcher):
            leaf_ids, leaf_weights = _block_arrays(matcher)
            if long_list:
                kept.save(segment, field, text, leaf_ids, leaf_weights)
        else:
            matcher.reset()
            leaf_ids, leaf_weights = _matcher_arrays(matcher)
        ids.append(leaf_ids.astype(np.int32) + np.int32(base))
        weights.append(leaf_weights)
    if not ids:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), compact_weights(np.concatenate(weights))


def keep_long_postings(ix, fields: Iterable[str]) -> int:
    """Write the numpy files of every long posting list of `fields` (see segment_arrays) in
    the segments that lack them, so that no search has to decode one first; a segment is done
    once. Returns the lists written."""
    fields = set(fields)  # read once: an iterator would be spent on the first segment
    kept, written = SegmentArrays(ix.storage.folder), 0
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            segment = segment_id(leaf)
            if segment is None or leaf.doc_count_all() < MIN_POSTINGS or kept.done(segment):
                continue
            for field in fields & set(leaf.indexed_field_names()):
                for text, info in leaf.iter_field(field):
                    if info.doc_frequency() >= MIN_POSTINGS \
                            and kept.load(segment, field, text) is None:
                        written += kept.save(segment, field, text, *postings(leaf, field, text))
            kept.mark_done(segment)
    return written


def compact_weights(weights: np.ndarray) -> np.ndarray:
    """Weights as float32 when every one survives the round trip (term frequencies do)."""
    narrow = weights.astype(np.float32)
    return narrow if (narrow == weights).all() else weights


def alive_mask(reader: IndexReader) -> np.ndarray:
    """True for every document not deleted."""
    alive = np.ones(reader.doc_count_all(), dtype=bool)
    for leaf, base in reader.leaf_readers():
        if leaf.has_deletions():
            deleted = getattr(leaf, "deleted_docs_set", None)
            if deleted is None:
                deleted = [d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)]
            alive[np.fromiter(deleted, dtype=np.int64) + base] = False
    return alive


def field_lengths(reader: IndexReader, field: str) -> np.ndarray:
    """Each document's length of a field, as Whoosh's scorer sees it (quantised to one byte)."""
    parts = [length_bytes(leaf, field) for leaf, _ in reader.leaf_readers()]
    return LENGTH_OF_BYTE[np.concatenate(parts)] if parts else np.zeros(0)


def length_bytes(leaf: IndexReader, field: str) -> np.ndarray:
    """One segment's field lengths as Whoosh stores them, one byte per document (LENGTH_OF_BYTE
    decodes them): an eighth of the memory of the decoded lengths."""
    n = leaf.doc_count_all()
    out = np.zeros(n, dtype=np.uint8)
    perdoc = getattr(leaf, "_perdoc", None)
    column = perdoc._cached_reader(f"_{field}_len", _lengths_column()) if perdoc else None
    if column is not None:
        count = min(column._count, n)
        out[:count] = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
    else:
        for d in range(n):
            out[d] = length_to_byte(leaf.doc_field_length(d, field, 0) or 0)
    return out


def _lengths_column():
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    return LENGTHS_COLUMN


def term_ids(leaf: IndexReader, field: str) -> Iterator[tuple[bytes, np.ndarray]]:
    """Each term of a field in one segment with its document numbers (deleted ones included),
    in one walk of the term dictionary: no lookup per term, and a term of one document is known
    from its dictionary entry alone."""
    terms = getattr(leaf, "_terms", None)
    if not (hasattr(terms, "_codec") and hasattr(terms, "_postfile")):  # not a Whoosh 3 file
        for raw in leaf.lexicon(field):
            yield raw, postings(leaf, field, raw)[0]
        return
    fmt = leaf.schema[field].format
    for raw, info in leaf.iter_field(field):
        if info.doc_frequency() == 1:
            yield raw, np.array([info.min_id()], dtype=np.int64)
        elif not info.is_inlined():
            yield raw, extent_ids(terms._postfile, *info.extent())
        else:
            matcher = terms._codec.postings_reader(terms._postfile, info, fmt, term=(field, raw))
            yield raw, _matcher_arrays(matcher)[0]


def extent_ids(postfile, offset: int, length: int) -> np.ndarray:
    """The document numbers of a posting list in a Whoosh 3 postings file, from its bytes read
    in one go (W3LeafMatcher reads each block's header in several small reads): after a tag,
    blocks of a length (negative for the last), a pickled header whose fourth item says if
    the data is compressed, and the pickled (ids, weights, values) with ids as steps."""
    if isinstance(length, tuple):  # Whoosh 2.7 reads it back as struct.unpack gives it
        length = length[0]
    data = postfile.get(offset, length)
    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"no postings at {offset}")
    stream, end, pos = io.BytesIO(data), len(data), 4
    blocks: list[tuple] = []
    lasts: list[int] = []  # each block's last id (its header's second item)
    while pos < end:
        start = pos + BLOCK_LENGTH.size
        pos = start + abs(BLOCK_LENGTH.unpack_from(data, pos)[0])
        stream.seek(start)
        header = pickle.load(stream)
        block = data[stream.tell() : pos]
        blocks.append(pickle.loads(zlib.decompress(block) if header[3] else block)[0])
        lasts.append(header[1])
    return decoded_ids(blocks, lasts)


def segment_table(leaf: IndexReader, field: str) -> SegmentTable:
    """Read one facet field of one segment as stored, in document order."""
    values: list[str] = []
    chunks: list[np.ndarray] = []
    if field in leaf.schema:
        for raw, ids in term_ids(leaf, field):
            values.append(term_text(raw))
            chunks.append(ids)
    if not chunks:
        return SegmentTable(values, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint8))
    docs = np.concatenate(chunks).astype(np.int32)
    ids = np.repeat(np.arange(len(chunks), dtype=value_dtype(len(chunks))),
                    [len(c) for c in chunks])
    order = np.argsort(docs, kind="stable")
    return SegmentTable(values, docs[order], ids[order])


def compose(
    parts: list[tuple[SegmentTable, int]], keep: np.ndarray, canonical: Canonical | None = None,
    field: str = "",
) -> FacetTable:
    """The index-wide table from per-segment tables at their document bases: the documents
    where keep is true (live ones, of one kind), spellings merged by canonical.

    Value ids follow the values' sorted order, so equal counts list alphabetically whatever
    the history of segments (as OpenSearch orders its ties, by key). A document that carries
    two spellings of one merged value counts once.
    """
    names = [[canonical(field, v) for v in t.values] if canonical else t.values for t, _ in parts]
    values = sorted(set(chain.from_iterable(names)))
    index = {v: i for i, v in enumerate(values)}
    dtype = value_dtype(len(values))
    docs, ids = [], []
    for (table, base), named in zip(parts, names, strict=True):
        if not len(table.docs):
            continue
        mapping = np.array([index[v] for v in named], dtype=dtype)
        part_docs = table.docs + np.int32(base)
        live = keep[part_docs]
        part_docs, part_ids = part_docs[live], mapping[table.value_of_posting[live]]
        part_docs, part_ids = _once_per_document(part_docs, part_ids, mapping)
        docs.append(part_docs)
        ids.append(part_ids)
    all_docs = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32)
    all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=dtype)
    return FacetTable(values, all_docs, all_ids, index)


def _once_per_document(
    docs: np.ndarray, ids: np.ndarray, mapping: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Postings without the repeats that merging two spellings a document both has makes
    (document order kept; only the postings of merged values are sorted)."""
    merged = np.bincount(mapping) > 1 if len(mapping) else np.zeros(0, dtype=bool)
    if not merged.any():
        return docs, ids
    pick = np.flatnonzero(merged[ids])
    order = pick[np.lexsort((ids[pick], docs[pick]))]
    repeat = (docs[order[1:]] == docs[order[:-1]]) & (ids[order[1:]] == ids[order[:-1]])
    if not repeat.any():
        return docs, ids
    keep = np.ones(len(docs), dtype=bool)
    keep[order[1:][repeat]] = False
    return docs[keep], ids[keep]


def build_table(
    reader: IndexReader, field: str, alive: np.ndarray, canonical: Canonical | None = None
) -> FacetTable:
    """Read one facet field's postings into a FacetTable, merging aliased spellings."""
    parts = [(segment_table(leaf, field), base) for leaf, base in reader.leaf_readers()]
    return compose(parts, alive, canonical, field)


def segment_id(leaf: IndexReader) -> str | None:
    """A segment's name (its contents never change), or None for readers without one."""
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    return segment.segment_id() if segment is not None else None


class FacetCache:
    """Arrays of the current index generation, built lazily and shared by all requests.

    A key is (generation, documents, merges, ...): the first two name the index generation,
    the third the state of the merges (aliases); anything after it is the caller's. Tables and
    arrays live as long as the generation; what a segment holds is kept per segment, whatever
    the merges, so that after a commit or a new merge only the new or merged segments are read.
    """

    def __init__(self, postings_budget: int = POSTINGS_BUDGET,
                 kept: SegmentArrays | None = None) -> None:
        self._lock = threading.Lock()
        self.kept = kept  # long posting lists on disk, beside their segments
        self._key: tuple | None = None
        self._tables: dict[tuple, FacetTable] = {}  # (field, kind, merges) -> table
        self._extra: dict[str, object] = {}
        self._segments: dict[tuple, SegmentTable | np.ndarray] = {}
        self._postings: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._postings_bytes = 0
        self.postings_budget = postings_budget

    def _roll(self, key: tuple) -> None:
        if key[:2] != self._key:
            self._key, self._tables, self._extra = key[:2], {}, {}
            self._postings, self._postings_bytes = OrderedDict(), 0

    def tables(
        self, reader: IndexReader, key: tuple, fields: Iterable[str], canonical: Canonical | None,
        kind: str | None = None,
    ) -> dict[str, FacetTable]:
        """Tables for the fields asked, merged by canonical (None: as stored); with `kind`,
        restricted to the documents of that kind (articles carry a fifth of the postings that
        their quotes repeat, so an article count reads a fifth as much)."""
        merges = key[2:3] if canonical else None
        with self._lock:
            self._roll(key)
            self._prune(reader)
            keep = self._alive(reader)
            if kind is not None:
                keep = keep & self._kind_mask(reader, kind)
            out = {}
            for field in fields:
                name = (field, kind, merges)
                if name not in self._tables:
                    for stale in [t for t in self._tables if t[:2] == (field, kind)]:
                        del self._tables[stale]  # made under merges since changed
                    parts = [(self._table(leaf, field), base)
                             for leaf, base in reader.leaf_readers()]
                    self._tables[name] = compose(parts, keep, canonical, field)
                out[field] = self._tables[name]
            return out

    def _alive(self, reader: IndexReader) -> np.ndarray:
        if "alive" not in self._extra:
            self._extra["alive"] = alive_mask(reader)
        return self._extra["alive"]

    def _kind_mask(self, reader: IndexReader, kind: str) -> np.ndarray:
        """Documents of one kind (live or not), from the stored kind field."""
        name = f"any:{kind}"
        if name not in self._extra:
            mask = np.zeros(reader.doc_count_all(), dtype=bool)
            for leaf, base in reader.leaf_readers():
                table = self._table(leaf, "kind")
                if kind in table.values:
                    chosen = table.value_of_posting == table.values.index(kind)
                    mask[table.docs[chosen] + base] = True
            self._extra[name] = mask
        return self._extra[name]

    def kind_mask(self, reader: IndexReader, key: tuple, kind: str) -> np.ndarray:
        """Live documents of one kind."""
        with self._lock:
            self._roll(key)
            self._prune(reader)
            name = f"live:{kind}"
            if name not in self._extra:
                self._extra[name] = self._alive(reader) & self._kind_mask(reader, kind)
            return self._extra[name]

    def segment_array(
        self, reader: IndexReader, key: tuple, name: str, build: Callable[[IndexReader], np.ndarray]
    ) -> np.ndarray:
        """A per-document array made segment by segment (each segment's part kept)."""
        with self._lock:
            self._roll(key)
            self._prune(reader)
            if name not in self._extra:
                self._extra[name] = np.concatenate(
                    [self._array(leaf, name, build) for leaf, _ in reader.leaf_readers()]
                    or [np.zeros(0, dtype=np.int32)]
                )
            return self._extra[name]

    def segment_tables(self, reader: IndexReader, key: tuple,
                       field: str) -> list[tuple[SegmentTable, int]]:
        """One field's table of each segment with the segment's document base, kept like the
        facets' (in memory while the segment lives, and beside it on disk)."""
        with self._lock:
            self._roll(key)
            self._prune(reader)
            return [(self._table(leaf, field), base) for leaf, base in reader.leaf_readers()]

    def _segment(self, leaf: IndexReader, what: tuple, build: Callable):
        sid = segment_id(leaf)
        if sid is None:
            return build()
        if (sid, *what) not in self._segments:
            self._segments[(sid, *what)] = build()
        return self._segments[(sid, *what)]

    def _table(self, leaf: IndexReader, field: str) -> SegmentTable:
        """A facet field's table of one segment: kept in memory, else mapped from the files
        kept beside the segment, else read from the segment (and kept there)."""
        def build() -> SegmentTable:
            sid = segment_id(leaf)
            found = self.kept.load_table(sid, field) if self.kept and sid else None
            if found is not None:
                return SegmentTable(*found)
            table = segment_table(leaf, field)
            if self.kept and sid:
                self.kept.save_table(sid, field, table.values, table.docs,
                                     table.value_of_posting)
            return table

        return self._segment(leaf, (field,), build)

    def _array(self, leaf: IndexReader, name: str, build: Callable) -> np.ndarray:
        """A per-document array of one segment, kept the same way (but arrays of objects)."""
        def kept_or_built() -> np.ndarray:
            sid = segment_id(leaf)
            found = self.kept.load_array(sid, name) if self.kept and sid else None
            if found is not None:
                return found
            array = build(leaf)
            if self.kept and sid:
                self.kept.save_array(sid, name, array)
            return array

        return self._segment(leaf, (name,), kept_or_built)

    def _prune(self, reader: IndexReader) -> None:
        """Forget segments that merges removed."""
        live = {segment_id(leaf) for leaf, _ in reader.leaf_readers()}
        for k in [k for k in self._segments if k[0] not in live]:
            del self._segments[k]

    def array(self, key: tuple, name: str, build: Callable[[], object]) -> object:
        """A per-generation value (e.g. an array per document) cached with the tables; a name
        that depends on more than the generation says so itself."""
        with self._lock:
            self._roll(key)
            if name not in self._extra:
                self._extra[name] = build()
            return self._extra[name]

    def drop_postings(self) -> None:
        """Forget cached term postings (benchmarks measure queries cold)."""
        with self._lock:
            self._postings, self._postings_bytes = OrderedDict(), 0

    def postings(
        self, reader: IndexReader, key: tuple, field: str, text: bytes
    ) -> tuple[np.ndarray, np.ndarray]:
        """A term's (document numbers, weights), deleted documents included; recently used kept."""
        with self._lock:
            self._roll(key)
            hit = self._postings.get((field, text))
            if hit is not None:
                self._postings.move_to_end((field, text))
                return hit
        arrays = postings(reader, field, text, self.kept)
        size = arrays[0].nbytes + arrays[1].nbytes
        with self._lock:
            if key[:2] == self._key and size <= self.postings_budget:
                self._postings[(field, text)] = arrays
                self._postings_bytes += size
                while self._postings_bytes > self.postings_budget:
                    _, (ids, weights) = self._postings.popitem(last=False)
                    self._postings_bytes -= ids.nbytes + weights.nbytes
        return arrays

    def nbytes(self) -> dict[str, int]:
        """Bytes held per kind of array (numpy buffers only), for benchmarks."""
        out: dict[str, int] = {}

        def add(name: str, value) -> None:
            if isinstance(value, np.ndarray):
                out[name] = out.get(name, 0) + value.nbytes
            elif isinstance(value, (tuple, list)):
                for item in value:
                    add(name, item)
            elif isinstance(value, (FacetTable, SegmentTable)):
                add(name, value.docs)
                add(name, value.value_of_posting)

        with self._lock:
            for (field, kind, merges), table in self._tables.items():
                add(f"table:{field}:{kind or 'all'}{'' if merges else ':raw'}", table)
            for name, value in self._extra.items():
                add(f"array:{name}", value)
            for (_, *what), value in self._segments.items():
                add(f"segment:{what[0]}", value)
            for arrays in self._postings.values():
                add("postings", arrays)
        return out


@dataclass
class Matches:
    """A query evaluated over every document: which match, and their scores when computable."""

    mask: np.ndarray
    scores: Scores | None  # Whoosh's BM25F score of each match; None: let Whoosh score


@dataclass
class Scores:
    """Scores of the documents that have one, held sparsely: a word in a few thousand of a
    million articles scores a few thousand, not an array of every document to fill and add
    (43 MB a term at 1M articles, with its quotes). `scores[docs]` reads them (0 where none)."""

    ids: np.ndarray  # ascending, unique
    values: np.ndarray  # float64, Whoosh's arithmetic

    def __getitem__(self, docs):
        docs = np.asarray(docs)
        if not len(self.ids):
            return np.zeros(docs.shape)
        at = np.minimum(np.searchsorted(self.ids, docs), len(self.ids) - 1)
        return np.where(self.ids[at] == docs, self.values[at], 0.0)

    def __mul__(self, factor: float) -> Scores:
        return Scores(self.ids, self.values * factor)


NO_SCORES = Scores(np.zeros(0, dtype=np.int64), np.zeros(0))


class QueryArrays:
    """Evaluates parsed Whoosh queries with numpy: terms, AND, OR, NOT, match-all.

    Scores follow Whoosh's BM25F exactly (same idf, quantised field lengths, boosts, sums), so
    page 1 is Whoosh's page 1 without scoring each match in Python. Other query types (phrases,
    wildcards, ranges) are matched by `fallback` and leave scoring to Whoosh.
    """

    def __init__(
        self, searcher, cache: FacetCache, key: tuple, fallback: Callable[[Query], np.ndarray]
    ) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.cache = cache
        self.key = key
        self.size = self.reader.doc_count_all()
        self.alive = cache.array(key, "alive", lambda: alive_mask(self.reader))
        self.fallback = fallback
        weighting = searcher.weighting
        self.bm25 = weighting if isinstance(weighting, BM25F) else None

    def evaluate(self, q: Query) -> Matches:
        """The matches of q among live documents."""
        found = self._node(q)
        found.mask &= self.alive
        return found

    def _node(self, q: Query) -> Matches:
        if isinstance(q, Term):
            return self._term(q)
        if isinstance(q, Every):
            return Matches(self.alive.copy(), None)
        if q is NullQuery:
            return Matches(np.zeros(self.size, dtype=bool), NO_SCORES)
        if isinstance(q, Not):
            return Matches(self.alive & ~self._node(q.query).mask, None)
        if type(q) is AndNot:
            positive, negative = self._node(q.a), self._node(q.b)
            return Matches(positive.mask & ~negative.mask, positive.scores)
        if type(q) in (And, Or):
            return self._compound(q)
        return Matches(self.fallback(q), None)

    def _compound(self, q: And | Or) -> Matches:
        subs = [self._node(sub) for sub in q.subqueries if not isinstance(sub, Not)]
        negatives = [self._node(sub.query) for sub in q.subqueries if isinstance(sub, Not)]
        if not subs:  # only NOTs: what none of them matches
            mask = self.alive.copy()
            for neg in negatives:
                mask &= ~neg.mask
            return Matches(mask, None)
        scored = all(sub.scores is not None for sub in subs) and (
            type(q) is And or not negatives
        )
        if type(q) is And:
            mask = subs[0].mask.copy()
            for sub in subs[1:]:
                mask &= sub.mask
            for neg in negatives:
                mask &= ~neg.mask
        else:
            mask = subs[0].mask.copy()
            for sub in subs[1:]:
                mask |= sub.mask
            for neg in negatives:
                mask |= self.alive & ~neg.mask
            scored = scored and not getattr(q, "scale", None)
        scores = None
        if scored:  # the sum of the subqueries' scores, over the matches only
            ids = np.flatnonzero(mask)
            values = subs[0].scores[ids]
            for sub in subs[1:]:
                values += sub.scores[ids]
            if negatives:  # Whoosh scores each NOT clause of an AND as a match of weight 1
                values += float(len(negatives))
            if q.boost != 1.0:
                values *= q.boost
            scores = Scores(ids, values)
        return Matches(mask, scores)

    def _term(self, q: Term) -> Matches:
        mask = np.zeros(self.size, dtype=bool)
        schema = self.reader.schema
        if q.fieldname not in schema:
            return Matches(mask, NO_SCORES)
        field = schema[q.fieldname]
        try:
            text = field.to_bytes(q.text)
        except ValueError:
            return Matches(mask, NO_SCORES)
        if (q.fieldname, text) not in self.reader:
            return Matches(mask, NO_SCORES)
        ids, weights = self.cache.postings(self.reader, self.key, q.fieldname, text)
        mask[ids] = True
        if not field.scorable:
            scores = Scores(ids, weights.astype(np.float64))  # Whoosh's WeightScorer: the tf
        elif self.bm25 is None:
            return Matches(mask, None)
        else:
            scores = Scores(ids, self._bm25(q.fieldname, text, ids, weights))
        return Matches(mask, scores * q.boost if q.boost != 1.0 else scores)

    def _bm25(self, fieldname: str, text: bytes, ids: np.ndarray, tf: np.ndarray) -> np.ndarray:
        """BM25F as whoosh.scoring.bm25 computes it, over arrays."""
        s = self.searcher
        w = self.bm25
        tf = tf.astype(np.float64)  # stored as float32: the arithmetic stays Whoosh's
        idf = w.idf(s, fieldname, text)
        avgfl = s.avg_field_length(fieldname) or 1
        b = w._field_B.get(fieldname, w.B)
        k1 = w.K1
        lengths = self.cache.segment_array(
            self.reader, self.key, f"length:{fieldname}", lambda leaf: length_bytes(leaf, fieldname)
        )
        fl = LENGTH_OF_BYTE[lengths[ids]]
        return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))


def top_documents(scores: np.ndarray, docs: np.ndarray, n: int) -> np.ndarray:
    """The n best of docs by score, ties by document number, as Whoosh's collector orders them."""
    if n <= 0 or not len(docs):
        return docs[:0]
    values = scores[docs]
    if len(docs) > n:
        kth = np.partition(values, len(values) - n)[len(values) - n]
        keep = values >= kth
        docs, values = docs[keep], values[keep]
    order = np.lexsort((docs, -values))
    return docs[order[:n]]
