"""The web UI over a small real index: twins agree with pages, input is escaped, errors are kind."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
import shutil
from html.parser import HTMLParser
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from web import create_app
from web.security import CSRF_FIELD

ATOM = "{http://www.w3.org/2005/Atom}"


class PageData(HTMLParser):
    """Hit ids, the shown total and facet (value, count) pairs, read from data- attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.hits: list[str] = []
        self.total: int | None = None
        self.facets: dict[str, list[tuple[str, int]]] = {}
        self.scripts: list[dict] = []
        self._facet: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "script":
            self.scripts.append(a)
        if tag == "fieldset" and a.get("data-facet"):
            self._facet = a["data-facet"]
            self.facets[self._facet] = []
        if "hit" in classes and "data-id" in a:
            self.hits.append(a["data-id"])
        if "total" in classes and "data-total" in a:
            self.total = int(a["data-total"])
        if tag == "li" and "value" in classes and self._facet:
            self.facets[self._facet].append((a["data-value"], int(a["data-count"])))

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset":
            self._facet = None


def text_of(html: str) -> str:
    """The visible text of an HTML fragment (tags dropped, entities decoded)."""
    return htmllib.unescape(re.sub(r"<[^>]+>", "", html))


@pytest.fixture(scope="module")
def app(web_index, tmp_path_factory):
    folder = shutil.copytree(web_index, tmp_path_factory.mktemp("pages") / "index")
    return create_app({"INDEX_DIR": str(folder), "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def get_json(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    return response.get_json()


def page(client, url: str) -> tuple[PageData, str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.headers)
    html = response.get_data(as_text=True)
    return PageData(html), html


def top(client, facet: str, url: str = "/search.json", n: int = 1) -> list[str]:
    return [item["value"] for item in get_json(client, url)["facets"][facet][:n]]


def csrf(client) -> str:
    client.get("/")  # the page with the "save this search" form
    with client.session_transaction() as session:
        return session[CSRF_FIELD]


# -- twins ----------------------------------------------------------------------------------


def test_search_json_twin_shows_the_same_hits_total_and_facet_counts_as_the_page(client):
    person = top(client, "person", "/search.json?q=trump", n=2)[1]
    query = f"q=trump&person={person.replace(' ', '+')}&per_page=5"
    data = get_json(client, f"/search.json?{query}")
    shown, _ = page(client, f"/search?{query}")
    assert data["total"] > 0
    assert shown.total == data["total"]
    assert shown.hits == [hit["id"] for hit in data["hits"]]
    for facet in ("person", "country", "topic", "organization", "source"):
        twin = [(i["value"], i["count"]) for i in data["facets"][facet]]
        assert sorted(shown.facets[facet]) == sorted(twin)
    chosen = next(i for i in data["facets"]["person"] if i["selected"])
    assert shown.facets["person"][0] == (person, chosen["count"])  # chosen values come first


def test_quotes_json_twin_shows_the_same_quotes_and_counts_as_the_page(client):
    speaker = top(client, "speaker", "/quotes.json")[0]
    query = f"speaker={speaker.replace(' ', '+')}"
    data = get_json(client, f"/quotes.json?{query}")
    shown, _ = page(client, f"/quotes?{query}")
    assert data["total"] > 0 and shown.total == data["total"]
    assert shown.hits == [hit["id"] for hit in data["hits"]]
    for facet in ("speaker", "mentions", "person", "country"):
        twin = [(i["value"], i["count"]) for i in data["facets"][facet]]
        assert sorted(shown.facets[facet]) == sorted(twin)


def test_person_json_twin_matches_its_page_and_counts_real_cooccurrence(client, app):
    person = top(client, "person")[0]
    data = get_json(client, f"/person/{person}.json")
    shown, html = page(client, f"/person/{person}")
    assert shown.total == data["total"]
    assert data["total"] == get_json(client, f"/search.json?person={person}")["total"]
    shown_related = re.findall(r'<li data-value="([^"]+)" data-count="(\d+)"', html)
    twin_related = [
        (item["value"], str(item["count"]))
        for facet in ("person", "organization", "country", "topic")
        for item in data["related"][facet]
    ]
    assert [(text_of(v), c) for v, c in shown_related] == twin_related
    searcher = app.extensions["newsindex"].searcher
    people = [
        {searcher.canonical("person", p) for p in r["persons"]} for r in searcher.store.records()
    ]
    with_person = [names for names in people if person in names]
    assert len(with_person) == data["total"]
    for item in data["related"]["person"]:
        assert item["count"] == sum(1 for names in with_person if item["value"] in names), item


def test_article_json_twin_is_the_stored_record(client, app):
    store = app.extensions["newsindex"].searcher.store
    record = store.get("markup-test")
    assert get_json(client, "/article/markup-test.json") == record


def test_saved_json_twin_lists_what_the_saved_page_shows(client):
    token = csrf(client)
    client.post("/saved", data={"name": "Twin check", "url": "/search?q=trump",
                                CSRF_FIELD: token})
    rows = get_json(client, "/saved.json")["saved"]
    html = client.get("/saved").get_data(as_text=True)
    for row in rows:
        assert f'data-id="{row["id"]}"' in html
        assert f'data-total="{row["total"]}"' in html


# -- escaping -------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_a_query_with_markup_comes_back_escaped_in_page_json_and_atom(client):
    urls = (f"/search?q={SCRIPT}", f"/quotes?q={SCRIPT}", f"/search?q={SCRIPT}&person={SCRIPT}")
    for url in urls:
        response = client.get(url, follow_redirects=True)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert [s.get("src") for s in PageData(html).scripts] == ["/static/app.js"]
    atom = client.get(f"/search.atom?q={SCRIPT}").data
    assert b"<script" not in atom
    assert ET.fromstring(atom).find(f"{ATOM}title").text.count(SCRIPT) == 1


def test_article_text_with_markup_is_escaped_on_its_page(client):
    html = client.get("/article/markup-test").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>markup" not in html
    assert "&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html  # a non-web source URL is not linked


def test_snippets_and_atom_keep_article_markup_as_text(client):
    data = get_json(client, "/search.json?q=alert")
    hit = next(h for h in data["hits"] if h["id"] == "markup-test")
    assert "<mark>" in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    assert "<script" not in hit["snippet"]
    html = client.get("/search?q=alert").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    feed = ET.fromstring(client.get("/search.atom?q=alert").data)
    entry = next(e for e in feed.iter(f"{ATOM}entry") if "markup-test" in e.find(f"{ATOM}id").text)
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "&lt;script&gt;" in summary.text and "<script" not in summary.text
    assert entry.find(f"{ATOM}title").text.startswith("Jane Doe warns <script>")  # plain text


def test_markup_in_facet_values_is_escaped(client):
    html = client.get("/search").get_data(as_text=True)
    assert "Test &lt;em&gt;Source&lt;/em&gt;" in html and "<em>Source" not in html


# -- malformed input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ['"unbalanced quote', "trump AND", "OR OR", "(((", "putin)", "title:", "[a TO", "\\", "*",
     "NOT", 'body:"x', "a~~^^", "title:(", "&&||!!"],
)
def test_malformed_queries_get_a_friendly_note_never_a_500(client, query):
    response = client.get("/search", query_string={"q": query}, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if query not in ("*", "a~~^^"):
        assert "About your query" in html
    for twin in ("json", "csv", "atom"):
        assert client.get(f"/search.{twin}", query_string={"q": query}).status_code == 200
    quotes = client.get("/quotes", query_string={"q": query}, follow_redirects=True)
    assert quotes.status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [({"sort": "sideways"}, "sort must be"), ({"q": "x" * 1001}, "query too long")],
)
def test_parameters_that_cannot_be_served_explain_themselves(client, params, message):
    response = client.get("/search", query_string=params, follow_redirects=True)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    twin = client.get("/search.json", query_string=params)
    assert twin.status_code == 400 and message in twin.get_json()["error"]


def test_page_and_per_page_are_bounded(client):
    assert get_json(client, "/search.json?per_page=100000")["per_page"] == 100
    assert get_json(client, "/search.json?per_page=-3")["per_page"] == 1
    assert get_json(client, "/search.json?page=abc")["page"] == 1
    far = client.get("/search?page=99999999999999999", follow_redirects=True)
    assert far.status_code == 200 and "past the last page" in far.get_data(as_text=True)


def test_unknown_article_and_entity_give_friendly_404s(client):
    for url in ("/article/nope", "/person/Nobody%20At%20All", "/topic/nothing", "/saved/999"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Not found" in response.get_data(as_text=True)
    assert client.get("/person/Nobody.json").get_json()["error"]


# -- URLs -----------------------------------------------------------------------------------


def test_parameters_are_redirected_to_their_canonical_order(client):
    response = client.get(
        "/search?view=compact&country=Russia&sort=newest&q=putin&person=B&person=A&page=1&from="
    )
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "/search?q=putin&person=A&person=B&country=Russia&sort=newest&view=compact"
    )
    assert client.get(response.headers["Location"]).status_code == 200


def test_several_values_of_a_facet_are_ored_and_facets_anded(client):
    a, b = top(client, "person", n=2)
    only_a = get_json(client, f"/search.json?person={a}")["total"]
    only_b = get_json(client, f"/search.json?person={b}")["total"]
    either = get_json(client, f"/search.json?person={a}&person={b}")
    assert max(only_a, only_b) <= either["total"] <= only_a + only_b
    country = either["facets"]["country"][0]
    both = get_json(client, f"/search.json?person={a}&person={b}&country={country['value']}")
    assert both["total"] == country["count"] < either["total"] + 1


def test_an_excluded_value_removes_its_articles(client):
    everything = get_json(client, "/search.json")
    topic = everything["facets"]["topic"][0]
    without = get_json(client, f"/search.json?topic=-{topic['value']}")
    assert without["total"] == everything["total"] - topic["count"]
    excluded = [t for t in without["facets"]["topic"] if t["value"] == topic["value"]]
    assert excluded and excluded[0]["excluded"]
    html = client.get(f"/search?topic=-{topic['value']}").get_data(as_text=True)
    assert "is not" in html  # shown as a removable chip


# -- article and quotes ---------------------------------------------------------------------


def test_article_page_marks_entities_as_filter_links_and_quotes_as_anchors(client, app):
    record = app.extensions["newsindex"].searcher.store.get(
        get_json(client, "/search.json?q=putin+zelenskyy")["hits"][0]["id"]
    )
    html = client.get(f"/article/{record['id']}").get_data(as_text=True)
    assert 'class="ent ent-person" href="/search?person=Vladimir+Putin"' in html
    assert record["quotes"]
    for n, said in enumerate(record["quotes"]):
        start = re.search(rf'<span class="quote" id="q{n}" data-q="q{n}">(.{{0,300}})', html, re.S)
        assert text_of(start.group(1)).startswith(said["text"][:15]), n


def test_each_quote_links_to_its_article_at_the_quote(client):
    data = get_json(client, "/quotes.json?per_page=10")
    _, html = page(client, "/quotes?per_page=10")
    for hit in data["hits"]:
        article_id, anchor = hit["id"].split("#")
        assert f'href="/article/{article_id}#{anchor}"' in html
        article = client.get(f"/article/{article_id}").get_data(as_text=True)
        assert f'id="{anchor}"' in article


# -- feeds and CSV --------------------------------------------------------------------------


def test_csv_twin_streams_every_match_not_just_a_page(client):
    total = get_json(client, "/search.json?q=trump")["total"]
    response = client.get("/search.csv?q=trump&per_page=2&page=3")
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["id", "published", "title"]
    assert len(rows) - 1 == total > 2
    quotes = client.get("/quotes.csv").get_data(as_text=True)
    quote_rows = list(csv.DictReader(io.StringIO(quotes)))
    assert len(quote_rows) == get_json(client, "/quotes.json")["total"]
    assert all(not r["text"].startswith(("=", "+", "-", "@")) for r in quote_rows)


def test_atom_twin_lists_the_newest_matches_with_links(client):
    feed = ET.fromstring(client.get("/search.atom?q=trump").data)
    entries = list(feed.iter(f"{ATOM}entry"))
    total = get_json(client, "/search.json?q=trump")["total"]
    assert len(entries) == min(total, 30)
    dates = [e.find(f"{ATOM}updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == feed.find(f"{ATOM}updated").text
    assert all(e.find(f"{ATOM}link").get("href").startswith("http://localhost/article/")
               for e in entries)
    assert "Wikinews" in feed.find(f"{ATOM}rights").text


# -- saved searches -------------------------------------------------------------------------


def test_saving_renaming_and_deleting_need_this_sessions_csrf_token(client):
    refused = client.post("/saved", data={"name": "x", "url": "/search?q=putin"})
    assert refused.status_code == 400
    assert "expired" in refused.get_data(as_text=True)
    assert all(r["url"] != "/search?q=putin" for r in get_json(client, "/saved.json")["saved"])
    token = csrf(client)
    saved = client.post("/saved", data={"name": "Putin", "url": "/search?q=putin",
                                         CSRF_FIELD: token})
    assert saved.status_code == 303
    row = next(r for r in get_json(client, "/saved.json")["saved"] if r["name"] == "Putin")
    assert client.post(f"/saved/{row['id']}/rename", data={"name": "P"}).status_code == 400
    client.post(f"/saved/{row['id']}/rename", data={"name": "Putin, renamed", CSRF_FIELD: token})
    assert any(r["name"] == "Putin, renamed" for r in get_json(client, "/saved.json")["saved"])
    assert client.post(f"/saved/{row['id']}/delete").status_code == 400
    client.post(f"/saved/{row['id']}/delete", data={CSRF_FIELD: token})
    assert all(r["id"] != row["id"] for r in get_json(client, "/saved.json")["saved"])


def test_saved_names_are_stored_verbatim_and_shown_escaped(client):
    name = "<img src=x onerror=alert(1)> '); DROP TABLE saved; --"
    client.post("/saved", data={"name": name, "url": "/quotes?q=said", CSRF_FIELD: csrf(client)})
    assert any(r["name"] == name for r in get_json(client, "/saved.json")["saved"])
    html = client.get("/saved").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_only_searches_of_this_site_can_be_saved(client):
    for url in ("https://evil.example/search?q=x", "/admin", "//evil.example/search"):
        response = client.post("/saved", data={"name": "x", "url": url, CSRF_FIELD: csrf(client)})
        assert response.status_code == 400


def test_saved_search_counts_matches_new_since_it_was_last_opened(web_index, tmp_path, nlp):
    from indexer.annotation import annotate
    from indexer.sources import Article
    from indexer.store import Store

    folder = shutil.copytree(web_index, tmp_path / "index")
    client = create_app({"INDEX_DIR": str(folder), "TESTING": True}).test_client()
    client.post("/saved", data={"name": "impeachment", "url": "/search?q=impeachment",
                                CSRF_FIELD: csrf(client)})
    row = get_json(client, "/saved.json")["saved"][0]
    assert row["total"] > 0 and row["new"] == 0  # saved a moment ago: nothing new yet
    opened = client.get(f"/saved/{row['id']}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/search?q=impeachment"
    assert get_json(client, "/saved.json")["saved"][0]["new"] == 0
    article = Article(id="new-one", title="Senate debates impeachment rules",
                      body="The Senate debated impeachment rules on Tuesday. Senators argued "
                           "for hours over how many witnesses to call, how long each side may "
                           "speak and when the chamber should vote on the articles.",
                      published="2021-01-10", source="Test")
    list(Store(folder).write(annotate([article], nlp)))
    after = get_json(client, "/saved.json")["saved"][0]
    assert after["new"] == 1 and after["total"] == row["total"] + 1
    # a reprint of the new story: one more match, still one new story
    from indexer.duplicates import fresh_signatures, update_duplicates

    reprint = Article(id="new-one-reprint", title=article.title, body=article.body + " (AP)",
                      published="2021-01-11", source="Wire")
    store = Store(folder)
    records = list(store.write(annotate([reprint], nlp)))
    update_duplicates(store, fresh_signatures(records))
    again = get_json(client, "/saved.json")["saved"][0]
    assert again["new"] == 1 and again["total"] == row["total"] + 2
    feed = ET.fromstring(client.get(f"/saved/{row['id']}.atom").data)
    assert feed.find(f"{ATOM}title").text == "impeachment"
    assert "new-one" in feed.find(f"{ATOM}entry").find(f"{ATOM}id").text  # newest first


# -- headers and app factory ----------------------------------------------------------------


def test_every_response_carries_the_security_headers(client):
    for url in ("/", "/search.json", "/article/markup-test", "/nope", "/search.atom"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_wikinews_attribution_is_in_the_footer(client):
    html = client.get("/").get_data(as_text=True)
    assert "Articles from Wikinews (https://en.wikinews.org), CC BY 2.5" in text_of(html)
    assert 'href="https://en.wikinews.org"' in html


def test_flask_cli_finds_the_app_factory(web_index, tmp_path):
    import os
    import subprocess
    import sys

    folder = shutil.copytree(web_index, tmp_path / "index")
    env = dict(os.environ, NEWSINDEX_INDEX=str(folder))
    out = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "web", "routes"],
        capture_output=True, text=True, env=env, check=True,
    ).stdout
    assert "/search" in out and "/saved" in out


def test_pages_of_results_follow_on_and_the_compact_view_lists_the_same_hits(client):
    data = get_json(client, "/search.json?q=trump&per_page=5")
    assert data["pages"] > 1
    first, html = page(client, "/search?q=trump&per_page=5")
    assert 'rel="next" href="/search?q=trump&amp;page=2&amp;per_page=5"' in html
    second, _ = page(client, "/search?q=trump&page=2&per_page=5")
    assert second.hits == [h["id"] for h in get_json(
        client, "/search.json?q=trump&page=2&per_page=5")["hits"]]
    assert not set(first.hits) & set(second.hits)
    compact, _ = page(client, "/search?q=trump&per_page=5&view=compact")
    assert compact.hits == first.hits and compact.total == first.total


def test_a_misspelt_query_offers_the_corrected_search_as_a_link(client):
    data = get_json(client, "/search.json?q=impeachmant&country=United+States")
    assert data["total"] == 0 and data["suggestion"].startswith("impeach")
    html = client.get("/search?q=impeachmant&country=United+States").get_data(as_text=True)
    link = f'/search?q={data["suggestion"]}&amp;country=United+States'
    assert f'Did you mean <a href="{link}">{data["suggestion"]}</a>?' in html


def test_views_are_plain_functions_of_a_searcher_and_a_state(web_index):
    from indexer.search import Searcher
    from indexer.store import Store
    from web import views
    from web.urls import SearchState

    searcher = Searcher(Store.open_existing(web_index))
    shown = views.search_page(searcher, SearchState(text="trump", filters={"topic": ("-x",)}))
    assert shown["result"]["total"] > 0 and shown["error"] is None
    assert [c.label for c in shown["chips"]] == ["Query", "topic"]
    assert views.search_page(searcher, SearchState(sort="sideways"))["error"]
    person = shown["result"]["facets"]["person"][0]["value"]
    entity = views.entity_page(searcher, "person", person)
    assert entity["total"] == searcher.search(
        SearchState(filters={"person": (person,)}).query())["total"]
    assert views.entity_page(searcher, "person", "No Such Person") is None


def test_an_empty_index_says_how_to_fill_it_instead_of_failing(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "empty"), "TESTING": True}).test_client()
    home = client.get("/")
    assert home.status_code == 200 and "The index is empty" in home.get_data(as_text=True)
    for url in ("/search?q=x", "/quotes", "/saved", "/search.csv", "/search.atom"):
        assert client.get(url).status_code == 200, url
    assert get_json(client, "/search.json")["total"] == 0


PARAMS = ("q", "person", "country", "topic", "organization", "source", "speaker", "mentions",
          "from", "to", "sort", "page", "per_page", "view")
TWINS = ("/search", "/quotes", "/search.json", "/quotes.json", "/search.csv", "/search.atom")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(TWINS),
    params=st.lists(st.tuples(st.sampled_from(PARAMS), st.text(max_size=12)), max_size=4),
    entity=st.text(min_size=1, max_size=12),
)
@example(path="/search", params=[], entity="/0")  # "//" in a path once redirected to "/"
def test_no_parameter_value_or_name_in_a_path_gives_a_server_error(client, path, params, entity):
    response = client.get(path, query_string=params, follow_redirects=True)
    assert response.status_code in (200, 400), (path, params)
    for base in ("/article/", "/person/", "/topic/"):
        assert client.get(base + quote(entity, safe="")).status_code in (200, 404)


def test_an_entity_page_counts_company_over_every_spelling_merged_into_it(web_index_copy):
    """With "B" aliased to "A", A's page counts the people named beside A or B."""
    from indexer.aliases import Aliases
    from indexer.search import Searcher, SearchQuery
    from indexer.store import Store
    from web import views

    searcher = Searcher(Store.open_existing(web_index_copy))
    persons = [v["value"] for v in searcher.search(SearchQuery())["facets"]["person"]]
    records = list(searcher.store.records())
    main = persons[0]
    merged = next(p for p in persons[1:] if any(
        p in r["persons"] and main not in r["persons"] for r in records))
    aliases = Aliases.load(web_index_copy)
    aliases.add("person", merged, main)
    aliases.save(web_index_copy)

    entity = views.entity_page(searcher, "person", main)
    people = [{searcher.canonical("person", p) for p in r["persons"]} for r in records]
    with_main = [names for names in people if main in names]
    assert entity["total"] == len(with_main) > sum(main in r["persons"] for r in records)
    assert entity["related"]["person"]
    for item in entity["related"]["person"]:
        assert item["count"] == sum(1 for names in with_main if item["value"] in names), item


def test_a_quotes_search_for_an_entity_name_offers_the_quotes_about_it(client):
    """Hegseth's "unrealistic" does not contain the word NATO, but his sentence is about it."""
    shown, html = page(client, "/quotes?q=nato&speaker=Pete+Hegseth")
    links = re.findall(r'class="suggestion mention-hint">Quotes about <a href="([^"]+)">NATO</a>',
                       html)
    assert links == ["/quotes?speaker=Pete+Hegseth&amp;mentions=NATO"]
    about = get_json(client, "/quotes.json?speaker=Pete+Hegseth&mentions=NATO")
    assert [h["text"] for h in about["hits"]] == ["“unrealistic”"]
    # the words typed find his quote too, through its sentence, which the hit shows marked
    assert shown.total == 1
    [context] = re.findall(r'<p class="context"[^>]*>(.*?)</p>', html)
    assert context.startswith("Defense Secretary Pete Hegseth told")
    assert "<mark>NATO</mark>" in context
    _, plain = page(client, "/quotes?q=unrealistic")  # found in the quote itself: no hint
    assert "mention-hint" not in plain
    _, other = page(client, "/quotes?q=zzyzx")
    assert "mention-hint" not in other


# -- quote kind and confidence ----------------------------------------------------------------


def test_quotes_show_their_kind_and_confidence_as_text(client, app):
    data = get_json(client, "/quotes.json?per_page=50")
    assert data["hits"] and all(h["kind"] in ("direct", "partial") for h in data["hits"])
    assert all(0 <= h["confidence"] <= 1 for h in data["hits"])
    assert (data["kind"], data["min_confidence"]) == (None, None)
    _, html = page(client, "/quotes?per_page=50")
    for hit in data["hits"]:
        item = re.search(rf'data-id="{re.escape(hit["id"])}".*?</li>', html, re.S).group(0)
        assert f'{hit["kind"]} · {hit["confidence"]:.2f}</span>' in item
    record = app.extensions["newsindex"].searcher.store.get(data["hits"][0]["article_id"])
    article = client.get(f"/article/{record['id']}").get_data(as_text=True)
    side = article[article.index('class="side-quotes"'):]
    for said in record["quotes"]:
        assert f'{said["kind"]} · {said["confidence"]:.2f}</span>' in side


def test_direct_only_and_min_confidence_filter_the_page_and_its_twins(client):
    every = list(csv.DictReader(io.StringIO(client.get("/quotes.csv").get_data(as_text=True))))
    assert {r["kind"] for r in every} == {"direct", "partial"}  # the index has both
    least = sorted(float(r["confidence"]) for r in every)[len(every) // 2]
    query = f"kind=direct&min_confidence={least:g}"
    wanted = {r["id"] for r in every
              if r["kind"] == "direct" and float(r["confidence"]) >= least}
    data = get_json(client, f"/quotes.json?{query}&per_page={len(wanted) + 1}")
    assert {h["id"] for h in data["hits"]} == wanted and 0 < data["total"] < len(every)
    assert (data["kind"], data["min_confidence"]) == ("direct", least)
    shown, html = page(client, f"/quotes?{query}")
    assert shown.total == data["total"]
    assert 'id="direct-only" name="kind" value="direct" form="search-form" checked' in html
    assert f'<option value="{least:g}" selected>' in html
    assert "direct only" in text_of(html) and f"≥ {least:g}" in text_of(html)  # chips
    rows = list(csv.DictReader(io.StringIO(client.get(f"/quotes.csv?{query}").get_data(
        as_text=True))))
    assert {r["id"] for r in rows} == wanted
    assert all(r["kind"] == "direct" and float(r["confidence"]) >= least for r in rows)
    feed = ET.fromstring(client.get(f"/quotes.atom?{query}").data)
    assert len(list(feed.iter(f"{ATOM}entry"))) == min(len(wanted), 30)
    _, articles = page(client, f"/quotes?q=said&{query}")
    tab = re.search(r'<a href="([^"]+)">Articles</a>', articles).group(1)
    assert "kind=" not in tab and "min_confidence" not in tab  # articles have no such filter


def test_quote_trust_parameters_take_their_canonical_place_in_the_url(client):
    response = client.get("/quotes?min_confidence=.80&sort=newest&kind=direct&speaker=A")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "/quotes?speaker=A&kind=direct&min_confidence=0.8&sort=newest"
    )
    assert client.get("/quotes?kind=direct&min_confidence=").headers["Location"] == (
        "/quotes?kind=direct"
    )
    assert client.get("/search?kind=direct").headers["Location"] == "/search"


@pytest.mark.parametrize("value", ["high", "1.5", "-1", "nan"])
def test_a_bad_minimum_confidence_is_explained_not_a_500(client, value):
    response = client.get("/quotes", query_string={"min_confidence": value},
                          follow_redirects=True)
    assert response.status_code == 400
    assert "minimum confidence must be a number from 0 to 1" in response.get_data(as_text=True)
    twin = client.get("/quotes.json", query_string={"min_confidence": value})
    assert twin.status_code == 400 and "minimum confidence" in twin.get_json()["error"]
    assert client.get("/quotes.csv", query_string={"min_confidence": value}).status_code == 400
    bad_kind = client.get("/quotes.json?kind=indirect")
    assert bad_kind.status_code == 400 and "kind must be" in bad_kind.get_json()["error"]


def test_a_saved_quote_search_keeps_kind_and_minimum_confidence(client):
    token = csrf(client)
    url = "/quotes?kind=direct&min_confidence=0.9"
    response = client.post("/saved", data={"csrf_token": token, "url": url, "name": ""})
    assert response.status_code == 303
    saved = get_json(client, "/saved.json")["saved"]
    item = next(s for s in saved if s["url"] == url)
    assert item["total"] == get_json(client, url.replace("/quotes", "/quotes.json"))["total"]
    assert "direct only" in item["description"] and "confidence ≥ 0.9" in item["description"]
