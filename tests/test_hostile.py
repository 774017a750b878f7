"""Hostile queries and requests: never a 500 or a traceback, always a bound, always escaped.

Hypothesis throws query syntax fragments, junk text and out-of-range parameters at the Searcher,
the command line (`search`, `quotes`, `stats`) and every GET route of the web app (Flask's test
client), then a real waitress server gets raw hostile requests over loopback. The web's security
promises are pinned here too: CSRF on every POST route, the headers on every response, escaping
in pages, feeds and CSV, no debug mode, loopback by default, and SQL with bound parameters only.
Every web test runs twice: on a single-user server, and with accounts (logged in as an admin;
the raw requests to the real server come anonymous).
"""

from __future__ import annotations

import ast
import csv
import http.client
import io
import json
import os
import random
import re
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import quote, urlencode
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from whoosh.query import Every, Term

from indexer.cli import build_parser, main
from indexer.schema import FACETS
from indexer.search import (
    MAX_EXPANSIONS,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
    QueryError,
    Searcher,
    SearchQuery,
)
from indexer.store import Store
from tests.conftest import ROOT
from tests.reliability import cli, free_port, wait_until_listening
from web import create_app
from web.accounts import Accounts
from web.security import CSRF_FIELD

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "80"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PAYLOAD = "<script>alert(7)</script>"
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options")

# -- strategies -------------------------------------------------------------------------------

syntax = st.sampled_from(
    [
        "*", "?", "a*", "*a*", "t*", "x~5", "war~", "~", "^", "^1e308", "war^-1", '"', '"war',
        "(", ")", "((((", "[", "]", "{", "}", "[a TO z]", "{a TO}", "[* TO *]", "AND", "OR",
        "NOT", "ANDNOT", "title:", "body:", "quote:", "record:", "kind:quote", "id:*", "published:",
        "published:[2019 TO]", "person:Putin", ":", "\\", "/", "//", "-", "+", "!", "&&", "||",
        "Putin", "Trump", "war", "Russia", PAYLOAD, "&amp;", "%00", "%ff", "\x00", "\x1f",
        "\u202e", "\U0001d518", "\ufffd", "'", ";", "--", "' OR '1'='1", "a" * 200,
    ]
)
queries = st.one_of(
    st.lists(syntax | st.text(max_size=10), max_size=25).map(" ".join),
    st.text(max_size=120),
    st.sampled_from(["*" * 50, "a" * (MAX_QUERY_CHARS + 1), "(" * 300, '"' * 99, "?" * 30]),
)
facet_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["-", "--", "-Russia", "Russia", "a\x1fb", "-" * 500, PAYLOAD, "%", "*"]),
)
dates = st.one_of(
    st.none(),
    st.sampled_from(["2019", "2019-02", "2019-02-30", "2019-13-45", "0000", "9999-99-99"]),
    st.text(max_size=12),
)
numbers = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["", "abc", "1e9", "0x10", "-0", "NaN", "\u0661\u0662", "9" * 400]),
)
filter_names = st.sampled_from(
    [*FACETS, "speaker", "mentions", "bogus", "kind", "id", "record", ""]
)

# -- fixtures ---------------------------------------------------------------------------------


FORMULA_TITLES = ("=HYPERLINK(\"http://x\")", "+1+1 spreadsheet", "-2+3 spreadsheet", "@SUM(A1)")


@pytest.fixture(scope="module")
def index(web_index, nlp, tmp_path_factory) -> Path:
    """A copy of the web test index (real pipeline, an article full of markup) plus articles
    whose titles a spreadsheet would run as formulas."""
    from indexer.annotation import annotate
    from indexer.sources import Article

    folder = Path(shutil.copytree(web_index, tmp_path_factory.mktemp("hostile") / "index"))
    articles = [
        Article(id=f"formula-{n}", title=title, path=None, published=f"2020-03-0{n}",
                body=f"A spreadsheet cell in Berlin said {title} on Monday.")
        for n, title in enumerate(FORMULA_TITLES, 1)
    ]
    list(Store(folder).write(annotate(articles, nlp)))
    return folder


@pytest.fixture(scope="module")
def searcher(index) -> Searcher:
    return Searcher(Store.open_existing(index))


MODES = ["single user", "accounts"]
ADMIN, PASSWORD = "hostile-admin", "a long enough password"


def served_copy(index: Path, tmp_path_factory, mode: str) -> Path:
    """The index as served in this mode: with accounts, a copy of it with an admin account."""
    if mode == "single user":
        return index
    folder = Path(shutil.copytree(index, tmp_path_factory.mktemp("accounts") / "index"))
    Accounts(folder).add(ADMIN, "admin", PASSWORD)
    return folder


def session_of(client):
    """The client, logged in when the server has accounts."""
    if client.application.extensions["newsindex"].accounts.any():
        form = {"name": ADMIN, "password": PASSWORD, CSRF_FIELD: token_of(client, "/login")}
        assert client.post("/login", data=form).status_code == 303
    return client


@pytest.fixture(scope="module", params=MODES)
def app(index, tmp_path_factory, request):
    return create_app({"INDEX_DIR": str(served_copy(index, tmp_path_factory, request.param))})


@pytest.fixture
def client(app):
    return session_of(app.test_client())


def one_line(message: str) -> None:
    assert message.strip() and "\n" not in message.strip(), message
    assert "Traceback" not in message


def assert_snippets_escaped(result: dict) -> None:
    for hit in result["hits"]:
        assert "<" not in re.sub(r"</?mark>", "", hit["snippet"]), hit["snippet"]


# -- the Searcher -----------------------------------------------------------------------------


@SETTINGS
@given(
    text=queries,
    filters=st.dictionaries(filter_names, st.lists(facet_values, max_size=3), max_size=3),
    date_from=dates,
    date_to=dates,
    sort=st.sampled_from(["relevance", "newest", "oldest", "", "random"]),
    page=st.integers(-(10**9), 10**18),
    per_page=st.integers(-(10**9), 10**18),
)
def test_the_searcher_answers_or_refuses_in_one_line(
    searcher, text, filters, date_from, date_to, sort, page, per_page
):
    query = SearchQuery(
        text=text,
        filters={k: tuple(v) for k, v in filters.items()},
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    for run in (searcher.search, searcher.quotes):
        try:
            result = run(query)
        except QueryError as exc:
            one_line(str(exc))
            continue
        assert 1 <= result["per_page"] <= MAX_PER_PAGE and result["page"] >= 1
        assert len(result["hits"]) <= result["per_page"]
        assert result["total"] >= 0
        assert_snippets_escaped(result)


@pytest.mark.parametrize("text", ["*", "**", "*" * 50, "title:*", "* OR *", "body:* war"])
def test_a_bare_star_matches_everything_and_costs_no_expansion(searcher, text):
    everything = searcher.search(SearchQuery())["total"]
    expected = searcher.search(SearchQuery(text="war"))["total"] if "war" in text else everything
    assert searcher.search(SearchQuery(text=text))["total"] == expected


@pytest.mark.parametrize("text", ["*a*", "[a TO z]", "body:*e*", "war OR *i*"])
def test_a_wildcard_standing_for_too_many_words_is_refused_with_a_message(searcher, text):
    with pytest.raises(QueryError, match=f"more than {MAX_EXPANSIONS} words"):
        searcher.search(SearchQuery(text=text))


@pytest.mark.parametrize("text", ["t*", "?????", "[a TO c]", "title:*s"])
def test_the_expansion_bound_applies_to_prefixes_patterns_ranges_and_fuzzy_terms(
    searcher, monkeypatch, text
):
    import indexer.search

    monkeypatch.setattr(indexer.search, "MAX_EXPANSIONS", 3)
    with pytest.raises(QueryError, match="more than 3 words"):
        searcher.search(SearchQuery(text=text))
    assert searcher.search(SearchQuery(text="Puti*"))["total"] >= 1  # narrow: still served


def test_exports_can_skip_snippets_and_get_the_same_hits(searcher):
    """CSV and saved-search id lists page through every match: snippets would be most of it."""
    shown = searcher.search(SearchQuery(text="Putin", per_page=50))
    bare = searcher.search(SearchQuery(text="Putin", per_page=50, snippets=False))
    assert shown["hits"] and all(h["snippet"] for h in shown["hits"])
    assert bare["hits"] == [dict(h, snippet="") for h in shown["hits"]]


def test_an_overlong_query_is_refused_not_run(searcher):
    with pytest.raises(QueryError, match="query too long"):
        searcher.search(SearchQuery(text="war " * MAX_QUERY_CHARS))


def test_matching_that_runs_past_the_time_limit_is_cut_off(searcher, monkeypatch):
    import indexer.search

    monkeypatch.setattr(indexer.search, "TIME_LIMIT", -1.0)  # the clock has always run out
    monkeypatch.setattr(indexer.search, "MATCH_CHUNK", 4)  # and it is read every 4 documents
    with searcher.store.searcher() as s:
        size = s.doc_count_all()
        with pytest.raises(QueryError, match="ran longer than"):
            indexer.search.matching(s, Every(), size)
        one = indexer.search.matching(s, Term("id", "markup-test"), size)  # done in one chunk
    assert one.sum() == 1


# -- the command line ---------------------------------------------------------------------------


@SETTINGS
@given(
    command=st.sampled_from(["search", "quotes", "stats"]),
    text=queries,
    flags=st.lists(
        st.tuples(
            st.sampled_from(
                ["--person", "--country", "--topic", "--org", "--source", "--speaker",
                 "--mentions", "--from", "--to", "--sort", "--page", "--limit"]
            ),
            facet_values | numbers,
        ),
        max_size=4,
    ),
    as_json=st.booleans(),
)
def test_the_cli_answers_or_exits_2_with_one_line_never_a_traceback(
    index, capsys, command, text, flags, as_json
):
    argv = ["--index", str(index), command]
    if command != "stats":
        argv.append(text)
        for flag, value in flags:
            if command == "search" and flag in ("--speaker", "--mentions"):
                continue
            argv += [flag, value]
    if as_json:
        argv.append("--json")
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse refuses bad usage itself
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in (0, 2), (argv, err)
    if code == 0 and as_json:
        result = json.loads(out)
        if command != "stats":
            assert len(result["hits"]) <= MAX_PER_PAGE
    elif code == 2 and err.startswith("newsindex:"):
        one_line(err)


# -- every web route through the test client ------------------------------------------------------

LISTINGS = [
    "/", "/search", "/search.json", "/search.csv", "/search.atom", "/search.xml",
    "/quotes", "/quotes.json", "/quotes.csv", "/quotes.atom", "/login", "/audit", "/audit.json",
    "/users", "/feeds", "/feeds.json", "/search/values/person", "/search/values/person.json",
    "/quotes/values/speaker", "/quotes/values/mentions.json", "/topics",
]
params = st.lists(
    st.tuples(
        st.sampled_from(
            ["q", "person", "country", "topic", "organization", "source", "speaker", "mentions",
             "from", "to", "sort", "page", "per_page", "view", "bogus", ""]
        ),
        queries | facet_values | numbers,
    ),
    max_size=6,
)


def assert_served_safely(response, payload_sent: bool) -> str:
    """No server error, no traceback, the security headers, and markup sent comes back inert."""
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    for name in SECURITY_HEADERS:
        assert name in response.headers, (name, response.status_code)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    if payload_sent:
        assert PAYLOAD not in body
    kind = response.mimetype
    if response.status_code == 200 and kind == "application/atom+xml":
        ET.fromstring(response.get_data())  # well-formed XML, whatever went in
    if response.status_code == 200 and kind == "application/json":
        json.loads(body)
    return body


def test_every_get_route_is_covered_by_the_hostile_tests(app):
    """A new route must be added to the hostile requests below."""
    covered = {
        "static", "web.home", "web.listing", "web.listing_twin", "web.article", "web.entity",
        "web.saved_list", "web.saved_json", "web.saved_open", "web.saved_feed",
        "web.saved_create", "web.saved_rename", "web.saved_delete", "web.merge_or_split",
        "web.list_or_unlist",
        "web.feeds_list", "web.facet_values",
        "web.saved_share", "web.login", "web.logout", "web.audit", "web.users",
        "web.users_add", "web.users_change", "web.correct_speaker", "web.topics",
        "web.topics_add", "web.topics_remove",
    }
    assert {rule.endpoint for rule in app.url_map.iter_rules()} <= covered


def test_feeds_page_shows_hostile_feed_titles_and_urls_inert(tmp_path):
    """A feed's title is whatever its publisher wrote, an OPML's xmlUrl any string."""
    from indexer.sources.feeds import FeedBook

    book = FeedBook(tmp_path)
    book.feed("javascript:alert(7)").update(title=PAYLOAD, last_fetched="2026-01-01T00:00:00+00:00",
                                            result=PAYLOAD, ok=False)
    book.save()
    client = create_app({"INDEX_DIR": str(tmp_path)}).test_client()
    body = assert_served_safely(client.get("/feeds"), payload_sent=True)
    assert 'href="javascript:' not in body and "&lt;script&gt;" in body
    assert assert_served_safely(client.get("/feeds.json"), payload_sent=False)


@SETTINGS
@given(path=st.sampled_from(LISTINGS), query=params)
@example(path="/", query=[("q", "published:[2019 TO]"), ("person", "0")])  # quotes as articles
@example(path="/quotes.json", query=[("q", PAYLOAD)])  # the query echoed as markup
def test_listings_and_their_twins_never_fail_on_any_parameters(client, path, query):
    response = client.get(path + "?" + urlencode(query), follow_redirects=True)
    assert_served_safely(response, any(PAYLOAD in v for _, v in query))


@SETTINGS
@given(
    route=st.sampled_from(
        ["/article/", "/person/", "/country/", "/topic/", "/organization/", "/saved/",
         "/static/", "/search/values/", "/quotes/values/"]
    ),
    name=st.text(max_size=60) | st.sampled_from([PAYLOAD, "..", "../../etc/passwd", "%ff"]),
    suffix=st.sampled_from(["", ".json", ".atom", "/rename", ".csv"]),
)
def test_article_entity_saved_and_static_routes_never_fail_on_any_name(
    client, route, name, suffix
):
    response = client.get(route + quote(name, safe="") + suffix, follow_redirects=True)
    assert_served_safely(response, PAYLOAD in name)


@SETTINGS
@given(raw=st.binary(max_size=80))
def test_raw_query_strings_with_broken_encodings_never_fail(client, raw):
    for path in ("/search", "/search.json", "/quotes.atom", "/search.csv"):
        wsgi_query = raw.decode("latin-1")  # what a WSGI server hands over for any bytes
        response = client.get(path, environ_overrides={"QUERY_STRING": wsgi_query})
        assert_served_safely(response, False)


@pytest.mark.parametrize(
    "query",
    [
        {"page": "99999999999999999999"}, {"per_page": "100000000"}, {"per_page": "-5"},
        {"q": "a" * 5000}, {"q": "*a*"}, {"q": "x~5"}, {"person": "x" * 10_000},
        {"from": "2019-99-99"}, {"sort": "'; DROP TABLE saved; --"},
    ],
)
def test_out_of_bounds_parameters_are_clamped_or_explained(client, query):
    response = client.get("/search.json?" + urlencode(query))
    assert_served_safely(response, False)
    data = response.get_json()
    if response.status_code == 200:
        assert 1 <= data["per_page"] <= MAX_PER_PAGE and len(data["hits"]) <= data["per_page"]
    else:
        assert response.status_code == 400 and data["error"]


def test_thousands_of_filter_values_are_capped_not_multiplied_into_a_huge_page(client):
    from web.urls import MAX_FILTER_VALUES

    many = [(f, f"Name {n}") for n in range(3000) for f in ("person", "country", "topic")]
    query = urlencode([*many, ("q", "Putin")])
    data = client.get("/search.json?" + query).get_json()
    assert all(len(v) == MAX_FILTER_VALUES for v in data["filters"].values())
    page = client.get("/search?" + query, follow_redirects=True)
    assert_served_safely(page, False)
    assert len(page.get_data()) < 2_000_000  # every link repeats every value: keep them few


def test_a_broad_saved_search_counts_its_new_matches_too(client):
    """/saved lists every saved search's total and new count, even one matching everything."""
    broad, quotes = save(client, "broad", "/search"), save(client, "said", "/quotes?q=said")
    rows = {r["id"]: r for r in client.get("/saved.json").get_json()["saved"]}
    everything = client.get("/search.json").get_json()["total"]
    said = client.get("/quotes.json?q=said").get_json()["total"]
    # what matched when saved is not new
    assert (rows[broad]["total"], rows[broad]["new"]) == (everything, 0) and everything > 3
    assert (rows[quotes]["total"], rows[quotes]["new"]) == (said, 0) and said > 0
    assert client.get(f"/saved/{broad}").status_code == 302
    rows = {r["id"]: r for r in client.get("/saved.json").get_json()["saved"]}
    assert (rows[broad]["new"], rows[quotes]["new"]) == (0, 0)


# -- web security promises ------------------------------------------------------------------------


def token_of(client, path: str = "/search?q=war") -> str:
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    return re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', html)[1]


def post_rules(app) -> list[str]:
    return sorted(r.rule for r in app.url_map.iter_rules() if "POST" in r.methods)


def test_every_post_route_refuses_a_missing_or_foreign_csrf_token(app, client):
    saved_id = save(client, "kept", "/search?q=war")
    before = client.get("/saved.json").get_json()["saved"]
    other = app.test_client()
    foreign = token_of(other)
    rules = post_rules(app)
    assert rules  # the web has forms
    for rule in rules:
        url = rule.replace("<int:saved_id>", str(saved_id))
        form = {"name": "changed", "url": "/search?q=peace"}
        for token in (None, "", foreign, "x" * 43):
            data = dict(form, **({CSRF_FIELD: token} if token is not None else {}))
            response = client.post(url, data=data)
            assert response.status_code == 400, (url, token, response.status_code)
            assert_served_safely(response, False)
    assert client.get("/saved.json").get_json()["saved"] == before


@pytest.fixture(scope="module", params=MODES)
def deciding(index, tmp_path_factory, request):
    """A client of its own copy of the index, since its merges and splits change counts."""
    folder = shutil.copytree(index, tmp_path_factory.mktemp("deciding") / "index")
    folder = served_copy(Path(folder), tmp_path_factory, request.param)
    return session_of(create_app({"INDEX_DIR": str(folder)}).test_client()), folder


@SETTINGS
@given(
    path=st.sampled_from(["/merge", "/split"]),
    kind=st.sampled_from(["person", "organization", "country", "topic", "", "../x"]),
    name=st.text(max_size=40) | st.sampled_from([PAYLOAD, "Donald Trump", " "]),
    spelling=st.text(max_size=40) | st.sampled_from([PAYLOAD, "Trump", "Donald Trump"]),
)
def test_merges_and_splits_of_any_names_never_fail_and_stay_inert(
    deciding, path, kind, name, spelling
):
    client, folder = deciding
    form = {"kind": kind, "name": name, "spelling": spelling, CSRF_FIELD: token_of(client)}
    assert_decided_inertly(client, folder, client.post(path, data=form), name + spelling)


def assert_decided_inertly(client, folder: Path, response, typed: str) -> None:
    """A decision on names is taken or refused (400), never fails; aliases.json stays a file
    the next load reads; the page it leads to shows what was typed inert."""
    assert response.status_code in (303, 400), response.get_data(as_text=True)[:300]
    stored = folder / "aliases.json"
    if stored.exists():
        json.loads(stored.read_text(encoding="utf-8"))
    if response.status_code == 303:
        page = client.get(response.headers["Location"], follow_redirects=True)
        assert_served_safely(page, PAYLOAD in typed)


@SETTINGS
@given(
    path=st.sampled_from(["/list", "/unlist"]),
    kind=st.sampled_from(["person", "organization", "country", "topic", "", "../x"]),
    name=st.text(max_size=40) | st.sampled_from([PAYLOAD, "Donald Trump", " ", "a\x00b"]),
)
def test_names_listed_whatever_the_vote_of_any_names_never_fail_and_stay_inert(
    deciding, path, kind, name
):
    client, folder = deciding
    form = {"kind": kind, "name": name, CSRF_FIELD: token_of(client)}
    assert_decided_inertly(client, folder, client.post(path, data=form), name)


@SETTINGS
@given(
    quote_id=st.sampled_from(["markup-test#q0", "", "#q0", "nope#q0", "markup-test#q99", PAYLOAD])
    | st.text(max_size=30),
    speaker=st.text(max_size=60) | st.sampled_from([PAYLOAD, " ", "Jane Doe", "a\x00b"]),
    none=st.booleans(),
)
def test_speaker_corrections_of_any_quote_and_name_never_fail_and_stay_inert(
    deciding, quote_id, speaker, none
):
    client, folder = deciding
    random.seed()  # a correction commits to Whoosh: see the topics test below
    form = {"quote_id": quote_id, "speaker": speaker, CSRF_FIELD: token_of(client)}
    if none:
        form["none"] = "1"
    response = client.post("/quote/speaker", data=form)
    assert response.status_code in (303, 400, 404), response.get_data(as_text=True)[:300]
    assert_served_safely(response, PAYLOAD in quote_id + speaker)
    stored = folder / "speakers.json"
    if stored.exists():
        json.loads(stored.read_text(encoding="utf-8"))
    if response.status_code == 303:
        said = client.get("/article/markup-test.json").get_json()["quotes"][0]["speaker"]
        assert said == (None if none else " ".join(speaker.split()))
        assert_served_safely(client.get("/article/markup-test"), PAYLOAD in speaker)


def test_a_corrected_speaker_with_markup_stays_inert_on_every_page(deciding):
    client, _ = deciding
    quote_id = client.get("/quotes.json").get_json()["hits"][0]["id"]
    form = {"quote_id": quote_id, "speaker": PAYLOAD, CSRF_FIELD: token_of(client)}
    assert client.post("/quote/speaker", data=form).status_code == 303
    for path in ("/quotes", "/quotes.json", "/quotes.atom",  # a CSV cell holds text as is
                 f"/article/{quote(quote_id.rpartition('#')[0], safe='')}",
                 "/quotes/values/speaker"):
        assert_served_safely(client.get(path), payload_sent=True)


@SETTINGS
@given(
    label=st.text(max_size=40) | st.sampled_from([PAYLOAD, " ", "war"]),
    keywords=st.text(max_size=40) | st.sampled_from([PAYLOAD, "", "war, peace"]),
    query=st.text(max_size=40) | st.sampled_from([PAYLOAD, "", "(((", "war AND"]),
)
def test_topics_of_any_label_keywords_or_query_never_fail_and_stay_inert(
    deciding, label, keywords, query
):
    client, folder = deciding
    # Hypothesis seeds `random` alike for every example, and Whoosh names new segments with it:
    # the same name twice in one folder fails a commit. A server's names are random.
    random.seed()
    form = {"label": label, "keywords": keywords, "query": query, CSRF_FIELD: token_of(client)}
    response = client.post("/topics", data=form)
    assert response.status_code in (303, 400), response.get_data(as_text=True)[:300]
    assert_served_safely(client.get("/topics"), PAYLOAD in label + keywords + query)
    if (folder / "topics.json").exists():
        json.loads((folder / "topics.json").read_text(encoding="utf-8"))
    removed = client.post("/topics/remove", data={"label": label, CSRF_FIELD: token_of(client)})
    assert removed.status_code in (303, 404)


def save(client, name: str, url: str) -> int:
    response = client.post("/saved", data={"name": name, "url": url, CSRF_FIELD: token_of(client)})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rsplit("#s", 1)[1])


def test_markup_in_saved_search_names_is_inert_in_page_json_and_atom(client):
    name = f"{PAYLOAD} & <b>bold</b> \x01 ' OR 1=1; --"
    saved_id = save(client, name, "/search?q=Putin")
    page = client.get("/saved")
    assert_served_safely(page, True)
    assert "&lt;script&gt;alert(7)&lt;/script&gt;" in page.get_data(as_text=True)
    names = [s["name"] for s in client.get("/saved.json").get_json()["saved"]]
    assert any(n.startswith(PAYLOAD) for n in names)  # stored verbatim, escaped on the way out
    feed = client.get(f"/saved/{saved_id}.atom")
    assert_served_safely(feed, True)
    title = ET.fromstring(feed.get_data()).find("{http://www.w3.org/2005/Atom}title").text
    assert title.startswith(PAYLOAD)  # text in XML, not markup


def test_markup_in_articles_and_entity_names_is_inert_everywhere(client):
    for url in (
        "/search?q=Jane", "/search.atom?q=Jane", "/quotes?q=browser", "/quotes.atom?q=browser",
        "/article/markup-test", "/person/Jane%20Doe", "/search?source=Test%20%3Cem%3ESource",
    ):
        body = assert_served_safely(client.get(url, follow_redirects=True), False)
        assert "<script>alert(" not in body and "<img src=x" not in body, url
        assert "javascript:alert" not in body or url.endswith(".atom"), url


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(client):
    response = client.get("/search.csv?q=spreadsheet")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["title"] for r in rows) == sorted("'" + t for t in FORMULA_TITLES)
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values()), row


def test_no_debug_mode_and_errors_show_no_traceback(app, client, monkeypatch):
    assert not app.debug and not app.config.get("DEBUG") and not app.testing
    import web.views

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(web.views, "search_page", boom)
    response = client.get("/search?q=war")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body


def test_the_server_binds_loopback_unless_told_otherwise():
    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"


SQL_CALLS = ("execute", "executemany", "executescript")


def test_sqlite_is_only_given_constant_sql_with_bound_parameters():
    """Grep level: every execute() in the code gets a literal (or a module constant) as SQL."""
    found = 0
    for path in sorted([*(ROOT / "web").rglob("*.py"), *(ROOT / "indexer").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            t.id
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in SQL_CALLS:
                found += 1
                sql = node.args[0] if node.args else None
                literal = isinstance(sql, ast.Constant) and isinstance(sql.value, str)
                named = isinstance(sql, ast.Name) and sql.id in constants
                assert literal or named, f"{path.name}:{node.lineno}: SQL built at run time"
    assert found, "no SQL found: the test would pass vacuously"


def test_sql_metacharacters_in_names_and_urls_are_data(client):
    name = "x'); DROP TABLE saved; --"
    saved_id = save(client, name, "/search?q=%27%29%3B+DROP+TABLE+saved%3B+--")
    rows = client.get("/saved.json").get_json()["saved"]
    assert any(r["name"] == name for r in rows)
    assert client.get(f"/saved/{saved_id}").status_code in (302, 303)


# -- a real server over loopback -------------------------------------------------------------------


@pytest.fixture(scope="module", params=MODES)
def server(index, tmp_path_factory, request):
    port = free_port()
    folder = served_copy(index, tmp_path_factory, request.param)
    proc = subprocess.Popen(
        [*cli(folder, "serve", "--port", str(port))],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    wait_until_listening(port, proc)
    yield port, proc, request.param
    proc.terminate()
    proc.wait(timeout=30)


def listening_addresses(port: int) -> set[str]:
    """Local addresses of listening TCP sockets on a port, from /proc/net/tcp{,6}."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                out.add(address)
    return out


def test_the_real_server_listens_on_loopback_only(server):
    port, _, _ = server
    assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1


RAW_REQUESTS = [
    "/search?q=%ff%fe%00", "/search?q=" + "a" * 8000, "/search?" + "&".join(["q=x"] * 500),
    "/search?page=-1&per_page=999999999999", "/search.json?q=%22%28%5B", "/../../etc/passwd",
    "/article/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/person/%00", "/saved/99999999999999999999",
    "/saved/-1.atom", "/search.atom?q=" + quote(PAYLOAD), "/quotes.csv?speaker=" + "-" * 900,
    "/static/../indexer/store.py", "/%", "/search?q=%", "/topic/" + "x" * 4000,
]


def raw_get(port: int, target: str, method: str = "GET", body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


RAW_BYTES = [
    b"GET /search?q=\x80\xff HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /person/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /article/\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /search HTTP/1.1\r\nHost: x\r\nCookie: session=" + b"A" * 5000 + b"\r\n\r\n",
    b"GET /search HTTP/1.1\r\nHost: x\r\nX-Big: " + b"B" * 300_000 + b"\r\n\r\n",
    b"POST /saved HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GARBAGE\r\n\r\n",
]


def raw_bytes(port: int, request: bytes) -> bytes:
    """Send bytes as they are; the status line (empty if the server just closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        try:
            sock.sendall(request)
        except OSError:  # the server may hang up on an oversized header before reading it all
            pass
        data = b""
        while b"\r\n" not in data:
            try:
                chunk = sock.recv(4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0]


def test_raw_byte_requests_to_the_real_server_are_refused_cleanly(server):
    port, proc, _ = server
    for request in RAW_BYTES:
        status = raw_bytes(port, request)
        assert re.match(rb"HTTP/1\.[01] [1-4]\d\d ", status), (request[:60], status)
    assert raw_bytes(port, RAW_BYTES[0]).startswith(b"HTTP/1.1 400")
    assert proc.poll() is None


def test_raw_hostile_requests_to_the_real_server_never_give_a_500(server):
    port, proc, mode = server
    anonymous = {"single user": 400, "accounts": 401}[mode]  # no token / not logged in
    sent = 0
    for target in RAW_REQUESTS:
        status, body = raw_get(port, target)
        sent += 1
        assert status < 500 and b"Traceback" not in body, (target, status, body[:200])
    hostile_posts = [
        ("/saved", b"name=x&url=/search"),  # no token
        ("/saved", b"csrf_token=forged&name=x&url=/search"),
        ("/saved/1/delete", b""),
        ("/saved", b"x" * (200 * 1024)),  # above the form size limit
        ("/search", b"q=war"),  # POST to a GET route
    ]
    for target, body in hostile_posts:
        status, data = raw_get(
            port, target, "POST", body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        sent += 1
        assert status in (anonymous, 405, 413), (target, status)
        assert b"Traceback" not in data
    assert proc.poll() is None  # still serving
    assert sent == len(RAW_REQUESTS) + len(hostile_posts)
