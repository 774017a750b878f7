"""Our query syntax on OpenSearch: a Whoosh query tree translated node by node into Query DSL.

The user's text is parsed by Whoosh's own parser (the same one the Whoosh backend uses), so
words are already analysed into the terms both indexes hold; each node then becomes the
OpenSearch query with the same matching rule.
"""

from __future__ import annotations

from whoosh import query as wq

from indexer.opensearch.documents import search_field
from indexer.query import VALUE_FIELDS
from indexer.search import QueryError

MATCH_NONE: dict = {"match_none": {}}
MATCH_ALL: dict = {"match_all": {}}


def translate(q: wq.Query) -> dict:
    """OpenSearch Query DSL matching exactly the documents that q matches in Whoosh."""
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return MATCH_NONE
    if isinstance(q, wq.Every):
        if q.fieldname in (None, "*"):
            return MATCH_ALL
        target = search_field(q.fieldname)
        return {"exists": {"field": target}} if target else MATCH_NONE
    if isinstance(q, wq.Not):
        return {"bool": {"must_not": [translate(q.query)]}}
    if isinstance(q, wq.AndNot):
        return {"bool": {"must": [translate(q.a)], "must_not": [translate(q.b)]}}
    if isinstance(q, wq.AndMaybe):
        return {"bool": {"must": [translate(q.a)], "should": [translate(q.b)]}}
    if isinstance(q, wq.Require):
        return {"bool": {"must": [translate(q.a)], "filter": [translate(q.b)]}}
    if isinstance(q, wq.DisjunctionMax):
        return {
            "dis_max": {
                "queries": [translate(s) for s in q.subqueries],
                "tie_breaker": q.tiebreak,
                "boost": q.boost,
            }
        }
    if isinstance(q, wq.And):
        return {"bool": {"must": [translate(s) for s in q.subqueries], "boost": q.boost}}
    if isinstance(q, wq.Or):
        return {
            "bool": {
                "should": [translate(s) for s in q.subqueries],
                "minimum_should_match": max(1, q.minmatch or 0),
                "boost": q.boost,
            }
        }
    if isinstance(q, wq.ConstantScoreQuery):
        return {"constant_score": {"filter": translate(q.child), "boost": q.score}}
    return _leaf(q)


def _leaf(q: wq.Query) -> dict:
    """Queries on one field's terms."""
    if isinstance(q, wq.Wildcard) and not q.text.strip("*"):
        return MATCH_ALL  # `*` alone means everything, as the Whoosh searcher treats it
    target = search_field(getattr(q, "fieldname", None) or "")
    if isinstance(q, wq.Phrase | wq.Term | wq.MultiTerm) and not target:
        return MATCH_NONE  # a field that is not indexed matches nothing, as in Whoosh
    if isinstance(q, wq.Phrase):
        return _phrase(target, list(q.words), q.slop, q.boost)
    if isinstance(q, wq.Prefix):
        return {"prefix": {target: {"value": q.text, "boost": q.boost}}}
    if isinstance(q, wq.FuzzyTerm):
        return {
            "fuzzy": {
                target: {
                    "value": q.text,
                    "fuzziness": min(q.maxdist, 2),
                    "prefix_length": q.prefixlength,
                    "transpositions": False,  # Whoosh counts a swap as two edits
                    "max_expansions": 1024,
                    "boost": q.boost,
                }
            }
        }
    if isinstance(q, wq.Term):
        term = {"value": q.text, "boost": q.boost}
        if q.fieldname in VALUE_FIELDS:
            term["case_insensitive"] = True  # as the Whoosh searcher matches facet values
        return {"term": {target: term}}
    if isinstance(q, wq.Wildcard):
        return {"wildcard": {target: {"value": q.text, "boost": q.boost}}}
    if isinstance(q, wq.TermRange):
        bounds: dict = {"boost": q.boost}
        if q.start is not None:
            bounds["gt" if q.startexcl else "gte"] = q.start
        if q.end is not None:
            bounds["lt" if q.endexcl else "lte"] = q.end
        return {"range": {target: bounds}}
    raise QueryError(f"this search backend cannot run a {type(q).__name__} query")


def _phrase(target: str, words: list[str], slop: int, boost: float) -> dict:
    """Whoosh phrases: each next word within `slop` positions after the words before it."""
    if not words:
        return MATCH_NONE
    if len(words) == 1:
        return {"term": {target: {"value": words[0], "boost": boost}}}
    if slop <= 1:
        return {"match_phrase": {target: {"query": " ".join(words), "slop": 0, "boost": boost}}}
    # Whoosh grows the span word by word (SpanNear2); nested in-order span_near does the same.
    span: dict = {"span_term": {target: words[0]}}
    for word in words[1:]:
        span = {
            "span_near": {
                "clauses": [span, {"span_term": {target: word}}],
                "slop": slop - 1,
                "in_order": True,
            }
        }
    span["span_near"]["boost"] = boost
    return span
