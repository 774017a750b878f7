"""OpenSearch index mappings and documents: the same fields and analysis as the Whoosh schema.

Text is analysed here, in Python, by the very analyzer the Whoosh schema uses (tokenizer,
lowercase, stop words, Porter stems), and sent as its space-joined terms into fields that
OpenSearch splits on whitespace only. Both backends therefore hold the same terms at the same
positions, so a query means the same on each; the displayed text lives in the stored record.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator

from indexer.duplicates import quote_key
from indexer.records import ARTICLE_ONLY, FACET_FIELDS, Record, facet_values
from indexer.schema import ARTICLE, QUOTE, SCHEMA, SEP
from indexer.search import day_number
from indexer.store import quote_data, quote_searched

MAPPING_VERSION = 2  # bump when the mapping changes; `reindex` builds the new version beside
MAX_RESULT_WINDOW = 50_000
TEXT_FIELDS = ("title", "body", "quote")
KEYWORDS = ("kind", "id", "article_id", "content_hash", "published", "speaker", "mentions")
FACET_NAMES = tuple(FACET_FIELDS)


# Added in mapping version 2: a quotation's kind (direct | partial) and confidence. An index of
# an older version gets them added to its mapping when written to (adding fields is allowed);
# quotations loaded before that have neither until `newsindex reindex`.
TRUST_FIELDS = {"quote_kind": {"type": "keyword"}, "confidence": {"type": "double"}}
# Added later still, to articles only: an article's near-duplicate group (the id of its group's
# first copy, its own id when it has none), what searches collapse on; and the names called
# works or products (records.FACET_FIELDS). Added to older mappings the same way.
LATER_ARTICLE_FIELDS = {"dup_group": {"type": "keyword"}, "work": {"type": "keyword"}}


def analysed(text: str, field: str) -> str:
    """The Whoosh terms of a text field's text, in order, joined by spaces."""
    return " ".join(token.text for token in SCHEMA[field].analyzer(text or ""))


_tokenize, _lowercase = SCHEMA["body"].analyzer.items[:2]
SPELLING = _tokenize | _lowercase  # the words as written (no stop words removed, no stems)


def spelling(*texts: str) -> str:
    """Distinct lowercase words of texts, the vocabulary that 'did you mean' draws on."""
    words = dict.fromkeys(t.text for text in texts for t in SPELLING(text or ""))
    return " ".join(words)


def search_field(name: str) -> str | None:
    """The OpenSearch field that a Whoosh schema field is searched in (None: not searchable)."""
    if name in TEXT_FIELDS:
        return f"{name}_t"
    if name in KEYWORDS or name in FACET_NAMES or name in TRUST_FIELDS:
        return name
    return None


def mapping(shards: int, replicas: int) -> dict:
    """Settings and mappings of one index (articles and quotes share them)."""
    keyword = {"type": "keyword"}
    text = {"type": "text", "analyzer": "whitespace", "search_analyzer": "whitespace"}
    properties = {name: keyword for name in KEYWORDS + FACET_NAMES}
    properties.update({f"{name}_t": text for name in TEXT_FIELDS})
    properties["words"] = dict(text, index_options="docs", norms=False)
    properties.update(
        day={"type": "integer"},
        published_date={"type": "date", "format": "yyyy-MM-dd"},
        quote_count={"type": "integer"},
        record={"type": "object", "enabled": False},
        **TRUST_FIELDS,
        **LATER_ARTICLE_FIELDS,
    )
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "max_result_window": MAX_RESULT_WINDOW,
            }
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"newsindex_mapping": MAPPING_VERSION},
            "_source": {"excludes": [f"{name}_t" for name in TEXT_FIELDS] + ["words"]},
            "properties": properties,
        },
    }


def calendar_date(day: int) -> str | None:
    """yyyymmdd as an ISO date for the month histogram (a day past the month's end is clamped)."""
    year, month, dom = day // 10000, day // 100 % 100, day % 100
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        return None
    dom = min(max(dom, 1), calendar.monthrange(year, month)[1])
    return f"{year:04d}-{month:02d}-{dom:02d}"


def dated(published: str | None) -> dict:
    """The date fields: the raw value (for field:value queries), its day number, its date."""
    day = day_number(published) or 0
    out: dict = {"day": day}
    if published:
        out["published"] = published
        date = calendar_date(day)
        if date:
            out["published_date"] = date
    return out


def facets(record: Record) -> dict[str, list[str]]:
    """Facet values as the Whoosh store splits them."""
    return {
        name: [v.replace(SEP, " ") for v in facet_values(record, name) if v] for name in FACET_NAMES
    }


def article_document(record: Record, group: str | None = None) -> dict:
    """The OpenSearch document of an article (its _id is the article id)."""
    return {
        "kind": ARTICLE,
        "id": record["id"],
        "dup_group": group or record["id"],
        "article_id": record["id"],
        "content_hash": record.get("content_hash") or "",
        "title_t": analysed(record.get("title") or "", "title"),
        "body_t": analysed(record["body"], "body"),
        "words": spelling(record.get("title") or "", record["body"]),
        "quote_count": len(record.get("quotes") or []),
        **dated(record.get("published")),
        **facets(record),
        "record": record,
    }


def quote_id(article_id: str, n: int) -> str:
    """A quotation's id, as the Whoosh store names it."""
    return f"{article_id}#q{n}"


def quote_documents(record: Record, group: str | None = None) -> Iterator[dict]:
    """One document per quotation, carrying the article's facets for filtering; in an article
    with near-duplicate copies (`group`), the same quote of every copy shares its dup_group."""
    shared = {**dated(record.get("published")),
              **{k: v for k, v in facets(record).items() if k not in ARTICLE_ONLY}}
    for n, quote in enumerate(record.get("quotes") or []):
        data = quote_data(record, quote)
        yield {
            "kind": QUOTE,
            "id": quote_id(record["id"], n),
            "dup_group": quote_key(group, quote["text"]) if group else quote_id(record["id"], n),
            "article_id": record["id"],
            "quote_t": analysed(quote_searched(data), "quote"),
            "words": spelling(quote_searched(data)),
            "speaker": [quote["speaker"].replace(SEP, " ")] if quote.get("speaker") else [],
            "mentions": [m.replace(SEP, " ") for m in data["mentions"] if m],
            **shared,
            **trust(quote),
            "record": data,
        }


def trust(quote: dict) -> dict:
    """A quotation's kind and confidence fields, as far as it has them."""
    out: dict = {}
    if quote.get("kind"):
        out["quote_kind"] = quote["kind"]
    if isinstance(quote.get("confidence"), int | float):
        out["confidence"] = float(quote["confidence"])
    return out
