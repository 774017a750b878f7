"""Losing a node of a real three-node OpenSearch cluster mid-load loses no acknowledged record.

Three loopback nodes, indexes with 3 shards and 1 replica; a bulk load of annotated records
runs while searches run beside it; the elected cluster manager is killed (SIGKILL) part-way.
Every record the store acknowledged must be there afterwards, with its quotes, and every search
must have answered (partial results are refused, so an answer is a whole answer).
"""

from __future__ import annotations

import threading
import time

import pytest

from indexer.opensearch import OpenSearchSearcher, OpenSearchStore, connect
from indexer.opensearch.documents import quote_id
from indexer.search import SearchQuery
from tests.opensearch_cluster import Cluster
from tests.reliability import annotated_records

COPIES = 50  # 40 annotated seed articles x 50 ids = 2000 records
BATCH = 40
KILL_AFTER = 400  # acknowledged records before the node dies


@pytest.fixture(scope="module")
def cluster():
    """Three OpenSearch nodes on loopback for this module."""
    with Cluster(nodes=3) as running:
        yield running


def load_records(nlp) -> list[dict]:
    """Real annotated records, copied under distinct ids to make a load that takes a while."""
    base = annotated_records(nlp, 40)
    return [dict(r, id=f"{r['id']}-{n}") for n in range(COPIES) for r in base]


def cluster_manager(cluster: Cluster) -> int:
    """Index (in cluster.members) of the elected cluster-manager node."""
    client = connect(cluster.url)
    name = client.cat.cluster_manager(format="json")[0]["node"]
    return next(i for i, node in enumerate(cluster.members) if node.name == name)


def test_killing_a_node_during_bulk_load_loses_no_acknowledged_record(cluster, nlp):
    records = load_records(nlp)
    client = connect(",".join(cluster.urls))
    store = OpenSearchStore(client, prefix="fault", shards=3, replicas=1)
    cluster.wait(3, status="green")  # every replica placed before the load starts
    searcher = OpenSearchSearcher(store)

    acked: list[str] = []
    load_errors: list[BaseException] = []
    answers: list[tuple[float, int]] = []
    search_errors: list[BaseException] = []
    done = threading.Event()

    def load() -> None:
        try:
            for record in store.write(records, commit_every=BATCH):
                acked.append(record["id"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            load_errors.append(exc)
        finally:
            done.set()

    def search() -> None:
        while not done.is_set():
            try:
                total = searcher.search(SearchQuery(text="said"))["total"]
                searcher.quotes(SearchQuery(text="people"))
                answers.append((time.monotonic(), total))
            except BaseException as exc:  # noqa: BLE001 - reported below
                search_errors.append(exc)
            time.sleep(0.2)

    threads = [threading.Thread(target=load), threading.Thread(target=search)]
    for thread in threads:
        thread.start()
    try:
        while len(acked) < KILL_AFTER and not done.is_set():
            time.sleep(0.05)
        assert not done.is_set(), "the load finished before the node could be killed"
        victim = cluster.kill(cluster_manager(cluster))
        killed_at, acked_at_kill = time.monotonic(), len(acked)
    finally:
        for thread in threads:
            thread.join(timeout=600)

    assert not load_errors, f"the load failed: {load_errors[0]!r}"
    assert not search_errors, f"a search failed: {search_errors[0]!r}"
    assert acked_at_kill < len(records), "the kill came after the load"
    assert sum(1 for t, _ in answers if t > killed_at) > 0, "no search ran after the kill"
    health = cluster.wait(2, timeout=120)
    assert health["number_of_nodes"] == 2 and victim.process.poll() is not None

    store.refresh()
    survivor = connect(",".join(cluster.urls))
    articles = store.aliases["article"]
    missing = []
    for start in range(0, len(acked), 500):
        chunk = acked[start : start + 500]
        docs = survivor.mget(index=articles, body={"ids": chunk}, params={"_source": "false"})
        missing += [d["_id"] for d in docs["docs"] if not d.get("found")]
    assert not missing, f"{len(missing)} acknowledged articles lost, e.g. {missing[:3]}"
    assert set(acked) == {r["id"] for r in records}
    assert survivor.count(index=articles)["count"] == len(records)
    quotes = [quote_id(r["id"], n) for r in records for n in range(len(r["quotes"]))]
    assert survivor.count(index=store.aliases["quote"])["count"] == len(quotes)
    assert searcher.search(SearchQuery())["total"] == len(records)
