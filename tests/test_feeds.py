"""`newsindex fetch`: feeds in every format and their pages, served by a real HTTP server on
loopback, fetched politely, extracted, annotated by real spaCy and indexed into a real Whoosh
index; the bad cases each with its reason, and nothing indexed lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from html import escape

import pytest

from indexer.cli import main
from indexer.sources.feeds import FeedBook, parse_feed, read_opml
from indexer.sources.fetch import FetchError, Page, PoliteClient, Politeness
from tests.feed_server import FeedServer, Route, flaky, huge, slow

# Stories written for these tests (invented people and places).
STORIES = [
    ("Harbour council approves new ferry timetable", "2026-03-02", "Maria Jensen", [
        "The harbour council of Port Elsworth voted on Tuesday to approve a new ferry "
        "timetable that adds four evening crossings to the islands from the first of May.",
        "Council leader Maria Jensen said the change followed two years of complaints from "
        "commuters who were stranded after the last boat left at six o'clock.",
        "The operator, Northern Sound Ferries, will lease a second vessel for the summer "
        "season and hire twelve additional crew members, according to the council papers.",
    ]),
    ("Library reopens after flood repairs", "2026-03-05", "Tom Okafor", [
        "The central library in Dunmore reopened its doors on Saturday, eight months after a "
        "burst water main flooded the basement archive and the children's reading room.",
        "Head librarian Tom Okafor thanked volunteers who dried more than three thousand "
        "books by hand and said most of the local history collection had been saved.",
        "Visitors queued before opening time, and the new reading room was full by noon.",
    ]),
    ("Cyclists ride across the valley for charity", "2026-03-09", "Ana Ruiz", [
        "More than four hundred cyclists rode the ninety kilometres across the Aller valley "
        "on Sunday to raise money for the regional children's hospital.",
        "Organiser Ana Ruiz said the riders had collected pledges worth over sixty thousand "
        "euros, the largest sum in the ride's eleven-year history.",
        "Heavy rain in the afternoon slowed the final climb, but every rider finished.",
    ]),
    ("School kitchens switch to local produce", "2026-03-12", "Ilse Brandt", [
        "Primary schools across the Fenwick district will serve meals made with vegetables "
        "from nearby farms from next term, the education board announced on Thursday.",
        "Board member Ilse Brandt said the contracts would cost slightly more but would cut "
        "transport and give pupils fresher food throughout the year.",
        "Farmers welcomed the decision and invited classes to visit during the harvest.",
    ]),
    ("Observatory opens its telescope to the public", "2026-03-15", "Ravi Menon", [
        "The hilltop observatory at Carrow will open its main telescope to the public on "
        "clear Friday evenings, starting next month, its director said on Monday.",
        "Director Ravi Menon said demand had grown since a bright comet drew crowds last "
        "autumn, and that volunteers would guide visitors through the night sky.",
        "Tickets will be free for children under twelve and for local students.",
    ]),
    ("Market traders protest new parking charges", "2026-03-18", "Lena Fischer", [
        "Traders at the Saturday market in Holbrook closed their stalls for an hour in "
        "protest at new parking charges they say are driving customers away.",
        "Spokeswoman Lena Fischer said takings had fallen by a fifth since the charges began "
        "and asked the town council to restore two free hours on market days.",
        "The council said it would review the charges at its meeting in April.",
    ]),
]


def page(title: str, date: str, author: str, paragraphs: list[str], charset: str = "utf-8",
         extra: str = "") -> bytes:
    """A news page as publishers write them: head metadata, navigation, the article, a footer."""
    body = "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}"><title>{escape(title)} | Valley Courier</title>
<meta property="og:site_name" content="Valley Courier">
<meta name="author" content="{escape(author)}">
{f'<meta property="article:published_time" content="{date}T08:00:00Z">' if date else ""}
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{escape(title)}</h1>{body}{extra}</article>
<footer>Valley Courier, all rights reserved</footer></body></html>"""
    return html.encode(charset)


def story_page(n: int, **kwargs) -> bytes:
    return page(*STORIES[n], **kwargs)


def rss20(title: str, items: list[dict]) -> bytes:
    entries = "".join(
        "<item>"
        + (f"<guid>{escape(i['guid'])}</guid>" if i.get("guid") else "")
        + (f"<link>{escape(i['link'])}</link>" if i.get("link") else "")
        + f"<title>{escape(i.get('title', ''))}</title>"
        + (f"<description>{escape(i['text'])}</description>" if i.get("text") else "")
        + "<pubDate>Mon, 02 Mar 2026 08:00:00 GMT</pubDate></item>"
        for i in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>http://example.org/</link>"
            f"<description>test</description>{entries}</channel></rss>").encode()


def rss091(title: str, items: list[dict]) -> bytes:
    entries = "".join(f"<item><title>{escape(i['title'])}</title><link>{escape(i['link'])}</link>"
                      "</item>" for i in items)
    return (f'<?xml version="1.0"?><rss version="0.91"><channel><title>{escape(title)}</title>'
            f"<link>http://example.org/</link><description>test</description>"
            f"<language>en</language>{entries}</channel></rss>").encode()


def rss10(title: str, items: list[dict]) -> bytes:
    entries = "".join(
        f'<item rdf:about="{escape(i["link"])}"><title>{escape(i["title"])}</title>'
        f'<link>{escape(i["link"])}</link><dc:date>2026-03-05T08:00:00Z</dc:date></item>'
        for i in items)
    return ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="http://example.org/"><title>{escape(title)}</title>'
            f"<link>http://example.org/</link><description>test</description></channel>"
            f"{entries}</rdf:RDF>").encode()


def atom(title: str, items: list[dict]) -> bytes:
    entries = "".join(
        f"<entry><id>{escape(i.get('guid') or i['link'])}</id><title>{escape(i['title'])}</title>"
        f'<link rel="alternate" href="{escape(i["link"])}"/>'
        "<updated>2026-03-09T08:00:00Z</updated></entry>" for i in items)
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>urn:test</id>"
            f"<updated>2026-03-09T08:00:00Z</updated>{entries}</feed>").encode()


def json_feed(title: str, items: list[dict]) -> bytes:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": title,
        "items": [{"id": i.get("guid") or i.get("link") or i["title"], "title": i["title"],
                   **({"url": i["link"]} if i.get("link") else {}),
                   **({"content_text": i["text"]} if i.get("text") else {}),
                   "date_published": "2026-03-12T08:00:00Z",
                   "authors": [{"name": "Desk"}]} for i in items],
    }).encode()


def item(server: FeedServer, n: int, path: str | None = None, **extra) -> dict:
    """A feed item for story n, its page served at path (default /story/n)."""
    path = path or f"/story/{n}"
    server.routes.setdefault(path, Route(story_page(n)))
    return {"guid": f"urn:story:{path}", "link": server.base + path, "title": STORIES[n][0],
            **extra}


@pytest.fixture
def server():
    srv = FeedServer().start()
    srv.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    yield srv
    srv.stop()


def fetch(index, *args: str, capsys=None) -> tuple[int, list[str], list[str]]:
    """`newsindex fetch` in this process (quick: no delay between requests to loopback)."""
    code = main(["--index", str(index), "fetch", "--delay", "0", "--timeout", "1.5", *args])
    out, err = capsys.readouterr() if capsys else ("", "")
    return code, out.splitlines(), err.splitlines()


def indexed(index) -> dict[str, dict]:
    """The records in the index, by URL (or id when they have none)."""
    from indexer.store import Store

    return {r.get("url") or r["id"]: r for r in Store.open_existing(index).records()}


def conditional(server: FeedServer, path: str) -> list[bool]:
    """For each request of path: whether it was conditional (If-None-Match or -Modified-Since)."""
    return [bool(r.headers.get("if-none-match") or r.headers.get("if-modified-since"))
            for r in server.log if r.path == path]


def test_second_fetch_is_conditional_fetches_no_page_then_one_new_item_adds_one(
        server, tmp_path, capsys):
    index = tmp_path / "index"
    items = [item(server, 0), item(server, 1)]
    server.routes["/feed.xml"] = Route(rss20("Valley Courier", items), "application/rss+xml",
                                       validators=True)
    feed = server.base + "/feed.xml"
    code, out, _ = fetch(index, feed, capsys=capsys)
    assert code == 0
    assert out[0] == f"{feed}: new 2, unchanged 0, failed 0"
    assert out[-1] == "indexed 2, updated 0, unchanged 0, failed 0"
    first = indexed(index)
    assert {r["title"] for r in first.values()} == {STORIES[0][0], STORIES[1][0]}
    assert first[server.base + "/story/0"]["published"] == "2026-03-02"
    assert "User-Agent" and all(r.headers["user-agent"].startswith("newsindex/")
                                for r in server.log)

    server.log.clear()
    code, out, _ = fetch(index, feed, capsys=capsys)
    assert code == 0 and out[0] == f"{feed}: not modified (304)"
    assert out[-1] == "indexed 0, updated 0, unchanged 0, failed 0"
    assert [p for p in server.paths() if p.startswith("/story/")] == []
    assert conditional(server, "/feed.xml") == [True]

    server.log.clear()
    server.routes["/feed.xml"] = Route(rss20("Valley Courier", [item(server, 2), *items]),
                                       "application/rss+xml", validators=True)
    code, out, _ = fetch(index, feed, capsys=capsys)
    assert code == 0 and out[0] == f"{feed}: new 1, unchanged 2, failed 0"
    assert out[-1] == "indexed 1, updated 0, unchanged 0, failed 0"
    assert [p for p in server.paths() if p.startswith("/story/")] == ["/story/2"]
    assert conditional(server, "/feed.xml") == [True]  # sent, the server answered 200
    assert len(indexed(index)) == 3


def test_every_feed_format_and_an_opml_list(server, tmp_path, capsys):
    formats = {"/rss091.xml": (rss091, "application/rss+xml"),
               "/rss10.rdf": (rss10, "application/rdf+xml"),
               "/atom.xml": (atom, "application/atom+xml"),
               "/feed.json": (json_feed, "application/feed+json")}
    for n, (path, (make, kind)) in enumerate(formats.items()):
        server.routes[path] = Route(make(f"Feed {n}", [item(server, n)]), kind)
    outlines = "".join(f'<outline text="f" type="rss" xmlUrl="{server.base}{p}"/>'
                       for p in formats)
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head>'
                    f"<body><outline text='group'>{outlines}</outline></body></opml>")
    assert read_opml(opml.read_bytes(), str(opml)) == [server.base + p for p in formats]
    code, out, err = fetch(tmp_path / "index", str(opml), capsys=capsys)
    assert code == 0, err
    assert out[:4] == [f"{server.base}{p}: new 1, unchanged 0, failed 0" for p in formats]
    assert {r["title"] for r in indexed(tmp_path / "index").values()} == {
        STORIES[n][0] for n in range(4)}
    book = FeedBook(tmp_path / "index").feeds
    assert {book[server.base + p]["title"] for p in formats} == {f"Feed {n}" for n in range(4)}
    assert all(book[server.base + p]["last_fetched"] for p in formats)

    from web import create_app

    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True}).test_client()
    rows = client.get("/feeds.json").get_json()["feeds"]
    assert {r["url"]: r["result"] for r in rows} == {
        server.base + p: "new 1, unchanged 0, failed 0" for p in formats}
    assert all(r["last_fetched"].startswith(str(time.gmtime().tm_year)) for r in rows)
    html = client.get("/feeds").get_data(as_text=True)
    assert all(f"Feed {n}</a>" in html for n in range(4))
    assert rows[0]["last_fetched"].replace("T", " ").replace("+00:00", "") in html


def test_bad_feeds_each_fail_with_their_reason_and_the_exit_code_says_so(
        server, tmp_path, capsys):
    server.routes["/bozo.xml"] = Route(b"<rss version='2.0'><channel><title>x</title><item>"
                                       b"<title>a &nbsp b</title>", "application/rss+xml")
    server.routes["/garbage.xml"] = Route(b"<?xml version='1.0'?><rss version='2.0'><chan",
                                          "application/rss+xml")
    server.routes["/empty.xml"] = Route(rss20("Nothing yet", []), "application/rss+xml")
    server.routes["/page.html"] = Route(story_page(0))
    server.routes["/gone.xml"] = Route(b"", status=410)
    server.routes["/broken.xml"] = Route(b"", status=500)
    server.routes["/slow.xml"] = Route(handler=slow(4))
    server.routes["/loop/a"] = Route(status=302, headers={"Location": "/loop/b"})
    server.routes["/loop/b"] = Route(status=302, headers={"Location": "/loop/a"})
    server.routes["/private/feed.xml"] = Route(rss20("x", []), "application/rss+xml")
    names = ["/bozo.xml", "/garbage.xml", "/empty.xml", "/page.html", "/gone.xml", "/missing.xml",
             "/broken.xml", "/slow.xml", "/loop/a", "/private/feed.xml"]
    started = time.monotonic()
    code, out, err = fetch(tmp_path / "index", *[server.base + n for n in names],
                           capsys=capsys)
    lines = dict(line.split(": ", 1) for line in out[:-1])
    result = {n: lines[server.base + n] for n in names}
    assert code == 1
    assert result["/bozo.xml"] == ("new 0, unchanged 0, failed 0, skipped 1 (item without a link "
                                   "or text) (not well-formed: <unknown>:2:64: not well-formed "
                                   "(invalid token))")
    assert result["/garbage.xml"].startswith("failed: malformed feed: ")
    assert result["/empty.xml"] == "new 0, unchanged 0, failed 0 (empty feed: no items)"
    assert result["/page.html"] == "failed: not a feed: an HTML page (text/html)"
    assert result["/gone.xml"] == "failed: HTTP 410 Gone"
    assert result["/missing.xml"] == "failed: HTTP 404 Not Found"
    assert result["/broken.xml"] == "failed: HTTP 500 Internal Server Error after 3 tries"
    assert result["/slow.xml"] == "failed: timed out after 1.5 s"
    assert result["/loop/a"].startswith("failed: redirect loop: ")
    assert result["/private/feed.xml"] == "failed: disallowed by robots.txt"
    assert "/private/feed.xml" not in server.paths()
    assert out[-1] == "indexed 0, updated 0, unchanged 0, failed 8"
    assert len(err) == 9 and all(line.startswith(server.base) for line in err)  # + the item
    assert time.monotonic() - started < 25


def test_bad_pages_each_give_a_reason_and_nothing_indexed_is_lost(server, tmp_path, capsys):
    index = tmp_path / "index"
    cp1252 = story_page(3, charset="windows-1252", extra="<p>Caf\u00e9 owners cheered.</p>")
    server.routes["/wrong-charset"] = Route(cp1252, "text/html; charset=utf-8")
    server.routes["/no-charset"] = Route(story_page(4, extra="<p>Na\u00efve caf\u00e9.</p>"),
                                         "text/html")
    server.routes["/pdf"] = Route(b"%PDF-1.4", "application/pdf")
    server.routes["/huge"] = Route(handler=huge(50 * 1024 * 1024, announce=True))
    server.routes["/huge-unannounced"] = Route(handler=huge(50 * 1024 * 1024, announce=False))
    server.routes["/busy"] = Route(handler=flaky(1, 429, "1", Route(story_page(5))))
    items = [item(server, 0), item(server, 3, "/wrong-charset"), item(server, 4, "/no-charset"),
             item(server, 1, "/pdf"), item(server, 1, "/huge"),
             item(server, 1, "/huge-unannounced"), item(server, 1, "/gone"),
             item(server, 5, "/busy"),
             {"guid": "urn:no-link", "title": "No link"},
             {"guid": "urn:text-only", "title": "Brief: bridge closed",
              "text": "The old bridge at Carrow is closed for repairs until Friday, the "
                      "roads office of the county said."},
             item(server, 0)]  # the same guid again
    del server.routes["/gone"]  # a link to nothing
    server.routes["/feed.xml"] = Route(rss20("Mixed", items), "application/rss+xml",
                                       validators=True)
    feed = server.base + "/feed.xml"
    code, out, err = fetch(index, feed, "--max-mb", "1", capsys=capsys)
    assert code == 1
    assert out[0].startswith(f"{feed}: new 5, unchanged 0, failed 4 (")
    assert "skipped 2 (duplicate id urn:story:/story/0; item without a link or text)" in out[0]
    errors = "\n".join(err)
    assert f"{server.base}/pdf: not HTML (application/pdf)" in errors
    assert f"{server.base}/huge: too large ({50 * 1024 * 1024} bytes > 1048576)" in errors
    assert f"{server.base}/huge-unannounced: too large (over 1048576 bytes)" in errors
    assert f"{server.base}/gone: HTTP 404 Not Found" in errors
    records = indexed(index)
    assert "Café owners cheered." in records[server.base + "/wrong-charset"]["body"]
    assert "Naïve café." in records[server.base + "/no-charset"]["body"]
    assert records[server.base + "/busy"]["title"] == STORIES[5][0]  # after its Retry-After
    assert [r for r in records.values() if r["title"] == "Brief: bridge closed"]
    assert len(records) == 5

    # The page of an indexed item disappears, the one that was missing appears: the next run
    # refetches only what failed for a reason that may pass, and loses nothing.
    del server.routes["/story/0"]
    server.routes["/gone"] = Route(story_page(2))
    server.log.clear()
    code, out, err = fetch(index, feed, "--max-mb", "1", capsys=capsys)
    assert conditional(server, "/feed.xml") == [False]  # an item was left to retry
    assert sorted(p for p in server.paths() if p not in ("/robots.txt", "/feed.xml")) == [
        "/gone"]
    assert out[0].startswith(f"{feed}: new 1, unchanged 9, failed 0")
    assert code == 0
    records = indexed(index)
    assert len(records) == 6 and server.base + "/story/0" in records


def test_an_interrupted_fetch_resumes_without_duplicates(server, tmp_path):
    """The first run is killed after its first commit: the second indexes the rest, once each,
    and does not fetch again the pages already indexed."""
    index = tmp_path / "index"
    server.routes["/story/5"] = Route(handler=slow(30))
    items = [item(server, n) for n in range(6)]
    server.routes["/feed.xml"] = Route(rss20("Six", items), "application/rss+xml",
                                       validators=True)
    cmd = [sys.executable, "-m", "indexer", "--index", str(index), "fetch", "--delay", "0",
           "--timeout", "60", "--concurrency", "1", "--commit-every", "1", "--batch-size", "1",
           server.base + "/feed.xml"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.5)
        try:
            if indexed(index):
                break
        except Exception:  # no index yet
            pass
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    done = FeedBook(index).feeds[server.base + "/feed.xml"]
    assert "etag" not in done  # the run did not finish: no conditional GET may hide an item
    first = set(indexed(index))
    assert 1 <= len(first) <= 5

    server.routes["/story/5"] = Route(story_page(5))
    server.log.clear()
    code = main(["--index", str(index), "fetch", "--delay", "0", server.base + "/feed.xml"])
    assert code == 0
    records = indexed(index)
    assert len(records) == 6
    refetched = {server.base + p for p in server.paths() if p.startswith("/story/")}
    assert not refetched & first


def test_polite_client_waits_per_host_and_honours_retry_after(server):
    server.routes["/a"] = Route(b"ok", "text/plain")
    server.routes["/busy"] = Route(handler=flaky(1, 503, "1", Route(b"ok", "text/plain")))
    with PoliteClient(Politeness(delay=0.3, contact="mailto:desk@example.org")) as client:
        started = time.monotonic()
        for _ in range(3):
            assert client.get(server.base + "/a").body == b"ok"
        assert time.monotonic() - started >= 0.6
        started = time.monotonic()
        assert client.get(server.base + "/busy").status == 200
        assert time.monotonic() - started >= 1.0
    assert server.log[-1].headers["user-agent"].endswith("(+mailto:desk@example.org)")
    server.routes["/robots.txt"] = Route(b"User-agent: *\nCrawl-delay: 1\n", "text/plain")
    with PoliteClient(Politeness(delay=0, max_wait=5)) as client:
        started = time.monotonic()
        client.get(server.base + "/a")
        client.get(server.base + "/a")
        assert time.monotonic() - started >= 1.0  # the site's Crawl-delay, not our 0
        server.routes["/later"] = Route(handler=flaky(9, 429, "3600", Route(b"")))
        with pytest.raises(FetchError, match="Retry-After 3600 s is too long"):
            client.get(server.base + "/later")


def test_a_json_feed_that_is_not_json_is_a_reason():
    page = Page("http://x/feed.json", 200, __import__("httpx").Headers(
        {"content-type": "application/feed+json"}), b"{not json")
    with pytest.raises(Exception, match="malformed JSON Feed"):
        parse_feed(page)


def test_fetch_every_keeps_going_until_stopped(server, tmp_path):
    server.routes["/feed.xml"] = Route(rss20("Quiet", []), "application/rss+xml",
                                       validators=True)
    cmd = [sys.executable, "-m", "indexer", "--index", str(tmp_path / "index"), "fetch",
           "--every", "1s", "--delay", "0", server.base + "/feed.xml"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    deadline = time.monotonic() + 60
    while server.paths().count("/feed.xml") < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert server.paths().count("/feed.xml") >= 3
    assert conditional(server, "/feed.xml")[1:] == [True] * (len(conditional(server,
                                                                           "/feed.xml")) - 1)
    assert proc.returncode == 0
    assert out.count("indexed 0, updated 0, unchanged 0, failed 0") >= 2


def test_every_takes_units_and_refuses_nonsense(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["fetch", "--every", "soon", "http://127.0.0.1:9/feed"])
    assert exc.value.code == 2
    assert "--every takes e.g. 30s, 15m" in capsys.readouterr().err
