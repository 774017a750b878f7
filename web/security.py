"""Response headers that keep pages from running foreign code, and CSRF tokens for POST forms."""

from __future__ import annotations

import hmac
import secrets

from flask import Response, abort, request, session
from flask.json.provider import DefaultJSONProvider

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CSRF_FIELD = "csrf_token"


def secure_headers(response: Response) -> Response:
    """Add the security headers to every response."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def utf8_query() -> None:
    """Refuse a query string that is not UTF-8 (raw bytes, not %-escapes) with a 400, not a 500."""
    try:
        request.query_string.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, description="The address holds characters that are not UTF-8.")


def csrf_token() -> str:
    """This browser session's token, created on first use (kept in the signed session cookie)."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def csrf_ok(submitted: str | None) -> bool:
    """Whether a submitted token is this session's."""
    expected = session.get(CSRF_FIELD)
    return bool(expected and submitted) and hmac.compare_digest(expected, submitted)


class InertJSONProvider(DefaultJSONProvider):
    """JSON with <, > and & written as \\u escapes: the same values, but text a user typed
    ("<script>...") never appears as markup even where a browser mis-sniffs a response."""

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)  # those characters only occur inside strings
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
