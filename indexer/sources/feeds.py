"""Feeds: RSS 0.9x/1.0/2.0 and Atom (by feedparser), JSON Feed (by json) and OPML lists of
feeds become Article records: each new item's page fetched politely and extracted by
trafilatura, the item's own fields filling what the page lacks.

What each feed has given is remembered in `<index>/feeds.json` (written atomically): its
ETag/Last-Modified for a conditional GET, the items already indexed, when it was last fetched
and how that went. An item counts as seen only once its article is committed to the index, so an
interrupted run resumes where it stopped, without duplicates.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from indexer.sources.fetch import FetchError, Page, PoliteClient
from indexer.sources.files import (
    Article,
    SourceError,
    article_id,
    decode,
    decode_page,
    has_words,
    html_article,
    normalise_date,
)

STATE_FILE = "feeds.json"
JSON_FEED_TYPES = ("application/feed+json", "application/json")
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


class FeedError(Exception):
    """A feed that cannot be read at all (the per-feed reason of the summary)."""


@dataclass
class Item:
    """One feed entry: its key (guid/id, else link), link and the fields a page may lack."""

    key: str
    link: str | None
    fields: dict = field(default_factory=dict)  # title, published, author, source, body


@dataclass
class Feed:
    """A parsed feed: its title, items in feed order, and a note when it was not well-formed."""

    title: str
    items: list[Item]
    note: str = ""


def html_text(fragment: str | None) -> str | None:
    """Plain text of a feed's HTML (or plain) content, for an article the page cannot give."""
    if not fragment or not fragment.strip():
        return None
    import trafilatura

    text = trafilatura.html2txt(f"<html><body><div>{fragment}</div></body></html>")
    return text if text and has_words(text) else None


def parse_feed(page: Page) -> Feed:
    """Feed items from a fetched document: JSON Feed by its type or first byte, else feedparser."""
    head = page.body.lstrip()[:1]
    if page.content_type in JSON_FEED_TYPES or head == b"{":
        return parse_json_feed(page)
    import feedparser

    parsed = feedparser.parse(page.body, response_headers={
        "content-type": page.headers.get("content-type", "application/xml"),
        "content-location": page.url,
    })
    problem = parsed.get("bozo_exception")
    if not parsed.entries:
        if not parsed.version and (page.content_type == "text/html" or b"<html" in
                                   page.body[:2048].lower()):
            raise FeedError(f"not a feed: an HTML page ({page.content_type or 'no type'})")
        if not parsed.version:
            raise FeedError(f"not a feed: {problem or 'no RSS, Atom or JSON Feed found'}")
        if parsed.bozo and not isinstance(problem, feedparser.CharacterEncodingOverride):
            raise FeedError(f"malformed feed: {problem}")
    title = parsed.feed.get("title") or urlsplit(page.url).netloc
    items = []
    for entry in parsed.entries:
        content = entry.get("content") or []
        body = html_text(content[0].get("value") if content else entry.get("summary"))
        link = web_link(entry.get("link"))  # feedparser makes a urn: guid the link
        items.append(Item(
            key=entry.get("id") or link or article_id(None, None, entry.get("title", ""), body
                                                      or ""),
            link=link,
            fields={"title": entry.get("title"), "author": entry.get("author"), "body": body,
                    "published": entry.get("published") or entry.get("updated"),
                    "source": title},
        ))
    note = f"not well-formed: {problem}" if parsed.bozo and items else ""
    return Feed(title, items, note)


def parse_json_feed(page: Page) -> Feed:
    """A JSON Feed (https://jsonfeed.org/version/1.1), which feedparser does not read."""
    try:
        data = json.loads(decode(page.body, page.url))
    except (json.JSONDecodeError, SourceError, RecursionError) as exc:
        raise FeedError(f"malformed JSON Feed: {exc}") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
            "https://jsonfeed.org/version/"):
        raise FeedError("not a feed: JSON without a jsonfeed.org version")
    if not isinstance(data.get("items", []), list):
        raise FeedError("malformed JSON Feed: items is not a list")
    title = str(data.get("title") or urlsplit(page.url).netloc)
    items = []
    for entry in data.get("items", []):
        if not isinstance(entry, dict):
            continue
        authors = entry.get("authors") or [entry.get("author") or {}]
        author = ", ".join(a.get("name", "") for a in authors if isinstance(a, dict)) or None
        link = web_link(entry.get("url") or entry.get("external_url"))
        body = html_text(entry.get("content_html")) or html_text(entry.get("content_text"))
        items.append(Item(
            key=str(entry.get("id") or link or ""),
            link=link,
            fields={"title": entry.get("title"), "author": author, "source": title,
                    "published": entry.get("date_published") or entry.get("date_modified"),
                    "body": body or html_text(entry.get("summary"))},
        ))
    return Feed(title, items)


def web_link(link: object) -> str | None:
    """An item's link when it is an http(s) URL a page can be fetched from."""
    if isinstance(link, str) and urlsplit(link.strip()).scheme in ("http", "https"):
        return link.strip()
    return None


def read_opml(data: bytes, where: str) -> list[str]:
    """The feed URLs an OPML document lists (outline elements' xmlUrl, nested or not)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SourceError(where, f"malformed OPML: {exc}") from None
    if root.tag != "opml":
        raise SourceError(where, f"not an OPML file (root element <{root.tag}>)")
    urls = [o.get("xmlUrl", "").strip() for o in root.iter("outline")]
    return list(dict.fromkeys(u for u in urls if u))


def looks_like_opml(data: bytes) -> bool:
    return b"<opml" in data[:4096].lower()


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class FeedBook:
    """What the index folder remembers of each feed (`feeds.json`)."""

    def __init__(self, index_dir: str | os.PathLike) -> None:
        self.path = Path(index_dir) / STATE_FILE
        try:
            self.feeds: dict[str, dict] = json.loads(self.path.read_text("utf-8"))["feeds"]
        except FileNotFoundError:
            self.feeds = {}
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceError(self.path, f"unreadable feed state ({exc}); move it away to "
                              "start afresh") from None
        self.lock = threading.Lock()

    def feed(self, url: str) -> dict:
        return self.feeds.setdefault(url, {"seen": {}})

    def save(self) -> None:
        """Written whole to a temporary file, then renamed: a crash leaves the old or the new."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock:
            text = json.dumps({"feeds": self.feeds}, ensure_ascii=False, indent=1,
                              sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".feeds-", suffix=".json", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)


def last_fetched(index_dir: str | os.PathLike) -> list[dict]:
    """Each feed's title, URL, last fetch time and result, newest first, for the web UI."""
    try:
        feeds = FeedBook(index_dir).feeds
    except SourceError:
        return []
    rows = [{"url": url, "title": f.get("title") or url, "last_fetched": f.get("last_fetched"),
             "result": f.get("result", ""), "ok": f.get("ok", True), "items": len(f["seen"])}
            for url, f in feeds.items()]
    return sorted(rows, key=lambda r: r["last_fetched"] or "", reverse=True)


@dataclass
class Report:
    """One feed's run, for its summary line."""

    url: str
    new: int = 0
    unchanged: int = 0
    failures: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    status: str = ""  # "not modified", or "failed: reason" for the whole feed
    note: str = ""

    @property
    def failed(self) -> bool:
        return self.status.startswith("failed") or bool(self.failures)

    def line(self) -> str:
        if self.status:
            return f"{self.url}: {self.status}"
        parts = [f"new {self.new}", f"unchanged {self.unchanged}",
                 f"failed {sum(self.failures.values())}" + reasons(self.failures)]
        if self.skipped:
            parts.append(f"skipped {sum(self.skipped.values())}" + reasons(self.skipped))
        return f"{self.url}: " + ", ".join(parts) + (f" ({self.note})" if self.note else "")


def reasons(counts: Counter) -> str:
    return " (" + "; ".join(f"{r} ×{n}" if n > 1 else r for r, n in counts.items()) + ")" \
        if counts else ""


class FeedRun:
    """One fetch run over feeds and OPML lists: yields the new items' articles (and a
    SourceError per failure) for ingest, learns from `committed` which are in the index, and
    `finish` stores what was learned."""

    def __init__(self, client: PoliteClient, book: FeedBook, known: dict[str, str],
                 concurrency: int = 4, out: TextIO | None = None) -> None:
        self.client, self.book, self.known = client, book, known
        self.concurrency = max(1, concurrency)
        self.out = out or sys.stdout
        self.pending: dict[str, tuple[str, str]] = {}  # article id -> (feed url, item key)
        self.validators: dict[str, dict] = {}  # feed url -> new ETag/Last-Modified
        self.retry: set[str] = set()  # feeds with items to try again next run
        self.reports: list[Report] = []

    def articles(self, sources: Iterable[str]) -> Iterator[Article | SourceError]:
        """Every new item of every feed the sources name, as Articles or SourceErrors."""
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="fetch")
        try:
            for source in sources:
                for feed_url, page in self.feeds_of(source):
                    yield from self.feed_articles(feed_url, page, pool)
        finally:  # an interrupted run does not wait for pages nobody will index
            pool.shutdown(wait=False, cancel_futures=True)

    def feeds_of(self, source: str) -> Iterator[tuple[str, Page | SourceError | None]]:
        """(feed URL, its fetched page or why not) for a feed URL, an OPML file or OPML URL."""
        if urlsplit(source).scheme not in ("http", "https"):
            path = Path(source)
            try:
                urls = read_opml(path.read_bytes(), source)
            except OSError as exc:
                yield source, SourceError(source, exc.strerror or str(exc))
                return
            except SourceError as exc:
                yield source, exc
                return
            for url in urls:
                yield url, None
            return
        page = self.get_feed(source)
        if isinstance(page, Page) and page.status == 200 and looks_like_opml(page.body):
            try:
                urls = read_opml(page.body, source)
            except SourceError as exc:
                yield source, exc
                return
            for url in urls:
                yield url, None
            return
        yield source, page

    def get_feed(self, url: str) -> Page | SourceError:
        """The feed, conditionally when the last run of it finished cleanly."""
        state = self.book.feed(url)
        headers = {"Accept": FEED_ACCEPT}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("modified"):
            headers["If-Modified-Since"] = state["modified"]
        try:
            return self.client.get(url, headers)
        except FetchError as exc:
            return SourceError(url, exc.reason)

    def feed_articles(self, url: str, page: Page | SourceError | None,
                      pool: ThreadPoolExecutor) -> Iterator[Article | SourceError]:
        report = Report(url)
        self.reports.append(report)
        state = self.book.feed(url)
        page = self.get_feed(url) if page is None else page
        try:
            if isinstance(page, SourceError):
                raise FeedError(page.reason)
            if page.status == 304:
                report.status = "not modified (304)"
                return
            feed = parse_feed(page)
        except FeedError as exc:
            report.status = f"failed: {exc}"
            yield SourceError(url, str(exc))
            return
        finally:
            with self.book.lock:
                state["last_fetched"] = now()
            if report.status:
                self.record(report)
        state["title"], report.note = feed.title, feed.note
        self.validators[url] = {"etag": page.headers.get("etag"),
                                "modified": page.headers.get("last-modified")}
        yield from self.items_articles(url, feed, report, pool)
        if not feed.items:
            report.note = report.note or "empty feed: no items"
        self.record(report)

    def items_articles(self, url: str, feed: Feed, report: Report,
                       pool: ThreadPoolExecutor) -> Iterator[Article | SourceError]:
        """The feed's new items, their pages fetched in parallel (the client keeps each host's
        limits); items in the index already, or seen, are counted, not fetched."""
        seen, todo, keys = self.book.feed(url)["seen"], [], set()
        for item in feed.items:
            if item.key in keys:
                report.skipped[f"duplicate id {item.key}"] += 1
                continue
            keys.add(item.key)
            if item.key in seen:
                report.unchanged += 1
            elif item.link and article_id(None, item.link, "", "") in self.known:
                report.unchanged += 1  # indexed by a run that stopped before it was noted
                self.mark_seen(url, item.key)
            else:
                todo.append(item)
        jobs = {pool.submit(self.item_article, item): item for item in todo}
        for job in as_completed(jobs):
            item = jobs[job]
            result = job.result()
            if isinstance(result, Article):
                report.new += 1
                self.pending[result.id] = (url, item.key)
                yield result
            elif isinstance(result, str):
                report.skipped[result] += 1
                self.mark_seen(url, item.key)
                print(f"{url}: item {item.key}: {result}", file=sys.stderr, flush=True)
            else:
                report.failures[result.reason] += 1
                if result.permanent:
                    self.mark_seen(url, item.key)
                else:
                    self.retry.add(url)
                yield SourceError(result.url, result.reason)

    def item_article(self, item: Item) -> Article | FetchError | str:
        """An item's article from its page, or from the feed's text when it has no link; a
        FetchError when the page fails, a reason string when the item is skipped."""
        fields = item.fields
        if not item.link:
            if not fields.get("body"):
                return "item without a link or text"
            return Article(
                id=article_id(item.key, None, fields.get("title") or "", fields["body"]),
                title=fields.get("title") or "", body=fields["body"],
                published=normalise_date(fields.get("published")), source=fields.get("source"),
                author=fields.get("author"), path=None,
            )
        try:
            page = self.client.get(item.link, {"Accept": "text/html,*/*;q=0.5"}, html=True)
            text = decode_page(page.body, page.charset, page.url)
            return html_article(text, item.link, url=item.link, fallback=fields)
        except FetchError as exc:
            return exc
        except SourceError as exc:
            return FetchError(item.link, exc.reason, permanent=True)
        except Exception as exc:  # a library failure on one page must not stop the run
            return FetchError(item.link, f"unreadable: {type(exc).__name__}: {exc}")

    def mark_seen(self, url: str, key: str) -> None:
        with self.book.lock:
            self.book.feed(url)["seen"][key] = now()[:10]

    def committed(self, record: dict) -> None:
        """ingest's word that an article is in the index: its item is seen from now on."""
        where = self.pending.pop(record["id"], None)
        if where:
            self.mark_seen(*where)

    def record(self, report: Report) -> None:
        """The feed's summary line, printed and kept as its last result."""
        print(report.line(), file=self.out, flush=True)
        with self.book.lock:
            state = self.book.feed(report.url)
            state["result"] = report.line()[len(report.url) + 2:]
            state["ok"] = not report.failed

    def finish(self, complete: bool) -> None:
        """Store what the run learned. A feed's ETag/Last-Modified are kept only when all its
        new items are settled, so that a conditional GET never hides an item not yet indexed."""
        if complete:
            for url, key in self.pending.values():  # left out by ingest: unchanged, too long
                self.mark_seen(url, key)
            self.pending.clear()
        unsettled = self.retry | {url for url, _ in self.pending.values()}
        for url, validators in self.validators.items():
            state = self.book.feed(url)
            for name, value in validators.items():
                if value and url not in unsettled:
                    state[name] = value
                else:
                    state.pop(name, None)
        self.book.save()

    @property
    def failed(self) -> bool:
        return any(r.failed for r in self.reports)
