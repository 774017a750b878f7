"""What each page shows, as plain data: functions of a Searcher and a state, callable without HTTP.

The Flask routes only turn requests into these calls and their results into templates or twins.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from urllib.parse import parse_qsl, urlsplit

from werkzeug.datastructures import MultiDict

from indexer.dates import UNDATED
from indexer.records import facet_values
from indexer.resolution import provenance
from indexer.schema import ARTICLE, QUOTE
from indexer.search import ALIAS_FIELDS, QueryError, Searcher, SearchQuery
from indexer.search import MAX_PER_PAGE as SEARCH_MAX_PER_PAGE
from indexer.store import sentence_text
from indexer.topics import load_taxonomy
from web import marks, syntax
from web.charts import month_chart
from web.saved import SavedSearch, SavedSearches, new_since_opened
from web.urls import (
    ENTITY_KINDS,
    KINDS,
    SearchState,
    entity_url,
    parse_state,
    search_url,
)

FACET_LIMIT = 50  # values fetched per facet; the first SHOWN are visible, the rest behind "more"
SHOWN = 8
VALUES_PER_PAGE = 100  # on a facet's "all values" page
VALUE_ORDERS = {"count": "Most frequent first", "name": "A to Z"}
# Credits an index's own sources call for: a source whose name holds the key needs the credit.
CREDITS = {
    "wikinews": {"text": "Articles from Wikinews (https://en.wikinews.org), CC BY 2.5",
                 "name": "Wikinews", "url": "https://en.wikinews.org", "licence": "CC BY 2.5",
                 "licence_url": "https://creativecommons.org/licenses/by/2.5/"},
}
RELATED = 10
LABELS = {
    "speaker": "Speakers",
    "mentions": "Mentions",
    "person": "People",
    "country": "Countries",
    "topic": "Topics",
    "organization": "Organisations",
    "source": "Sources",
}
SINGULAR = {
    "speaker": "speaker",
    "mentions": "mentions",
    "person": "person",
    "country": "country",
    "topic": "topic",
    "organization": "organisation",
    "source": "source",
}
QUOTE_HEADINGS = {
    "by": "What {name} said",
    "mentioning": "Quotes mentioning {name}",
    "topic": "Quotes from articles on {name}",
}
QUOTE_COUNTS = {"by": "quotes by them", "mentioning": "quotes mentioning them",
                "topic": "quotes from these articles"}


@dataclass(frozen=True)
class FacetItem:
    """One facet value as shown: count, state, and the links that change it."""

    value: str
    count: int
    selected: bool
    excluded: bool
    toggle_url: str
    exclude_url: str
    depth: int = 0  # 1: a second-level topic shown under its parent

    @property
    def input_value(self) -> str:
        """What its checkbox submits (an exclusion keeps its '-')."""
        return f"-{self.value}" if self.excluded else self.value


@dataclass(frozen=True)
class FacetBlock:
    """One facet: its values, the first SHOWN visible and the rest behind 'show more'."""

    name: str
    label: str
    items: list[FacetItem]
    mode: str = "any"  # how chosen values combine: any of them, or all of them
    mode_urls: dict[str, str] = dataclass_field(default_factory=dict)  # "any"/"all" -> link
    all_url: str = ""  # the page of every value of this facet for the search

    @property
    def visible(self) -> list[FacetItem]:
        return self.items[:SHOWN]

    @property
    def more(self) -> list[FacetItem]:
        return self.items[SHOWN:]

    @property
    def active(self) -> bool:
        return any(i.selected or i.excluded for i in self.items)


@dataclass(frozen=True)
class Chip:
    """A selected filter shown above the results, with the link that removes it."""

    label: str
    value: str
    excluded: bool
    remove_url: str
    page_url: str | None = None  # the entity page of a person, country, topic or organisation


def run(
    searcher: Searcher, state: SearchState, facet_limit: int = FACET_LIMIT, snippets: bool = True,
    details: bool = False,
) -> dict:
    """The indexer's result for a state: articles for 'search', quotations for 'quotes'."""
    query = replace(state.query(facet_limit), snippets=snippets, details=details)
    result = searcher.quotes(query) if state.kind == "quotes" else searcher.search(query)
    result["notes"] = state.date_notes
    return result


def all_hits(searcher: Searcher, state: SearchState) -> Iterator[dict]:
    """Every match of a state, page after page, in its sort order, as an export lists them:
    articles with their people, places and topics, quotes with the sentence around them."""
    page = 1
    while True:
        chunk = replace(state, page=page, per_page=SEARCH_MAX_PER_PAGE)
        result = run(searcher, chunk, facet_limit=1, details=True)
        if state.kind == "quotes":
            in_context(searcher, result["hits"])
        yield from result["hits"]
        if page >= result["pages"] or not result["hits"]:
            return
        page += 1


def in_context(searcher: Searcher, quotes: list[dict]) -> None:
    """Give each quote hit its article's URL and the sentence(s) around it (one record read
    per article)."""
    records = {q["article_id"]: searcher.article(q["article_id"]) for q in quotes}
    for q in quotes:
        record = records[q["article_id"]] or {}
        body = record.get("body") or ""
        q["url"] = record.get("url")
        q["context"] = sentence_text(body, q["start"], q["end"]) or q["text"]


def values_page(searcher: Searcher, state: SearchState, facet: str, contains: str = "",
                order: str = "count", page: int = 1, per_page: int = VALUES_PER_PAGE) -> dict:
    """Every value of one facet for a search (the counts its facet shows), filtered, sorted and
    paged, each with the links that add or exclude it: the "all values" page and its twin."""
    state = state.at_page(1)
    kind = QUOTE if state.kind == "quotes" else ARTICLE
    found = searcher.all_values(state.query(1), facet, kind, contains, order, page, per_page)
    for item in found["values"]:
        item["toggle_url"] = state.toggled(facet, item["value"]).url()
        item["exclude_url"] = state.excluded(facet, item["value"]).url()
        item["page_url"] = entity_url(facet, item["value"]) if facet in ENTITY_KINDS else None
    return dict(found, label=LABELS[facet], singular=SINGULAR[facet], query=state.text,
                filters={k: list(v) for k, v in state.filters.items()},
                search_url=state.url(), description=describe(state))


def values_links(state: SearchState, found: dict) -> dict:
    """The page's links: other orders, other pages, its JSON twin."""
    facet, contains = found["facet"], found["contains"]
    return {
        "orders": [(label, state.values_url(facet, contains=contains, order=key),
                    key == found["order"]) for key, label in VALUE_ORDERS.items()],
        "pages": [(n, state.values_url(facet, contains=contains, order=found["order"], page=n)
                   if n else None) for n in pagination(found["page"], found["pages"])],
        "json_url": state.values_url(facet, ".json", contains, found["order"], found["page"]),
        "form_params": state.filter_params() + ([("order", found["order"])]
                                               if found["order"] != "count" else []),
    }


def credits(sources: Iterable[str]) -> list[dict]:
    """The credits that the index's sources call for (Wikinews only where its articles are)."""
    folded = [source.casefold() for source in sources]
    return [credit for key, credit in CREDITS.items() if any(key in s for s in folded)]


def matching_ids(searcher: Searcher, state: SearchState) -> set[str]:
    """The id of every match of a state (for "new since opened"): one unranked pass."""
    kind = QUOTE if state.kind == "quotes" else ARTICLE
    return searcher.match_ids(state.query(1), kind)


def facet_blocks(state: SearchState, facets: dict) -> list[FacetBlock]:
    """The facets of a result with toggle and exclude links for each value."""
    blocks = []
    for name in state.facets:
        items = [
            FacetItem(
                value=item["value"],
                count=item["count"],
                selected=item["selected"],
                excluded=item.get("excluded", False),
                toggle_url=state.toggled(name, item["value"]).url(),
                exclude_url=state.excluded(name, item["value"]).url(),
            )
            for item in facets.get(name, [])
        ]
        if name == "topic":
            items = nested_topics(items)
        items.sort(key=lambda i: not (i.selected or i.excluded))  # chosen values on top
        modes = {mode: state.with_mode(name, mode).url() for mode in ("any", "all")}
        blocks.append(FacetBlock(name, LABELS[name], items, state.mode(name), modes,
                                 state.values_url(name)))
    return blocks


@functools.cache
def topic_parents() -> dict[str, str]:
    """Second-level IPTC topic label -> its top-level topic's label (user topics have none)."""
    taxonomy = load_taxonomy()
    return {t.label: taxonomy.by_code[t.parent].label for t in taxonomy.topics if t.parent}


def nested_topics(items: list[FacetItem]) -> list[FacetItem]:
    """Each second-level topic right under its parent when the parent is listed too (both
    keep their counts order otherwise), so "election" reads as part of "politics"."""
    parents = topic_parents()
    listed = {item.value for item in items}
    children: dict[str, list[FacetItem]] = {}
    for item in items:
        if parents.get(item.value) in listed:
            children.setdefault(parents[item.value], []).append(replace(item, depth=1))
    out = []
    for item in items:
        if parents.get(item.value) not in listed:
            out.append(item)
            out.extend(children.get(item.value, []))
    return out


def chips(state: SearchState) -> list[Chip]:
    """Every active part of the search as a removable chip."""
    out = []
    if state.text:
        out.append(Chip("Query", state.text, False, state.with_text("").url()))
    for name in state.facets:
        for value in state.values(name):
            bare = value.lstrip("-") if value.startswith("-") else value
            page = entity_url(name, bare) if name in ENTITY_KINDS else None
            out.append(Chip(SINGULAR[name], bare, value.startswith("-"),
                            state.without(name, bare).url(), page))
    if state.quote_kind:
        out.append(Chip("kind", state.quote_kind, False,
                        state.with_trust("", state.min_confidence).url()))
    if state.min_confidence:
        out.append(Chip("confidence", f"≥ {state.min_confidence}", False,
                        state.with_trust(state.quote_kind, "").url()))
    if state.date_from or state.date_to:
        span = f"{state.date_from or '…'} – {state.date_to or '…'}"
        if state.date_from and state.date_from == state.date_to:
            span = state.date_from
        out.append(Chip("date", span, False, state.with_dates().url()))
    return out


def describe(state: SearchState) -> str:
    """A one-line human description of a search, the default name when saving it."""
    parts = [f"“{state.text}”"] if state.text else []
    for name in state.facets:
        values = state.values(name)
        if values:
            shown = " or ".join(v for v in values if not v.startswith("-"))
            hidden = ", ".join(v[1:] for v in values if v.startswith("-"))
            text = f"{SINGULAR[name]}: {shown}" if shown else ""
            if hidden:
                text = (text + "; " if text else "") + f"not {SINGULAR[name]}: {hidden}"
            parts.append(text)
    if state.quote_kind:
        parts.append(f"{state.quote_kind} only")
    if state.min_confidence:
        parts.append(f"confidence ≥ {state.min_confidence}")
    if state.date_from or state.date_to:
        parts.append(f"{state.date_from or '…'} to {state.date_to or '…'}")
    what = "Quotes" if state.kind == "quotes" else "Articles"
    return f"{what}: " + " · ".join(parts) if parts else f"All {what.lower()}"


def pagination(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link, None where a run of pages is left out."""
    keep = {1, pages} | set(range(max(1, page - around), min(pages, page + around) + 1))
    out: list[int | None] = []
    for n in sorted(keep):
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def search_page(searcher: Searcher, state: SearchState) -> dict:
    """Everything a search or quotes page shows; on a bad query, error is set and result None."""
    try:
        result = run(searcher, state)
    except QueryError as exc:
        return {"state": state, "result": None, "error": str(exc), "chips": chips(state),
                "description": describe(state), "notes": state.date_notes,
                "syntax_fields": syntax.PAGE_FIELDS[state.kind]}
    chart = month_chart(
        result["facets"].get("month", []),
        lambda m: state.with_dates(m, m).url(),
        state.date_from,
        state.date_to,
    )
    suggestion = result.get("suggestion")
    return {
        "state": state,
        "result": result,
        "error": None,
        "mention_hints": mention_hints(searcher, state, result),
        "facets": facet_blocks(state, result["facets"]),
        "chips": chips(state),
        "chart": chart,
        "pages": pagination(result["page"], result["pages"]),
        "suggestion_url": state.with_text(suggestion).url() if suggestion else None,
        "description": describe(state),
        "notes": state.date_notes + syntax.notes(state.text, state.kind),
        "undated_url": state.with_dates(UNDATED, UNDATED).url(),
        "syntax_fields": syntax.PAGE_FIELDS[state.kind],
    }


HINT_BELOW = 3  # a quotes search with fewer hits looks for an entity its words name


def mention_hints(searcher: Searcher, state: SearchState, result: dict) -> list[dict]:
    """On a quotes search with few hits: the entity its words name, as a filter that finds the
    quotes about it ("nato" -> quotes that mention NATO; the word may not be in the quote)."""
    if state.kind != "quotes" or not state.text.strip() or result["total"] >= HINT_BELOW:
        return []
    wanted = " ".join(state.text.replace('"', " ").split()).casefold()
    around = run(searcher, state.with_text(""), facet_limit=1000, snippets=False)
    hints = []
    for item in around["facets"].get("mentions", []):
        if item["value"].casefold() == wanted and item["value"] not in state.values("mentions"):
            target = state.with_text("").toggled("mentions", item["value"])
            hints.append({"value": item["value"], "count": item["count"], "url": target.url()})
    return hints


# -- article --------------------------------------------------------------------------------


def article_page(record: dict) -> dict:
    """An article's marked-up text, its quotations and what it is about, with their links."""
    body_entities = [e for e in record.get("entities", []) if e.get("field", "body") == "body"]
    title_entities = [e for e in record.get("entities", []) if e.get("field") == "title"]
    quotes = record.get("quotes", [])
    url = record.get("url") or ""
    return {
        "record": record,
        "source_url": url if url.startswith(("http://", "https://")) else None,
        "title_html": marks.render(record.get("title") or "", title_entities, block=False)[0]
        if record.get("title")
        else "",
        "paragraphs": marks.render(record["body"], body_entities, quotes),
        "quotes": [
            dict(q, anchor=f"q{n}", speaker_url=search_url("quotes", speaker=q["speaker"])
                 if q.get("speaker") else None)
            for n, q in enumerate(quotes)
        ],
        "persons": [(p, entity_url("person", p)) for p in facet_values(record, "person")],
        "organizations": [
            (o, entity_url("organization", o)) for o in record.get("organizations", [])
        ],
        "countries": [(c, entity_url("country", c)) for c in record.get("countries", [])],
        "topics": [
            (t["label"], entity_url("topic", t["label"]), t.get("score"))
            for t in record.get("topics", [])
        ],
    }


# -- entity pages ---------------------------------------------------------------------------


def entity_page(searcher: Searcher, kind: str, name: str) -> dict | None:
    """A person, country, topic or organisation: mentions over time, quotes, company, articles."""
    if kind not in ENTITY_KINDS:
        return None
    articles = searcher.search(
        SearchQuery(filters={kind: (name,)}, sort="newest", per_page=10, facet_limit=RELATED + 1)
    )
    if not articles["total"]:
        return None
    quote_sets = {}
    if kind == "person":
        quote_sets["by"] = SearchState("quotes", filters={"speaker": (name,)}, sort="newest")
    quote_sets["mentioning"] = SearchState(
        "quotes", filters={"topic" if kind == "topic" else "mentions": (name,)}, sort="newest"
    )
    quotes = {}
    for key, state in quote_sets.items():
        result = searcher.quotes(replace(state, per_page=5).query(facet_limit=1))
        quotes[key] = {
            "total": result["total"],
            "hits": result["hits"],
            "url": state.url(),
            "heading": QUOTE_HEADINGS[key if kind != "topic" else "topic"].format(name=name),
            "counted": QUOTE_COUNTS[key if kind != "topic" else "topic"],
        }
    related = {}
    for facet in ("person", "organization", "country", "topic"):
        items = articles["facets"].get(facet, [])
        if facet == kind:  # a facet's counts ignore its own filter; count within the articles
            items = same_kind_facet(searcher, kind, name)
        related[facet] = [
            {"value": item["value"], "count": item["count"],
             "url": entity_url(facet, item["value"])}
            for item in items
            if not (facet == kind and item["value"] == name)
        ][:RELATED]
    articles_state = SearchState("search", filters={kind: (name,)})
    chart = month_chart(
        articles["facets"].get("month", []),
        lambda m: articles_state.with_dates(m, m).url(),
    )
    return {
        "kind": kind,
        "name": name,
        "total": articles["total"],
        "months": articles["facets"].get("month", []),
        "chart": chart,
        "hits": articles["hits"],
        "search_url": articles_state.url(),
        "quotes": quotes,
        "related": related,
        "written": written_as(searcher, kind, name),
        "unlisted": unlisted(searcher, kind, name),
    }


# The facets the archive's type vote may leave a name out of (search.TYPE_FIELDS), in words.
NOUNS = {"person": "a person", "organization": "an organisation"}
PLURALS = {"person": "people", "organization": "organisations"}


def unlisted(searcher: Searcher, kind: str, name: str) -> dict | None:
    """What the archive's type vote says of a name its own facet would leave out (it still
    matches its filter, so the page exists), with the counts of articles behind the vote, and
    whether a user keeps it listed all the same (`kept`: by a merge, or by "List it anyway",
    `listed`); None if the vote leaves it where it is."""
    hidden = searcher.aliases.hidden(kind)  # reads the vote and the user's decisions afresh
    evidence = searcher.aliases.retyped.get(kind, {}).get(name)
    if evidence is None:
        return None
    plural = PLURALS[kind]
    if evidence["type"] == "work":
        called, listed = evidence["work"], evidence[kind]
        why = (f"{called} article{'s' if called != 1 else ''} call{'s' if called == 1 else ''}"
               f" it a work or a product (a film, a book, a show, a game), {listed}"
               f" list{'s' if listed == 1 else ''} it as {NOUNS[kind]}")
    else:
        votes = sorted(((n, field) for field, n in evidence.items() if field in NOUNS),
                       reverse=True)
        why = ", ".join(f"{n} as {NOUNS[field]}" for n, field in votes)
        why = f"of the articles that name it, {why}"
    kept = name not in hidden
    if kept:
        text = f"Listed among {plural} at a user's request, though {why}."
    else:
        text = f"Not listed among {plural} in the facets: {why}."
    return {"type": evidence["type"], "text": text, "kept": kept,
            "listed": name in searcher.aliases.aliases.listed(kind)}


def keep_listed(index_dir, kind: str, name: str, listed: bool) -> str:
    """A user's decision from an entity page: list the name in its facet whatever the type vote
    says, or let the vote decide again; returns the message to show."""
    from indexer.aliases import editing

    with editing(index_dir) as aliases:
        aliases.keep_listed(kind, name, listed)
    if listed:
        return f"“{name}” is now listed among {PLURALS[kind]}."
    return f"“{name}” is listed as the archive's type vote says."


def written_as(searcher: Searcher, kind: str, name: str) -> dict:
    """The spellings merged into a name with their counts, articles and who merged them; the
    merges offered; the names a user said are not this one (people, organisations, countries)."""
    if kind not in ALIAS_FIELDS:
        return {"spellings": [], "suggested": [], "not_same": []}
    found = provenance.explain(searcher, kind, name)
    for key in ("spellings", "suggested", "not_same"):
        found[key] = [
            dict(item.to_dict(), url=SearchState(text=item.query).url() if item.query else None,
                 page_url=entity_url(kind, item.value))
            for item in found[key]
        ]
    return found


def merged_name(searcher: Searcher, kind: str, name: str) -> str:
    """The name a spelling is merged into ('Trump' -> 'Donald Trump'), itself if none."""
    searcher.aliases.refresh()
    return searcher.canonical(kind, name)


def decide(index_dir, kind: str, name: str, spelling: str, same: bool) -> str:
    """A user's decision from an entity page: `spelling` is (or is not) the same as `name`;
    returns the message to show."""
    from indexer.aliases import editing

    with editing(index_dir) as aliases:
        if same:
            aliases.add(kind, spelling, name)
        else:
            aliases.split(kind, spelling, name)
    if same:
        return f"“{spelling}” is now counted as {name}."
    return f"“{spelling}” is no longer counted as {name}."


def same_kind_facet(searcher: Searcher, kind: str, name: str) -> list[dict]:
    """Values of the entity's own facet counted over the articles that mention it.

    A facet's counts leave out its own filter (so that OR-ing values works), so the articles
    are selected with field queries, kind:"spelling" for each spelling merged into the name.
    """
    spellings = sorted(searcher.aliases.spellings(kind, name))
    if not all(provenance.searchable(spelling) for spelling in spellings):
        return []
    text = " OR ".join(f'{kind}:"{spelling}"' for spelling in spellings)
    try:
        result = searcher.search(SearchQuery(text=text, per_page=1, facet_limit=RELATED + 1))
    except QueryError:  # more spellings than one query may hold
        return []
    return result["facets"].get(kind, [])


def entity_json(page: dict) -> dict:
    """The JSON twin of an entity page."""
    return {
        "kind": page["kind"],
        "name": page["name"],
        "total": page["total"],
        "unlisted": page["unlisted"],
        "written_as": {k: [{f: i[f] for f in ("value", "articles", "quotes", "by", "rule", "hits")
                            if f in i} for i in v] for k, v in page["written"].items()},
        "months": page["months"],
        "hits": page["hits"],
        "quotes": {k: {"total": v["total"], "hits": v["hits"]} for k, v in page["quotes"].items()},
        "related": {
            k: [{"value": i["value"], "count": i["count"]} for i in v]
            for k, v in page["related"].items()
        },
    }


# -- saved searches -------------------------------------------------------------------------


def state_from_url(url: str) -> SearchState | None:
    """The state of a saved search URL ('/search?...' or '/quotes?...'); None if it is not one."""
    parts = urlsplit(url)
    kind = parts.path.strip("/") or "search"
    if parts.scheme or parts.netloc or kind not in KINDS:
        return None
    return parse_state(kind, MultiDict(parse_qsl(parts.query, keep_blank_values=False)))


def saved_rows(searcher: Searcher, saved: SavedSearches, viewer: str | None = None) -> list[dict]:
    """Each saved search the viewer sees, with its current total and how many matches are new
    since opened."""
    rows = []
    searcher.duplicates.refresh()
    groups = searcher.duplicates.groups

    def story(article_id: str) -> str:  # reprints count as the story they copy
        return groups.get(article_id, article_id)

    for item in saved.all(viewer):
        state = state_from_url(item.url)
        row = {"id": item.id, "name": item.name, "url": item.url, "created": item.created,
               "opened": item.opened, "total": None, "new": None, "error": None,
               "description": describe(state) if state else item.url,
               "owner": item.owner, "shared": item.shared}
        if state is not None:
            try:
                ids = matching_ids(searcher, state)
            except QueryError as exc:
                row["error"] = str(exc)
            else:
                row["total"] = len(ids)
                row["new"] = new_since_opened(item, ids, None if state.kind == "quotes" else story)
        rows.append(row)
    return rows


def save_search(
    searcher: Searcher, saved: SavedSearches, name: str, state: SearchState, owner: str = ""
) -> int:
    """Save a search that runs (QueryError otherwise) for its owner, remembering what matches
    now, so that "new" counts what arrived after saving; its id."""
    ids = matching_ids(searcher, state)
    saved_id = saved.save(name, state.url(), owner)
    saved.seen_at_save(saved_id, ids)
    return saved_id


def open_saved(searcher: Searcher, saved: SavedSearches, item: SavedSearch) -> str:
    """Mark a saved search opened (remembering what matches now); the URL to go to."""
    state = state_from_url(item.url)
    if state is not None:
        try:
            saved.opened(item.id, matching_ids(searcher, state))
        except QueryError:
            pass  # the search page itself will explain the problem
    return item.url

