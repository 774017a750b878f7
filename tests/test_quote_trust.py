"""Quote kind (direct | partial) and minimum confidence: search, old indexes, the CLI.

The web side (URL, JSON, CSV, page controls) is in test_web_pages.py, the browser round trip
in test_browser.py, and the OpenSearch twin in test_opensearch_parity.py.
"""

from __future__ import annotations

import json

import pytest
from whoosh import fields
from whoosh.filedb.filestore import FileStorage

from indexer.schema import build_schema
from indexer.search import QueryError, Searcher, SearchQuery
from indexer.store import Store
from tests.test_cli import newsindex

# (kind, confidence) of each article's quotations; None: a record without that key.
QUOTES = [
    [("direct", 0.95), ("partial", 0.7)],
    [("direct", 0.6), ("partial", 0.9), ("direct", 0.8)],
    [("direct", None), (None, 0.85)],
]


def record(n: int, quotes: list[tuple]) -> dict:
    body = " ".join(f"Sentence {i} of article {n} about the budget." for i in range(8))
    out = []
    for i, (kind, confidence) in enumerate(quotes):
        quote = {"text": f"budget words {n} {i}", "speaker": "Ann Lee", "cue": "said",
                 "start": 0, "end": 10, "speaker_start": None, "speaker_end": None}
        if kind is not None:
            quote["kind"] = kind
        if confidence is not None:
            quote["confidence"] = confidence
        out.append(quote)
    return {"id": f"a{n}", "path": None, "title": f"Budget {n}", "body": body,
            "published": f"2020-01-{n + 1:02d}", "source": "Wire", "url": None, "author": None,
            "persons": ["Ann Lee"], "organizations": [], "countries": [], "topics": [],
            "quotes": out, "entities": [], "content_hash": str(n)}


RECORDS = [record(n, q) for n, q in enumerate(QUOTES)]


def expected(kind: str | None, least: float | None) -> set[str]:
    """The quote ids a kind and minimum confidence should keep, read off the records."""
    out = set()
    for rec in RECORDS:
        for n, quote in enumerate(rec["quotes"]):
            if kind and quote.get("kind") != kind:
                continue
            if least is not None and (quote.get("confidence") is None
                                      or quote["confidence"] < least):
                continue
            out.add(f"{rec['id']}#q{n}")
    return out


CASES = [(None, None), ("direct", None), ("partial", None), (None, 0.8), ("direct", 0.8),
         (None, 0.0), ("direct", 1.0), (None, 0.85)]


def old_schema() -> fields.Schema:
    """The schema of indexes made before quote kind and confidence had fields."""
    schema = build_schema()
    schema.remove("quote_kind")
    schema.remove("confidence")
    return schema


@pytest.fixture(params=["current", "old"])
def searcher(request, tmp_path) -> Searcher:
    if request.param == "old":
        FileStorage(str(tmp_path)).create_index(old_schema())
    store = Store(tmp_path)
    assert ("confidence" in store.ix.schema) == (request.param == "current")
    list(store.write(RECORDS[:2]))
    list(store.write(RECORDS[2:]))  # a second segment
    return Searcher(store)


@pytest.mark.parametrize(("kind", "least"), CASES)
def test_kind_and_minimum_confidence_keep_the_quotes_that_satisfy_both(searcher, kind, least):
    query = SearchQuery(quote_kind=kind, min_confidence=least, per_page=50)
    result = searcher.quotes(query)
    ids = {h["id"] for h in result["hits"]}
    assert ids == expected(kind, least) == searcher.match_ids(query, "quote")
    assert result["total"] == len(ids)
    assert (result["kind"], result["min_confidence"]) == (kind, least)
    speakers = {f["value"]: f["count"] for f in result["facets"]["speaker"]}
    assert speakers == ({"Ann Lee": len(ids)} if ids else {})  # facets count the same quotes
    for hit in result["hits"]:
        quote = RECORDS[int(hit["article_id"][1:])]["quotes"][int(hit["id"].rpartition("q")[2])]
        assert (hit["kind"], hit["confidence"]) == (quote.get("kind"), quote.get("confidence"))


def test_a_rewritten_article_is_filtered_by_its_new_quotes(searcher):
    changed = dict(RECORDS[0], quotes=[dict(RECORDS[0]["quotes"][0], confidence=0.5)],
                   content_hash="changed")
    list(searcher.store.write([changed]))
    got = {h["id"] for h in searcher.quotes(SearchQuery(min_confidence=0.9))["hits"]}
    assert got == {"a1#q1"}


@pytest.mark.parametrize("bad", ["abc", "1.5", "-0.1", "nan", "inf"])
def test_a_bad_minimum_confidence_is_a_query_error(searcher, bad):
    with pytest.raises(QueryError, match="minimum confidence must be a number from 0 to 1"):
        searcher.quotes(SearchQuery(min_confidence=bad))


def test_an_unknown_kind_and_trust_on_article_searches_are_query_errors(searcher):
    with pytest.raises(QueryError, match="kind must be direct or partial"):
        searcher.quotes(SearchQuery(quote_kind="indirect"))
    with pytest.raises(QueryError, match="quotes only"):
        searcher.search(SearchQuery(quote_kind="direct"))


def test_article_results_do_not_carry_the_quote_trust_keys(searcher):
    result = searcher.search(SearchQuery())
    assert "kind" not in result and "min_confidence" not in result


def test_cli_quotes_direct_and_min_confidence(tmp_path):
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    index = tmp_path / "index"
    newsindex("index", str(records), "--quiet", index=index, check=True)
    out = newsindex("quotes", "--direct", "--min-confidence", "0.8", "--json", "--limit", "50",
                    index=index, check=True)
    result = json.loads(out.stdout)
    assert {h["id"] for h in result["hits"]} == expected("direct", 0.8)
    assert all(h["kind"] == "direct" and h["confidence"] >= 0.8 for h in result["hits"])
    assert (result["kind"], result["min_confidence"]) == ("direct", 0.8)

    text = newsindex("quotes", "--direct", index=index, check=True).stdout
    assert "(direct · 0.95)" in text and "partial" not in text

    bad = newsindex("quotes", "--min-confidence", "high", index=index)
    assert bad.returncode == 2
    assert "minimum confidence must be a number from 0 to 1" in bad.stderr
