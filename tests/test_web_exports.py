"""A facet's every value, exports (CSV columns, file names, Atom titles), saved searches' "new"
counts and the footer's credits, over the small real web test index."""

from __future__ import annotations

import csv
import io
import shutil
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import pytest

from indexer.search import Searcher, SearchQuery, folded
from indexer.store import Store
from tests.test_web_pages import ATOM, csrf, get_json, text_of
from web import create_app, feeds, views
from web.security import CSRF_FIELD

WIKINEWS_CREDIT = "Articles from Wikinews (https://en.wikinews.org), CC BY 2.5"


@pytest.fixture(scope="module")
def folder(web_index, tmp_path_factory):
    return shutil.copytree(web_index, tmp_path_factory.mktemp("exports") / "index")


@pytest.fixture(scope="module")
def client(folder):
    return create_app({"INDEX_DIR": str(folder), "TESTING": True}).test_client()


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


# -- a facet's every value ------------------------------------------------------------------


def test_all_values_list_every_person_the_facet_counts_beyond_the_first_fifty(client):
    listed = get_json(client, "/search.json?q=trump")["facets"]["person"]
    assert len(listed) == views.FACET_LIMIT  # the facet stops at 50
    shown = {i["value"]: i["count"] for i in listed}
    found = get_json(client, "/search/values/person.json?q=trump&per_page=500")
    every = {i["value"]: i["count"] for i in found["values"]}
    assert found["total_values"] == len(every) > views.FACET_LIMIT
    assert all(every[v] == n for v, n in shown.items())  # the same counts as the facet
    counts = [i["count"] for i in found["values"]]
    assert counts == sorted(counts, reverse=True)
    beyond = next(v for v in every if v not in shown)
    toggle = next(i for i in found["values"] if i["value"] == beyond)["toggle_url"]
    assert get_json(client, toggle.replace("/search?", "/search.json?"))["total"] == every[beyond]


def test_the_find_box_searches_every_value_ignoring_case_and_accents(client):
    every = get_json(client, "/search/values/person.json?q=trump&per_page=500")["values"]
    listed = {i["value"] for i in get_json(client, "/search.json?q=trump")["facets"]["person"]}
    beyond = next(i for i in every if i["value"] not in listed)
    surname = beyond["value"].split()[-1]
    found = get_json(client, f"/search/values/person.json?q=trump&contains={surname.upper()}")
    assert beyond["value"] in [i["value"] for i in found["values"]]
    assert all(folded(surname) in folded(i["value"]) for i in found["values"])
    html = client.get(f"/search/values/person?q=trump&contains={surname}").get_data(as_text=True)
    assert beyond["value"] in text_of(html)


def test_all_values_sort_by_name_and_come_in_pages(client):
    by_name = get_json(client, "/search/values/person.json?q=trump&order=name&per_page=10")
    names = [i["value"] for i in by_name["values"]]
    assert names == sorted(names, key=str.casefold) and len(names) == 10
    second = get_json(client, "/search/values/person.json?q=trump&order=name&per_page=10&page=2")
    assert second["page"] == 2 and not set(names) & {i["value"] for i in second["values"]}
    assert by_name["pages"] == -(-by_name["total_values"] // 10)
    html = client.get("/search/values/person?q=trump&order=name").get_data(as_text=True)
    assert 'aria-current="true">A to Z' in html and "/search/values/person.json?" in html


def test_all_values_keep_the_other_filters_and_mark_the_chosen_value(client):
    url = "/search/values/country.json?q=trump&country=Russia&person=Donald+Trump"
    found = get_json(client, url)
    russia = next(i for i in found["values"] if i["value"] == "Russia")
    assert russia["selected"]
    with_person = get_json(client, "/search.json?q=trump&person=Donald+Trump&country=Russia")
    assert russia["count"] == next(i["count"] for i in with_person["facets"]["country"]
                                   if i["value"] == "Russia")


def test_unknown_facets_and_orders_are_refused_clearly(client):
    assert client.get("/search/values/speaker").status_code == 404  # quotes only
    assert client.get("/quotes/values/speaker.json").status_code == 200
    bad = client.get("/search/values/person.json?order=size")
    assert bad.status_code == 400 and "order must be count or name" in bad.get_json()["error"]


def test_the_search_page_links_each_facet_to_its_values_and_a_find_box(client):
    html = client.get("/search?q=trump").get_data(as_text=True)
    assert 'href="/search/values/person?q=trump"' in html
    assert 'action="/search/values/person"' in html and 'name="contains"' in html


# -- exports --------------------------------------------------------------------------------


def test_article_csv_has_people_places_topics_and_a_plain_snippet(client, folder):
    rows = rows_of(client.get("/search.csv?q=trump"))
    assert list(rows[0]) == list(feeds.ARTICLE_COLUMNS)
    record = Searcher(Store.open_existing(folder)).article(rows[0]["id"])
    assert set(rows[0]["countries"].split("; ")) == set(record["countries"])
    assert rows[0]["topics"].split("; ")[0] == record["topics"][0]["label"]
    assert any("Donald Trump" in r["persons"].split("; ") for r in rows)
    assert all("trump" in r["snippet"].lower() and "<mark>" not in r["snippet"] for r in rows)


def test_quotes_csv_has_kind_confidence_speaker_article_and_the_sentence_around(client, folder):
    rows = rows_of(client.get("/quotes.csv?q=president"))
    assert rows and list(rows[0]) == list(feeds.QUOTE_COLUMNS)
    searcher = Searcher(Store.open_existing(folder))
    for row in rows:
        record = searcher.article(row["article_id"])
        assert row["title"] == record["title"] and row["url"] == (record.get("url") or "")
        assert row["published"] == (record.get("published") or "")
        assert row["kind"] in ("direct", "partial") and 0 <= float(row["confidence"]) <= 1
        words = " ".join(row["text"].split())
        assert words in row["context"] and len(row["context"]) >= len(words)
    assert any(r["speaker"] for r in rows)


def test_downloads_are_named_after_the_search(client):
    response = client.get("/search.csv?q=trump&country=Russia")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="articles-trump-country-russia.csv"')
    assert "filename*=UTF-8''articles-trump-country-russia.csv" in disposition
    quotes = client.get("/quotes.csv").headers["Content-Disposition"]
    assert 'filename="all-quotes.csv"' in quotes


def test_a_name_with_accents_gets_an_ascii_filename_and_an_rfc_5987_one():
    header = feeds.attachment("Articles: person: Recep Tayyip Erdoğan", "csv")
    ascii_name = header.split('filename="')[1].split('"')[0]
    assert ascii_name == "articles-person-recep-tayyip-erdogan.csv" and ascii_name.isascii()
    assert header.isascii()
    encoded = header.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "articles-person-recep-tayyip-erdoğan.csv"
    assert feeds.attachment('"; evil=1', "csv").count('"') == 2  # nothing breaks out


def test_atom_quote_titles_carry_one_pair_of_quotation_marks(client):
    feed = ET.fromstring(client.get("/quotes.atom").data)
    titles = [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")]
    assert titles
    for title in titles:
        words = title.split(": ", 1)[1]
        assert words.startswith("“") and words.endswith(("”", "…”"))
        assert words[1] not in "\"“”'‘" and words[-2] not in "\"“”'’", title
    assert feeds.quote_title("Jane Doe", "“We will win.”") == "Jane Doe: “We will win.”"
    assert feeds.quote_title(None, '"Never"') == "Unattributed: “Never”"


# -- saved searches -------------------------------------------------------------------------


def test_a_search_saved_a_moment_ago_has_nothing_new(folder, tmp_path):
    own = shutil.copytree(folder, tmp_path / "index")
    client = create_app({"INDEX_DIR": str(own), "TESTING": True}).test_client()
    for url in ("/search?q=trump", "/quotes?q=president", "/search?country=Russia"):
        response = client.post("/saved", data={"name": url, "url": url, CSRF_FIELD: csrf(client)})
        assert response.status_code == 303
    rows = get_json(client, "/saved.json")["saved"]
    assert len(rows) == 3 and all(r["total"] > 0 and r["new"] == 0 for r in rows)
    html = client.get("/saved").get_data(as_text=True)
    assert " new</span>" not in html


def test_a_search_that_does_not_run_cannot_be_saved(client):
    before = get_json(client, "/saved.json")["saved"]
    for url in ("/search?q=trump&sort=sideways",  # a bad date is a note, not a failure
                "/quotes?min_confidence=2", "/search?q=" + "x" * 1001):
        response = client.post("/saved", data={"name": "broken", "url": url,
                                                CSRF_FIELD: csrf(client)})
        assert response.status_code == 400, url
        assert "cannot be saved" in response.get_data(as_text=True)
    assert get_json(client, "/saved.json")["saved"] == before
    page = client.get("/search?q=trump&sort=sideways")
    assert page.status_code == 400 and 'action="/saved"' not in page.get_data(as_text=True)


# -- credits --------------------------------------------------------------------------------


def test_the_wikinews_credit_shows_where_wikinews_articles_are_indexed(client):
    assert WIKINEWS_CREDIT in text_of(client.get("/search").get_data(as_text=True))
    assert WIKINEWS_CREDIT in ET.fromstring(client.get("/search.atom").data).find(
        f"{ATOM}rights").text


def test_no_wikinews_credit_on_an_index_without_wikinews_articles(tmp_path, nlp):
    from indexer.annotation import annotate
    from indexer.sources import Article

    store = Store(tmp_path / "index")
    article = Article(id="own", title="Council approves budget", source="Daily Ledger",
                      body="The city council approved the budget on Monday.",
                      published="2021-03-01")
    list(store.write(annotate([article], nlp)))
    client = create_app({"INDEX_DIR": str(store.dir), "TESTING": True}).test_client()
    for url in ("/", "/search?q=budget", "/article/own", "/saved"):
        html = client.get(url).get_data(as_text=True)
        assert "Wikinews" not in html and "CC BY" not in html, url
    assert ET.fromstring(client.get("/search.atom").data).find(f"{ATOM}rights") is None


def test_credits_follow_the_sources_by_name():
    assert views.credits({"Wikinews": 3, "Daily Ledger": 1}) == [views.CREDITS["wikinews"]]
    assert views.credits({"en.wikinews.org": 1}) == [views.CREDITS["wikinews"]]
    assert views.credits({"BBC": 4}) == []


def test_folding_ignores_case_and_accents():
    assert folded("Recep Tayyip ERDOĞAN") == "recep tayyip erdogan"
    assert folded("Zürich") == folded("zurich")


def test_all_values_are_a_searcher_call_without_http(folder):
    searcher = Searcher(Store.open_existing(folder))
    found = searcher.all_values(SearchQuery(text="trump"), "country", contains="UNITED")
    assert found["values"] and all("united" in i["value"].lower() for i in found["values"])
    assert found["total_values"] == len(found["values"])
