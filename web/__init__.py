"""newsindex web UI: a Flask application factory over the indexer's search functions."""

from __future__ import annotations

from flask import Flask, jsonify, request

from indexer.search import Searcher, SearchQuery
from indexer.store import Store, default_index_dir


def create_app(config: dict | None = None) -> Flask:
    """Build the app for one index folder (config INDEX_DIR, default $NEWSINDEX_INDEX)."""
    app = Flask(__name__)
    app.config.update(INDEX_DIR=str(default_index_dir()))
    app.config.update(config or {})
    searcher = Searcher(Store(app.config["INDEX_DIR"]))

    @app.get("/search.json")
    def search_json():
        return jsonify(searcher.search(SearchQuery(text=request.args.get("q", ""))))

    @app.get("/")
    def home():
        result = searcher.search(SearchQuery(text=request.args.get("q", "")))
        return {"total": result["total"]}

    return app
