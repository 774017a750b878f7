"""newsindex web UI: a Flask application factory over the indexer's search functions."""

from __future__ import annotations

import secrets
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import Flask

from indexer.backends import BackendConfig, open_searcher, open_store
from indexer.store import default_index_dir
from web import auth
from web.accounts import Accounts
from web.login import bp
from web.routes import register_errors
from web.saved import SavedSearches
from web.security import InertJSONProvider, csrf_token, secure_headers, utf8_query
from web.urls import article_url, entity_url, search_url, similar_url
from web.views import credits

CREDITS_TTL = 30.0


@dataclass
class Site:
    """What every request works with: the index's searcher, and the saved searches and
    accounts beside it."""

    index_dir: Path
    searcher: object  # indexer.search.Searcher or the OpenSearch one: the same methods
    saved: SavedSearches
    accounts: Accounts
    _credits: tuple[float, list[dict]] = field(default=(-CREDITS_TTL, []), repr=False)

    def credits(self) -> list[dict]:
        """The credits the indexed sources call for (re-counted at most every CREDITS_TTL s)."""
        if time.monotonic() - self._credits[0] >= CREDITS_TTL:
            try:
                sources = self.searcher.value_counts("source")
            except Exception:  # a page must render even when the index cannot be read
                sources = {}
            self._credits = (time.monotonic(), credits(sources))
        return self._credits[1]

    def store(self):
        """The backend's store (the searcher's own), for editors' changes that rewrite records."""
        return self.searcher.store


def nice_date(value: str | None) -> str:
    """'2019-01-04' as '4 Jan 2019' (partial dates as given)."""
    if not value:
        return ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%b %Y}"


def backend_searcher(backend: BackendConfig):
    """The backend's searcher; a missing index is created empty, so pages can say how to fill it."""
    open_store(backend, create=True)
    return open_searcher(backend)


def create_app(config: dict | None = None) -> Flask:
    """Build the app for one index (config INDEX_DIR, default $NEWSINDEX_INDEX; or BACKEND).

    Access (web.auth): PUBLIC (read-only for anyone), TRUSTED_PROXIES (addresses whose
    X-Forwarded-* headers are believed) and TRUST_HEADER (a user name set by such a proxy);
    SESSION_SECONDS, how long a login lasts."""
    app = Flask(__name__)
    app.config.update(
        INDEX_DIR=str(default_index_dir()),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.config.update(config or {})
    # BACKEND (an indexer.backends.BackendConfig) picks Whoosh or OpenSearch; by default Whoosh
    # in INDEX_DIR (or what NEWSINDEX_BACKEND says). Saved searches live in its index folder.
    backend = app.config.get("BACKEND") or BackendConfig(index_dir=Path(app.config["INDEX_DIR"]))
    index_dir = Path(backend.index_dir)
    saved = SavedSearches(index_dir)
    if not app.config.get("SECRET_KEY"):
        try:
            app.config["SECRET_KEY"] = saved.secret()
        except (OSError, sqlite3.Error):  # read-only index folder: forms work until restart
            app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.extensions["newsindex"] = Site(index_dir, backend_searcher(backend), saved,
                                       Accounts(index_dir))
    app.json = InertJSONProvider(app)
    app.json.sort_keys = False
    app.jinja_env.globals.update(
        csrf_token=csrf_token, article_url=article_url, entity_url=entity_url,
        similar_url=similar_url,
        search_url=search_url,
    )
    app.jinja_env.filters["nice_date"] = nice_date
    app.context_processor(lambda: {"credits": app.extensions["newsindex"].credits()})
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.before_request(utf8_query)
    auth.install(app)
    app.after_request(secure_headers)

    app.url_map.merge_slashes = False  # an id or name may hold "//": never rewrite it
    app.register_blueprint(bp)
    register_errors(app)
    return app
