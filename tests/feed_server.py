"""A real HTTP server on loopback for the feed tests: feeds in each format, news pages, and the
bad cases (slow, 404/410/500/429, redirect loops, a 50 MB page, wrong charsets), with every
request it receives logged (path and headers) so tests can see what a client asked for."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What a path answers: a status, headers and a body, or a handler doing it by hand."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    validators: bool = False  # ETag and Last-Modified, and 304 to a conditional GET
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.log.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = self.server.routes.get(self.path)
        if route is None:
            route = Route(b"<html><body>Not found</body></html>", status=404)
        if route.handler:
            route.handler(self)
            return
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.validators:
            etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
            headers["ETag"] = etag
            headers["Last-Modified"] = formatdate(1767225600, usegmt=True)
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
        self.send_response(route.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        self.wfile.write(route.body)


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.log: list[Request] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self) -> list[str]:
        return [r.path for r in self.log]

    def start(self) -> FeedServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def slow(seconds: float) -> Callable[[BaseHTTPRequestHandler], None]:
    """A server that thinks for `seconds` before it answers."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        try:
            request.send_response(200)
            request.send_header("Content-Type", "text/html")
            request.end_headers()
            request.wfile.write(b"<html><body>late</body></html>")
        except OSError:
            pass

    return handle


def huge(size: int, announce: bool) -> Callable[[BaseHTTPRequestHandler], None]:
    """A page of `size` bytes, its length announced or not, written until the client hangs up."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        if announce:
            request.send_header("Content-Length", str(size))
        request.end_headers()
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        sent = 0
        try:
            while sent < size:
                request.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        request.close_connection = True

    return handle


def flaky(times: int, status: int, retry_after: str, then: Route):
    """`status` (with Retry-After) for the first `times` requests, then the route `then`."""
    count = {"n": 0}

    def handle(request: BaseHTTPRequestHandler) -> None:
        count["n"] += 1
        if count["n"] <= times:
            request.send_response(status)
            request.send_header("Retry-After", retry_after)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        request.send_response(then.status)
        request.send_header("Content-Type", then.content_type)
        request.send_header("Content-Length", str(len(then.body)))
        request.end_headers()
        request.wfile.write(then.body)

    return handle
