"""Search stage: a query plus facet filters in, hits with snippets and live facet counts out."""

from __future__ import annotations

import functools
import html
import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

import numpy as np
from whoosh import highlight
from whoosh.analysis import Token
from whoosh.query import (
    AndNot,
    Every,
    FuzzyTerm,
    MultiTerm,
    NullQuery,
    Or,
    Query,
    Term,
    Wildcard,
)

from indexer.aliases import FILE_NAME, Aliases, effective
from indexer.dates import UNDATED
from indexer.dates import valid as valid_date
from indexer.duplicates import GroupWatcher, quote_digest
from indexer.facets import FacetCache, FacetTable, QueryArrays, postings, top_documents
from indexer.query import (
    MAX_EDITS,
    SAME_START,
    VALUE_FIELDS,
    best_correction,
    query_parser,
    reading,
)
from indexer.resolution.archive import FILE_NAME as RESOLVED_FILE
from indexer.resolution.archive import TYPE_FIELDS, load_types
from indexer.resolution.judgements import By, Judgement, Verdict
from indexer.schema import ARTICLE, FACETS, QUOTE, SCHEMA, SEARCHED, term_text
from indexer.segment_arrays import SegmentArrays
from indexer.store import Store, unpack

MAX_QUERY_CHARS = 1000
TEXT_FIELD = {ARTICLE: "body", QUOTE: "quote"}  # where "did you mean" counts a word's documents
# A word the user typed as such: not a field name or value, a phrase, a wildcard or fuzzy term.
PLAIN_WORD = re.compile(r"(?<![\w:*?~+-])[-+]?([^\W\d_]{3,})(?![\w:*?~])")
FIELD_VALUE = re.compile(r'\w+:(?:"[^"]*"?|\S+)')
OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"})
MAX_PER_PAGE = 200
MAX_PAGE = 10_000
FACET_LIMIT = 10
QUOTE_FACETS = ("speaker", "mentions", "person", "country", "topic", "organization", "source")
QUOTE_KINDS = ("direct", "partial")  # a quotation's kind: whole statement, or words in a paraphrase
# What one query may cost: words a wildcard, range or fuzzy term may stand for (like Lucene's
# 1024 clauses), in all, the fuzzy edit distance, and seconds spent collecting matches.
MAX_EXPANSIONS = 1024
MAX_FUZZY_DISTANCE = 2
TIME_LIMIT = 10.0
MATCH_CHUNK = 8192  # documents collected between two looks at the clock
VALUE_ORDERS = ("count", "name")  # how a facet's "all values" list is sorted
MAX_VALUES_PER_PAGE = 500
# What an export's article hit adds (besides topic labels), and the facet each list belongs to.
DETAIL_FIELDS = {"persons": "person", "organizations": "organization", "countries": "country"}


def _day_or_zero(value: str) -> int:
    """A stored date as yyyymmdd, 0 when absent or unreadable."""
    try:
        return day_number(value) or 0
    except ValueError:
        return 0


def _number(value: str | bytes | float | None) -> float:
    """A stored confidence as a float, nan when absent or unreadable."""
    try:
        return float(value) if value not in (None, b"", "") else np.nan
    except (TypeError, ValueError):
        return np.nan


TRUST_DTYPE = np.dtype([("kind", np.int8), ("confidence", np.float64)])


class QueryError(ValueError):
    """A query or parameter the user must fix; the message is meant for them."""


@dataclass(frozen=True)
class SearchQuery:
    """All of a search's state; what a shared URL or a CLI call holds."""

    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"  # relevance | newest | oldest
    page: int = 1
    per_page: int = 20
    facet_limit: int = FACET_LIMIT
    snippets: bool = True  # False for id lists: a snippet per hit is most of the cost
    details: bool = False  # exports: an article hit also carries its people, places and topics
    # Facets whose chosen values must all be present ("all of"); the others need any of them.
    all_of: tuple[str, ...] = ()
    # Quotes only: their kind (direct or partial) and lowest confidence (a number or its text).
    quote_kind: str | None = None
    min_confidence: float | str | None = None
    # Articles only: one hit per group of near-duplicates (False: every copy), or the copies
    # of one article (its id) and nothing else.
    collapse: bool = True
    similar_to: str | None = None

    @property
    def undated(self) -> bool:
        """Whether the query asks for documents without a date (instead of a date range)."""
        return UNDATED in (self.date_from, self.date_to)

    @property
    def trusted(self) -> bool:
        """Whether the query asks for a quote kind or a minimum confidence."""
        return bool(self.quote_kind) or self.min_confidence is not None

    def checked(self, facets: tuple[str, ...]) -> SearchQuery:
        """The same query with bounds enforced; raises QueryError for what cannot be served."""
        if len(self.text) > MAX_QUERY_CHARS:
            raise QueryError(
                f"query too long ({len(self.text)} characters; at most {MAX_QUERY_CHARS})"
            )
        unknown = set(self.filters) - set(facets)
        if unknown:
            raise QueryError(
                f"unknown filter {sorted(unknown)[0]!r}; filters are {', '.join(facets)}"
            )
        if set(self.all_of) - set(facets):
            raise QueryError(
                f"“all of” applies to filters only ({', '.join(facets)}), "
                f"not {sorted(set(self.all_of) - set(facets))[0]!r}"
            )
        if self.sort not in ("relevance", "newest", "oldest"):
            raise QueryError("sort must be relevance, newest or oldest")
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value and value != UNDATED and not valid_date(value):
                raise QueryError(f"{name.replace('_', ' ')} must be a date written YYYY, YYYY-MM "
                                 f"or YYYY-MM-DD, or {UNDATED!r} (not {value!r})")
        if self.quote_kind and self.quote_kind not in QUOTE_KINDS:
            raise QueryError("kind must be direct or partial")
        return replace(
            self,
            quote_kind=self.quote_kind or None,
            min_confidence=confidence_bound(self.min_confidence),
            page=min(max(1, int(self.page)), MAX_PAGE),
            per_page=min(max(1, int(self.per_page)), MAX_PER_PAGE),
            facet_limit=min(max(1, int(self.facet_limit)), 1000),
            filters={k: tuple(v for v in vs if v.strip("-")) for k, vs in self.filters.items()},
            all_of=tuple(sorted(set(self.all_of))),
        )

    def mode(self, facet: str) -> str:
        """How a facet's chosen values combine: "all" (every one) or "any" (the default)."""
        return "all" if facet in self.all_of else "any"


def confidence_bound(value: float | str | None) -> float | None:
    """A minimum confidence as a number from 0 to 1 (None: no minimum); QueryError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not 0.0 <= number <= 1.0:  # also refuses nan
        raise QueryError(
            f"minimum confidence must be a number from 0 to 1, such as 0.8 (not {str(value)!r})"
        )
    return number


def undated_facet(count: int, query: SearchQuery) -> list[dict]:
    """The "undated" value of the date facet (articles without a date), when there are any."""
    return [{"value": UNDATED, "count": count, "selected": query.undated}] if count else []


def month_codes(days: np.ndarray) -> np.ndarray:
    """Each document's month as year * 12 + month - 1 (0 if undated), from yyyymmdd days: the
    month histogram is then one bincount, not a sort of every match's date."""
    codes = (days // 10000) * 12 + (days // 100) % 100 - 1
    return np.where(days > 0, codes, 0).astype(np.int32)


def by_date(days: np.ndarray, mask: np.ndarray, oldest: bool, start: int, stop: int
            ) -> np.ndarray:
    """Documents start..stop of mask newest (or oldest) first, a tie in the later (earlier)
    document first: only those up to stop are sorted, not every match."""
    docs = np.flatnonzero(mask)
    keys = days[docs].astype(np.int64) << 32 | docs  # unique, so the order is total
    if not oldest:
        keys = -keys
    if stop < len(keys):
        keys = np.partition(keys, stop - 1)[:stop] if stop > 0 else keys[:0]
    keys = np.sort(keys)[start:stop]
    return (-keys if not oldest else keys) & 0xFFFFFFFF


def split_values(values: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Included and excluded ('-' prefixed) filter values."""
    include = [v for v in values if not v.startswith("-")]
    exclude = [v[1:] for v in values if v.startswith("-")]
    return include, exclude


def day_number(value: str | None, end: bool = False) -> int | None:
    """YYYY[-MM[-DD]] as an int yyyymmdd; a partial date spans its whole year or month."""
    if not value:
        return None
    parts = value.split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
    day = int(parts[2]) if len(parts) > 2 else (31 if end else 1)
    return year * 10000 + month * 100 + day


# Facet fields whose values the merges apply to, and the alias table each one uses; a quote's
# "mentions" hold people, organisations and countries alike, and follow all three.
ALIAS_FIELDS = {"person": "person", "speaker": "person", "organization": "organization",
                "country": "country"}
MENTION_TABLES = ("person", "organization", "country")


def alias_tables(field: str) -> tuple[str, ...]:
    """The alias tables that merge the values of a facet field (none for topics, sources)."""
    if field == "mentions":
        return MENTION_TABLES
    return (ALIAS_FIELDS[field],) if field in ALIAS_FIELDS else ()


class AliasWatcher:
    """The index's merges (shipped, automatic, the user's), re-read when aliases.json or
    resolved.json changes, so a merge applies at once."""

    def __init__(self, index_dir) -> None:
        self.dir = Path(index_dir)
        self.key: tuple | None = None
        self.aliases = Aliases.defaults()
        self.judgements: list[Judgement] = self.aliases.judgements()
        self.retyped: dict[str, dict[str, dict]] = {}  # the archive's type vote
        self.user_named: dict[str, set[str]] = {}  # names a user's merge put in a facet

    def refresh(self) -> tuple:
        """Reload if a file changed; returns a key that changes with the merges."""
        key = tuple(_mtime(self.dir / name) for name in (FILE_NAME, RESOLVED_FILE))
        if key != self.key:
            self.aliases, self.judgements = effective(self.dir)
            self.retyped = load_types(self.dir)
            self.user_named = {}
            for j in self.judgements:
                if j.by == By.USER and j.verdict == Verdict.POSITIVE:
                    self.user_named.setdefault(j.field, set()).update((j.variant, j.canonical))
            for field in TYPE_FIELDS:
                self.user_named.setdefault(field, set()).update(self.aliases.listed(field))
            self.key = key
        return key

    def hidden(self, field: str) -> frozenset[str]:
        """The values a facet does not list: names the archive mostly gives another type (the
        type vote of `resolution.archive`); they still match their filter. Only the person and
        organisation facets hide any: a quotation's speaker may be an organisation ("the BBC
        said") and its mentions list every type. A user's merge outranks the vote: a name merged
        into or from in a facet has been called that type by a person, and stays listed; so
        does a name a user listed (`Aliases.keep_listed`)."""
        self.refresh()
        if field not in TYPE_FIELDS:
            return frozenset()
        return frozenset(self.retyped.get(field, {})) - self.user_named.get(field, set())

    def canonical(self, field: str, value: str) -> str:
        """The merged spelling of a facet value (itself when it has no alias)."""
        for table in alias_tables(field):
            merged = self.aliases.canonical(table, value)
            if merged != value:
                return merged
        return value

    def spellings(self, field: str, value: str) -> set[str]:
        """Every stored spelling a facet value stands for (itself, and what is merged into it)."""
        self.refresh()
        target = self.canonical(field, value)
        return {target}.union(*(self.aliases.variants(t, target) for t in alias_tables(field)))


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


class QueryFront:
    """What every backend's searcher shares: the query syntax, aliases and the two searches."""

    def __init__(self, index_dir) -> None:
        self.aliases = AliasWatcher(index_dir)
        self.canonical = self.aliases.canonical
        self.fields = {kind: list(fields) for kind, fields in SEARCHED.items()}
        self.duplicates = GroupWatcher(index_dir)
        self.parsers = {
            ARTICLE: query_parser(self.fields[ARTICLE], {"title": 2.0}, self._value_known),
            QUOTE: query_parser(self.fields[QUOTE], {}, self._value_known),
        }

    def parse(self, text: str, kind: str = ARTICLE) -> Query:
        """Our query syntax (indexer.query); empty means everything."""
        return self._parsed(text, kind)[0]

    def reading(self, text: str, kind: str = ARTICLE) -> str:
        """How the query was read, in query syntax ("biden AND NOT trump")."""
        return self._parsed(text, kind)[1]

    def _parsed(self, text: str, kind: str) -> tuple[Query, str]:
        if not text.strip():
            return Every(), ""
        parser = self.parsers[kind]
        try:
            tree = parser.process(text)
            q = (tree.query(parser) or NullQuery).normalize()
            said = reading(tree, text, tuple(self.fields[kind]))
        except Exception as exc:  # whoosh raises assorted errors on odd syntax
            raise QueryError(f"could not understand the query: {exc}") from None
        return q, said

    def suggestion(self, text: str, kind: str = ARTICLE) -> str | None:
        """The query with each word the index lacks replaced by the likeliest indexed word
        near it (few edits, many documents), or None when every word is known."""
        field = TEXT_FIELD[kind]
        analyzer = SCHEMA[field].analyzer
        out, changed = text, False
        blanked = FIELD_VALUE.sub(lambda m: " " * len(m.group()), text)  # not field:values
        for m in reversed(list(PLAIN_WORD.finditer(blanked))):
            word = m.group(1)
            stems = [t.text for t in analyzer(word)]
            if len(stems) != 1 or word.upper() in OPERATOR_WORDS:
                continue  # a stop word, or several words in one (left as typed)
            try:
                if self._documents(field, stems)[stems[0]]:
                    continue
                near = self._near_words(word.lower(), kind)
                by_stem = {w: next(iter(analyzer(w))).text for w in near if any(analyzer(w))}
                counts = self._documents(field, sorted(set(by_stem.values())))
            except Exception:  # a suggestion is a nicety; never fail a search over it
                return None
            best = best_correction(word.lower(),
                                   {w: counts.get(stem, 0) for w, stem in by_stem.items()})
            if best:
                out, changed = out[: m.start(1)] + best + out[m.end(1) :], True
        return out if changed else None

    def _value_known(self, field: str, value: str) -> bool:
        """Whether a facet field holds this value (in any case)."""
        raise NotImplementedError

    def _near_words(self, word: str, kind: str) -> list[str]:
        """Indexed words (as written) within MAX_EDITS edits of word."""
        raise NotImplementedError

    def _documents(self, field: str, terms: list[str]) -> dict[str, int]:
        """Live documents holding each (analysed) term in a text field."""
        raise NotImplementedError

    def search(self, query: SearchQuery) -> dict:
        """Articles matching the query and filters, with snippets and facet counts."""
        if query.trusted:
            raise QueryError("a quote kind or minimum confidence applies to quotes only")
        result = self._run(query.checked(FACETS), ARTICLE, FACETS)
        result["reading"] = self.reading(query.text, ARTICLE)
        if query.details:  # the names as the facets show them (merged spellings)
            for hit in result["hits"]:
                for name, facet in DETAIL_FIELDS.items():
                    hit[name] = list(dict.fromkeys(self.canonical(facet, v) for v in hit[name]))
        for hit in result["hits"]:
            hit["similar"] = self.duplicates.similar(hit["id"])
        return result

    def quotes(self, query: SearchQuery) -> dict:
        """Quotations matching the query (in the quote text) and filters (speaker, mentions);
        each names its speaker and what it mentions as the facets do (merged spellings)."""
        result = self._run(query.checked(QUOTE_FACETS), QUOTE, QUOTE_FACETS)
        result["reading"] = self.reading(query.text, QUOTE)
        self._quote_copies(result["hits"])
        for hit in result["hits"]:
            if hit["speaker"]:
                hit["speaker"] = self.canonical("speaker", hit["speaker"])
            hit["mentions"] = list(dict.fromkeys(
                self.canonical("mentions", m) for m in hit["mentions"]))
        return result

    def _quote_copies(self, hits: list[dict]) -> None:
        """Each quote hit's `similar`: how many other copies of its article (near-duplicates)
        hold the same quote, as the quotes view collapses them (one record read per copy)."""
        self.duplicates.refresh()
        said: dict[str, set[int]] = {}  # article id -> the words of its quotes (quote_digest)
        for hit in hits:
            group = self.duplicates.groups.get(hit["article_id"])
            hit["similar"] = 0
            if not group:
                continue
            words = quote_digest(hit["text"])
            for other in self.duplicates.members.get(group, ()):
                if other != hit["article_id"]:
                    if other not in said:
                        quotes = (self.article(other) or {}).get("quotes") or []
                        said[other] = {quote_digest(q["text"]) for q in quotes}
                    hit["similar"] += words in said[other]

    def match_ids(self, query: SearchQuery, kind: str = ARTICLE) -> set[str]:
        """The id of every article (or quotation) the query and its filters match, unranked:
        what a saved search compares with the matches it had when last opened."""
        names = FACETS if kind == ARTICLE else QUOTE_FACETS
        return self._ids(query.checked(names), kind, names)

    def all_values(
        self, query: SearchQuery, name: str, kind: str = ARTICLE, contains: str = "",
        order: str = "count", page: int = 1, per_page: int = 100,
    ) -> dict:
        """Every value of one facet with the count the facet shows (articles or quotes matching
        the query and the other filters), those whose name contains `contains` (case and accents
        ignored), sorted by count or name, one page: a facet's "all values" list and filter box."""
        names = FACETS if kind == ARTICLE else QUOTE_FACETS
        if name not in names:
            raise QueryError(f"unknown facet {name!r}; facets are {', '.join(names)}")
        if order not in VALUE_ORDERS:
            raise QueryError("order must be count or name")
        checked = query.checked(names)
        hidden = self.aliases.hidden(name)
        counts = {v: n for v, n in self._facet_counts(checked, kind, names, name).items()
                  if v not in hidden}
        return value_page(counts, checked.filters.get(name, ()), name, contains, order,
                          page, per_page)

    def _run(self, query: SearchQuery, kind: str, facet_names: tuple[str, ...]) -> dict:
        raise NotImplementedError

    def _facet_counts(self, query: SearchQuery, kind: str, facet_names: tuple[str, ...],
                      name: str) -> dict[str, int]:
        raise NotImplementedError

    def _ids(self, query: SearchQuery, kind: str, facet_names: tuple[str, ...]) -> set[str]:
        raise NotImplementedError


@dataclass
class Selection:
    """One query over one generation: the parsed tree and its masks (filters kept apart for
    the multi-select facet counts)."""

    q: Query
    key: tuple
    found: QueryArrays
    tables: dict
    days: np.ndarray
    base: np.ndarray  # the query's matches of the wanted kind
    date_mask: np.ndarray | None  # None: no dates asked
    filter_masks: dict[str, np.ndarray]  # the facets filtered only
    final: np.ndarray  # and every filter


def others(chosen: Selection, name: str, query: SearchQuery) -> np.ndarray:
    """What a facet counts: the query's matches within the dates and every other facet's filter
    (multi-select: a value's alternatives keep their counts; under "all of" its counts narrow).
    Unfiltered, that is the query's matches themselves (not a copy: callers only read it)."""
    masks = [m for other, m in chosen.filter_masks.items()
             if other != name or query.mode(name) == "all"]
    if chosen.date_mask is not None:
        masks.append(chosen.date_mask)
    if not masks:
        return chosen.base
    mask = chosen.base & masks[0]
    for m in masks[1:]:
        mask &= m
    return mask


@functools.lru_cache(maxsize=200_000)
def folded(text: str) -> str:
    """Text without case or accents, for matching what a user types ('erdogan' ~ 'Erdoğan')."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def value_page(counts: dict[str, int], picked: tuple[str, ...], name: str, contains: str,
               order: str, page: int, per_page: int) -> dict:
    """One page of a facet's values (both backends): filtered, sorted, the picked ones marked."""
    include, exclude = split_values(picked)
    counts = dict(counts)
    for value in include + exclude:  # a chosen value is listed even where it counts nothing
        counts.setdefault(value, 0)
    needle = folded(" ".join(contains.split()))[:200]
    items = [(v, c) for v, c in counts.items() if needle in folded(v)] if needle else \
        list(counts.items())
    if order == "name":
        items.sort(key=lambda vc: (folded(vc[0]), vc[0]))
    else:
        items.sort(key=lambda vc: (-vc[1], vc[0]))
    per_page = min(max(1, int(per_page)), MAX_VALUES_PER_PAGE)
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, int(page)), pages)
    start = (page - 1) * per_page
    return {
        "facet": name,
        "contains": contains,
        "order": order,
        "total_values": len(items),
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "values": [
            {"value": v, "count": c, "selected": v in include, "excluded": v in exclude}
            for v, c in items[start : start + per_page]
        ],
    }


class Searcher(QueryFront):
    """Searches one index; cheap to call often, caches facet tables per index generation."""

    def __init__(self, store: Store):
        super().__init__(store.dir)
        self.store = store
        self.cache = FacetCache(kept=SegmentArrays(store.dir))
        self._local = threading.local()

    # -- machinery -----------------------------------------------------------------------------

    def _select(self, s, query: SearchQuery, kind: str, facet_names: tuple[str, ...]) -> Selection:
        """The query's matches as masks over every document of the searcher's generation."""
        reader = s.reader()
        size = reader.doc_count_all()
        key = (reader.generation(), size, self._alias_key(), self.duplicates.refresh())
        tables = self.cache.tables(reader, key, facet_names, self.canonical, kind)
        days = self.cache.segment_array(reader, key, "days", self._days)
        q = bounded(self._any_case(self.parse(query.text, kind), reader, key), reader)
        found = QueryArrays(s, self.cache, key, lambda node: matching(s, node, size))
        found = found.evaluate(q)
        base = found.mask
        base &= self.cache.kind_mask(reader, key, kind)
        if query.trusted:
            base &= self._trust_mask(reader, key, query)
        if kind == ARTICLE and query.similar_to:
            groups = self._group_codes(reader, key)
            docs = self._docs_with_id(reader, query.similar_to)
            similar = np.zeros(size, dtype=bool)
            if groups is None:
                similar[docs] = True
            else:
                similar = np.isin(groups[0], groups[0][docs])
            base &= similar
        date_mask = self._date_mask(days, self._undated(key, days), query)
        filter_masks = {
            name: self._filter_mask(tables[name], values, size, query.mode(name))
            for name in facet_names
            if (values := self._canonical_values(name, query))
        }
        final = base.copy() if date_mask is None else base & date_mask
        for m in filter_masks.values():
            final &= m
        return Selection(q, key, found, tables, days, base, date_mask, filter_masks, final)

    def _any_case(self, q: Query, reader, key: tuple) -> Query:
        """field:value terms on facet fields stand for every stored spelling of the value that
        differs only in case (`country:russia` finds Russia)."""

        def visit(node: Query) -> Query:
            if isinstance(node, Term) and node.fieldname in VALUE_FIELDS:
                spellings = self._casefolded(reader, key, node.fieldname).get(
                    str(node.text).casefold(), ())
                if spellings and tuple(spellings) != (node.text,):
                    return Or([Term(node.fieldname, v, boost=node.boost) for v in spellings])
            return node

        return q.accept(visit)

    def _trust_mask(self, reader, key: tuple, query: SearchQuery) -> np.ndarray:
        """Quotations of the kind asked for and with at least the confidence asked for."""
        trust = self.cache.segment_array(reader, key, "trust", self._trust)
        if trust.dtype != TRUST_DTYPE:  # an index without segments
            return np.zeros(len(trust), dtype=bool)
        mask = np.ones(len(trust), dtype=bool)
        if query.quote_kind:
            mask &= trust["kind"] == QUOTE_KINDS.index(query.quote_kind) + 1
        if query.min_confidence is not None:
            mask &= trust["confidence"] >= query.min_confidence  # nan (unknown) never passes
        return mask

    @staticmethod
    def _trust(leaf) -> np.ndarray:
        """Each document's quote kind (0 none, 1 direct, 2 partial) and confidence (nan if none)
        in one segment: from the index's columns, or, in segments written before the schema
        had them, from the stored quote records."""
        size = leaf.doc_count_all()
        out = np.zeros(size, dtype=TRUST_DTYPE)
        out["confidence"] = np.nan
        codes = {k: n + 1 for n, k in enumerate(QUOTE_KINDS)}
        columns = ("quote_kind", "confidence")
        if all(c in leaf.schema and leaf.has_column(c) for c in columns):
            kinds = list(leaf.column_reader("quote_kind", translate=False))
            raw = list(leaf.column_reader("confidence", translate=False))
            numbers = {v: _number(v) for v in set(raw)}
            out["kind"] = [codes.get(term_text(v), 0) for v in kinds]
            out["confidence"] = [numbers[v] for v in raw]
            return out
        quote = SCHEMA["kind"].to_bytes(QUOTE)
        if ("kind", quote) in leaf:
            for doc in postings(leaf, "kind", quote)[0].tolist():
                data = unpack(leaf.stored_fields(doc)["record"])
                out[doc] = (codes.get(data.get("kind") or "", 0), _number(data.get("confidence")))
        return out

    def _group_codes(self, reader, key: tuple) -> tuple[np.ndarray, np.ndarray] | None:
        """Each document's duplicate group as a number (its own document number when it has no
        copy; size + n for the n-th group) and which documents have a copy; None when the index
        has no duplicates. An article's quotes are grouped with the same quote of its copies
        (same words: `quote_words`). Made from per-segment arrays kept across commits (each
        document's article id, each quote's words), without a lookup per copy."""
        if not self.duplicates.groups:
            return None
        words = self.cache.segment_array(reader, key, "quote_words", self._quote_words)
        articles = self.cache.segment_tables(reader, key, "article_id")

        def build():  # the cache's lock is held here: no other cache call inside
            groups = self.duplicates.groups
            if not groups:
                return None
            size = reader.doc_count_all()
            number = {g: n for n, g in enumerate(dict.fromkeys(groups.values()))}
            group_of = np.full(size, -1, dtype=np.int64)
            for table, base in articles:
                value_group = np.fromiter(
                    (number.get(groups.get(v, ""), -1) for v in table.values),
                    dtype=np.int64, count=len(table.values))
                chosen = value_group[table.value_of_posting]
                grouped = chosen >= 0
                group_of[table.docs[grouped] + base] = chosen[grouped]
            members = group_of >= 0
            codes = np.arange(size, dtype=np.int64)
            copies = members & (words == 0)  # the articles (a quote's words are never 0)
            codes[copies] = size + group_of[copies]
            quotes = np.flatnonzero(members & (words != 0))
            if quotes.size:  # one number per group and words
                pairs = np.stack([group_of[quotes], words[quotes]], axis=1)
                _, same = np.unique(pairs, axis=0, return_inverse=True)
                codes[quotes] = size + len(number) + same.ravel()
            if codes.max(initial=0) < 2**31:
                codes = codes.astype(np.int32)
            return codes, members

        return self.cache.array(key, f"duplicate_groups:{key[3:]}", build)

    @staticmethod
    def _quote_words(leaf) -> np.ndarray:
        """Each quote document's words as a number (duplicates.quote_digest; 0 for articles,
        which tells them apart)
        in one segment: from its column, or, in segments written before the column, from the
        stored quote records (once: the array is kept beside the segment)."""
        if "quote_words" in leaf.schema and leaf.has_column("quote_words"):
            return np.fromiter(leaf.column_reader("quote_words"), dtype=np.int64,
                               count=leaf.doc_count_all())
        out = np.zeros(leaf.doc_count_all(), dtype=np.int64)
        quote = SCHEMA["kind"].to_bytes(QUOTE)
        if ("kind", quote) in leaf:
            for doc in postings(leaf, "kind", quote)[0].tolist():
                out[doc] = quote_digest(unpack(leaf.stored_fields(doc)["record"])["text"])
        return out

    @staticmethod
    def _docs_with_id(reader, article_id: str) -> np.ndarray:
        """The documents (deleted ones included) stored under one id."""
        text = SCHEMA["id"].to_bytes(article_id)
        return postings(reader, "id", text)[0] if ("id", text) in reader else np.zeros(0, np.int32)

    def _collapsed(self, chosen: Selection, query: SearchQuery, groups: tuple) -> np.ndarray:
        """The final mask with one document per duplicate group: the best by the query's order
        (score, or date for date order and match-all)."""
        codes, members = groups
        dup = np.flatnonzero(chosen.final & members)
        if not dup.size:
            return chosen.final
        scores = chosen.found.scores
        if query.sort == "relevance" and not isinstance(chosen.q, Every) and scores is not None:
            better = -scores[dup]
        else:
            better = chosen.days[dup] if query.sort == "oldest" else -chosen.days[dup]
        order = dup[np.lexsort((dup, better))]
        _, first = np.unique(codes[order], return_index=True)
        out = chosen.final & ~members
        out[order[first]] = True
        return out

    def _ids(self, query: SearchQuery, kind: str, facet_names: tuple[str, ...]) -> set[str]:
        with self._searcher() as s:
            chosen = self._select(s, query, kind, facet_names)
            ids = self.cache.segment_array(s.reader(), chosen.key, "ids", self._stored_ids)
            return set(ids[chosen.final].tolist())

    @staticmethod
    def _stored_ids(leaf) -> np.ndarray:
        """The stored id of each document of one segment (built once per segment)."""
        ids = np.full(leaf.doc_count_all(), "", dtype=object)
        for raw, info in leaf.iter_field("id"):
            text = term_text(raw)
            if info.doc_frequency() == 1:  # the usual case: the term info names its one document
                ids[info.min_id()] = text
            else:  # an id also held by a deleted document
                ids[postings(leaf, "id", raw)[0]] = text
        return ids

    def _run(self, query: SearchQuery, kind: str, facet_names: tuple[str, ...]) -> dict:
        with self._searcher() as s:
            chosen = self._select(s, query, kind, facet_names)
            collapse = query.collapse and not query.similar_to
            groups = self._group_codes(s.reader(), chosen.key) if collapse else None
            shown = self._collapsed(chosen, query, groups) if groups else chosen.final
            total = int(np.count_nonzero(shown))
            universe = self.cache.kind_mask(s.reader(), chosen.key, kind)
            hits = self._hits(s, chosen.q, query, shown, chosen.days, kind, chosen.found.scores)
            facets = {
                name: self._facet_values(
                    chosen.tables[name],
                    group_counts(chosen.tables[name], others(chosen, name, query), groups,
                                 universe),
                    query, name, self.aliases.hidden(name))
                for name in facet_names
            }
            filtered = self._all_but_date(chosen.filter_masks)
            dated_or_not = chosen.base if filtered is True else chosen.base & filtered
            months = self.cache.array(chosen.key, "months", lambda: month_codes(chosen.days))
            facets["month"] = self._months(months, dated_or_not, groups)
            undated = dated_or_not & self._undated(chosen.key, chosen.days)
            stories = (len(np.unique(groups[0][undated])) if groups
                       else int(np.count_nonzero(undated)))
            facets[UNDATED] = undated_facet(stories, query)
            suggestion = self.suggestion(query.text, kind) if total < 3 and query.text else None
        return result_dict(query, total, hits, facets, suggestion, kind)

    def _facet_counts(self, query: SearchQuery, kind: str, facet_names: tuple[str, ...],
                      name: str) -> dict[str, int]:
        with self._searcher() as s:
            chosen = self._select(s, query, kind, facet_names)
            table = chosen.tables[name]
            collapse = query.collapse and not query.similar_to
            groups = self._group_codes(s.reader(), chosen.key) if collapse else None
            counts = group_counts(table, others(chosen, name, query), groups,
                                  self.cache.kind_mask(s.reader(), chosen.key, kind))
            return {table.values[v]: int(counts[v]) for v in np.flatnonzero(counts)}

    @contextmanager
    def _searcher(self) -> Iterator:
        """This thread's Whoosh searcher, reopened only when a commit made a new generation.

        Opening a searcher per request reads the table of contents and opens every segment's
        files; a kept one only checks the generation. (Whoosh's own `refresh()` is not used: it
        brings merged-away segments back into the new reader.)
        """
        s = getattr(self._local, "searcher", None)
        if s is None or not s.up_to_date():
            if s is not None:
                s.close()
            s = self._local.searcher = self.store.searcher()
        yield s

    def _alias_key(self) -> tuple:
        return self.aliases.refresh()

    @staticmethod
    def _days(leaf) -> np.ndarray:
        """Publication day (yyyymmdd, 0 if unknown) of each document of one segment."""
        size = leaf.doc_count_all()
        days = np.zeros(size, dtype=np.int32)
        if leaf.has_column("published"):
            raw = list(leaf.column_reader("published", translate=False))
            numbers = {v: _day_or_zero(v.decode("utf-8", "replace")) for v in set(raw)}
            return np.fromiter((numbers[v] for v in raw), dtype=np.int32, count=size)
        for raw in leaf.lexicon("published"):
            days[postings(leaf, "published", raw)[0]] = _day_or_zero(term_text(raw))
        return days

    def _undated(self, key: tuple, days: np.ndarray) -> np.ndarray:
        """The documents without a date (kept per generation; callers only read it)."""
        return self.cache.array(key, "undated", lambda: days == 0)

    @staticmethod
    def _date_mask(days: np.ndarray, undated: np.ndarray, query: SearchQuery
                   ) -> np.ndarray | None:
        """The documents within the dates asked (None when no dates are asked)."""
        if query.undated:
            return undated
        lo, hi = day_number(query.date_from), day_number(query.date_to, end=True)
        if not lo and not hi:
            return None
        mask = np.ones(len(days), dtype=bool)
        if lo:
            mask &= days >= lo
        if hi:
            mask &= (days <= hi) & (days > 0)
        return mask

    @staticmethod
    def _all_but_date(filter_masks: dict[str, np.ndarray]) -> np.ndarray:
        out = None
        for m in filter_masks.values():
            out = m.copy() if out is None else out & m
        return out if out is not None else True

    def _canonical_values(self, name: str, query: SearchQuery) -> tuple[str, ...]:
        """Filter values with alias merges applied, keeping the '-' of exclusions."""
        out = []
        for value in query.filters.get(name, ()):
            sign = "-" if value.startswith("-") else ""
            out.append(sign + self.canonical(name, value.removeprefix("-")))
        return tuple(out)

    @staticmethod
    def _filter_mask(
        table: FacetTable, values: tuple[str, ...], size: int, mode: str = "any"
    ) -> np.ndarray:
        include, exclude = split_values(values)
        groups = [[v] for v in include] if mode == "all" else [include] if include else []
        mask = np.ones(size, dtype=bool)
        for group in groups:  # any of the values, or each of them
            mask &= table.mask_for(group, size)
        if exclude:
            mask &= ~table.mask_for(exclude, size)
        return mask

    @staticmethod
    def _facet_values(table: FacetTable, counts: np.ndarray, query: SearchQuery, name: str,
                      hidden: frozenset[str] = frozenset()) -> list:
        include, exclude = split_values(query.filters.get(name, ()))
        listed = counts.copy()
        for value in hidden:
            if (v := table.index.get(value)) is not None:
                listed[v] = 0
        nonzero = np.flatnonzero(listed)
        order = nonzero[np.lexsort((nonzero, -counts[nonzero]))][: query.facet_limit]
        out = [
            {
                "value": table.values[v],
                "count": int(counts[v]),
                "selected": table.values[v] in include,
                "excluded": table.values[v] in exclude,
            }
            for v in order
        ]
        shown = {item["value"] for item in out}
        for value in include + exclude:
            if value not in shown:
                v = table.index.get(value)
                out.append(
                    {
                        "value": value,
                        "count": int(counts[v]) if v is not None else 0,
                        "selected": value in include,
                        "excluded": value in exclude,
                    }
                )
        return out

    @staticmethod
    def _months(months: np.ndarray, mask: np.ndarray, groups: tuple | None = None) -> list[dict]:
        """Documents (or duplicate groups) per month among mask; months from month_codes."""
        if groups is not None and (mask & groups[1]).any():
            # a group counts once in each month one of its copies has
            span = int(groups[0].max()) + 1
            pairs = np.unique(months[mask].astype(np.int64) * span + groups[0][mask])
            counts = np.bincount(pairs // span)
        else:
            counts = np.bincount(months[mask])
        counts[:1] = 0  # the undated
        return [
            {"value": f"{v // 12:04d}-{v % 12 + 1:02d}", "count": int(counts[v])}
            for v in np.flatnonzero(counts)
        ]

    def _hits(
        self, s, q: Query, query: SearchQuery, final: np.ndarray, days: np.ndarray, kind: str,
        scores: np.ndarray | None = None,
    ) -> list[dict]:
        start = (query.page - 1) * query.per_page
        if query.sort == "relevance" and ranks(q) and scores is not None:
            best = top_documents(scores, np.flatnonzero(final), start + query.per_page)
            ranked = [(int(d), float(scores[d])) for d in best[start:]]
        elif query.sort == "relevance" and ranks(q):
            allowed = set(np.flatnonzero(final).tolist())
            if not allowed:  # Whoosh reads an empty filter as no filter at all
                return []
            results = s.search(q, limit=start + query.per_page, filter=allowed)
            ranked = [(hit.docnum, float(hit.score)) for hit in results[start:]]
        else:
            ranked = [(int(d), None) for d in by_date(days, final, query.sort == "oldest",
                                                      start, start + query.per_page)]
        terms = self._terms(q) if query.snippets else None
        return [self._hit(s, docnum, score, terms, kind, query.details)
                for docnum, score in ranked]

    @staticmethod
    def _terms(q: Query) -> set[str]:
        out = set()
        for fieldname, text in q.iter_all_terms():
            if fieldname in ("title", "body", "quote"):
                out.add(term_text(text))
        return out

    def _hit(
        self, s, docnum: int, score: float | None, terms: set[str] | None, kind: str,
        details: bool = False,
    ) -> dict:
        fields = s.stored_fields(docnum)
        return hit_dict(fields["id"], unpack(fields["record"]), kind, score, terms, details)

    def _casefolded(self, reader, key: tuple, field: str) -> dict[str, list[str]]:
        return self.cache.array(key, f"casefold:{field}", lambda: casefold_lexicon(reader, field))

    def _value_known(self, field: str, value: str) -> bool:
        with self._searcher() as s:
            reader = s.reader()
            key = (reader.generation(), reader.doc_count_all(), self._alias_key())
            return value.casefold() in self._casefolded(reader, key, field)

    def _near_words(self, word: str, kind: str) -> list[str]:
        fields = ("title", "body") if kind == ARTICLE else ("quote",)
        with self._searcher() as s:
            reader = s.reader()
            return sorted({term_text(w) for f in fields
                           for w in reader.terms_within(f, word, MAX_EDITS, SAME_START)})

    def _documents(self, field: str, terms: list[str]) -> dict[str, int]:
        with self._searcher() as s:
            return {t: sum(1 for _ in s.docs_for_query(Term(field, t))) for t in terms}

    # -- single records and counts ------------------------------------------------------------

    def article(self, article_id: str) -> dict | None:
        """One stored annotated record."""
        return self.store.get(article_id)

    def value_counts(self, name: str, kind: str = ARTICLE) -> dict[str, int]:
        """Documents of one kind per stored spelling of a facet, no merge applied: what the
        resolution across the archive judges from."""
        with self._searcher() as s:
            reader = s.reader()
            size = reader.doc_count_all()
            table = self.cache.tables(reader, (reader.generation(), size), (name,), None,
                                      kind)[name]
            counts = np.bincount(table.value_of_posting, minlength=len(table.values))
            return {value: int(n) for value, n in zip(table.values, counts, strict=True) if n}

    def stats(self) -> dict:
        """Counts of articles, quotes and distinct facet values."""
        with self.store.searcher() as s:
            reader = s.reader()
            size = reader.doc_count_all()
            key = (reader.generation(), size, self._alias_key())
            tables = self.cache.tables(reader, key, FACETS, self.canonical, ARTICLE)

            def distinct(name: str) -> int:
                return len(np.unique(tables[name].value_of_posting))

            return {
                "articles": int(self.cache.kind_mask(reader, key, ARTICLE).sum()),
                "quotes": int(self.cache.kind_mask(reader, key, QUOTE).sum()),
                "persons": distinct("person"),
                "organizations": distinct("organization"),
                "countries": distinct("country"),
                "topics": distinct("topic"),
                "index_bytes": self.store.size_bytes(),
            }


def casefold_lexicon(reader, field: str) -> dict[str, list[str]]:
    """A facet field's stored values by their case-folded form."""
    out: dict[str, list[str]] = {}
    if field in reader.schema:
        for raw in reader.lexicon(field):
            value = term_text(raw)
            out.setdefault(value.casefold(), []).append(value)
    return out


def ranks(q: Query) -> bool:
    """Whether a query orders its matches by relevance (everything, or everything but some
    words, is listed newest first)."""
    return not isinstance(q, Every) and not (isinstance(q, AndNot) and isinstance(q.a, Every))


def group_counts(table: FacetTable, mask: np.ndarray, groups: tuple | None,
                 universe: np.ndarray | None = None) -> np.ndarray:
    """Documents per facet value among mask, or with groups (codes, members) the duplicate
    groups per value: a group counts once for a value any of its matching copies has.
    `universe`: the documents the table was made from (FacetTable.count)."""
    counts = table.count(mask, universe)
    if groups is None:
        return counts
    codes, members = groups
    hit = (mask & members)[table.docs]
    if not hit.any():
        return counts
    values = table.value_of_posting[hit].astype(np.int64)
    span = int(codes.max()) + 1
    pairs = np.unique(values * span + codes[table.docs[hit]])
    size = len(table.values)
    return counts - np.bincount(values, minlength=size) + np.bincount(pairs // span, minlength=size)


def bounded(q: Query, reader) -> Query:
    """The query with `*` as match-all, fuzzy distance capped, and too-broad expansions refused."""
    expansions = 0

    def visit(node: Query) -> Query:
        nonlocal expansions
        if isinstance(node, Every) or (isinstance(node, Wildcard) and not node.text.strip("*")):
            return Every()  # Every(field) reads every posting of the field: slow, same result
        if isinstance(node, Or) and all(isinstance(sub, Every) for sub in node.subqueries):
            return Every()
        if isinstance(node, FuzzyTerm):
            node.maxdist = min(node.maxdist, MAX_FUZZY_DISTANCE)
        if isinstance(node, MultiTerm):
            words = sum(1 for _ in islice(node._btexts(reader), MAX_EXPANSIONS + 1))
            expansions += words
            if words > MAX_EXPANSIONS or expansions > 4 * MAX_EXPANSIONS:
                shown = getattr(node, "text", None) or str(node)
                raise QueryError(
                    f"“{shown}” stands for more than {MAX_EXPANSIONS} words; make it more specific"
                )
        return node

    return q.accept(visit)


def matching(s, q: Query, size: int) -> np.ndarray:
    """Documents matching q as a mask; a query still collecting after TIME_LIMIT is cut off."""
    mask = np.zeros(size, dtype=bool)
    docs = s.docs_for_query(q)
    deadline = time.monotonic() + TIME_LIMIT
    while True:
        chunk = np.fromiter(islice(docs, MATCH_CHUNK), dtype=np.int64)
        mask[chunk] = True
        if len(chunk) < MATCH_CHUNK:
            return mask
        if time.monotonic() > deadline:
            raise QueryError(
                f"the query ran longer than {TIME_LIMIT:g} s and was stopped; make it narrower"
            )


FRAGMENTER = highlight.ContextFragmenter(maxchars=240, surround=60)
FORMATTER = highlight.HtmlFormatter(tagname="mark", between=" … ")
FORMATTER.template = "<%(tag)s>%(t)s</%(tag)s>"


# The body analyzer's own tokenizer and stemmer, so that snippets mark what the index matched.
TOKEN_RE = SCHEMA["body"].analyzer.items[0].expression
STEM = functools.lru_cache(maxsize=100_000)(SCHEMA["body"].analyzer.items[-1].stemfn)


@functools.lru_cache(maxsize=1024)
def _candidates(terms: frozenset[str]) -> re.Pattern:
    """Words that may stem to one of the terms: Porter stemming rewrites at most the last three
    letters of a stem, so a word must begin with the rest (up to three letters of it)."""
    prefixes = sorted({t[: max(1, min(3, len(t) - 3))] for t in terms})
    alternation = "|".join(map(re.escape, prefixes))
    return re.compile(rf"(?<![\w*])(?:{alternation})", re.IGNORECASE)


def _windows(text: str, terms: frozenset[str], reach: int) -> Iterator[tuple[int, int]]:
    """Stretches of text that hold every match with `reach` characters around it, merged."""
    start = end = -1
    for m in _candidates(terms).finditer(text):
        word = TOKEN_RE.match(text, m.start())
        if word is None or STEM(word.group().lower()) not in terms:
            continue
        lo, hi = max(0, m.start() - reach), word.end() + reach
        if start >= 0 and lo > end:
            yield start, end
            start = -1
        if start < 0:
            start = text.rfind(" ", 0, lo) + 1
        end = hi
    if start >= 0:
        yield start, min(end, len(text))


def matched_tokens(text: str, terms: frozenset[str], reach: int | None = None) -> Iterator[Token]:
    """The body analyzer's tokens with `matched` set, as highlight.highlight() makes them, at a
    fraction of the cost (one regex pass and cached stems instead of a filter chain); with
    `reach`, only the tokens within that many characters of a match (a fragmenter never looks
    further)."""
    token = Token(positions=False, chars=True, removestops=False, mode="query")
    token.boost, token.stopped = 1.0, False
    spans = [(0, len(text))] if reach is None else _windows(text, terms, reach)
    for start, end in spans:
        for m in TOKEN_RE.finditer(text, start, end):
            token.text = m.group().lower()
            token.startchar, token.endchar = m.start(), m.end()
            token.matched = STEM(token.text) in terms
            yield token


def snippet(text: str, terms: set[str], whole: bool = False, chars: int = 240) -> str:
    """Escaped text around the matches with <mark> on matched words only."""
    if terms:
        fragmenter = highlight.WholeFragmenter(charlimit=None) if whole else FRAGMENTER
        reach = None if whole else 2 * (FRAGMENTER.maxchars + FRAGMENTER.surround)
        tokens = matched_tokens(text, frozenset(terms), reach)
        fragments = fragmenter.fragment_tokens(text, tokens)
        fragments = highlight.top_fragments(
            fragments, 1 if whole else 2, highlight.BasicFragmentScorer(), highlight.FIRST
        )
        marked = FORMATTER(text, fragments)
        if marked:
            return marked
    short = text if whole or len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + " …"
    return html.escape(short.strip(), quote=False)


def hit_dict(doc_id: str, data: dict, kind: str, score: float | None,
             terms: set[str] | None, details: bool = False) -> dict:
    """One hit as the result shape shows it, from a stored record (both backends use it)."""
    if kind == QUOTE:
        return {
            "id": doc_id,
            "article_id": data["article_id"],
            "title": data["title"],
            "published": data.get("published"),
            "source": data.get("source"),
            "text": data["text"],
            "speaker": data.get("speaker"),
            "cue": data.get("cue"),
            "start": data["start"],
            "end": data["end"],
            "kind": data.get("kind"),
            "confidence": data.get("confidence"),
            "corrected": data.get("corrected"),
            "mentions": data.get("mentions", []),
            "context": data.get("context"),
            "score": score,
            "snippet": snippet(data["text"], terms, whole=True) if terms is not None else "",
            "context_snippet": (snippet(data["context"], terms, whole=True)
                                if terms is not None and data.get("context") else ""),
        }
    hit = {
        "id": data["id"],
        "title": data.get("title") or "",
        "published": data.get("published"),
        "source": data.get("source"),
        "url": data.get("url"),
        "score": score,
        "snippet": snippet(data["body"], terms) if terms is not None else "",
    }
    if details:
        hit.update({name: list(data.get(name) or []) for name in DETAIL_FIELDS})
        hit["topics"] = [t["label"] for t in data.get("topics") or []]
    return hit


def result_dict(query: SearchQuery, total: int, hits: list, facets: dict,
                suggestion: str | None, kind: str = ARTICLE) -> dict:
    """A search result in the CONTRACT.md shape (both backends return it); a quote search also
    echoes its kind and minimum confidence (null when not asked for)."""
    trust = {"kind": query.quote_kind, "min_confidence": query.min_confidence}
    return {
        "query": query.text,
        "filters": {k: list(v) for k, v in query.filters.items() if v},
        "modes": {name: query.mode(name) for name in facets if name not in ("month", UNDATED)},
        "date_from": query.date_from,
        "date_to": query.date_to,
        **(trust if kind == QUOTE else {}),
        "sort": query.sort,
        "total": total,
        "page": query.page,
        "per_page": query.per_page,
        "pages": max(1, -(-total // query.per_page)),
        "hits": hits,
        "facets": facets,
        "suggestion": suggestion,
    }
