"""Facet tables: per index generation, each facet field as numpy arrays for fast counts and filters.

Whoosh's own `groupedby` walks every matching document in Python; on broad queries over large
indexes that takes seconds. Here each facet field is read once per index generation into a
value -> documents table (CSR-like: one array of document numbers grouped by value), so that a
count over any set of matching documents is one `np.bincount`, and a filter is a few slices.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from whoosh.reading import IndexReader

Canonical = Callable[[str, str], str]


@dataclass
class FacetTable:
    """One facet field: canonical values, and which documents carry each."""

    values: list[str]  # canonical value per value id
    docs: np.ndarray  # document numbers, grouped by value id
    offsets: np.ndarray  # docs[offsets[v]:offsets[v + 1]] carry value v
    value_of_posting: np.ndarray  # value id of each entry in docs
    index: dict[str, int]  # canonical value -> value id

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Documents per value among those where mask is true (each document counted once)."""
        hit = mask[self.docs]
        return np.bincount(self.value_of_posting[hit], minlength=len(self.values))

    def mask_for(self, values: Iterable[str], size: int) -> np.ndarray:
        """Documents carrying any of the values."""
        out = np.zeros(size, dtype=bool)
        for value in values:
            v = self.index.get(value)
            if v is not None:
                out[self.docs[self.offsets[v] : self.offsets[v + 1]]] = True
        return out


def build_table(reader: IndexReader, field: str, canonical: Canonical | None = None) -> FacetTable:
    """Read one facet field's postings into a FacetTable, merging aliased spellings."""
    values: list[str] = []
    index: dict[str, int] = {}
    per_value: list[list[np.ndarray]] = []
    if field in reader.schema:
        for raw in reader.lexicon(field):
            term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            name = canonical(field, term) if canonical else term
            ids = np.fromiter(reader.postings(field, term).all_ids(), dtype=np.int32)
            if name not in index:
                index[name] = len(values)
                values.append(name)
                per_value.append([])
            per_value[index[name]].append(ids)
    chunks = [np.unique(np.concatenate(parts)) for parts in per_value]
    lengths = np.array([len(c) for c in chunks], dtype=np.int64)
    offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    docs = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
    value_of_posting = np.repeat(np.arange(len(chunks), dtype=np.int32), lengths)
    return FacetTable(values, docs, offsets, value_of_posting, index)


class FacetCache:
    """Facet tables of the current index generation, built lazily and shared by all requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._tables: dict[str, FacetTable] = {}
        self._extra: dict[str, np.ndarray] = {}

    def tables(
        self, reader: IndexReader, key: tuple, fields: Iterable[str], canonical: Canonical | None
    ) -> dict[str, FacetTable]:
        """Tables for the fields asked, rebuilt when the generation or the aliases change."""
        with self._lock:
            if key != self._key:
                self._key, self._tables, self._extra = key, {}, {}
            for field in fields:
                if field not in self._tables:
                    self._tables[field] = build_table(reader, field, canonical)
            return {f: self._tables[f] for f in fields}

    def array(self, key: tuple, name: str, build: Callable[[], np.ndarray]) -> np.ndarray:
        """A per-document array (e.g. publication day) cached with the tables."""
        with self._lock:
            if key != self._key:
                self._key, self._tables, self._extra = key, {}, {}
            if name not in self._extra:
                self._extra[name] = build()
            return self._extra[name]
