"""A polite HTTP client for feeds and their pages: it says who it is, honours robots.txt, keeps
a delay and a concurrency limit per host, retries 429/5xx with backoff, caps redirects, time and
size, and turns every failure into a one-line reason.

httpx rather than requests: its timeouts are split (connect, read, pool), it streams a body so
a size cap stops reading instead of buffering, and redirects can be followed hop by hop, so each
hop passes robots.txt and the per-host delay like any other request.
"""

from __future__ import annotations

import email.utils
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Politeness:
    """How hard newsindex may pull on other people's servers (all of it settable on the CLI)."""

    contact: str = ""
    delay: float = 1.0  # seconds between two requests to one host, at least
    per_host: int = 1  # requests in flight to one host
    timeout: float = 20.0  # seconds for connecting, each read, and the whole response
    retries: int = 2  # further tries after a 429 or 5xx
    backoff: float = 1.0  # first wait before a retry, doubled each time
    max_wait: float = 120.0  # a Retry-After longer than this is a failure, not a wait
    max_redirects: int = 5
    max_bytes: int = 10 * 1024 * 1024

    @property
    def user_agent(self) -> str:
        """`newsindex/0.1.0 (+mailto:desk@example.org)`: who fetches, and how to reach them."""
        contact = f" (+{self.contact})" if self.contact else ""
        return f"newsindex/{version()}{contact}"


class FetchError(Exception):
    """A URL that could not be fetched, with why, for a `url: reason` line."""

    def __init__(self, url: str, reason: str, permanent: bool = False):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.permanent = permanent  # retrying later will not help (410, not HTML, too large)


@dataclass
class Page:
    """A fetched response: final URL, status (200, or 304 not modified), headers and body."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("'\"")
        return None


@dataclass
class Host:
    """One host's robots.txt rules, request slots and the earliest time of its next request."""

    slots: threading.Semaphore
    robots: urllib.robotparser.RobotFileParser | None = None
    next_at: float = 0.0
    delay: float = 0.0  # the host's robots.txt Crawl-delay, when longer than ours
    lock: threading.Lock = field(default_factory=threading.Lock)
    robots_lock: threading.Lock = field(default_factory=threading.Lock)


class PoliteClient:
    """GETs through one httpx.Client, one host at a time as Politeness allows."""

    def __init__(self, politeness: Politeness | None = None) -> None:
        self.rules = politeness or Politeness()
        self.http = httpx.Client(
            headers={"User-Agent": self.rules.user_agent},
            timeout=httpx.Timeout(self.rules.timeout),
            follow_redirects=False,
        )
        self.hosts: dict[str, Host] = {}
        self.lock = threading.Lock()
        self.requests = 0

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, headers: dict[str, str] | None = None, html: bool = False) -> Page:
        """The page at url after redirects (each hop checked against robots.txt); FetchError
        with the reason when it cannot be had. html=True refuses other content types."""
        seen = [url]
        for _ in range(self.rules.max_redirects + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                raise FetchError(seen[0], f"not an http(s) URL: {url}", permanent=True)
            if not self.allowed(url):
                raise FetchError(url, "disallowed by robots.txt", permanent=True)
            page = self.request(url, headers, html)
            if page.status >= 400:
                raise FetchError(url, f"HTTP {page.status} {phrase(page.status)}",
                                 permanent=page.status == 410)
            if page.status not in REDIRECT_STATUS:
                return page
            target = page.headers.get("location")
            if not target:
                raise FetchError(url, f"HTTP {page.status} redirect without a Location")
            url = urljoin(url, target)
            if url in seen:
                raise FetchError(seen[0], "redirect loop: " + " -> ".join([*seen, url]))
            seen.append(url)
        raise FetchError(seen[0], f"more than {self.rules.max_redirects} redirects")

    def host(self, url: str) -> Host:
        key = urlsplit(url).netloc.lower()
        with self.lock:
            if key not in self.hosts:
                self.hosts[key] = Host(threading.Semaphore(max(1, self.rules.per_host)))
            return self.hosts[key]

    def allowed(self, url: str) -> bool:
        """robots.txt as RFC 9309 reads it: a missing file (4xx) allows all, an unreachable
        one (5xx, no answer) disallows all; its Crawl-delay (up to max_wait) lengthens the
        host's delay."""
        host = self.host(url)
        with host.robots_lock:
            if host.robots is None:
                host.robots = self.read_robots(url)
                asked = host.robots.crawl_delay(self.rules.user_agent)
                host.delay = min(float(asked), self.rules.max_wait) if asked else 0.0
        return host.robots.can_fetch(self.rules.user_agent, url)

    def read_robots(self, url: str) -> urllib.robotparser.RobotFileParser:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        rules = urllib.robotparser.RobotFileParser(robots_url)
        try:
            page = self.request(robots_url, None, False)
        except FetchError:
            rules.disallow_all = True
            return rules
        if page.status >= 500:
            rules.disallow_all = True
        elif page.status >= 400 or page.status in REDIRECT_STATUS:
            rules.allow_all = True
        else:
            rules.parse(page.body.decode("utf-8", errors="replace").splitlines())
        return rules

    def request(self, url: str, headers: dict[str, str] | None, html: bool) -> Page:
        """One GET (no redirects followed), retried on 429/5xx and dropped connections; any
        other status is the caller's to judge."""
        for attempt in range(self.rules.retries + 1):
            wait = self.rules.backoff * 2**attempt
            try:
                page = self.once(url, headers, html)
            except FetchError as exc:
                if attempt == self.rules.retries or "timed out" in exc.reason:
                    raise
                time.sleep(wait)
                continue
            if page.status not in RETRY_STATUS:
                return page
            asked = retry_after(page.headers.get("retry-after"))
            reason = f"HTTP {page.status} {phrase(page.status)}"
            if asked is not None and asked > self.rules.max_wait:
                raise FetchError(url, f"{reason}, Retry-After {asked:.0f} s is too long")
            if attempt == self.rules.retries:
                tries = self.rules.retries + 1
                raise FetchError(url, f"{reason} after {tries} tries")
            time.sleep(max(wait, asked or 0.0))
        raise AssertionError("unreachable")

    def once(self, url: str, headers: dict[str, str] | None, html: bool) -> Page:
        """One GET in a slot of its host, after the host's delay; the body read up to the cap."""
        host = self.host(url)
        with host.slots:
            with host.lock:
                pause = host.next_at - time.monotonic()
                host.next_at = max(host.next_at, time.monotonic()) + max(self.rules.delay,
                                                                         host.delay)
            if pause > 0:
                time.sleep(pause)
            started = time.monotonic()
            try:
                page = self.read(url, headers, html, started)
            finally:
                # AutoThrottle's rule: a slow server gets at least its own latency as delay.
                latency = time.monotonic() - started
                with host.lock:
                    host.next_at = max(host.next_at, time.monotonic() + min(latency, 10.0))
                with self.lock:
                    self.requests += 1
        return page

    def read(self, url: str, headers: dict[str, str] | None, html: bool, started: float) -> Page:
        limit = self.rules.max_bytes
        try:
            with self.http.stream("GET", url, headers=headers or {}) as response:
                page = Page(str(response.url), response.status_code, response.headers)
                if response.status_code != 200:
                    return page
                if html and page.content_type and page.content_type not in HTML_TYPES:
                    raise FetchError(url, f"not HTML ({page.content_type})", permanent=True)
                size = int(response.headers.get("content-length") or 0)
                if size > limit:
                    raise FetchError(url, f"too large ({size} bytes > {limit})", permanent=True)
                chunks, got = [], 0
                for chunk in response.iter_bytes():
                    got += len(chunk)
                    if got > limit:
                        raise FetchError(url, f"too large (over {limit} bytes)", permanent=True)
                    if time.monotonic() - started > self.rules.timeout:
                        raise FetchError(url, f"timed out after {self.rules.timeout:g} s")
                    chunks.append(chunk)
                page.body = b"".join(chunks)
                return page
        except httpx.TimeoutException:
            raise FetchError(url, f"timed out after {self.rules.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from None


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def version() -> str:
    """newsindex's installed version, for the User-Agent."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("newsindex")
    except PackageNotFoundError:
        return "dev"


def phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
