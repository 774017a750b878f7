"""Editors on a real server: correcting who spoke a quotation, and the index's own topics.

A real index of the web test corpus (annotated by the real pipeline through `newsindex index`),
served by a real threaded WSGI server with accounts; requests go over HTTP with a cookie jar, as
a browser's would.
A correction must show at once in the speaker facet, the quotes JSON and the article page, hold
when the same files are indexed again (also into a new folder restored from `export --settings`,
where every article is annotated afresh), and be refused to readers and read-only servers.
"""

from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import re
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from indexer.cli import main as newsindex
from tests.conftest import web_corpus
from web import create_app
from web.accounts import Accounts
from web.security import CSRF_FIELD

PASSWORD = "editors password"
USERS = {"alice": "reader", "eve": "editor"}
NEW_SPEAKER = "Jane Roe"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    return [str(p) for p in web_corpus(tmp_path_factory.mktemp("editors") / "corpus")]


@pytest.fixture(scope="module")
def indexed(corpus, tmp_path_factory) -> Path:
    """The corpus indexed once by `newsindex index` (the real pipeline)."""
    folder = tmp_path_factory.mktemp("editors-index") / "index"
    assert newsindex(["--index", str(folder), "index", *corpus]) == 0
    return folder


@pytest.fixture
def folder(indexed, tmp_path) -> Path:
    copy = Path(shutil.copytree(indexed, tmp_path / "index"))
    accounts = Accounts(copy)
    for name, role in USERS.items():
        accounts.add(name, role, PASSWORD)
    return copy


@contextmanager
def served(folder: Path, **config):
    """A real threaded WSGI server (werkzeug's, which stops cleanly) on a free loopback port."""
    srv = make_server("127.0.0.1", 0, create_app({"INDEX_DIR": str(folder), **config}),
                      threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        thread.join()
        srv.server_close()


class Browser:
    """HTTP with cookies against one server; no redirects followed unless asked."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def open(self, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data) as response:
                return response.status, response.read().decode("utf-8"), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8"), dict(exc.headers)

    def json(self, path: str) -> dict:
        status, body, _ = self.open(path)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)

    def token(self, path: str = "/search") -> str:
        return re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', self.open(path)[1])[1]

    def post(self, path: str, form: dict, page: str = "/search") -> tuple[int, str, dict]:
        return self.open(path, dict(form, **{CSRF_FIELD: self.token(page)}))

    def log_in(self, name: str) -> Browser:
        status, _, _ = self.post("/login", {"name": name, "password": PASSWORD}, "/login")
        assert status == 303
        return self


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def speakers(browser: Browser, query: str = "") -> dict[str, int]:
    result = browser.json(f"/quotes.json?per_page=100{query}")
    return {item["value"]: item["count"] for item in result["facets"]["speaker"]}


def a_quote(browser: Browser) -> dict:
    """A quotation attributed to someone, from an article with more than one quotation."""
    hits = browser.json("/quotes.json?per_page=100&sort=newest")["hits"]
    return next(h for h in hits if h["speaker"] and h["speaker"] != NEW_SPEAKER
                and int(h["id"].rpartition("#q")[2]) > 0)


def article_path(quote: dict) -> str:
    return "/article/" + urllib.parse.quote(quote["article_id"], safe="")


def assert_corrected(browser: Browser, quote: dict, speaker: str | None, was: str) -> None:
    """The facet, the quotes JSON and the article page all say who spoke it now."""
    facet = speakers(browser)
    hits = browser.json("/quotes.json?per_page=100")["hits"]
    hit = next(h for h in hits if h["id"] == quote["id"])
    assert hit["speaker"] == speaker
    assert hit["corrected"]["by"] == "eve" and hit["corrected"]["was"] == was
    if speaker:
        assert facet[speaker] >= 1
        by_speaker = browser.json("/quotes.json?per_page=100&speaker="
                                  + urllib.parse.quote(speaker))["hits"]
        assert quote["id"] in {h["id"] for h in by_speaker}
    by_was = browser.json("/quotes.json?per_page=100&speaker=" + urllib.parse.quote(was))
    assert quote["id"] not in {h["id"] for h in by_was["hits"]}
    record = browser.json(article_path(quote) + ".json")
    number = int(quote["id"].rpartition("#q")[2])
    assert record["quotes"][number]["speaker"] == speaker
    page = browser.open(article_path(quote))[1]
    assert "corrected by eve" in page
    status, text, _ = browser.open("/quotes.csv")
    assert status == 200
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["id"] == quote["id"])
    found = (row["speaker"], row["corrected_by"], row["speaker_found"])
    assert found == (speaker or "", "eve", was)
    assert row["corrected_at"] == hit["corrected"]["at"]


def test_an_editor_corrects_a_speaker_and_it_holds_through_reindexing_and_export(
    folder, corpus, tmp_path
):
    with served(folder) as base:
        eve = Browser(base).log_in("eve")
        quote = a_quote(eve)
        was = quote["speaker"]
        before = speakers(eve)
        assert NEW_SPEAKER not in before
        page = eve.open(article_path(quote))[1]
        assert page.count('class="correct-speaker"') >= 2 and 'id="speaker-names"' in page
        status, _, headers = eve.post("/quote/speaker", {
            "quote_id": quote["id"], "speaker": NEW_SPEAKER,
            "next": "/quotes?speaker=" + urllib.parse.quote(was)}, page=article_path(quote))
        assert status == 303 and headers["Location"].startswith("/quotes?speaker=")
        assert_corrected(eve, quote, NEW_SPEAKER, was)
        after = speakers(eve)
        assert after[NEW_SPEAKER] == 1
        assert after.get(was, 0) == before[was] - 1
        # whoever an editor says spoke is among the article's people too
        found = eve.json("/search.json?per_page=100&person=" + urllib.parse.quote(NEW_SPEAKER))
        assert [h["id"] for h in found["hits"]] == [quote["article_id"]]
        page = eve.open(article_path(quote))[1]
        assert 'href="/person/' + urllib.parse.quote(NEW_SPEAKER, safe="") + '"' in page

        # the same files indexed again: nothing changed, the correction is still there
        assert newsindex(["--index", str(folder), "index", *corpus]) == 0
        assert_corrected(eve, quote, NEW_SPEAKER, was)

        # export with settings, and a new folder restored from them annotates every article afresh
        settings = tmp_path / "settings"
        assert newsindex(["--index", str(folder), "export", "-o", str(tmp_path / "r.jsonl"),
                          "--settings", str(settings)]) == 0
        assert (settings / "speakers.json").exists()
        exported = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
        number = int(quote["id"].rpartition("#q")[2])
        kept = next(r for r in exported if r["id"] == quote["article_id"])["quotes"][number]
        assert kept["speaker"] == NEW_SPEAKER and kept["corrected"]["was"] == was

        # correcting it to "no speaker": the facet loses the name, the quote keeps its mark
        status, _, _ = eve.post("/quote/speaker", {"quote_id": quote["id"], "none": "1"})
        assert status == 303
        assert_corrected(eve, quote, None, was)
        assert NEW_SPEAKER not in speakers(eve)
        assert not eve.json("/search.json?person=" + urllib.parse.quote(NEW_SPEAKER))["hits"]
        audit = Accounts(folder).audit()
        assert [e for e in audit if e["action"] == "speaker" and e["actor"] == "eve"]

    restored = tmp_path / "restored"
    shutil.copytree(settings, restored)
    (restored / "accounts.sqlite").unlink()  # a server of one user, on loopback
    assert newsindex(["--index", str(restored), "index", *corpus]) == 0
    with served(restored) as base:
        fresh = Browser(base)
        assert speakers(fresh)[NEW_SPEAKER] == 1  # as corrected when the settings were copied
        hit = next(h for h in fresh.json("/quotes.json?per_page=100&speaker="
                                         + urllib.parse.quote(NEW_SPEAKER))["hits"])
        assert hit["id"] == quote["id"] and hit["confidence"] == 1.0


def test_correcting_back_to_the_speaker_found_drops_the_correction(folder):
    with served(folder) as base:
        eve = Browser(base).log_in("eve")
        quote = a_quote(eve)
        eve.post("/quote/speaker", {"quote_id": quote["id"], "speaker": NEW_SPEAKER})
        eve.post("/quote/speaker", {"quote_id": quote["id"], "speaker": quote["speaker"]})
        hit = next(h for h in eve.json("/quotes.json?per_page=100")["hits"]
                   if h["id"] == quote["id"])
        assert hit["speaker"] == quote["speaker"] and hit["corrected"] is None
        assert hit["confidence"] == quote["confidence"]
        assert json.loads((folder / "speakers.json").read_text())["quotes"] == []


def test_readers_read_only_and_public_servers_get_no_controls_and_change_nothing(folder):
    with served(folder) as base:
        alice = Browser(base).log_in("alice")
        quote = a_quote(alice)
        for path in ("/quotes", article_path(quote)):
            status, page, _ = alice.open(path)
            assert status == 200 and "correct-speaker" not in page, path
        status, page, _ = alice.open("/topics")
        assert status == 200 and 'action="/topics' not in page and 'href="/topics"' not in page
        status, _, _ = alice.post("/quote/speaker", {"quote_id": quote["id"], "speaker": "X"})
        assert status == 403
        assert alice.post("/topics", {"label": "x", "keywords": "war"})[0] == 403
    with served(folder, READ_ONLY=True) as base:
        eve = Browser(base).log_in("eve")
        assert "Correct speaker" not in eve.open("/quotes")[1]
        assert eve.post("/quote/speaker", {"quote_id": quote["id"], "speaker": "X"})[0] == 403
        assert eve.post("/topics", {"label": "x", "keywords": "war"})[0] == 403
    with served(folder, READ_ONLY=True, PUBLIC=True) as base:
        anyone = Browser(base)
        assert "Correct speaker" not in anyone.open("/quotes")[1]
        form = {"quote_id": quote["id"], "speaker": "X", CSRF_FIELD: "x"}
        assert anyone.open("/quote/speaker", form)[0] == 404
        assert anyone.open("/topics", {"label": "x", CSRF_FIELD: "x"})[0] == 404
    assert not (folder / "speakers.json").exists() and not (folder / "topics.json").exists()


def test_an_editor_adds_and_removes_topics_and_articles_are_retagged_at_once(folder, tmp_path):
    with served(folder) as base:
        eve = Browser(base).log_in("eve")
        assert "no topics of its own" in eve.open("/topics")[1]
        trump = eve.json("/search.json?q=trump&per_page=1")["total"]
        status, _, headers = eve.post("/topics", {"label": "Kremlin watch", "query": "putin"},
                                      page="/topics")
        assert status == 303 and headers["Location"] == "/topics"
        status, _, _ = eve.post("/topics", {"label": "Trump file", "keywords": "=Trump"},
                                page="/topics")
        assert status == 303
        page = eve.open("/topics")[1]
        assert "Kremlin watch" in page and "query <code>putin</code>" in page
        assert "re-tagged" in page  # the flash says how many articles changed
        topics = {v["value"]: v["count"] for v in eve.json("/search.json")["facets"]["topic"]}
        assert topics["Kremlin watch"] == eve.json("/search.json?q=putin&per_page=1")["total"]
        assert topics["Trump file"] >= 1 and topics["Trump file"] <= trump
        tagged = eve.json("/search.json?topic=Kremlin+watch&per_page=1")["total"]
        assert tagged == topics["Kremlin watch"]
        status, body, _ = eve.post("/topics", {"label": "empty"}, page="/topics")
        assert status == 400 and "either keywords or a query" in body

        assert newsindex(["--index", str(folder), "export", "-o", str(tmp_path / "r.jsonl"),
                          "--settings", str(tmp_path / "settings")]) == 0
        stored = json.loads((tmp_path / "settings" / "topics.json").read_text())["topics"]
        assert {"label": "Kremlin watch", "query": "putin"} in stored

        status, _, _ = eve.post("/topics/remove", {"label": "Kremlin watch"}, page="/topics")
        assert status == 303
        topics = {v["value"]: v["count"] for v in eve.json("/search.json")["facets"]["topic"]}
        assert "Kremlin watch" not in topics and "Trump file" in topics
        assert eve.post("/topics/remove", {"label": "Kremlin watch"}, page="/topics")[0] == 404
        actions = [(e["actor"], e["action"]) for e in Accounts(folder).audit()]
        assert ("eve", "topic add") in actions and ("eve", "topic remove") in actions


def test_the_cli_corrects_a_speaker_too(folder, capsys):
    from indexer.store import Store

    record = next(r for r in Store(folder).records() if r.get("quotes"))
    quote_id = f"{record['id']}#q0"
    assert newsindex(["--index", str(folder), "quotes", "--correct", quote_id,
                      "--speaker", NEW_SPEAKER]) == 0
    assert f"-> {NEW_SPEAKER}" in capsys.readouterr().out
    assert newsindex(["--index", str(folder), "quotes", "--json", "--speaker", NEW_SPEAKER]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert [h["id"] for h in hits] == [quote_id]
    # the records exported and loaded into a folder without the settings keep the correction
    exported, elsewhere = folder.parent / "records.jsonl", folder.parent / "elsewhere"
    assert newsindex(["--index", str(folder), "export", "-o", str(exported)]) == 0
    assert newsindex(["--index", str(elsewhere), "index", str(exported)]) == 0
    capsys.readouterr()
    assert newsindex(["--index", str(elsewhere), "quotes", "--json", "--speaker",
                      NEW_SPEAKER]) == 0
    assert [h["id"] for h in json.loads(capsys.readouterr().out)["hits"]] == [quote_id]
    assert newsindex(["--index", str(folder), "quotes", "--correct", quote_id]) == 2
    assert newsindex(["--index", str(folder), "quotes", "--correct", "nope#q9",
                      "--no-speaker"]) == 2
