"""The OpenSearch backend answers like the Whoosh one, on a real one-node OpenSearch.

The seeds are annotated once by the real pipeline and loaded into both backends; the same query
mix (words, phrases, boolean operators, wildcards, field:value, facet filters and exclusions,
dates, quotes, alias merges) must give the same matching sets and identical facet counts.
If OpenSearch cannot be fetched or started, these tests fail with the reason.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest

from indexer.backends import BackendConfig, open_searcher, open_store
from indexer.opensearch import OpenSearchSearcher, OpenSearchStore, connect
from indexer.search import MAX_PER_PAGE, Searcher, SearchQuery
from indexer.store import Store
from tests.conftest import ROOT, SEEDS
from tests.opensearch_cluster import Cluster

SEED_NAME = next(SEEDS.glob("000_*.txt")).name
USER_ALIASES = {"person": {"Trump": "Donald Trump"}, "organization": {"UN": "United Nations"}}


@pytest.fixture(scope="module")
def cluster():
    """One OpenSearch node for this module (started once, always stopped)."""
    with Cluster(nodes=1) as running:
        yield running


@pytest.fixture(scope="module")
def seed_records(nlp) -> list[dict]:
    """Every seed article through the real annotation pipeline, once."""
    from indexer.annotation import annotate
    from indexer.sources import Article, read_sources

    articles = [a for a in read_sources([SEEDS]) if isinstance(a, Article)]
    records = list(annotate(articles, nlp))
    assert len(records) == len(articles) > 200
    return records


@pytest.fixture(scope="module")
def both(cluster, seed_records, tmp_path_factory) -> tuple[Searcher, OpenSearchSearcher]:
    """The seeds in a Whoosh folder and in OpenSearch, sharing one aliases.json."""
    folder = tmp_path_factory.mktemp("parity")
    (folder / "aliases.json").write_text(json.dumps(USER_ALIASES), encoding="utf-8")
    whoosh = Store(folder)
    assert sum(1 for _ in whoosh.write(seed_records)) == len(seed_records)
    store = OpenSearchStore(connect(cluster.url), prefix="parity", side_dir=folder)
    assert sum(1 for _ in store.write(seed_records, commit_every=100)) == len(seed_records)
    return Searcher(whoosh), OpenSearchSearcher(store)


def everything(searcher, kind: str, query: SearchQuery) -> dict:
    """Total, every matching id (all pages), and the facets of a search."""
    first = getattr(searcher, kind)(
        SearchQuery(**{**query.__dict__, "page": 1, "per_page": MAX_PER_PAGE})
    )
    ids = [h["id"] for h in first["hits"]]
    for page in range(2, first["pages"] + 1):
        more = getattr(searcher, kind)(
            SearchQuery(**{**query.__dict__, "page": page, "per_page": MAX_PER_PAGE})
        )
        ids += [h["id"] for h in more["hits"]]
    assert len(ids) == len(set(ids)) == first["total"], "pages overlap or miss hits"
    return {"total": first["total"], "ids": set(ids), "facets": first["facets"]}


def assert_same(both, kind: str, query: SearchQuery) -> dict:
    whoosh, opensearch = both
    for limit in (query.facet_limit, 1000):  # the shown top values, then every count
        q = SearchQuery(**{**query.__dict__, "facet_limit": limit})
        expected, got = everything(whoosh, kind, q), everything(opensearch, kind, q)
        assert got["total"] == expected["total"]
        assert got["ids"] == expected["ids"]
        for name, values in expected["facets"].items():
            assert got["facets"][name] == values, f"facet {name} differs"
    return expected


def top(both, kind: str, facet: str, n: int) -> tuple[str, ...]:
    """The n most frequent values of a facet in the seeds (NLP output changes over time)."""
    values = getattr(both[0], kind)(SearchQuery(facet_limit=n))["facets"][facet]
    assert len(values) == n
    return tuple(v["value"] for v in values)


ARTICLE_TEXTS = [
    "",
    "election",
    "elections president",
    "Trump Putin",
    '"prime minister"',
    '"police said"~3',
    "election NOT trump",
    "flood OR hurricane OR storm",
    "(earthquake OR tsunami) AND NOT japan",
    "war ANDMAYBE peace",
    "elect*",
    "te?t",
    "title:protest",
    'person:"Donald Trump"',
    "country:Russia",
    "published:[2019-06-01 TO 2019-12-31]",
    "the of and",
    "zzyzx",
    # query habits: exclusions, requirements, lowercase operators, any-case values, fuzzy
    "-trump",
    "biden -trump",
    "biden and not trump",
    "+biden trump",
    '-"donald trump"',
    "election -country:russia",
    "country:russia",
    "person:donald trump",
    "org:nato",
    "bidn~",
    "flood or storm",
]


@pytest.mark.parametrize("text", ARTICLE_TEXTS)
def test_article_queries_match_the_same_articles_and_facet_counts(both, text):
    result = assert_same(both, "search", SearchQuery(text=text))
    if text == "":
        assert result["total"] > 200


def test_facet_filters_and_exclusions_give_the_same_counts(both):
    persons = top(both, "search", "person", 3)
    countries = top(both, "search", "country", 3)
    topics = top(both, "search", "topic", 2)
    queries = [
        SearchQuery(filters={"person": persons[:2]}),
        SearchQuery(filters={"country": countries[:1], "topic": ("-" + topics[0],)}),
        SearchQuery(text="president", filters={"person": (persons[0],), "country": countries}),
        SearchQuery(filters={"country": ("-" + countries[0], "-" + countries[1])}),
        SearchQuery(filters={"source": ("Wikinews",)}, date_from="2019-03", date_to="2019-09"),
        SearchQuery(text="government", date_from="2020", sort="newest"),
        SearchQuery(text="government", date_to="2019-05-31", sort="oldest"),
        SearchQuery(filters={"person": persons[:2]}, all_of=("person",)),
        SearchQuery(text="president", filters={"person": persons[:2], "country": countries[:2]},
                    all_of=("person", "country")),
        SearchQuery(filters={"country": countries[:2] + ("-" + countries[2],)},
                    all_of=("country",)),
        SearchQuery(date_from="undated"),
        SearchQuery(text="-trump", date_from="undated", sort="newest"),
    ]
    for query in queries:
        assert_same(both, "search", query)


def test_alias_merges_count_and_filter_alike(both):
    """The user's aliases.json merges 'Trump' into 'Donald Trump' on both backends."""
    merged = assert_same(both, "search", SearchQuery(filters={"person": ("Trump",)}))
    assert merged["total"] > 0
    persons = {
        v["value"] for v in both[0].search(SearchQuery(facet_limit=1000))["facets"]["person"]
    }
    assert "Donald Trump" in persons and "Trump" not in persons
    assert_same(both, "search", SearchQuery(filters={"person": ("-Donald Trump",)}))
    assert_same(both, "quotes", SearchQuery(filters={"speaker": ("Trump",)}))


QUOTE_TEXTS = ["", "people", '"we will"', "people NOT police", "econom*", "speaker:Trump",
               "speaker:donald trump", "mentions:russia", "-people", "country:russia -said"]


@pytest.mark.parametrize("text", QUOTE_TEXTS)
def test_quote_queries_match_the_same_quotes_and_facet_counts(both, text):
    assert_same(both, "quotes", SearchQuery(text=text))


def test_quote_filters_on_speaker_and_mentions_give_the_same_counts(both):
    speakers = top(both, "quotes", "speaker", 2)
    mentions = top(both, "quotes", "mentions", 2)
    for query in [
        SearchQuery(filters={"speaker": speakers}),
        SearchQuery(filters={"mentions": mentions[:1], "speaker": ("-" + speakers[0],)}),
        SearchQuery(text="said", filters={"country": top(both, "quotes", "country", 1)}),
    ]:
        assert_same(both, "quotes", query)


TRUST_QUERIES = [
    SearchQuery(quote_kind="direct"),
    SearchQuery(quote_kind="partial"),
    SearchQuery(min_confidence=0.8),
    SearchQuery(min_confidence="0.7", quote_kind="direct", text="said OR people"),
    SearchQuery(min_confidence=1.0),
    SearchQuery(quote_kind="direct", min_confidence=0.5, sort="newest"),
]


@pytest.mark.parametrize("query", TRUST_QUERIES, ids=lambda q: f"{q.quote_kind}-{q.min_confidence}")
def test_quote_kind_and_minimum_confidence_keep_the_same_quotes_and_counts(both, query):
    expected = assert_same(both, "quotes", query)
    whoosh, _ = both
    assert expected["total"] < whoosh.quotes(SearchQuery())["total"]
    assert expected["ids"] == both[1].match_ids(query, "quote")


def test_a_quote_index_of_mapping_version_1_gets_the_trust_fields_when_written(
    cluster, seed_records, tmp_path
):
    from indexer.opensearch.documents import TRUST_FIELDS, mapping

    client = connect(cluster.url)
    old = mapping(1, 0)
    for name in TRUST_FIELDS:
        del old["mappings"]["properties"][name]
    for kind in ("articles", "quotes"):
        client.indices.create(index=f"old-{kind}-v1-0", body=old)
        client.indices.put_alias(index=f"old-{kind}-v1-0", name=f"old-{kind}")
    try:
        store = OpenSearchStore(client, prefix="old", side_dir=tmp_path)
        quoted = [r for r in seed_records if r["quotes"]][:5]
        assert sum(1 for _ in store.write(quoted)) == 5
        got = OpenSearchSearcher(store).quotes(SearchQuery(quote_kind="direct", per_page=100))
        direct = {f"{r['id']}#q{n}" for r in quoted for n, q in enumerate(r["quotes"])
                  if q["kind"] == "direct"}
        assert {h["id"] for h in got["hits"]} == direct
    finally:
        client.indices.delete(index="old-*")


def test_facet_counts_stay_exact_when_the_index_has_several_shards(
    both, cluster, seed_records, monkeypatch
):
    """Each shard sends only its top values; counts it cut would come back low without re-asking."""
    import indexer.opensearch.search

    monkeypatch.setattr(indexer.opensearch.search, "FACET_SHARD_SIZE", 10)  # the seeds are few
    whoosh, _ = both
    store = OpenSearchStore(
        connect(cluster.url), prefix="sharded", shards=5, side_dir=whoosh.store.dir
    )
    assert sum(1 for _ in store.write(seed_records, commit_every=100)) == len(seed_records)
    sharded = (whoosh, OpenSearchSearcher(store))
    persons = top(both, "search", "person", 40)
    queries = [
        SearchQuery(facet_limit=limit) for limit in (1, 5, 25)
    ] + [
        SearchQuery(text="government", facet_limit=15),
        SearchQuery(filters={"person": persons[-2:]}, facet_limit=3),
    ]  # fmt: skip
    for query in queries:
        assert_same(sharded, "search", query)
    assert_same(sharded, "quotes", SearchQuery(facet_limit=4))
    assert sharded[1].deeper_requests > 0  # the re-asking ran


def test_every_match_id_is_the_same_on_both(both, monkeypatch):
    """Saved searches compare these sets; OpenSearch pages them past the 50,000-hit window."""
    import indexer.opensearch.search

    monkeypatch.setattr(indexer.opensearch.search, "IDS_PAGE", 50)  # several pages on the seeds
    persons = top(both, "search", "person", 2)
    for kind, query in [
        ("search", SearchQuery()),
        ("search", SearchQuery(text="election", filters={"person": ("-" + persons[0],)})),
        ("search", SearchQuery(filters={"person": persons}, date_from="2019-06")),
        ("search", SearchQuery(text="zzyzx")),
        ("quotes", SearchQuery(text="people")),
    ]:
        expected = everything(both[0], kind, query)["ids"]
        method = "article" if kind == "search" else "quote"
        assert both[0].match_ids(query, method) == expected
        assert both[1].match_ids(query, method) == expected


def test_hits_carry_the_same_fields_and_snippets(both):
    whoosh, opensearch = both
    query = SearchQuery(text='"prime minister"', sort="newest", per_page=5)
    expected, got = whoosh.search(query), opensearch.search(query)
    assert [h["published"] for h in got["hits"]] == [h["published"] for h in expected["hits"]]
    by_id = {h["id"]: h for h in expected["hits"]}
    for hit in got["hits"]:
        if hit["id"] in by_id:  # same-day ties may order differently
            assert hit == by_id[hit["id"]]
    assert "<mark>" in got["hits"][0]["snippet"]
    quotes = opensearch.quotes(SearchQuery(text="people", per_page=3))["hits"]
    assert quotes and all("<mark>" in q["snippet"] and "#q" in q["id"] for q in quotes)
    ranked = opensearch.search(SearchQuery(text="election"))["hits"]
    assert all(h["score"] is not None for h in ranked)
    assert [h["score"] for h in ranked] == sorted((h["score"] for h in ranked), reverse=True)


def test_records_stats_and_hashes_are_the_same(both, seed_records):
    whoosh, opensearch = both
    expected, got = whoosh.stats(), opensearch.stats()
    assert {k: v for k, v in got.items() if k != "index_bytes"} == {
        k: v for k, v in expected.items() if k != "index_bytes"
    }
    assert got["index_bytes"] > 0
    record = seed_records[7]
    assert opensearch.article(record["id"]) == whoosh.article(record["id"])
    assert opensearch.article("no-such-article") is None
    assert opensearch.store.hashes() == whoosh.store.hashes()
    assert sorted(r["id"] for r in opensearch.store.records()) == sorted(
        r["id"] for r in seed_records
    )


def test_updates_and_deletes_leave_no_stale_quotes(cluster, seed_records, tmp_path):
    """An article re-indexed with fewer quotes loses the others; a deleted one loses all."""
    with_quotes = [r for r in seed_records if len(r["quotes"]) >= 3][:3]
    whoosh = Store(tmp_path)
    store = OpenSearchStore(connect(cluster.url), prefix="updates", side_dir=tmp_path)
    for backend in (whoosh, store):
        list(backend.write(with_quotes))
        shorter = dict(with_quotes[0], quotes=with_quotes[0]["quotes"][:1])
        list(backend.write([shorter]))
        backend.delete([with_quotes[1]["id"]])
    expected = everything(Searcher(whoosh), "quotes", SearchQuery())
    got = everything(OpenSearchSearcher(store), "quotes", SearchQuery())
    assert got["ids"] == expected["ids"]
    assert len(got["ids"]) == 1 + len(with_quotes[2]["quotes"])
    assert store.get(with_quotes[1]["id"]) is None
    store.drop()


def test_reindex_swaps_in_a_new_index_while_searches_keep_answering(cluster, seed_records):
    store = OpenSearchStore(connect(cluster.url), prefix="swap", side_dir=Path("unused"))
    list(store.write(seed_records[:60]))
    searcher = OpenSearchSearcher(store)
    before = store.indexes()
    totals, errors = [], []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            try:
                totals.append(searcher.search(SearchQuery())["total"])
            except Exception as exc:  # noqa: BLE001 - any failure is what we look for
                errors.append(exc)

    thread = threading.Thread(target=keep_searching)
    thread.start()
    try:
        after = store.reindex()
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert len(totals) > 0 and set(totals) == {60}
    assert after != before and store.indexes() == after
    assert not any(store.client.indices.exists(index=name) for name in before.values())
    assert searcher.search(SearchQuery())["total"] == 60
    store.drop()


def test_backend_factory_opens_the_same_index_by_configuration(both, cluster, tmp_path):
    config = BackendConfig(
        backend="opensearch",
        index_dir=tmp_path,
        opensearch_url=cluster.url,
        opensearch_index="parity",
    )
    searcher = open_searcher(config)
    assert searcher.search(SearchQuery())["total"] == both[0].search(SearchQuery())["total"]
    with pytest.raises(FileNotFoundError):
        open_searcher(BackendConfig(backend="opensearch", opensearch_url=cluster.url,
                                    opensearch_index="missing"))  # fmt: skip
    assert isinstance(open_store(BackendConfig(backend="whoosh", index_dir=tmp_path)), Store)
    with pytest.raises(ValueError):
        BackendConfig(backend="solr")


def test_the_benchmark_mix_finds_the_same_totals_on_both(both, seed_records):
    """bench/bench_search.py times one query mix on each backend; it must ask the same thing."""
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_search

    mix = bench_search.query_mix(seed_records)
    (_, whoosh), (_, opensearch) = (bench_search.time_mix(s, mix, 1) for s in both)
    assert opensearch == whoosh
    assert all(whoosh[kind] for kind in bench_search.KINDS)
    assert min(whoosh["broad"]) >= len(seed_records) * 0.4 and min(whoosh["match_all"]) > 200


def edge_record(n: int, body: str, **extra) -> dict:
    """A hand-made annotated record (no NLP) for the corner cases of query semantics."""
    record = {
        "id": f"edge-{n}",
        "title": f"Edge case {n}",
        "body": body,
        "published": None,
        "source": None,
        "persons": [],
        "organizations": [],
        "countries": [],
        "topics": [],
        "quotes": [],
        "entities": [],
    }
    return {**record, **extra}


EDGE_RECORDS = [
    edge_record(1, "alpha beta gamma", published="2019-02-31", source="The Times"),
    edge_record(2, "alpha xx beta yy zz gamma", published="2019"),
    edge_record(3, "alpha x1 x2 x3 beta gamma", published="2019-12"),
    edge_record(4, "gamma beta alpha", topics=[{"label": "arts, culture and entertainment"}]),
    edge_record(5, "alpha of the beta; runs and running", source="The Times"),
    edge_record(6, "U.S. officials said e.g. 3.5% of café owners were RUNNING late"),
]
EDGE_QUERIES = [
    '"alpha beta gamma"~3',
    '"alpha beta gamma"~2',
    '"alpha beta"',
    '"beta alpha"',
    "running",
    "gam*",
    "?eta",
    "body:[alpha TO beta]",
    "café OR u.s.",
    '"3.5"',
    'source:"The Times"',
    "published:2019*",
    'topic:"arts, culture and entertainment"',
    "NOT alpha",
    "*",
]


def test_query_semantics_match_on_corner_cases(cluster, tmp_path):
    """Phrase slop, stop words inside phrases, stems, wildcards, ranges, odd dates, exact
    facet values: each query picks the same documents and months on both backends."""
    whoosh = Store(tmp_path)
    list(whoosh.write(EDGE_RECORDS))
    store = OpenSearchStore(connect(cluster.url), prefix="edges", side_dir=tmp_path)
    list(store.write(EDGE_RECORDS))
    pair = (Searcher(whoosh), OpenSearchSearcher(store))
    matched = {text: assert_same(pair, "search", SearchQuery(text=text)) for text in EDGE_QUERIES}
    assert matched['"alpha beta gamma"~3']["ids"] == {"edge-1", "edge-2"}
    assert matched['"alpha beta gamma"~2']["ids"] == {"edge-1"}
    assert matched['"alpha beta"']["ids"] == {"edge-1", "edge-5"}  # stop words do not count
    assert matched["running"]["ids"] == {"edge-5", "edge-6"}
    months = {m["value"]: m["count"] for m in matched["*"]["facets"]["month"]}
    assert months == {"2019-01": 1, "2019-02": 1, "2019-12": 1}
    store.drop()


def test_an_unreachable_cluster_is_one_clear_error(tmp_path):
    from tests.opensearch_cluster import free_ports

    url = f"http://127.0.0.1:{free_ports(1)[0]}"
    with pytest.raises(ConnectionError, match="OpenSearch does not answer"):
        OpenSearchStore(connect(url), side_dir=tmp_path)


def test_backend_options_read_the_environment_and_refuse_unknown_backends(monkeypatch):
    import argparse

    from indexer.backends import add_backend_options, config_from_args

    def parse(*argv: str) -> BackendConfig:
        parser = argparse.ArgumentParser()
        parser.add_argument("--index", default="var/index")
        add_backend_options(parser)
        return config_from_args(parser.parse_args(argv))

    monkeypatch.setenv("NEWSINDEX_BACKEND", "opensearch")
    monkeypatch.setenv("NEWSINDEX_OPENSEARCH_URL", "http://a:9200,http://b:9200")
    monkeypatch.setenv("NEWSINDEX_OPENSEARCH_REPLICAS", "1")
    config = parse("--shards", "3")
    assert (config.backend, config.opensearch_url, config.shards, config.replicas) == (
        "opensearch", "http://a:9200,http://b:9200", 3, 1,
    )  # fmt: skip
    assert parse("--backend", "whoosh").backend == "whoosh"
    monkeypatch.setenv("NEWSINDEX_BACKEND", "solr")
    with pytest.raises(SystemExit) as exc:
        parse()
    assert exc.value.code == 2


def test_a_node_that_cannot_start_fails_with_its_own_reason():
    from tests.opensearch_cluster import ClusterError

    cluster = Cluster(nodes=1, heap="1k")
    with pytest.raises(ClusterError, match="Too small maximum heap"):
        cluster.start(timeout=60)
    assert cluster.members == []  # stopped and cleaned up


def test_did_you_mean_offers_indexed_words_for_misspellings(both):
    whoosh, opensearch = both
    for text in ("bidn", "electoin -trump", "presidnet elecion", "putn"):
        assert opensearch.search(SearchQuery(text=text))["suggestion"] == \
            whoosh.search(SearchQuery(text=text))["suggestion"] is not None, text
    assert opensearch.search(SearchQuery(text="bidn"))["suggestion"] == "biden"
    assert opensearch.search(SearchQuery(text="electoin"))["suggestion"] == "election"
    assert opensearch.search(SearchQuery(text='"presidnet" OR zzyzx'))["suggestion"] is not None
    assert opensearch.search(SearchQuery(text="election"))["suggestion"] is None  # found plenty
    assert opensearch.quotes(SearchQuery(text="peopel"))["suggestion"] == "people"


@pytest.fixture(scope="module")
def resolved(cluster, seed_records, tmp_path_factory):
    """The seeds in a Whoosh folder and in OpenSearch, each with the merges across the archive
    that `newsindex index` computes, and those merges."""
    from indexer.resolution.context import recompute

    whoosh = Store(tmp_path_factory.mktemp("resolve-whoosh"))
    assert sum(1 for _ in whoosh.write(seed_records)) == len(seed_records)
    store = OpenSearchStore(connect(cluster.url), prefix="resolve",
                            side_dir=tmp_path_factory.mktemp("resolve-side"))
    assert sum(1 for _ in store.write(seed_records, commit_every=100)) == len(seed_records)
    searchers = (Searcher(whoosh), OpenSearchSearcher(store))
    return searchers, [recompute(s, s.store.dir) for s in searchers]


def test_both_backends_count_spellings_and_merge_them_alike(resolved):
    (whoosh, opensearch), (by_whoosh, by_opensearch) = resolved
    for name, kind in (("person", "article"), ("organization", "article"),
                       ("speaker", "quote")):
        assert opensearch.value_counts(name, kind) == whoosh.value_counts(name, kind)
    assert sorted(json.dumps(j.to_dict(), sort_keys=True) for j in by_opensearch) == sorted(
        json.dumps(j.to_dict(), sort_keys=True) for j in by_whoosh)


def test_seeds_have_one_name_per_person_in_the_person_and_speaker_facets(resolved):
    """The issue's figures: "Trump" beside "Donald Trump" (person 10, speaker 18), "Biden" beside
    "Joe Biden"; person=Donald Trump missed the seed article."""
    searchers, _ = resolved
    for kind, facet in (("search", "person"), ("quotes", "speaker")):
        assert_same(searchers, kind, SearchQuery(filters={facet: ("Donald Trump",)}))
        for searcher in searchers:
            values = {v["value"] for v in getattr(searcher, kind)(
                SearchQuery(facet_limit=1000))["facets"][facet]}
            assert {"Donald Trump", "Joe Biden"} <= values, facet
            assert not values & {"Trump", "Biden", "Erdogan", "Erdoğan"}, facet
    whoosh = searchers[0]
    trump = {h["id"] for h in whoosh.search(SearchQuery(
        filters={"person": ("Donald Trump",)}, per_page=200, snippets=False))["hits"]}
    seed = next(r["id"] for r in whoosh.store.records() if r.get("path", "").endswith(SEED_NAME))
    assert seed in trump


def test_elijah_cummings_finds_his_obituary_on_both_backends(resolved):
    """/person/Elijah Cummings was a 404: his obituary calls him "Elijah Eugene Cummings"."""
    from indexer.resolution.provenance import lookup

    for searcher in resolved[0]:
        searcher.aliases.refresh()
        name = searcher.canonical("person", "Elijah Cummings")
        found = searcher.search(SearchQuery(filters={"person": (name,)}, per_page=50))
        if not found["total"]:  # no article holds the name: the page of the one it stands for
            name = lookup(searcher, "person", "Elijah Cummings")
            found = searcher.search(SearchQuery(filters={"person": (name,)}, per_page=50))
        assert "US Representative Elijah Cummings dies at age 68" in [
            hit["title"] for hit in found["hits"]]
        assert lookup(searcher, "person", "Recep Tayyip Erdogan") == "Recep Tayyip Erdoğan"


def test_both_backends_leave_the_same_minority_types_out_of_their_facets(resolved):
    """One type per name: the seeds name "Trump" as an organisation in one article and as a
    person in a dozen; both backends vote alike and list alike."""
    from indexer.resolution.archive import load_types

    searchers, _ = resolved
    whoosh, opensearch = searchers
    votes = load_types(whoosh.store.dir)
    assert votes == load_types(opensearch.store.dir)
    assert votes["organization"]["Trump"]["type"] == "person"
    listed = assert_same(searchers, "search", SearchQuery(facet_limit=1000))["facets"]
    assert not set(votes["organization"]) & {v["value"] for v in listed["organization"]}
    assert not set(votes.get("person", ())) & {v["value"] for v in listed["person"]}
    assert "Donald Trump" in {v["value"] for v in listed["person"]}
    # still a value to filter on (with the spellings merged into it), alike on both
    assert assert_same(searchers, "search", SearchQuery(filters={"organization": ("Trump",)}))[
        "total"] >= searchers[0].value_counts("organization")["Trump"] >= 1
    for searcher in searchers:  # and a facet's "all values" list leaves them out too
        every = {v["value"] for v in searcher.all_values(
            SearchQuery(), "organization", contains="Trump", per_page=1000)["values"]}
        assert "Trump" not in every
    assert_same(searchers, "quotes", SearchQuery(facet_limit=1000))
