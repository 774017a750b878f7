"""The web UI served from the OpenSearch backend shows what it shows from Whoosh.

The web test index's records are loaded into a real one-node OpenSearch; the same URLs must give
the same totals and facet counts, and every page must render. Fails with the reason if OpenSearch
cannot be started.
"""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from indexer.backends import BackendConfig
from indexer.store import Store
from tests.opensearch_cluster import Cluster
from web import create_app

URLS = (
    "/search.json",
    "/search.json?q=trump",
    "/search.json?q=%22president+trump%22&country=United+States",
    "/search.json?person=Donald+Trump&topic=-politics&sort=newest",
    "/quotes.json?q=president",
    "/quotes.json?speaker=Donald+Trump",
)


@pytest.fixture(scope="module")
def clients(web_index, tmp_path_factory):
    """Test clients of the same records over Whoosh and over OpenSearch."""
    with Cluster(nodes=1) as cluster:
        folder = shutil.copytree(web_index, tmp_path_factory.mktemp("os") / "index")
        side = tmp_path_factory.mktemp("os-side")
        backend = BackendConfig(backend="opensearch", index_dir=side,
                                opensearch_url=cluster.url, opensearch_index="webtest")
        opensearch = create_app({"BACKEND": backend, "TESTING": True})
        store = opensearch.extensions["newsindex"].searcher.store
        records = list(Store(folder).records())
        assert sum(1 for _ in store.write(records)) == len(records)
        whoosh = create_app({"INDEX_DIR": str(folder), "TESTING": True})
        yield whoosh.test_client(), opensearch.test_client()


@pytest.mark.parametrize("url", URLS)
def test_twins_give_the_same_totals_and_facet_counts_on_both_backends(clients, url):
    whoosh, opensearch = (c.get(url).get_json() for c in clients)
    assert whoosh["total"] == opensearch["total"]
    for facet, items in whoosh["facets"].items():
        counts = {i["value"]: i["count"] for i in items}
        assert {i["value"]: i["count"] for i in opensearch["facets"][facet]} == counts, facet


def test_every_page_renders_from_opensearch(clients):
    _, client = clients
    for url in ("/", "/search?q=trump", "/quotes", "/article/markup-test",
                "/person/Donald%20Trump", "/search.csv?q=trump", "/search.atom", "/saved",
                "/search/values/person?q=trump&contains=trump", "/quotes/values/speaker"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "&lt;script&gt;" in client.get("/article/markup-test").get_data(as_text=True)


VALUE_URLS = (
    "/search/values/person.json?q=trump&per_page=500",
    "/search/values/country.json?person=Donald+Trump&country=Russia&per_page=500",
    "/search/values/person.json?contains=trump&order=name",
    "/quotes/values/speaker.json?q=president&per_page=500",
    "/quotes/values/mentions.json?speaker=Donald+Trump&per_page=500",
)


@pytest.mark.parametrize("url", VALUE_URLS)
def test_every_value_of_a_facet_is_the_same_on_both_backends(clients, url):
    whoosh, opensearch = (c.get(url).get_json() for c in clients)
    assert whoosh["values"], url
    assert opensearch == whoosh


def test_csv_exports_hold_the_same_rows_on_both_backends(clients):
    for url in ("/search.csv?q=trump&sort=newest", "/quotes.csv?q=president&sort=newest"):
        whoosh, opensearch = (c.get(url).get_data(as_text=True) for c in clients)
        rows = [sorted(csv.reader(io.StringIO(text))) for text in (whoosh, opensearch)]
        assert len(rows[0]) > 2 and rows[0] == rows[1], url  # newest first: no scores
    assert "Donald Trump" in opensearch


def test_accounts_and_private_saved_searches_on_opensearch(clients):
    """Accounts and saved searches live in the index folder's SQLite on OpenSearch too (this
    runs last: once an account exists, the app asks for a login)."""
    import re

    from web.accounts import Accounts
    from web.security import CSRF_FIELD

    _, client = clients
    site = client.application.extensions["newsindex"]
    accounts = Accounts(site.index_dir)
    for name in ("reader1", "reader2"):
        accounts.add(name, "reader", "a long password")
    try:
        assert client.get("/search.json").status_code == 401
        assert client.get("/search").headers["Location"].startswith("/login?next=")
        sessions = []
        for name in ("reader1", "reader2"):
            c = client.application.test_client()
            token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)[1]
            form = {"name": name, "password": "a long password", CSRF_FIELD: token}
            assert c.post("/login", data=form).status_code == 303
            sessions.append(c)
        first, second = sessions
        token = re.search(r'name="csrf_token" value="([^"]+)"', first.get("/search").text)[1]
        form = {"name": "mine", "url": "/search?q=trump", CSRF_FIELD: token}
        assert first.post("/saved", data=form).status_code == 303
        (row,) = first.get("/saved.json").get_json()["saved"]
        assert row["owner"] == "reader1" and row["total"] > 0
        assert second.get("/saved.json").get_json()["saved"] == []
        assert (site.index_dir / "accounts.sqlite").exists()
    finally:
        for name in ("reader1", "reader2"):
            accounts.remove(name)


def csrf(client) -> str:
    from web.security import CSRF_FIELD

    client.get("/")
    with client.session_transaction() as session:
        return session[CSRF_FIELD]


def test_a_speaker_correction_shows_alike_on_both_backends_and_holds_when_rewritten(clients):
    """Last in this file: it changes both indexes (the same way)."""
    from web.security import CSRF_FIELD

    whoosh, opensearch = clients
    hit = next(h for h in whoosh.get("/quotes.json?speaker=Donald+Trump&per_page=100")
               .get_json()["hits"] if h["id"].endswith("#q1"))
    for client in clients:
        response = client.post("/quote/speaker", data={
            "quote_id": hit["id"], "speaker": "Jane Roe", CSRF_FIELD: csrf(client)})
        assert response.status_code == 303
    urls = ("/quotes.json?per_page=100", "/quotes.json?speaker=Jane+Roe",
            "/quotes.json?speaker=Donald+Trump&per_page=100")
    for url in urls:
        w, o = (c.get(url).get_json() for c in clients)
        assert w["total"] == o["total"], url
        assert ({i["value"]: i["count"] for i in w["facets"]["speaker"]}
                == {i["value"]: i["count"] for i in o["facets"]["speaker"]}), url
    found = opensearch.get("/quotes.json?speaker=Jane+Roe").get_json()["hits"]
    assert [h["id"] for h in found] == [hit["id"]]
    assert found[0]["corrected"]["was"] == "Donald Trump" and found[0]["confidence"] == 1.0
    assert "corrected by local" in opensearch.get(
        "/article/" + hit["article_id"]).get_data(as_text=True)
    # the records written again as they were first annotated (a re-index): still corrected
    store = opensearch.application.extensions["newsindex"].searcher.store
    original = store.get(hit["article_id"])
    number = int(hit["id"].rpartition("#q")[2])
    original["quotes"][number] = dict(original["quotes"][number], speaker="Donald Trump")
    original["quotes"][number].pop("corrected")
    assert sum(1 for _ in store.write([original])) == 1
    again = opensearch.get("/quotes.json?speaker=Jane+Roe").get_json()["hits"]
    assert [h["id"] for h in again] == [hit["id"]]
