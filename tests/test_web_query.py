"""The search page says how it read the query, and offers "any of" / "all of" per facet."""

from __future__ import annotations

import html as htmlib
import re
import shutil

import pytest

from web import create_app
from web.urls import parse_state


@pytest.fixture(scope="module")
def client(web_index, tmp_path_factory):
    folder = shutil.copytree(web_index, tmp_path_factory.mktemp("query") / "index")
    return create_app({"INDEX_DIR": str(folder), "TESTING": True}).test_client()


def total(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["total"]


def test_the_parsed_reading_shows_under_the_search_box(client):
    page = client.get("/search?q=putin+and+not+trump").get_data(as_text=True)
    assert '<p class="reading">Searching: <code>putin AND NOT trump</code></p>' in page
    assert total(client, "/search.json?q=putin+-trump") == \
        total(client, "/search.json?q=putin+AND+NOT+trump")
    assert client.get("/search.json?q=-trump").get_json()["reading"] == "NOT trump"


def test_all_of_two_people_in_the_url_json_and_page(client):
    people = [v["value"] for v in client.get("/search.json").get_json()["facets"]["person"][:2]]
    q = "&".join(f"person={p.replace(' ', '+')}" for p in people)
    any_of = client.get(f"/search.json?{q}").get_json()
    all_of = client.get(f"/search.json?{q}&person_mode=all").get_json()
    one, two = ({h["id"] for h in client.get(
        f"/search.json?person={p.replace(' ', '+')}&per_page=100").get_json()["hits"]}
        for p in people)
    assert all_of["modes"]["person"] == "all" and any_of["modes"]["person"] == "any"
    assert all_of["total"] == len(one & two) < any_of["total"] == len(one | two)
    # the canonical URL keeps the mode after the facet's values; the page shows the switch
    state = parse_state("search", client.get(f"/search?{q}&person_mode=all").request.args)
    assert state.url().endswith("person_mode=all") and state.mode("person") == "all"
    page = client.get(state.url()).get_data(as_text=True)
    block = page[page.index('data-facet="person"'):]
    block = block[: block.index("</fieldset>")]
    switch = re.search(r'<p class="facet-mode" role="group" aria-label="People: match">(.*?)</p>',
                       block, re.S)
    assert switch, block[:500]
    links = dict(re.findall(r'href="([^"]+)" data-mode="(any|all)"', switch.group(1)))
    current = re.findall(r'data-mode="(any|all)" aria-current="true"', switch.group(1))
    assert current == ["all"]
    any_url = htmlib.unescape(next(u for u, m in links.items() if m == "any"))
    assert "person_mode" not in any_url and total(client, any_url.replace(
        "/search?", "/search.json?")) == any_of["total"]
    # the form keeps the mode when another value is ticked
    assert '<input type="hidden" name="person_mode" value="all" form="search-form">' in block
