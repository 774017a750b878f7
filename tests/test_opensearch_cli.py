"""The same `newsindex` commands on a real OpenSearch node give the Whoosh answers."""

from __future__ import annotations

import json

import pytest

from tests.opensearch_cluster import Cluster
from tests.test_cli import corpus, newsindex  # noqa: F401 - the corpus fixture is shared


@pytest.fixture(scope="module")
def node():
    with Cluster(nodes=1) as running:
        yield running


def test_index_search_quotes_and_stats_agree_across_backends(node, corpus, tmp_path):  # noqa: F811
    os_args = ["--backend", "opensearch", "--opensearch-url", node.url,
               "--opensearch-index", "clitest"]
    whoosh = tmp_path / "whoosh"
    first = newsindex("index", str(corpus), index=whoosh, check=True)
    loaded = newsindex(*os_args, "index", str(corpus), index=tmp_path / "side", check=True)
    assert first.stdout.splitlines()[-1] == loaded.stdout.splitlines()[-1]
    again = newsindex(*os_args, "index", str(corpus), index=tmp_path / "side", check=True)
    assert again.stdout.strip().endswith("indexed 0, updated 0, unchanged 26, failed 0")
    queries = (
        ["search", "said", "--country", "-Russia"],
        ["search", "--person", "Vladimir Putin"],
        ["quotes", "--speaker", "Pete Hegseth"],
        ["quotes", "NATO"],  # a partial quote found by its sentence
    )
    for args in queries:
        w = json.loads(newsindex(*args, "--json", index=whoosh, check=True).stdout)
        o = json.loads(newsindex(*os_args, *args, "--json", index=tmp_path / "side",
                                 check=True).stdout)
        assert w["total"] == o["total"] > 0
        assert sorted(h["id"] for h in w["hits"]) == sorted(h["id"] for h in o["hits"])
        assert w["facets"] == o["facets"]
    stats = [json.loads(newsindex(*a, "stats", "--json", index=i, check=True).stdout)
             for a, i in (([], whoosh), (os_args, tmp_path / "side"))]
    for key in ("articles", "quotes", "persons", "countries", "topics"):
        assert stats[0][key] == stats[1][key]


def test_annotate_shards_split_a_corpus_without_overlap(corpus):  # noqa: F811
    def ids(shard: str) -> set[str]:
        out = newsindex("annotate", str(corpus), "--shard", shard, check=True).stdout
        return {json.loads(line)["id"] for line in out.splitlines()}

    one, two = ids("1/2"), ids("2/2")
    assert one and two and not one & two
    assert len(one | two) == 26


def test_user_topics_are_re_applied_on_opensearch_as_on_whoosh(node, corpus, tmp_path):  # noqa: F811
    os_args = ["--backend", "opensearch", "--opensearch-url", node.url,
               "--opensearch-index", "topictest"]
    whoosh, side = tmp_path / "whoosh", tmp_path / "side"
    newsindex("index", str(corpus), index=whoosh, check=True)
    newsindex(*os_args, "index", str(corpus), index=side, check=True)
    add = ["topics", "add", "Kremlin watch", "--query", "putin OR kremlin"]
    done = [newsindex(*add, index=whoosh, check=True).stdout,
            newsindex(*os_args, *add, index=side, check=True).stdout]
    assert done[0] == done[1] and "topics re-applied to 26 articles" in done[0]
    assert not done[0].strip().endswith(" 0 changed")
    picked = ["search", "--topic", "Kremlin watch", "--json"]
    w = json.loads(newsindex(*picked, index=whoosh, check=True).stdout)
    o = json.loads(newsindex(*os_args, *picked, index=side, check=True).stdout)
    assert w["total"] == o["total"] > 0
    assert {h["id"] for h in w["hits"]} == {h["id"] for h in o["hits"]}
    assert w["facets"] == o["facets"]
    removed = newsindex(*os_args, "topics", "remove", "Kremlin watch", index=side, check=True)
    assert removed.stdout.strip().endswith(f"{o['total']} changed")
    gone = json.loads(newsindex(*os_args, *picked, index=side, check=True).stdout)
    assert gone["total"] == 0
