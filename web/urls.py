"""A search's whole state as one canonical URL, and the links that change one part of it.

Parameters always come in one order (q, speaker, mentions, person, country, topic, organization,
source, each followed by its `_mode=all` when its values must all match, kind, min_confidence,
from, to, sort, page, per_page, view), values of one filter sorted,
defaults left out, so that the same search is always the same URL: reloading, bookmarking and
sharing agree. `kind` (direct or partial) and `min_confidence` (0 to 1) belong to quote searches.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from urllib.parse import quote, urlencode

from werkzeug.datastructures import MultiDict

from indexer.dates import dated_query
from indexer.schema import FACETS
from indexer.search import QUOTE_FACETS, SearchQuery

# Characters a query value may show as typed (the rest are percent-encoded, spaces as +).
SAFE = ":@!$'()*,/~"
KINDS = {"search": FACETS, "quotes": QUOTE_FACETS}
FILTER_ORDER = ("speaker", "mentions") + FACETS
VIEWS = ("list", "compact")
PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
# Values one filter may hold: every chip and facet link repeats all of them, so a URL with
# thousands of values made pages of hundreds of megabytes.
MAX_FILTER_VALUES = 20
ENTITY_KINDS = ("person", "country", "topic", "organization")
MODE_SUFFIX = "_mode"  # person_mode=all: articles with every chosen person (default: any of them)


@dataclass(frozen=True)
class SearchState:
    """What a search URL holds: the page kind (search or quotes) and every parameter."""

    kind: str = "search"
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    view: str = "list"
    quote_kind: str = ""  # quotes only: direct | partial
    min_confidence: str = ""  # quotes only: as given (a bad value is explained, not dropped)
    all_of: tuple[str, ...] = ()  # facets whose chosen values must all match (`person_mode=all`)
    collapse: bool = True  # one hit per group of near-duplicates, or per quote they repeat
    similar: str = ""  # articles only: the copies of this article id

    @property
    def facets(self) -> tuple[str, ...]:
        """The filters this kind of search offers."""
        return KINDS[self.kind]

    def values(self, facet: str) -> tuple[str, ...]:
        """The values of one filter ('-' prefixed when excluded)."""
        return self.filters.get(facet, ())

    def query(self, facet_limit: int = 10) -> SearchQuery:
        """The indexer's query for this state (a date bound that is no date left out, a range
        given backwards turned round, a date phrase ending the query read as the range:
        `date_notes` says so)."""
        text, date_from, date_to, _ = self._dated
        return SearchQuery(
            text=text,
            filters={k: v for k, v in self.filters.items() if v},
            date_from=date_from or None,
            date_to=date_to or None,
            sort=self.sort,
            page=self.page,
            per_page=self.per_page,
            facet_limit=facet_limit,
            quote_kind=self.quote_kind or None,
            min_confidence=self.min_confidence or None,
            all_of=self.all_of,
            collapse=self.collapse,
            similar_to=self.similar or None,
        )

    @property
    def date_notes(self) -> list[str]:
        """What was made of a date range that was not written as dates, one sentence each."""
        return self._dated[3]

    @cached_property
    def _dated(self) -> tuple[str, str, str, list[str]]:
        """`dates.dated_query` of this state, read once (a page asks for it several times)."""
        return dated_query(self.text, self.date_from, self.date_to)

    def mode(self, facet: str) -> str:
        """How a facet's chosen values combine: "any" (the default) or "all"."""
        return "all" if facet in self.all_of else "any"

    def with_mode(self, facet: str, mode: str) -> SearchState:
        """The state with one facet's values combined as "any" or "all" of them."""
        rest = tuple(f for f in self.all_of if f != facet)
        return replace(self, all_of=tuple(sorted(rest + ((facet,) if mode == "all" else ()))),
                       page=1)

    # -- changed copies (every change of what matches goes back to page 1) --------------------

    def with_filter(self, facet: str, values: tuple[str, ...]) -> SearchState:
        """The state with one filter's values replaced."""
        filters = dict(self.filters)
        filters[facet] = ordered(values)
        return replace(self, filters={k: v for k, v in filters.items() if v}, page=1)

    def toggled(self, facet: str, value: str) -> SearchState:
        """Select a value, or drop it when it is already selected or excluded."""
        current = self.values(facet)
        if value in current or f"-{value}" in current:
            return self.without(facet, value)
        return self.with_filter(facet, current + (value,))

    def excluded(self, facet: str, value: str) -> SearchState:
        """Exclude a value (replacing its selection)."""
        kept = tuple(v for v in self.values(facet) if v not in (value, f"-{value}"))
        return self.with_filter(facet, kept + (f"-{value}",))

    def without(self, facet: str, value: str) -> SearchState:
        """Drop a value from a filter, whether selected or excluded."""
        kept = tuple(v for v in self.values(facet) if v not in (value, f"-{value}"))
        return self.with_filter(facet, kept)

    def with_dates(self, date_from: str = "", date_to: str = "") -> SearchState:
        """The state restricted to a date range (empty strings clear it)."""
        return replace(self, date_from=date_from, date_to=date_to, page=1)

    def with_trust(self, quote_kind: str = "", min_confidence: str = "") -> SearchState:
        """The state with another quote kind and minimum confidence (empty strings clear them)."""
        return replace(self, quote_kind=quote_kind, min_confidence=min_confidence, page=1)

    def with_text(self, text: str) -> SearchState:
        """The same filters with another query."""
        return replace(self, text=text, page=1)

    def cleared(self) -> SearchState:
        """No query, filters or dates; keeps sort and view."""
        return replace(self, text="", filters={}, date_from="", date_to="", page=1,
                       quote_kind="", min_confidence="", all_of=())

    def at_page(self, page: int) -> SearchState:
        """Another page of the same results."""
        return replace(self, page=page)

    def viewed_as(self, view: str) -> SearchState:
        """The same page in another layout."""
        return replace(self, view=view)

    def as_kind(self, kind: str) -> SearchState:
        """The same query and shared filters on the other page (articles or quotes)."""
        facets = KINDS[kind]
        trust = {} if kind == "quotes" else {"quote_kind": "", "min_confidence": ""}
        return replace(
            self, kind=kind, filters={k: v for k, v in self.filters.items() if k in facets}, page=1,
            all_of=tuple(f for f in self.all_of if f in facets), **trust,
        )

    # -- URLs -------------------------------------------------------------------------------

    def params(self) -> list[tuple[str, str]]:
        """The parameters in canonical order, defaults left out."""
        out: list[tuple[str, str]] = []
        if self.text:
            out.append(("q", self.text))
        for facet in FILTER_ORDER:
            out.extend((facet, v) for v in ordered(self.values(facet)))
            if facet in self.all_of:
                out.append((f"{facet}{MODE_SUFFIX}", "all"))
        if self.quote_kind:
            out.append(("kind", self.quote_kind))
        if self.min_confidence:
            out.append(("min_confidence", self.min_confidence))
        if self.similar:
            out.append(("similar", self.similar))
        if not self.collapse:
            out.append(("collapse", "0"))
        if self.date_from:
            out.append(("from", self.date_from))
        if self.date_to:
            out.append(("to", self.date_to))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.page != 1:
            out.append(("page", str(self.page)))
        if self.per_page != PER_PAGE:
            out.append(("per_page", str(self.per_page)))
        if self.view != "list":
            out.append(("view", self.view))
        return out

    def filter_params(self) -> list[tuple[str, str]]:
        """What selects the matches (query, filters, trust, dates): no sort, page or layout."""
        return replace(self, sort="relevance", page=1, per_page=PER_PAGE, view="list").params()

    def values_url(self, facet: str, suffix: str = "", contains: str = "", order: str = "count",
                   page: int = 1) -> str:
        """The page listing every value of one facet for this search (suffix '.json': its twin)."""
        params = self.filter_params()
        params += [("contains", contains)] if contains else []
        params += [("order", order)] if order != "count" else []
        params += [("page", str(page))] if page != 1 else []
        qs = urlencode(params, safe=SAFE)
        return f"/{self.kind}/values/{facet}{suffix}" + (f"?{qs}" if qs else "")

    def query_string(self) -> str:
        """The canonical query string (no leading '?')."""
        return urlencode(self.params(), safe=SAFE)

    def url(self, suffix: str = "") -> str:
        """The canonical URL path of this search, e.g. suffix '.json' for its JSON twin."""
        qs = self.query_string()
        return f"/{self.kind}{suffix}" + (f"?{qs}" if qs else "")


def ordered(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Filter values deduplicated and sorted by name (an exclusion sorts with its value)."""
    unique = dict.fromkeys(v.strip() for v in values if v.strip().lstrip("-").strip())
    return tuple(sorted(unique, key=lambda v: (v.lstrip("-").casefold(), v)))


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(text) if text not in (None, "") else default
    except ValueError:
        number = default
    return min(max(number, low), high)


def parse_state(kind: str, args: MultiDict) -> SearchState:
    """The state a request's query string describes; unknown or odd parameters are ignored."""
    facets = KINDS[kind]
    filters = {f: ordered(args.getlist(f))[:MAX_FILTER_VALUES] for f in facets}
    sort = (args.get("sort") or "relevance").strip()
    view = (args.get("view") or "list").strip()
    return SearchState(
        kind=kind,
        text=(args.get("q") or "").strip(),
        filters={k: v for k, v in filters.items() if v},
        all_of=tuple(f for f in sorted(facets)
                     if (args.get(f"{f}{MODE_SUFFIX}") or "").strip().lower() == "all"),
        date_from=(args.get("from") or "").strip(),
        date_to=(args.get("to") or "").strip(),
        sort=sort,
        page=_int(args.get("page"), 1, 1, MAX_PAGE),
        per_page=_int(args.get("per_page"), PER_PAGE, 1, MAX_PER_PAGE),
        view=view if view in VIEWS else "list",
        collapse=(args.get("collapse") or "").strip() != "0",
        **(trust_params(args) if kind == "quotes" else duplicate_params(args)),
    )


def duplicate_params(args: MultiDict) -> dict:
    """The article whose near-duplicate copies an article search lists."""
    return {"similar": (args.get("similar") or "").strip()[:200]}


def similar_url(article_id: str) -> str:
    """The search listing an article's near-duplicate copies (itself included)."""
    return SearchState("search", similar=article_id).url()


def trust_params(args: MultiDict) -> dict[str, str]:
    """A quote search's kind and minimum confidence as given (checked when searching)."""
    given = (args.get("min_confidence") or "").strip()[:20]
    try:
        number = float(given)
    except ValueError:
        number = None
    if number is not None and 0.0 <= number <= 1.0:
        given = f"{number:g}"  # 0.80 and .8 are one search, one URL
    return {"quote_kind": (args.get("kind") or "").strip().lower(), "min_confidence": given}


def search_url(kind: str = "search", **filters: str | tuple[str, ...]) -> str:
    """The canonical URL of a fresh search with some filters (e.g. person='Vladimir Putin')."""
    values = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in filters.items()}
    return SearchState(kind=kind, filters={k: ordered(v) for k, v in values.items()}).url()


def entity_url(kind: str, name: str, suffix: str = "") -> str:
    """The page of one person, country, topic or organisation."""
    return f"/{kind}/{quote(name, safe='')}{suffix}"


def article_url(article_id: str, suffix: str = "", anchor: str = "") -> str:
    """The page of one article (anchor e.g. 'q3' to point at a quotation)."""
    return f"/article/{quote(article_id, safe='')}{suffix}" + (f"#{anchor}" if anchor else "")
