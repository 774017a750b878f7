"""Entity pages and one name per person: "also written as", merges and splits, redirects.

On a copy of the real web test index (Wikinews articles about Trump or Putin and the seed
article) whose merges across the archive were computed as `newsindex index` computes them.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from indexer.cli import main as newsindex
from indexer.resolution.context import recompute
from indexer.search import Searcher
from indexer.store import Store
from web import create_app
from web.security import CSRF_FIELD


@pytest.fixture
def folder(web_index, tmp_path):
    copy = shutil.copytree(web_index, tmp_path / "index")
    recompute(Searcher(Store.open_existing(copy)), copy)
    return copy


@pytest.fixture
def client(folder):
    return create_app({"INDEX_DIR": str(folder), "TESTING": True}).test_client()


def persons(client, url: str = "/search.json") -> dict[str, int]:
    return {v["value"]: v["count"] for v in client.get(url).get_json()["facets"]["person"]}


def csrf(client) -> str:
    client.get("/")
    with client.session_transaction() as session:
        return session[CSRF_FIELD]


def test_a_lone_surname_counts_as_the_full_name_in_person_and_speaker_facets(client, folder):
    assert "Trump" not in persons(client)
    speakers = {v["value"] for v in client.get("/quotes.json").get_json()["facets"]["speaker"]}
    assert "Donald Trump" in speakers and "Trump" not in speakers
    lone = {r["id"] for r in Store(folder).records()
            if "Trump" in r["persons"] and "Donald Trump" not in r["persons"]}
    assert lone  # articles that only ever say "Trump", the seed article among them
    found = client.get("/search.json?person=Donald+Trump&per_page=100").get_json()
    assert lone <= {hit["id"] for hit in found["hits"]}
    said = client.get("/quotes.json?speaker=Donald+Trump&per_page=100").get_json()["hits"]
    assert said and {hit["speaker"] for hit in said} == {"Donald Trump"}  # as the facet says


def test_the_entity_page_shows_each_spelling_with_its_counts_articles_and_who_merged_it(client):
    data = client.get("/person/Donald%20Trump.json").get_json()
    spellings = {s["value"]: s for s in data["written_as"]["spellings"]}
    assert set(spellings) >= {"Donald Trump", "Trump"}
    lone = spellings["Trump"]
    assert lone["by"] == "auto" and lone["rule"].startswith("surname alone")
    assert spellings["Donald Trump"]["by"] is None
    behind = client.get('/search.json?q=person:"Trump"&per_page=50').get_json()
    assert behind["total"] == lone["articles"]
    assert {h["id"] for h in lone["hits"]} <= {h["id"] for h in behind["hits"]}
    html = client.get("/person/Donald%20Trump").get_data(as_text=True)
    assert "Also written as" in html and "merged automatically: surname alone" in html
    assert 'action="/split"' in html


def test_a_spelling_redirects_to_the_page_of_its_name(client):
    response = client.get("/person/Trump")
    assert response.status_code == 302 and response.location == "/person/Donald%20Trump"
    twin = client.get("/person/Trump.json")
    assert twin.location == "/person/Donald%20Trump.json"


def test_a_name_no_article_holds_finds_the_one_name_its_keys_match(client):
    """Elijah Cummings has no page of his own on the seeds: his articles say "Elijah Eugene
    Cummings"; here the articles say "Recep Tayyip Erdoğan", never "Erdogan" in full."""
    response = client.get("/person/Recep%20Tayyip%20Erdogan", follow_redirects=True)
    assert response.status_code == 200
    assert "<h1>Recep Tayyip Erdoğan</h1>" in response.get_data(as_text=True)
    assert client.get("/person/Nobody%20Atall").status_code == 404


def test_split_and_merge_from_the_entity_page_change_counts_at_once(client, folder):
    merged = persons(client)
    total = client.get("/person/Donald%20Trump.json").get_json()["total"]
    form = {"kind": "person", "name": "Donald Trump", "spelling": "Trump",
            CSRF_FIELD: csrf(client)}
    done = client.post("/split", data=form)
    assert done.status_code == 303 and done.location == "/person/Donald%20Trump"
    apart = persons(client)
    lone = client.get('/search.json?q=person:"Trump"').get_json()["total"]
    assert apart["Trump"] == lone and apart["Donald Trump"] < merged["Donald Trump"]
    data = client.get("/person/Donald%20Trump.json").get_json()
    assert data["total"] < total
    assert [s["value"] for s in data["written_as"]["not_same"]] == ["Trump"]
    stored = json.loads((folder / "aliases.json").read_text(encoding="utf-8"))
    assert stored["not_same"] == {"person": [["Trump", "Donald Trump"]]}

    client.post("/merge", data=form)  # "Same after all"
    assert persons(client) == merged
    assert client.get("/person/Donald%20Trump.json").get_json()["total"] == total
    stored = json.loads((folder / "aliases.json").read_text(encoding="utf-8"))
    assert stored["person"]["Trump"] == "Donald Trump" and "not_same" not in stored


def test_a_merge_offered_on_the_entity_page_is_made_by_one_click(folder, tmp_path):
    # An article that names only "Biden", sharing no one and nothing with Joe Biden's articles:
    # the merge is offered, not made.
    lone = tmp_path / "harvest.txt"
    lone.write_text('Harvest festival opens\n\nBiden said the harvest was the best in years. '
                    '"We will keep helping farmers," Biden said at the fair.\n', encoding="utf-8")
    assert newsindex(["--index", str(folder), "index", str(lone)]) == 0
    client = create_app({"INDEX_DIR": str(folder), "TESTING": True}).test_client()
    page = client.get("/person/Joe%20Biden").get_data(as_text=True)
    assert re.search(r'class="spellings suggested".*data-value="Biden"', page, re.S)
    form = {"kind": "person", "name": "Joe Biden", "spelling": "Biden", CSRF_FIELD: csrf(client)}
    client.post("/merge", data=form)
    assert "Biden" not in persons(client)
    data = client.get("/person/Joe%20Biden.json").get_json()
    assert {s["value"]: s["by"] for s in data["written_as"]["spellings"]}["Biden"] == "user"


def test_a_split_of_an_automatic_merge_survives_the_next_recompute(client, folder):
    form = {"kind": "person", "name": "Donald Trump", "spelling": "Trump",
            CSRF_FIELD: csrf(client)}
    client.post("/split", data=form)
    apart = persons(client)
    assert apart["Trump"] > 0
    recompute(Searcher(Store.open_existing(folder)), folder)
    assert persons(client) == apart


def test_decisions_need_the_forms_token(client):
    form = {"kind": "person", "name": "Donald Trump", "spelling": "Trump"}
    assert client.post("/split", data=form).status_code == 400
    assert client.post("/merge", data=dict(form, kind="topic", **{CSRF_FIELD: csrf(client)})
                       ).status_code == 400


def test_a_read_only_server_offers_no_decisions_and_takes_none(folder):
    client = create_app({"INDEX_DIR": str(folder), "TESTING": True,
                         "READ_ONLY": True}).test_client()
    html = client.get("/person/Donald%20Trump").get_data(as_text=True)
    assert "Also written as" in html and "<form" not in html.split("Also written as")[1]
    form = {"kind": "person", "name": "Donald Trump", "spelling": "Trump",
            CSRF_FIELD: csrf(client)}
    assert client.post("/split", data=form).status_code == 403
    assert not (folder / "aliases.json").exists()
