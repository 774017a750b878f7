"""Search stage on OpenSearch: the same SearchQuery in, the same result shape out.

One request per search: the translated query selects documents; the date and facet filters go
in a post_filter (hits) and, each facet leaving out its own filter, into filter aggregations
(multi-select counts); a month date_histogram; alias merges as extra filter buckets.
Snippets are made from the hit's stored text with the same highlighter as the Whoosh backend,
so both mark the same words (OpenSearch's highlighter would analyse the text differently).
"""

from __future__ import annotations

import copy
import time
from dataclasses import replace

from opensearchpy.exceptions import ConnectionError as NodeConnectionError
from opensearchpy.exceptions import TransportError
from whoosh.query import Query

from indexer.dates import UNDATED
from indexer.opensearch.documents import MAX_RESULT_WINDOW, search_field
from indexer.opensearch.store import OpenSearchStore
from indexer.opensearch.translate import MATCH_NONE, translate
from indexer.query import MAX_EDITS, SAME_START
from indexer.schema import ARTICLE, QUOTE
from indexer.search import (
    DETAIL_FIELDS,
    QueryError,
    QueryFront,
    Searcher,
    SearchQuery,
    alias_tables,
    day_number,
    hit_dict,
    ranks,
    result_dict,
    split_values,
    undated_facet,
)

CARDINALITY_PRECISION = 40_000  # distinct counts are exact up to about this many values
# A shard that cannot answer fails the search rather than silently shrinking counts.
WHOLE = {"allow_partial_search_results": "false"}
# What a hit shows; an article's entities and quotes stay on the server.
HIT_SOURCE = {
    ARTICLE: [f"record.{k}" for k in ("id", "title", "published", "source", "url", "body")],
    QUOTE: ["record"],
}
DETAIL_SOURCE = [f"record.{k}" for k in (*DETAIL_FIELDS, "topics")]  # an export's hits add them


# Indexed words near a misspelt one that "did you mean" weighs (by documents and edits).
NEAR_WORDS = 50
# Tries of one search while a cluster fails over after losing a node.
RETRIES = 4
# Ids fetched per request when a saved search lists every match.
IDS_PAGE = 10_000
# Values each shard sends per facet at first. On several shards a shorter list makes most
# searches ask again for exact counts (3 shards, 10k articles: 100 -> 125 second requests per
# 100 searches, p50 narrow 52 ms; 1000 -> 44, 29 ms).
FACET_SHARD_SIZE = 1000
# Facet values per request when all of them are counted (value_counts).
COMPOSITE_PAGE = 10_000
# Deepest per-shard list of facet values asked for when counts come back inexact.
SHARD_SIZE_CAP = 50_000


def inexact(terms_agg: dict | None) -> bool:
    """True when a terms aggregation says its counts may be low (shards cut their lists)."""
    return bool(terms_agg) and int(terms_agg.get("doc_count_error_upper_bound", 0)) > 0


# Distinct duplicate groups are counted with `cardinality`, exact below this many per bucket.
STORIES = {"cardinality": {"field": "dup_group", "precision_threshold": 40000}}


def stories(bucket: dict, default: int = 0) -> int:
    """A bucket's count: its distinct duplicate groups when collapsing, else its documents."""
    if "stories" in bucket:
        return int(bucket["stories"]["value"])
    return int(bucket.get("doc_count", default))


def collapse_groups(body: dict, filters: list[dict]) -> None:
    """One hit per near-duplicate group (the best by the request's order), and every count
    (total, facets, months) counting groups rather than copies."""
    body["collapse"] = {"field": "dup_group"}
    for agg in body["aggs"].values():  # facets' top values, merged groups, picks; months
        for sub in agg.get("aggs", {}).values():
            sub["aggs"] = {"stories": STORIES}
            if "terms" in sub:
                sub["terms"]["order"] = [{"stories": "desc"}, {"_key": "asc"}]
    body["aggs"]["stories"] = {"filter": {"bool": {"filter": filters}}, "aggs": {
        "stories": STORIES}}


class OpenSearchSearcher(QueryFront):
    """Searches an OpenSearchStore; the methods and result shapes of `Searcher`."""

    def _search(self, **kwargs) -> dict:
        """A search that retries while the cluster fails over (a node lost mid-query)."""
        for attempt in range(RETRIES):
            try:
                return self.client.search(**kwargs)
            except (TransportError, NodeConnectionError) as exc:
                status = getattr(exc, "status_code", None)
                if attempt == RETRIES - 1 or (isinstance(status, int) and status < 500):
                    raise
                time.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")

    def __init__(self, store: OpenSearchStore):
        super().__init__(store.dir)
        self.store = store
        self.client = store.client
        self.deeper_requests = 0  # second requests made for exact facet counts (benches report it)

    def article(self, article_id: str) -> dict | None:
        """One stored annotated record."""
        return self.store.get(article_id)

    # -- alias merges --------------------------------------------------------------------------

    def _groups(self, name: str) -> dict[str, set[str]]:
        """Canonical value -> every raw value merged into it (itself included unless another
        table merges it away), for one facet."""
        self.aliases.refresh()
        merges = self.aliases.aliases.to_dict()
        groups: dict[str, set[str]] = {}
        for table in alias_tables(name):
            for variant in merges[table]:
                # as Whoosh reads them: by the first table that merges a value (a quote's
                # mentions: the person "Trump" is "Donald Trump" even where the organisation
                # "Trumps" is "Trump")
                target = self.canonical(name, variant)
                members = groups.setdefault(target, set())
                members.add(variant)
                if self.canonical(name, target) == target:
                    members.add(target)
        return groups

    # -- one search ----------------------------------------------------------------------------

    def _filters(self, query: SearchQuery, names: tuple[str, ...]) -> dict[str, dict]:
        """One filter per facet that the query filters on (include OR-ed, exclude removed)."""
        out = {}
        for name in names:
            include, exclude = split_values(query.filters.get(name, ()))
            if not include and not exclude:
                continue
            clause: dict = {"bool": {}}
            if include:
                groups = [sorted(self.aliases.spellings(name, v)) for v in include]
                if query.mode(name) == "all":  # each value (or a spelling merged into it)
                    clause["bool"]["filter"] = [{"terms": {name: g}} for g in groups]
                else:
                    values = sorted({m for g in groups for m in g})
                    clause["bool"]["filter"] = [{"terms": {name: values}}]
            if exclude:
                values = sorted({m for v in exclude for m in self.aliases.spellings(name, v)})
                clause["bool"]["must_not"] = [{"terms": {name: values}}]
            out[name] = clause
        return out

    @staticmethod
    def _date_filter(query: SearchQuery) -> list[dict]:
        if query.undated:
            return [{"term": {"day": 0}}]
        lo, hi = day_number(query.date_from), day_number(query.date_to, end=True)
        bounds = {}
        if lo or hi:
            bounds["gte"] = lo or 1  # an upper bound leaves out undated documents (day 0)
        if hi:
            bounds["lte"] = hi
        return [{"range": {"day": bounds}}] if bounds else []

    @staticmethod
    def _trust_filter(query: SearchQuery) -> list[dict]:
        """Quotations of the kind asked for, with at least the confidence asked for. Part of the
        query, not the post_filter: like the query's words, it narrows what facets count."""
        out: list[dict] = []
        if query.quote_kind:
            out.append({"term": {"quote_kind": query.quote_kind}})
        if query.min_confidence is not None:
            out.append({"range": {"confidence": {"gte": query.min_confidence}}})
        return out

    def _ids(self, query: SearchQuery, kind: str, names: tuple[str, ...]) -> set[str]:
        """Every match's id, IDS_PAGE at a time in id order (search_after has no depth limit)."""
        _, body, _ = self._body(replace(query, page=1, per_page=1), kind, names)
        body.update(aggs={}, size=IDS_PAGE, sort=[{"id": "asc"}], _source=False,
                    track_total_hits=False)  # fmt: skip
        body.pop("from")
        ids: set[str] = set()
        while body["query"] != MATCH_NONE:
            got = self._search(index=self.store.aliases[kind], body=body, params=WHOLE)
            hits = got["hits"]["hits"]
            ids.update(hit["_id"] for hit in hits)
            if len(hits) < IDS_PAGE:
                break
            body["search_after"] = hits[-1]["sort"]
        return ids

    def _facet_counts(self, query: SearchQuery, kind: str, names: tuple[str, ...],
                      name: str) -> dict[str, int]:
        """Every value's count under the query and the other filters: a composite aggregation
        paged through all values (exact on any number of shards), merged spellings counted
        together by filter buckets."""
        _, body, groups = self._body(replace(query, page=1, per_page=1), kind, names)
        if body["query"] == MATCH_NONE:
            return {}
        within = body["aggs"][f"facet_{name}"]["filter"]
        collapsed = "collapse" in body  # count duplicate groups, as the facet lists do
        counts = self._composite(kind, name, body["query"], within, collapsed)
        merged = groups[name]
        if not merged:
            return counts
        for member in set().union(*merged.values()):
            counts.pop(member, None)
        by_group = self._facet_aggs(name, query, merged)["groups"]
        if collapsed:
            by_group["aggs"] = {"stories": STORIES}
        aggs = {"within": {"filter": within, "aggs": {"groups": by_group}}}
        got = self._search(index=self.store.aliases[kind], params=WHOLE, body={
            "size": 0, "track_total_hits": False, "query": body["query"], "aggs": aggs})
        for canonical, bucket in got["aggregations"]["within"]["groups"]["buckets"].items():
            if stories(bucket):
                counts[canonical] = stories(bucket)
        return counts

    def _run(self, query: SearchQuery, kind: str, names: tuple[str, ...]) -> dict:
        start = (query.page - 1) * query.per_page
        if start + query.per_page > MAX_RESULT_WINDOW:
            raise QueryError(f"pages go up to result {MAX_RESULT_WINDOW}; narrow the search")
        q, body, groups = self._body(query, kind, names)
        resp = self._search(index=self.store.aliases[kind], body=body, params=WHOLE)
        total = int(resp["hits"]["total"]["value"])
        if "collapse" in body:  # the groups among the matches, not their copies
            total = stories(resp.get("aggregations", {}).get("stories", {}), total)
        ranked = "sort" not in body
        terms = Searcher._terms(q)
        hits = [self._hit(h, terms, kind, ranked, query.details) for h in resp["hits"]["hits"]]
        got = resp.get("aggregations", {})
        self._exact_facets(kind, body, got, names)
        facets = {}
        for name in names:
            facets[name] = self._facet_values(name, got.get(f"facet_{name}"), query, groups[name])
        months = got.get("months", {})
        facets["month"] = [
            {"value": b["key_as_string"], "count": stories(b)}
            for b in months.get("by_month", {}).get("buckets", [])
        ]
        facets[UNDATED] = undated_facet(stories(months.get(UNDATED, {})), query)
        suggestion = self.suggestion(query.text, kind) if total < 3 and query.text else None
        return result_dict(query, total, hits, facets, suggestion, kind)

    def _body(
        self, query: SearchQuery, kind: str, names: tuple[str, ...]
    ) -> tuple[Query, dict, dict[str, dict[str, set[str]]]]:
        """The parsed query and the one request that answers it (hits, facets, months)."""
        q = self.parse(query.text, kind)
        start = (query.page - 1) * query.per_page
        groups = {name: self._groups(name) for name in names}
        filters = self._filters(query, names)
        dates = self._date_filter(query)
        aggs = {}
        for name in names:
            others = dates + [f for other, f in filters.items()
                              if other != name or query.mode(name) == "all"]
            aggs[f"facet_{name}"] = {
                "filter": {"bool": {"filter": others}},
                "aggs": self._facet_aggs(name, query, groups[name], self.aliases.hidden(name)),
            }
        aggs["months"] = {
            "filter": {"bool": {"filter": list(filters.values())}},
            "aggs": {
                "by_month": {
                    "date_histogram": {
                        "field": "published_date",
                        "calendar_interval": "month",
                        "format": "yyyy-MM",
                        "min_doc_count": 1,
                    }
                },
                UNDATED: {"filter": {"term": {"day": 0}}},
            },
        }
        matched = translate(q)
        if query.trusted and matched != MATCH_NONE:
            matched = {"bool": {"must": [matched], "filter": self._trust_filter(query)}}
        if kind == ARTICLE and query.similar_to and matched != MATCH_NONE:
            self.duplicates.refresh()
            group = self.duplicates.groups.get(query.similar_to, query.similar_to)
            matched = {"bool": {"must": [matched], "filter": [{"term": {"dup_group": group}}]}}
        body = {
            "query": matched,
            "post_filter": {"bool": {"filter": dates + list(filters.values())}},
            "aggs": aggs,
            "track_total_hits": True,
            "from": start,
            "size": query.per_page,
            "_source": HIT_SOURCE[kind] + (DETAIL_SOURCE if query.details else []),
        }
        ranked = query.sort == "relevance" and ranks(q)
        if not ranked:
            order = "asc" if query.sort == "oldest" else "desc"
            body["sort"] = [{"day": order}, {"id": order}]
        self.duplicates.refresh()
        if query.collapse and not query.similar_to and self.duplicates.groups:
            collapse_groups(body, dates + list(filters.values()))
        if body["query"] == MATCH_NONE:
            body["aggs"] = {}  # nothing can match: skip the aggregations
        return q, body, groups

    def _exact_facets(self, kind: str, body: dict, got: dict, names: tuple[str, ...]) -> None:
        """Ask again, with deeper shard lists, for facets whose counts OpenSearch marks inexact.

        Each shard sends its top `shard_size` values; on a multi-shard index a value can be missed
        by a shard and counted low (doc_count_error_upper_bound > 0). Whoosh counts exactly, so
        those facets are fetched again with ten times the depth until the bound is 0 (or the depth
        reaches SHARD_SIZE_CAP, where the counts stay as OpenSearch gives them).
        """
        depth = {}
        for name in names:
            agg = body["aggs"].get(f"facet_{name}", {}).get("aggs", {}).get("top")
            if agg and inexact(got.get(f"facet_{name}", {}).get("top")):
                depth[name] = agg["terms"]["shard_size"]
        while depth:
            depth = {n: d * 10 for n, d in depth.items() if d < SHARD_SIZE_CAP}
            if not depth:
                return
            aggs = {}
            for name, size in depth.items():
                facet = copy.deepcopy(body["aggs"][f"facet_{name}"])
                facet["aggs"]["top"]["terms"]["shard_size"] = min(size, SHARD_SIZE_CAP)
                aggs[f"facet_{name}"] = facet
            again = {"query": body["query"], "aggs": aggs, "size": 0, "track_total_hits": False}
            resp = self._search(index=self.store.aliases[kind], body=again, params=WHOLE)
            self.deeper_requests += 1
            for key, value in resp.get("aggregations", {}).items():
                got[key] = value
            depth = {n: d for n, d in depth.items() if inexact(got[f"facet_{n}"].get("top"))}

    def _value_known(self, field: str, value: str) -> bool:
        kind = QUOTE if field in ("speaker", "mentions") else ARTICLE
        body = {"size": 0, "track_total_hits": 1, "query": {"term": {field: {
            "value": value, "case_insensitive": True}}}}  # fmt: skip
        got = self._search(index=self.store.aliases[kind], body=body)
        return int(got["hits"]["total"]["value"]) > 0

    def _near_words(self, word: str, kind: str) -> list[str]:
        """Indexed words near word, from the term suggester over the words as written."""
        body = {"size": 0, "suggest": {"text": word, "near": {"term": {
            "field": "words", "analyzer": "whitespace", "suggest_mode": "always",
            "size": NEAR_WORDS, "max_edits": MAX_EDITS, "prefix_length": SAME_START,
            "min_word_length": 1, "max_term_freq": 1.0, "sort": "score"}}}}  # fmt: skip
        got = self._search(index=self.store.aliases[kind], body=body)
        return sorted({o["text"] for e in got["suggest"]["near"] for o in e["options"]})

    def _documents(self, field: str, terms: list[str]) -> dict[str, int]:
        kind = QUOTE if field == "quote" else ARTICLE
        if not terms:
            return {}
        target = search_field(field)
        body = {"size": 0, "track_total_hits": False, "aggs": {"terms": {"filters": {
            "filters": {t: {"term": {target: t}} for t in terms}}}}}  # fmt: skip
        got = self._search(index=self.store.aliases[kind], body=body, params=WHOLE)
        buckets = got["aggregations"]["terms"]["buckets"]
        return {t: int(buckets[t]["doc_count"]) for t in terms}

    def _facet_aggs(self, name: str, query: SearchQuery, groups: dict[str, set[str]],
                    hidden: frozenset[str] = frozenset()) -> dict:
        """Top values (merged groups counted apart, exactly; values of another type left out)
        and the values the user picked."""
        merged = sorted({m for members in groups.values() for m in members} | hidden)
        top: dict = {
            "field": name,
            "size": query.facet_limit,
            "order": [{"_count": "desc"}, {"_key": "asc"}],
            "shard_size": max(FACET_SHARD_SIZE, 20 * query.facet_limit),
        }
        if merged:
            top["exclude"] = merged
        aggs: dict = {"top": {"terms": top}}
        if groups:
            aggs["groups"] = {
                "filters": {
                    "filters": {c: {"terms": {name: sorted(m)}} for c, m in sorted(groups.items())}
                },
            }
        picked = [v.removeprefix("-") for v in query.filters.get(name, ())]
        if picked:
            aggs["picked"] = {
                "filters": {
                    "filters": {
                        v: {"terms": {name: sorted(groups.get(v, {v}))}} for v in set(picked)
                    }
                }
            }
        return aggs

    def _facet_values(
        self,
        name: str,
        agg: dict | None,
        query: SearchQuery,
        groups: dict[str, set[str]],
    ) -> list[dict]:
        """Counts desc, ties in value order, cut at the limit; picked values always listed."""
        agg = agg or {}
        ranked = [(-stories(b), b["key"]) for b in agg.get("top", {}).get("buckets", [])]
        hidden = self.aliases.hidden(name)
        for canonical, bucket in agg.get("groups", {}).get("buckets", {}).items():
            if bucket["doc_count"] and canonical not in hidden:  # a merged value, counted apart
                ranked.append((-stories(bucket), canonical))
        ranked.sort()
        include, exclude = split_values(query.filters.get(name, ()))
        out = [
            {"value": value, "count": -neg, "selected": value in include,
             "excluded": value in exclude}
            for neg, value in ranked[: query.facet_limit]
        ]  # fmt: skip
        shown = {item["value"] for item in out}
        picked = agg.get("picked", {}).get("buckets", {})
        for value in include + exclude:
            if value not in shown:
                is_variant = self.canonical(name, value) != value
                count = 0 if is_variant else stories(picked.get(value, {}))
                out.append(
                    {
                        "value": value,
                        "count": count,
                        "selected": value in include,
                        "excluded": value in exclude,
                    }
                )
        return out

    @staticmethod
    def _hit(hit: dict, terms: set[str], kind: str, ranked: bool, details: bool) -> dict:
        score = float(hit["_score"]) if ranked and hit.get("_score") is not None else None
        return hit_dict(hit["_id"], hit["_source"]["record"], kind, score, terms, details)

    # -- counts --------------------------------------------------------------------------------

    def value_counts(self, name: str, kind: str = ARTICLE) -> dict[str, int]:
        """Documents of one kind per stored spelling of a facet, no merge applied (a composite
        aggregation, paged: exact whatever the number of values or shards)."""
        return self._composite(kind, name)

    def _composite(self, kind: str, name: str, query: dict | None = None,
                   within: dict | None = None, collapsed: bool = False) -> dict[str, int]:
        """Documents per stored value of a facet (among those the query and filter select; their
        duplicate groups when `collapsed`), COMPOSITE_PAGE values per request (a composite
        aggregation must be top-level, so the filter joins the query)."""
        composite = {"size": COMPOSITE_PAGE, "sources": [{"value": {"terms": {"field": name}}}]}
        values: dict = {"composite": composite}
        if collapsed:
            values["aggs"] = {"stories": STORIES}
        body: dict = {"size": 0, "track_total_hits": False, "aggs": {"values": values}}
        if query is not None:
            body["query"] = {"bool": {"must": [query], "filter": [within or {"match_all": {}}]}}
        out: dict[str, int] = {}
        while True:
            got = self._search(index=self.store.aliases[kind], body=body, params=WHOLE)
            agg = got["aggregations"]["values"]
            out.update((b["key"]["value"], stories(b)) for b in agg["buckets"])
            if len(agg["buckets"]) < COMPOSITE_PAGE or "after_key" not in agg:
                return out
            composite["after"] = agg["after_key"]

    def stats(self) -> dict:
        """Counts of articles, quotes and distinct (alias-merged) facet values."""
        names = {"persons": "person", "organizations": "organization", "countries": "country",
                 "topics": "topic"}  # fmt: skip
        groups = {name: self._groups(name) for name in names.values()}
        aggs = {}
        for key, name in names.items():
            aggs[key] = {
                "cardinality": {"field": name, "precision_threshold": CARDINALITY_PRECISION}
            }
            merged = sorted({m for members in groups[name].values() for m in members})
            if merged:
                aggs[f"{key}_merged"] = {
                    "terms": {"field": name, "include": merged, "size": len(merged)}
                }
        resp = self._search(
            index=self.store.aliases[ARTICLE],
            body={"size": 0, "track_total_hits": True, "aggs": aggs},
            params=WHOLE,
        )
        got = resp["aggregations"]
        out = {"articles": int(resp["hits"]["total"]["value"])}
        out["quotes"] = int(self.client.count(index=self.store.aliases[QUOTE])["count"])
        for key, name in names.items():
            distinct = int(got[key]["value"])
            present = {b["key"] for b in got.get(f"{key}_merged", {}).get("buckets", [])}
            for members in groups[name].values():
                distinct -= max(0, len(members & present) - 1)  # merged spellings count once
            out[key] = distinct
        out["index_bytes"] = self.store.size_bytes()
        return out
