"""The routes: thin wrappers turning requests into calls of web.views and results into pages.

Every listing has twins: `.json` (the same data the page shows), and for searches `.csv` (all
matches, streamed) and `.atom` (the newest matches).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
)
from werkzeug.exceptions import HTTPException

from indexer.resolution import provenance
from indexer.search import TYPE_FIELDS, QueryError, SearchQuery
from web import auth, feeds, views
from web.saved import SavedSearch, now
from web.security import csrf_ok
from web.urls import SearchState, article_url, entity_url, parse_state

bp = Blueprint("web", __name__)
FEED_SIZE = 30


def site():
    """The Site (searcher, saved searches) of the running app."""
    return current_app.extensions["newsindex"]


def split_suffix(name: str, suffixes: tuple[str, ...]) -> tuple[str, str]:
    """'Vladimir Putin.json' -> ('Vladimir Putin', '.json'); no known suffix -> (name, '')."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


# -- searches -------------------------------------------------------------------------------


@bp.get("/")
def home():
    if request.args:
        return redirect(parse_state("search", request.args).url())
    return listing_page(SearchState(), home=True)


@bp.get("/search")
@bp.get("/quotes")
def listing():
    kind = request.path.strip("/")
    state = parse_state(kind, request.args)
    if request.query_string.decode("utf-8", "replace") != state.query_string():
        return redirect(state.url())  # one search, one URL
    return listing_page(state)


def listing_page(state: SearchState, home: bool = False):
    page = views.search_page(site().searcher, state)
    stats = site().searcher.stats() if home else None
    status = 400 if page["error"] else 200
    return render_template("search.html", home=home, stats=stats, **page), status


@bp.get("/search.<fmt>")
@bp.get("/quotes.<fmt>")
def listing_twin(fmt: str):
    kind = request.path.strip("/").rsplit(".", 1)[0]
    state = parse_state(kind, request.args)
    try:
        if fmt == "json":
            return jsonify(views.run(site().searcher, state))
        if fmt == "csv":
            return csv_response(state)
        if fmt == "atom":
            return atom_response(state, views.describe(state))
    except QueryError as exc:
        return twin_error(fmt, str(exc))
    abort(404)


def twin_error(fmt: str, message: str):
    if fmt == "json":
        return jsonify({"error": message}), 400
    return Response(f"{message}\n", status=400, mimetype="text/plain")


def csv_response(state: SearchState) -> Response:
    """All matches as CSV, streamed page by page (the query is checked before streaming), in a
    file named after the search."""
    views.run(site().searcher, replace(state, per_page=1), facet_limit=1)
    hits = views.all_hits(site().searcher, state)
    return Response(
        feeds.csv_lines(hits, quotes=state.kind == "quotes"),
        mimetype="text/csv",
        headers={"Content-Disposition": feeds.attachment(views.describe(state), "csv")},
    )


def atom_response(state: SearchState, title: str, feed_path: str | None = None) -> Response:
    """The newest matches of a search as an Atom feed."""
    newest = replace(state, sort="newest", page=1, per_page=FEED_SIZE)
    result = views.run(site().searcher, newest, facet_limit=1)
    base = request.url_root
    body = feeds.atom_feed(
        title=title,
        feed_url=base + (feed_path or state.url(".atom")).lstrip("/"),
        page_url=base + state.url().lstrip("/"),
        hits=result["hits"],
        base=base,
        updated=index_changed(),
        quotes=state.kind == "quotes",
        rights="; ".join(credit["text"] for credit in site().credits()),
    )
    return Response(body, mimetype="application/atom+xml")


def index_changed() -> str:
    """When the index folder last changed (every commit adds or removes files in it)."""
    try:
        mtime = site().index_dir.stat().st_mtime
    except OSError:  # an OpenSearch index need not have a folder
        return now()
    return datetime.fromtimestamp(int(mtime), UTC).isoformat().replace("+00:00", "Z")


@bp.get("/<any(search, quotes):kind>/values/<facet>")
def facet_values(kind: str, facet: str):
    """Every value of one facet for a search (HTML, or JSON with a .json suffix)."""
    facet, suffix = split_suffix(facet, (".json",))
    state = parse_state(kind, request.args)
    if facet not in state.facets:
        abort(404, description=f"{kind.capitalize()} have no facet {facet!r}.")
    order = request.args.get("order", "count")
    contains = (request.args.get("contains") or "").strip()[:200]
    per_page = min(max(1, request.args.get("per_page", views.VALUES_PER_PAGE, type=int)),
                   views.VALUES_PER_PAGE * 5) if suffix else views.VALUES_PER_PAGE
    try:
        found = views.values_page(site().searcher, state, facet, contains, order, state.page,
                                  per_page)
    except QueryError as exc:
        if suffix:
            return twin_error("json", str(exc))
        raise
    if suffix:
        return jsonify(found)
    return render_template("values.html", state=state.at_page(1), found=found,
                           **views.values_links(state.at_page(1), found))


# -- articles and entities --------------------------------------------------------------------


@bp.get("/article/<path:article_id>")
def article(article_id: str):
    searcher = site().searcher
    record = searcher.article(article_id)
    if record is None:
        bare, suffix = split_suffix(article_id, (".json",))
        record = searcher.article(bare) if suffix else None
        if record is None:
            abort(404, description="There is no article with this id in the index.")
        return jsonify(record)
    return render_template("article.html", **views.article_page(record))


@bp.get("/<any(person, country, topic, organization):kind>/<path:name>")
def entity(kind: str, name: str):
    searcher = site().searcher
    bare, suffix = split_suffix(name, (".json",))
    for candidate, twin in ((name, ""), (bare, suffix)) if suffix else ((name, ""),):
        merged = views.merged_name(searcher, kind, candidate)
        if merged != candidate:  # one page per name: a merged spelling's is its name's
            return redirect(entity_url(kind, merged, twin))
        page = views.entity_page(searcher, kind, candidate)
        if page is not None:
            if twin:
                return jsonify(views.entity_json(page))
            return render_template("entity.html", read_only=read_only(), **page)
        meant = provenance.lookup(searcher, kind, candidate)
        if meant is not None and meant != candidate:
            return redirect(entity_url(kind, meant, twin))
    abort(404, description=f"No article in the index mentions this {kind}.")


def read_only() -> bool:
    """Whether this request may take no decisions (`serve --read-only`, or not an editor)."""
    return not auth.may(auth.DECIDE)


@bp.post("/merge")
@bp.post("/split")
def merge_or_split():
    """A user's decision from an entity page: a spelling is (not) the same as the name."""
    editing()
    kind, name = request.form.get("kind", ""), request.form.get("name", "").strip()
    spelling = request.form.get("spelling", "").strip()
    if (kind not in views.ALIAS_FIELDS or not name or not spelling or spelling == name
            or not (name + spelling).isprintable()):
        abort(400, description="A merge or split needs a kind, a name and another spelling.")
    same = request.path == "/merge"
    flash(views.decide(site().index_dir, kind, name, spelling, same))
    auth.record(request.path.strip("/"), f"{kind}: {spelling!r} {'is' if same else 'is not'} "
                f"{name!r}")
    return redirect(entity_url(kind, name), code=303)


@bp.post("/list")
@bp.post("/unlist")
def list_or_unlist():
    """A user's decision from an entity page: list a name in its facet whatever the archive's
    type vote says, or let the vote decide again."""
    editing()
    kind, name = request.form.get("kind", ""), request.form.get("name", "").strip()
    if kind not in TYPE_FIELDS or not name or not name.isprintable():
        abort(400, description="Listing a name needs a person or organisation name.")
    listed = request.path == "/list"
    flash(views.keep_listed(site().index_dir, kind, name, listed))
    auth.record(request.path.strip("/"), f"{kind}: {name!r}")
    return redirect(entity_url(kind, name), code=303)


def editing() -> None:
    """Refuse an editor's change on a read-only server; else check the form's CSRF token."""
    if read_only():
        abort(403, description="This server is read-only: editors' changes are turned off.")
    checked_form()


@bp.post("/quote/speaker")
def correct_speaker():
    """An editor says who spoke a quotation (or that no named person did)."""
    from indexer.speaker_corrections import correct

    editing()
    quote_id = request.form.get("quote_id", "")
    speaker = None if request.form.get("none") else request.form.get("speaker", "")
    if speaker is not None and not speaker.strip():
        abort(400, description="Type the speaker's name, or choose “No speaker”.")
    try:
        was, now = correct(site().index_dir, site().store(), quote_id, speaker, auth.actor())
    except LookupError as exc:
        abort(404, description=str(exc))
    except ValueError as exc:
        abort(400, description=str(exc))
    auth.record("speaker", f"{quote_id}: {was!r} -> {now!r}")
    flash(f"Speaker corrected: {now or 'no speaker'} (was {was or 'no speaker'}).")
    article_id, _, number = quote_id.rpartition("#")
    back = request.form.get("next", "")
    return redirect(auth.safe_next(back) if back else article_url(article_id, anchor=number),
                    code=303)


# -- user topics ------------------------------------------------------------------------------


@bp.get("/topics")
def topics():
    """The user topics of this index (and, for editors, forms to add and remove them)."""
    from indexer.topics import load_taxonomy

    return render_template("topics.html", taxonomy=load_taxonomy(site().index_dir),
                           editable=not read_only())


def retag(taxonomy) -> tuple[int, int]:
    """Save the user topics and re-apply topics to every article, without NLP."""
    from indexer.retopic import reapply_topics

    taxonomy.save(site().index_dir)
    return reapply_topics(site().store(), site().searcher, taxonomy)


@bp.post("/topics")
def topics_add():
    from indexer.topics import load_taxonomy

    editing()
    label = request.form.get("label", "").strip()
    keywords = [k.strip() for k in request.form.get("keywords", "").split(",") if k.strip()]
    query = request.form.get("query", "").strip() or None
    if not label.isprintable() or len(label) > 100:
        abort(400, description="A topic's label is printable text of at most 100 characters.")
    taxonomy = load_taxonomy(site().index_dir)
    try:
        topic = taxonomy.add_custom(label, keywords=keywords or None, query=query)
        if query:
            site().searcher.match_ids(SearchQuery(text=query))  # a query that runs, or 400
    except (ValueError, QueryError) as exc:
        abort(400, description=f"This topic cannot be added: {exc}.")
    seen, changed = retag(taxonomy)
    auth.record("topic add", f"{label!r}: {query or ', '.join(keywords)}")
    flash(f"Topic “{topic.label}” added: {changed} of {seen} articles re-tagged.")
    return redirect("/topics", code=303)


@bp.post("/topics/remove")
def topics_remove():
    from indexer.topics import load_taxonomy

    editing()
    label = request.form.get("label", "")
    taxonomy = load_taxonomy(site().index_dir)
    if not taxonomy.remove_custom(label):
        abort(404, description="There is no user topic with this label.")
    seen, changed = retag(taxonomy)
    auth.record("topic remove", repr(label))
    flash(f"Topic “{label}” removed: {changed} of {seen} articles re-tagged.")
    return redirect("/topics", code=303)


# -- saved searches ---------------------------------------------------------------------------


def saved_rows() -> list[dict]:
    """The saved searches this user sees; `mine` says which they may change. What is new since
    opened is the owner's to know: another's shared search shows no count."""
    rows = views.saved_rows(site().searcher, site().saved, auth.viewer())
    own = auth.viewer() or ""
    return [dict(row, mine=auth.may_change(row["owner"]),
                 new=row["new"] if row["owner"] == own else None) for row in rows]


@bp.get("/saved")
def saved_list():
    return render_template("saved.html", rows=saved_rows())


@bp.get("/saved.json")
def saved_json():
    return jsonify({"saved": saved_rows()})


def visible_saved(saved_id: int) -> SavedSearch:
    """A saved search this user may see (another's private one is as good as missing)."""
    item = site().saved.get(saved_id)
    if item is None or not item.visible_to(auth.viewer()):
        abort(404, description="No such saved search.")
    return item


def own_saved(saved_id: int) -> SavedSearch:
    """A saved search this user may change: a POST with CSRF, and theirs."""
    checked_form()
    item = visible_saved(saved_id)
    if not auth.may_change(item.owner):
        abort(403, description="Only its owner can change a saved search.")
    return item


@bp.get("/feeds")
@bp.get("/feeds.json")
def feeds_list():
    """When each feed `newsindex fetch` reads was last fetched, and how that went."""
    from indexer.sources.feeds import last_fetched

    rows = last_fetched(site().index_dir)
    if request.path.endswith(".json"):
        return jsonify({"feeds": rows})
    return render_template("feeds.html", rows=rows)


def checked_form() -> None:
    """Refuse a POST without this session's CSRF token."""
    if not csrf_ok(request.form.get("csrf_token")):
        abort(400, description="This form has expired or came from another site. "
              "Reload the page and try again.")


@bp.post("/saved")
def saved_create():
    checked_form()
    state = views.state_from_url(request.form.get("url", ""))
    if state is None:
        abort(400, description="Only searches of this site can be saved.")
    name = request.form.get("name", "").strip() or views.describe(state)
    try:
        saved_id = views.save_search(site().searcher, site().saved, name, state,
                                     auth.viewer() or "")
    except QueryError as exc:
        abort(400, description=f"This search cannot be saved: it does not run ({exc}).")
    auth.record("saved create", f"#{saved_id} {name!r}: {state.url()}")
    flash(f"Saved “{name}”.")
    return redirect(f"/saved#s{saved_id}", code=303)


@bp.get("/saved/<int:saved_id>")
def saved_open(saved_id: int):
    item = visible_saved(saved_id)
    if item.owner != (auth.viewer() or ""):  # another's shared search: their "new" count stays
        return redirect(item.url)
    return redirect(views.open_saved(site().searcher, site().saved, item))


@bp.get("/saved/<int:saved_id>.atom")
def saved_feed(saved_id: int):
    item = visible_saved(saved_id)
    state = views.state_from_url(item.url)
    if state is None:
        abort(404, description="This saved search is not a search.")
    try:
        return atom_response(state, item.name, feed_path=f"/saved/{saved_id}.atom")
    except QueryError as exc:
        return twin_error("atom", str(exc))


@bp.post("/saved/<int:saved_id>/rename")
def saved_rename(saved_id: int):
    own_saved(saved_id)
    if not site().saved.rename(saved_id, request.form.get("name", "")):
        abort(400, description="A saved search needs a name, and must exist to be renamed.")
    auth.record("saved rename", f"#{saved_id} {request.form.get('name', '')!r}")
    flash("Renamed.")
    return redirect(f"/saved#s{saved_id}", code=303)


@bp.post("/saved/<int:saved_id>/delete")
def saved_delete(saved_id: int):
    item = own_saved(saved_id)
    if not site().saved.delete(saved_id):
        abort(404, description="No such saved search.")
    auth.record("saved delete", f"#{saved_id} {item.name!r}")
    flash("Deleted.")
    return redirect("/saved", code=303)


@bp.post("/saved/<int:saved_id>/share")
def saved_share(saved_id: int):
    """Show one's saved search to every user of the server, or make it private again."""
    item = own_saved(saved_id)
    shared = request.form.get("shared") == "1"
    site().saved.share(saved_id, shared)
    auth.record("saved share" if shared else "saved unshare", f"#{saved_id} {item.name!r}")
    flash("Shared with every user." if shared else "Private again.")
    return redirect(f"/saved#s{saved_id}", code=303)


# -- errors -----------------------------------------------------------------------------------


def register_errors(app: Flask) -> None:
    """Friendly error pages (or JSON for .json URLs) instead of bare status pages."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.endswith(".json"):
            return jsonify({"error": exc.description}), exc.code
        return render_template("error.html", error=exc), exc.code

    @app.errorhandler(QueryError)
    def query_error(exc: QueryError):
        if request.path.endswith(".json"):
            return jsonify({"error": str(exc)}), 400
        return render_template("error.html", error=exc, message=str(exc)), 400

