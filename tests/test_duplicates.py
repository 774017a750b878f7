"""Near-duplicates end to end: real spaCy, a real Whoosh index in a temp folder, index runs that
add copies later, search collapsing them, and the groups kept up to date and crash-safe."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from indexer.duplicates import GROUPS_FILE, STATE_FILE, load_groups, update_duplicates
from indexer.ingest import IngestOptions, ingest_paths
from indexer.records import facet_values
from indexer.search import Searcher, SearchQuery
from indexer.store import Store
from tests.conftest import SEEDS


def trump_rows() -> list[dict]:
    """Two different Wikinews stories about one subject (both name Donald Trump)."""
    with open(SEEDS / "wikinews-2019-2020.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if "Trump" in r["text"] and len(r["text"]) > 1500]
    return rows[:2]


def write(folder, name: str, **record) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return str(path)


def reprint(body: str) -> str:
    """A wire desk's copy: a byline added, the ending trimmed at a sentence end."""
    cut = body.rfind(". ", 0, len(body) * 4 // 5)
    return "By Staff Reporter, Evening Wire\n\n" + body[: cut + 1]


@pytest.fixture(scope="module")
def index(tmp_path_factory, nlp):
    """Run 1: an original and a different story on the same subject; run 2: the reprint."""
    base = tmp_path_factory.mktemp("dups")
    first, other = trump_rows()
    store = Store(base / "index")
    options = IngestOptions(show_progress=False)
    ingest_paths(store, [
        write(base / "run1", "original", id="original", title=first["title"],
              body=first["text"], source="Wikinews", published="2020-01-10"),
        write(base / "run1", "other", id="other", title=other["title"], body=other["text"],
              source="Wikinews", published="2020-01-11"),
    ], options)
    assert load_groups(store.dir) == {}
    ingest_paths(store, [
        write(base / "run2", "reprint", id="reprint", title="UPDATE 1-" + first["title"],
              body=reprint(first["text"]), source="Evening Wire", published="2020-01-12"),
    ], options)
    return store, base


def search(store, **kwargs) -> dict:
    return Searcher(store).search(SearchQuery(text="Trump", **kwargs))


def test_a_reprint_indexed_later_joins_its_original_and_not_the_other_story(index):
    store, _ = index
    assert load_groups(store.dir) == {"original": "original", "reprint": "original"}


def test_search_collapses_the_reprint_into_one_hit_that_counts_its_copy(index):
    store, _ = index
    result = search(store)
    assert result["total"] == 2 and result["pages"] == 1
    similar = {hit["id"]: hit["similar"] for hit in result["hits"]}
    assert similar.get("other") == 0
    assert len(similar) == 2 and {"original", "reprint"} & set(similar)
    assert similar.get("original", similar.get("reprint")) == 1


def test_collapse_off_shows_every_copy(index):
    store, _ = index
    result = search(store, collapse=False)
    assert result["total"] == 3
    assert {hit["id"]: hit["similar"] for hit in result["hits"]} == {
        "original": 1, "reprint": 1, "other": 0}


def test_facet_counts_count_a_group_once_and_every_copy_without_collapse(index):
    store, _ = index
    wide = {"facet_limit": 1000}
    collapsed = {f["value"]: f["count"] for f in search(store, **wide)["facets"]["person"]}
    every = {f["value"]: f["count"]
             for f in search(store, collapse=False, **wide)["facets"]["person"]}
    people = {aid: set(facet_values(store.get(aid), "person"))
              for aid in ("original", "reprint", "other")}
    shared = people["original"] & people["reprint"]
    assert shared
    for value in shared:
        assert every[value] == 2 + (value in people["other"])
        assert collapsed[value] == 1 + (value in people["other"])
    # The copies' sources differ: each counts the group once, as the filter then finds it.
    sources = {f["value"]: f["count"] for f in search(store)["facets"]["source"]}
    assert sources == {"Wikinews": 2, "Evening Wire": 1}
    assert search(store, filters={"source": ("Evening Wire",)})["total"] == 1
    months = {m["value"]: m["count"] for m in search(store)["facets"]["month"]}
    assert months == {"2020-01": 2}


def test_a_quote_of_a_reprint_is_shown_once_and_counts_its_copy(index):
    """The reprint repeats the original's quotes (its ending aside): the quotes view shows each
    once, the same quote counted as one in the facets, and every copy with collapse off."""
    from indexer.duplicates import quote_key

    store, _ = index
    said = {aid: [q["text"] for q in store.get(aid)["quotes"]]
            for aid in ("original", "reprint", "other")}
    keys = {aid: [quote_key("original", t) for t in texts] for aid, texts in said.items()}
    shared = set(keys["original"]) & set(keys["reprint"])
    assert shared  # the copy repeats quotes
    every = Searcher(store).quotes(SearchQuery(per_page=200, collapse=False))
    assert every["total"] == sum(len(texts) for texts in said.values())
    collapsed = Searcher(store).quotes(SearchQuery(per_page=200, facet_limit=1000))
    grouped = set(keys["original"]) | set(keys["reprint"])
    assert collapsed["total"] == len(grouped) + len(said["other"]) < every["total"]
    for hit in collapsed["hits"]:
        aid = hit["article_id"]
        mine = quote_key("original", hit["text"])
        twin = {"original": "reprint", "reprint": "original"}.get(aid)
        assert hit["similar"] == (twin is not None and mine in keys[twin])
    # a speaker's count counts a quote repeated by a copy once
    speakers = {f["value"]: f["count"] for f in collapsed["facets"]["speaker"]}
    wanted: dict[str, set] = {}
    for aid in ("original", "reprint", "other"):
        for q in store.get(aid)["quotes"]:
            if q.get("speaker"):
                key = quote_key("original", q["text"]) if aid != "other" else (aid, q["start"])
                wanted.setdefault(Searcher(store).canonical("speaker", q["speaker"]),
                                  set()).add(key)
    assert speakers == {name: len(found) for name, found in wanted.items()}


def test_an_index_made_before_the_quote_words_column_collapses_the_same(index, tmp_path):
    """Its segments have no quote_words column: the numbers are read from the stored quotes."""
    from whoosh.filedb.filestore import FileStorage

    from indexer.schema import build_schema

    store, _ = index
    schema = build_schema()
    schema.remove("quote_words")
    FileStorage(str(tmp_path)).create_index(schema)
    old = Store(tmp_path)
    assert "quote_words" not in old.ix.schema
    list(old.write(sorted(store.records(), key=lambda r: r["id"])))
    update_duplicates(old, {})
    for options in ({}, {"collapse": False}, {"text": "said"}):
        query = SearchQuery(per_page=200, facet_limit=1000, **options)
        mine, theirs = Searcher(old).quotes(query), Searcher(store).quotes(query)
        assert mine["total"] == theirs["total"] and mine["facets"] == theirs["facets"]
        assert ({h["id"]: h["similar"] for h in mine["hits"]}
                == {h["id"]: h["similar"] for h in theirs["hits"]})
    assert Searcher(old).quotes(SearchQuery())["total"] < Searcher(old).quotes(
        SearchQuery(collapse=False))["total"]


def test_the_copies_of_an_article_are_listed_by_its_id(index):
    store, _ = index
    result = search(store, similar_to="reprint")
    assert sorted(hit["id"] for hit in result["hits"]) == ["original", "reprint"]
    assert search(store, similar_to="other")["total"] == 1


def test_the_cli_collapses_unless_told_not_to(index):
    store, _ = index

    def total(*args: str) -> int:
        out = subprocess.run(
            [sys.executable, "-m", "indexer", "--index", str(store.dir), *args, "--json"],
            capture_output=True, text=True, check=True, timeout=300)
        return json.loads(out.stdout)["total"]

    assert total("search", "Trump") == 2
    assert total("search", "Trump", "--no-collapse") == 3
    every = sum(len(store.get(aid)["quotes"]) for aid in ("original", "reprint", "other"))
    assert total("quotes") < total("quotes", "--no-collapse") == every


def test_lost_side_files_are_rebuilt_from_the_stored_records(index, tmp_path):
    store, _ = index
    copy = Store(tmp_path / "copy")
    list(copy.write(store.records()))
    (copy.dir / STATE_FILE).unlink(missing_ok=True)
    assert not (copy.dir / GROUPS_FILE).exists()
    assert update_duplicates(copy, {}) == {"original": "original", "reprint": "original"}


def test_deleting_or_rewriting_a_copy_updates_its_group(index, tmp_path, nlp):
    store, base = index
    copy = Store(tmp_path / "copy")
    list(copy.write(store.records()))
    update_duplicates(copy, {})
    copy.delete(["original"])
    assert update_duplicates(copy, {}) == {}
    assert Searcher(copy).search(SearchQuery(text="Trump"))["total"] == 2
    # The reprint rewritten as a different story leaves no group either.
    list(copy.write(store.records()))
    update_duplicates(copy, {})
    rewritten = dict(store.get("other"), id="reprint")
    list(copy.write([rewritten]))
    assert update_duplicates(copy, {}) == {"other": "other", "reprint": "other"}


def test_the_web_collapses_links_the_copies_and_shows_all_with_collapse_0(index):
    from web import create_app

    store, _ = index
    client = create_app({"INDEX_DIR": str(store.dir), "TESTING": True}).test_client()
    collapsed = client.get("/search.json?q=Trump").get_json()
    assert collapsed["total"] == 2
    assert client.get("/search.json?q=Trump&collapse=0").get_json()["total"] == 3
    shown = next(hit["id"] for hit in collapsed["hits"] if hit["similar"] == 1)
    page = client.get("/search?q=Trump").get_data(as_text=True)
    assert f'href="/search?similar={shown}">1 similar</a>' in page
    listed = client.get(f"/search.json?similar={shown}").get_json()
    assert sorted(hit["id"] for hit in listed["hits"]) == ["original", "reprint"]
    # the quotes view too: a repeated quote once, linked to the copies; every one with collapse=0
    quotes = client.get("/quotes.json").get_json()
    assert client.get("/quotes.json?collapse=0").get_json()["total"] > quotes["total"]
    repeated = [hit for hit in quotes["hits"] if hit["similar"] == 1]
    assert repeated
    page = client.get("/quotes").get_data(as_text=True)
    for hit in repeated:
        assert f'href="/search?similar={hit["article_id"]}" title="Near-duplicate' in page
    assert "and 1 copy</a>" in page


@pytest.fixture(scope="module")
def parity(index, tmp_path_factory):
    """The three articles in a fresh Whoosh folder and in a real OpenSearch node, each with its
    groups found after the load, as an index run finds them."""
    from indexer.opensearch import OpenSearchSearcher, OpenSearchStore, connect
    from tests.opensearch_cluster import Cluster

    store, _ = index
    records = sorted(store.records(), key=lambda r: r["id"])
    whoosh = Store(tmp_path_factory.mktemp("whoosh"))
    list(whoosh.write(records))
    update_duplicates(whoosh, {})
    with Cluster(nodes=1) as cluster:
        opensearch = OpenSearchStore(connect(cluster.url), prefix="dups",
                                     side_dir=tmp_path_factory.mktemp("side"))
        list(opensearch.write(records))
        update_duplicates(opensearch, {})
        yield Searcher(whoosh), OpenSearchSearcher(opensearch)


@pytest.mark.parametrize("options", [
    {}, {"collapse": False}, {"sort": "newest"}, {"similar_to": "reprint"},
    {"filters": {"source": ("Evening Wire",)}},
])
def test_opensearch_collapses_and_counts_as_whoosh_does(parity, options):
    whoosh, opensearch = parity
    query = SearchQuery(text="Trump", facet_limit=1000, **options)
    mine, theirs = whoosh.search(query), opensearch.search(query)
    assert mine["total"] == theirs["total"]
    assert ({h["id"]: h["similar"] for h in mine["hits"]}
            == {h["id"]: h["similar"] for h in theirs["hits"]})
    assert mine["facets"] == theirs["facets"]
    for name in ("person", "source"):  # every value of a facet counts as its list does
        assert whoosh.all_values(query, name) == opensearch.all_values(query, name)


@pytest.mark.parametrize("options", [
    {}, {"collapse": False}, {"filters": {"source": ("Evening Wire",)}}, {"text": "said"},
])
def test_opensearch_collapses_the_quotes_of_copies_as_whoosh_does(parity, options):
    whoosh, opensearch = parity
    query = SearchQuery(facet_limit=1000, per_page=200, **options)
    mine, theirs = whoosh.quotes(query), opensearch.quotes(query)
    assert mine["total"] == theirs["total"]
    assert ({h["id"]: h["similar"] for h in mine["hits"]}
            == {h["id"]: h["similar"] for h in theirs["hits"]})
    assert mine["facets"] == theirs["facets"]


def test_groups_that_cannot_be_stored_leave_the_index_run_whole(index, tmp_path, capsys):
    store, base = index
    copy = Store(tmp_path / "copy")
    (copy.dir / STATE_FILE).mkdir()  # a folder where the state file goes: it cannot be written
    tally = ingest_paths(copy, [str(base / "run1"), str(base / "run2")], IngestOptions())
    assert tally.indexed == 3 and tally.failed == 0
    assert "near-duplicates not stored" in capsys.readouterr().err
    assert Searcher(copy).search(SearchQuery(text="Trump"))["total"] == 3


def test_many_records_get_the_signatures_one_process_gives_them():
    """A bulk load shares the signatures out to forked processes: same values, same order."""
    from indexer.duplicates import PARALLEL_MIN, fresh_signatures, signature
    from tests.conftest import CORPORA

    bodies = [p.read_bytes().decode("utf-8", errors="replace")
              for p in sorted((CORPORA / "bbc-news").glob("*/*.txt"))][:PARALLEL_MIN + 50]
    records = [{"id": f"a{n}", "content_hash": f"h{n}", "body": body}
               for n, body in enumerate(bodies)] + [{"id": "short", "body": "Too short."}]
    fresh = fresh_signatures(records)
    assert list(fresh) == [r["id"] for r in records]
    assert fresh["short"] == ("", None)
    for record in records[:-1]:
        digest, sig = fresh[record["id"]]
        assert digest == record["content_hash"]
        assert (sig == signature(record["body"])).all()
