"""The numpy search path gives Whoosh's own answers: matches, BM25F ranking and facet counts.

Each test builds a real Whoosh index in a temporary folder from records over the Wikinews seed
texts (several commits, so several segments, and rewritten articles, so deleted documents),
then compares what indexer.search / indexer.facets compute against Whoosh on the same index.
"""

from __future__ import annotations

import csv
import re
from collections import Counter

import numpy as np
import pytest
from whoosh import qparser, sorting
from whoosh.query import Every, Term

from indexer.facets import (
    FacetCache,
    FacetTable,
    QueryArrays,
    field_lengths,
    postings,
    top_documents,
    value_dtype,
)
from indexer.schema import ARTICLE, FACETS, QUOTE, SCHEMA, SEP
from indexer.search import Searcher, SearchQuery, by_date, month_codes
from indexer.store import Store
from tests.conftest import SEEDS

COUNTRIES = ("Russia", "China", "United States", "France", "Germany", "India", "Japan", "Brazil")
SOURCES = ("Wikinews", "Daily Ledger", "Evening Wire")
QUERIES = (
    "said", "police", "government said", "election OR vote", "said NOT police",
    "title:storm^3 damage", "country:Russia", "police -said", "xyzzy", "NOT said",
    "people killed", "minister OR president OR leader", "(said NOT police) OR minister",
)


def seed_rows() -> list[dict]:
    with open(SEEDS / "wikinews-2019-2020.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def make_record(n: int, row: dict, copy: int) -> dict:
    """A record over a real seed text; facets read off the text so that values overlap."""
    text = row["text"]
    persons = sorted(set(re.findall(r"\b[A-Z][a-z]+ [A-Z][a-z]{3,}\b", text)))[:6]
    orgs = sorted(set(re.findall(r"\b[A-Z]{3,5}\b", text)))[:4]
    quotes = [
        {"text": m.group(0), "speaker": persons[0] if persons else None, "cue": "said",
         "start": m.start(), "end": m.end(), "speaker_start": None, "speaker_end": None,
         "confidence": 0.9}
        for m in re.finditer(r"\"[^\"]{10,200}\"", text)
    ][:3]
    return {
        "id": f"w{n}-{copy}", "path": None, "title": row["title"], "body": text,
        "published": row["published"], "source": SOURCES[(n + copy) % len(SOURCES)],
        "url": None, "author": None, "persons": persons, "organizations": orgs,
        "countries": [c for c in COUNTRIES if c in text],
        "topics": [{"label": "politics" if "election" in text else "society", "code": "x",
                    "score": 0.5}],
        "quotes": quotes, "entities": [], "content_hash": f"{n}-{copy}",
    }


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """Two copies of the 293 seed texts in commits of 100, then 40 articles rewritten."""
    rows = seed_rows()
    records = [make_record(n, row, copy) for copy in range(2) for n, row in enumerate(rows)]
    store = Store(tmp_path_factory.mktemp("index"))
    list(store.write(records, commit_every=100))
    rewritten = [dict(r, body=r["body"] + " Police said more.", content_hash="new")
                 for r in records[::15]]
    list(store.write(rewritten, commit_every=100))
    return store


def parser() -> qparser.QueryParser:
    return qparser.MultifieldParser(["title", "body"], SCHEMA, fieldboosts={"title": 2.0})


def whoosh_mask(s, q) -> np.ndarray:
    """Whoosh's matches among live documents (its NOT can yield a deleted one at a segment end)."""
    mask = np.zeros(s.doc_count_all(), dtype=bool)
    mask[list(s.docs_for_query(q))] = True
    live = np.zeros_like(mask)
    live[list(s.reader().all_doc_ids())] = True
    return mask & live


def evaluator(s) -> QueryArrays:
    reader = s.reader()
    key = (reader.generation(), reader.doc_count_all())
    return QueryArrays(s, FacetCache(), key, lambda node: whoosh_mask(s, node))


def test_index_under_test_has_several_segments_deletions_and_long_posting_lists(store):
    with store.searcher() as s:
        reader = s.reader()
        assert len(list(reader.leaf_readers())) > 1
        assert reader.doc_count_all() > reader.doc_count()
        assert s.doc_frequency("body", "said") > 3 * 128


def test_block_postings_equal_whoosh_matcher_postings(store):
    with store.searcher() as s:
        reader = s.reader()
        for field, text in (("body", "said"), ("body", "police"), ("title", "storm"),
                            ("kind", ARTICLE), ("country", "Russia")):
            ids, weights = postings(reader, field, text)
            expected = [(docnum, w) for docnum, w in _all_postings(reader, field, text)]
            assert ids.tolist() == [d for d, _ in expected]
            assert weights.tolist() == pytest.approx([w for _, w in expected])


def _all_postings(reader, field, text):
    """Every posting including deleted documents, as Whoosh's matcher yields them."""
    for leaf, base in reader.leaf_readers():
        if (field, text) not in leaf:
            continue
        m = leaf._terms.matcher(field, SCHEMA[field].to_bytes(text), SCHEMA[field].format)
        while m.is_active():
            yield m.id() + base, m.weight()
            m.next()


def test_field_lengths_are_the_lengths_whoosh_scores_with(store):
    with store.searcher() as s:
        reader = s.reader()
        for field in ("title", "body", "quote"):
            lengths = field_lengths(reader, field)
            for docnum in range(0, reader.doc_count_all(), 7):
                assert lengths[docnum] == (s.doc_field_length(docnum, field, 0) or 0)


@pytest.mark.parametrize("text", QUERIES)
def test_query_masks_equal_whoosh_matches(store, text):
    q = parser().parse(text)
    with store.searcher() as s:
        found = evaluator(s).evaluate(q)
        assert (found.mask == whoosh_mask(s, q)).all()


def test_andnot_removes_every_document_of_its_second_clause(store):
    """Whoosh's own AndNot matcher lets a document through now and then; ours does not."""
    p = parser()
    with store.searcher() as s:
        found = evaluator(s).evaluate(p.parse("said ANDNOT police"))
        expected = whoosh_mask(s, p.parse("said")) & ~whoosh_mask(s, p.parse("police"))
        assert (found.mask == expected).all()


@pytest.mark.parametrize("text", [t for t in QUERIES if not t.startswith("NOT")])
def test_page_one_ranking_and_scores_equal_whoosh_bm25f(store, text):
    q = parser().parse(text)
    with store.searcher() as s:
        found = evaluator(s).evaluate(q)
        assert found.scores is not None
        for limit in (1, 20, 200):
            ours = top_documents(found.scores, np.flatnonzero(found.mask), limit)
            theirs = s.search(q, limit=limit)
            assert [h.docnum for h in theirs] == ours.tolist()
            assert [h.score for h in theirs] == pytest.approx(found.scores[ours].tolist())


def test_phrases_and_wildcards_leave_scoring_to_whoosh_with_the_same_matches(store):
    p = parser()
    searcher = Searcher(store)
    for text in ('"police said"', "gover*"):
        q = p.parse(text)
        with store.searcher() as s:
            found = evaluator(s).evaluate(q)
            assert found.scores is None
            assert (found.mask == whoosh_mask(s, q)).all()
            kind = whoosh_mask(s, Term("kind", ARTICLE))
            expected = s.search(q, limit=5, filter=set(np.flatnonzero(found.mask & kind).tolist()))
            expected_ids = [h["id"] for h in expected]
        result = searcher.search(SearchQuery(text=text, per_page=5))
        assert [h["id"] for h in result["hits"]] == expected_ids


def brute_force_counts(store, kind: str, text: str, filters: dict, name: str) -> Counter:
    """Facet counts from stored fields: documents of the kind matching the query and the other
    filters, each counted once per value."""
    p = parser() if kind == ARTICLE else qparser.QueryParser("quote", SCHEMA)
    canonical = Searcher(store).canonical  # the alias merges searches apply
    counts: Counter = Counter()
    with store.searcher() as s:
        q = p.parse(text) if text else None
        docs = set(s.docs_for_query(q)) if q else set(s.reader().all_doc_ids())
        for docnum in docs:
            fields = s.stored_fields(docnum)
            if fields.get("kind") != kind:
                continue
            values = {
                f: {canonical(f, v) for v in fields.get(f, "").split(SEP) if v}
                for f in {*filters, name}
            }
            if any(not (values[f] & set(v)) for f, v in filters.items() if f != name):
                continue
            counts.update(values[name])
    return counts


@pytest.mark.parametrize("text,filters", [
    ("", {}),
    ("said", {}),
    ("police", {"country": ("Russia", "China")}),
    ("", {"source": ("Daily Ledger",), "topic": ("politics",)}),
    ("government OR minister", {"country": ("United States",), "source": ("Wikinews",)}),
])
def test_facet_counts_equal_brute_force_counts_with_multi_select(store, text, filters):
    result = Searcher(store).search(SearchQuery(text=text, filters=filters, facet_limit=1000))
    for name in FACETS:
        expected = brute_force_counts(store, ARTICLE, text, filters, name)
        assert_top_counts(result["facets"][name], expected, name)


def assert_top_counts(shown: list[dict], expected: dict, name: str, limit: int = 1000) -> None:
    """The values shown are the most frequent ones, each with its exact count."""
    got = {f["value"]: f["count"] for f in shown if f["count"]}
    assert len(got) == min(limit, len(expected)), name
    assert {v: expected[v] for v in got} == got, name
    rest = [c for v, c in expected.items() if v not in got]
    assert not rest or max(rest) <= min(got.values()), name


def test_facet_counts_equal_whoosh_groupedby_on_a_broad_query(store):
    searcher = Searcher(store)
    result = searcher.search(SearchQuery(text="said", facet_limit=1000))
    with store.searcher() as s:
        q = parser().parse("said")
        groups = s.search(
            q, limit=None, filter=Term("kind", ARTICLE),
            groupedby={n: sorting.FieldFacet(n, allow_overlap=True) for n in FACETS},
        )
        assert result["total"] == len(groups)
        for name in FACETS:
            merged: dict[str, set] = {}  # alias merges applied, a document counted once
            for value, docs in groups.groups(name).items():
                if value:
                    merged.setdefault(searcher.canonical(name, value), set()).update(docs)
            expected = {k: len(v) for k, v in merged.items()}
            assert_top_counts(result["facets"][name], expected, name)


def test_quote_search_counts_speakers_like_brute_force(store):
    result = Searcher(store).quotes(SearchQuery(text="said", facet_limit=1000))
    expected = brute_force_counts(store, QUOTE, "said", {}, "speaker")
    assert expected
    assert_top_counts(result["facets"]["speaker"], expected, "speaker")


def test_a_new_commit_is_seen_by_a_searcher_that_cached_the_old_generation(tmp_path):
    rows = seed_rows()[:40]
    store = Store(tmp_path)
    list(store.write([make_record(n, row, 0) for n, row in enumerate(rows)]))
    searcher = Searcher(store)
    before = searcher.search(SearchQuery(text="said"))["total"]
    list(store.write([make_record(n, row, 1) for n, row in enumerate(rows)]))
    after = searcher.search(SearchQuery(text="said"))
    assert after["total"] == 2 * before
    assert sum(f["count"] for f in after["facets"]["source"]) == 2 * before


@pytest.mark.parametrize("terms", [{"said"}, {"polic", "minist"}, {"xyzzy"}])
def test_snippets_equal_whoosh_highlight_output(terms):
    from whoosh import highlight

    from indexer.search import FORMATTER, FRAGMENTER, snippet

    analyzer = SCHEMA["body"].analyzer
    for row in seed_rows()[:60]:
        text = row["text"]
        expected = highlight.highlight(text, terms, analyzer, FRAGMENTER, FORMATTER, top=2)
        whole = highlight.highlight(text[:300], terms, analyzer,
                                    highlight.WholeFragmenter(charlimit=None), FORMATTER, top=1)
        if expected:
            assert snippet(text, terms) == expected
        if whole:
            assert snippet(text[:300], terms, whole=True) == whole


def test_hashes_from_term_dictionaries_equal_the_stored_records(store, tmp_path):
    with store.searcher() as s:
        stored = {f["id"]: f.get("content_hash", "") for f in s.documents(kind=ARTICLE)}
    assert store.hashes() == stored
    assert "new" in stored.values()
    same = Store(tmp_path)
    rows = seed_rows()[:3]
    twins = [dict(make_record(n, rows[0], 0), id=f"twin{n}", content_hash="same") for n in (0, 1)]
    bare = dict(make_record(9, rows[1], 0), content_hash=None)
    list(same.write(twins + [bare]))
    assert same.hashes() == {"twin0": "same", "twin1": "same", bare["id"]: ""}


def test_counts_over_few_documents_equal_counts_over_all_postings(store):
    from indexer.facets import alive_mask, build_table

    with store.searcher() as s:
        reader = s.reader()
        table = build_table(reader, "person", alive_mask(reader))
        rng = np.random.default_rng(3)
        for share in (0.001, 0.01, 0.05):
            mask = rng.random(reader.doc_count_all()) < share
            dense = np.bincount(table.value_of_posting[mask[table.docs]],
                                minlength=len(table.values))
            assert len(np.flatnonzero(mask)) * 8 < len(table.docs)  # the few-documents path
            assert (table.count(mask) == dense).all()
            assert dense.sum() > 0 or share < 0.01


def test_search_arrays_are_compact_and_in_document_order(store):
    """int32 document numbers, the smallest unsigned type for value ids, float32 term weights,
    one byte per field length: the arrays a million articles keep in memory."""
    searcher = Searcher(store)
    searcher.search(SearchQuery(text="said police"))
    searcher.quotes(SearchQuery(text="said"))
    searcher.value_counts("person")
    tables = searcher.cache._tables
    assert {kind for _, kind, _ in tables} == {ARTICLE, QUOTE}  # no table of every document
    for (field, _, _), table in tables.items():
        assert table.docs.dtype == np.int32, field
        assert len(table.values) > 255 or table.value_of_posting.dtype == np.uint8, field
        assert table.value_of_posting.dtype == value_dtype(len(table.values)), field
        assert (np.diff(table.docs) >= 0).all(), field
    assert {t.value_of_posting.dtype for (f, _, _), t in tables.items() if f == "topic"} == {
        np.dtype(np.uint8)}  # a few topics: one byte per posting
    with store.searcher() as s:
        ids, weights = postings(s.reader(), "body", b"said")
        assert ids.dtype == np.int32 and weights.dtype == np.float32
        assert (weights == np.rint(weights)).all() and weights.max() > 1
    held = searcher.cache.nbytes()
    assert held["array:length:body"] == store.ix.doc_count_all()  # one byte per document


def test_merged_spellings_count_each_document_once(store):
    """Two spellings merged into one value: a document with both counts once, as Whoosh counts
    the documents with either."""
    from whoosh.query import Or

    from indexer.facets import alive_mask, build_table

    rows = seed_rows()
    pair = next(make_record(n, row, 0)["persons"][:2] for n, row in enumerate(rows)
                if len(make_record(n, row, 0)["persons"]) >= 2)
    merged = "Merged Person"
    with store.searcher() as s:
        reader = s.reader()
        alive = alive_mask(reader)
        table = build_table(reader, "person", alive,
                            lambda field, v: merged if v in pair else v)
        counts = table.count(alive)
        either = whoosh_mask(s, Or([Term("person", v) for v in pair]))
        both = whoosh_mask(s, Term("person", pair[0])) & whoosh_mask(s, Term("person", pair[1]))
        assert both.sum() > 0  # the case that needs care
        assert counts[table.index[merged]] == either.sum()
        assert pair[0] not in table.index and pair[1] not in table.index
        assert (np.diff(table.docs) >= 0).all()


def test_a_merge_or_a_commit_reads_only_new_segments(tmp_path):
    """Per-segment tables are kept whatever the merges: a new alias or duplicates file reuses
    every segment's table, and a commit reads only the segments it made."""
    from indexer.aliases import Aliases

    rows = seed_rows()
    folder = Store(tmp_path)
    list(folder.write([make_record(n, row, 0) for n, row in enumerate(rows[:60])],
                      commit_every=30))
    searcher = Searcher(folder)
    before = searcher.search(SearchQuery(text="said"))
    segments = dict(searcher.cache._segments)
    assert segments
    top = before["facets"]["person"][0]["value"]
    aliases = Aliases.load(tmp_path)
    aliases.add("person", top, "Someone Merged")
    aliases.save(tmp_path)
    after = searcher.search(SearchQuery(text="said"))
    assert "Someone Merged" in [f["value"] for f in after["facets"]["person"]]
    assert searcher.cache._segments.keys() == segments.keys()  # nothing read again
    assert all(searcher.cache._segments[k] is v for k, v in segments.items())
    list(folder.write([make_record(n, row, 0) for n, row in enumerate(rows[60:70], 60)]))
    searcher.search(SearchQuery(text="said"))
    read = searcher.cache._segments.keys() - segments.keys()
    assert read and not {sid for sid, *_ in read} & {sid for sid, *_ in segments}
    kept = [k for k in segments if k in searcher.cache._segments]
    assert all(searcher.cache._segments[k] is segments[k] for k in kept)


@pytest.mark.parametrize("text", ["", "said", "police -said", "xyzzy"])
def test_match_ids_are_the_stored_ids_of_whooshs_live_matches(store, text):
    """Across segments with deleted (rewritten) documents: each live match once, none deleted."""
    searcher = Searcher(store)
    query = SearchQuery(text=text, filters={"source": ("Wikinews", "Daily Ledger")})
    with store.searcher() as s:
        q = searcher.parse(text) if text else Every()
        docs = np.flatnonzero(whoosh_mask(s, q))
        expected = {
            s.stored_fields(int(d))["id"] for d in docs
            if s.stored_fields(int(d))["kind"] == ARTICLE
            and s.stored_fields(int(d))["source"] in ("Wikinews", "Daily Ledger")
        }
    got = searcher.match_ids(query)
    assert got == expected and len(got) == searcher.search(query)["total"]
    quotes = searcher.match_ids(SearchQuery(text=text), QUOTE)
    assert all("#q" in i for i in quotes) and len(quotes) == searcher.quotes(
        SearchQuery(text=text))["total"]


def test_a_query_whoosh_scores_itself_with_filters_matching_nothing_has_no_hits(store):
    """Ranges are ranked by Whoosh with the allowed documents as its filter; an empty filter
    once meant none at all, and quotations came back as article hits (found by hypothesis)."""
    searcher = Searcher(store)
    for filters in ({"source": ("Nowhere",)}, {"person": ("0",)}):
        query = SearchQuery(text="published:[2019 TO]", filters=filters)
        assert searcher.search(query)["hits"] == [] and searcher.search(query)["total"] == 0
        assert searcher.quotes(query)["hits"] == []
    ranged = searcher.search(SearchQuery(text="published:[2019 TO]"))
    assert ranged["total"] > 0 and all(not h["id"].count("#q") for h in ranged["hits"])


def test_counts_of_nearly_every_document_are_the_totals_less_those_left_out(store):
    from indexer.facets import SPARSE_FACTOR, alive_mask, build_table

    with store.searcher() as s:
        reader = s.reader()
        universe = alive_mask(reader)
        table = build_table(reader, "person", universe)
        rng = np.random.default_rng(5)
        for share in (0.0, 0.01, 0.03):
            mask = universe & (rng.random(len(universe)) >= share)
            dense = np.bincount(table.value_of_posting[mask[table.docs]],
                                minlength=len(table.values))
            assert np.count_nonzero(universe & ~mask) * SPARSE_FACTOR < len(table.docs)
            assert (table.count(mask, universe) == dense).all()
            assert (table.count(mask) == dense).all()  # the same without the universe


def test_documents_without_values_or_past_the_last_posting_count_nothing():
    table = FacetTable(["a", "b"], np.array([2, 2, 5], dtype=np.int32),
                       np.array([0, 1, 1], dtype=np.uint8), {"a": 0, "b": 1})
    assert table._count_few(np.array([0, 2, 3, 8])).tolist() == [1, 1]
    assert table._count_few(np.array([5, 6])).tolist() == [0, 1]
    assert table._count_few(np.array([], dtype=np.int64)).tolist() == [0, 0]
    empty = FacetTable([], np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint8), {})
    assert empty._count_few(np.array([0, 4])).tolist() == []


def test_date_order_pages_equal_a_stable_sort_of_every_match():
    """Newest first puts the later document of a day first, oldest first the earlier; a page
    is the same slice of the full sort however few documents are sorted to find it."""
    rng = np.random.default_rng(7)
    days = rng.choice([0, 20200101, 20200102, 20210315], size=500).astype(np.int32)
    mask = rng.random(500) < 0.6
    docs = np.flatnonzero(mask)
    ascending = docs[np.argsort(days[docs], kind="stable")]
    for oldest, full in ((True, ascending), (False, ascending[::-1])):
        for start, stop in ((0, 20), (20, 40), (280, 320), (0, 0), (0, 1000)):
            assert by_date(days, mask, oldest, start, stop).tolist() == full[start:stop].tolist()


def test_month_counts_equal_counting_each_documents_month():
    rng = np.random.default_rng(11)
    days = rng.choice([0, 19991231, 20200101, 20200131, 20201201, 99991231], size=300)
    days = days.astype(np.int32)
    mask = rng.random(300) < 0.5
    expected = Counter(f"{d // 10000:04d}-{d // 100 % 100:02d}" for d in days[mask] if d)
    months = Searcher._months(month_codes(days), mask)
    assert {m["value"]: m["count"] for m in months} == expected
    assert [m["value"] for m in months] == sorted(expected)
