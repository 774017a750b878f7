"""Why a name stands for what it does: each spelling merged into it, how often the archive
writes it and who merged it; the merges offered but not made; the names a user kept apart.
And the name a spelling that no article holds stands for.

What an entity page shows under "also written as", and `newsindex alias --show`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import fingerprints

from indexer.resolution.judgements import PRIORITY, By, Verdict
from indexer.resolution.names import middles_agree, parse
from indexer.schema import ARTICLE, SEP
from indexer.search import ALIAS_FIELDS, SearchQuery

SHOWN_ARTICLES = 3  # articles listed under each spelling


@dataclass
class Spelling:
    """One stored spelling of a name, and the articles behind it."""

    value: str
    articles: int
    quotes: int  # quotations attributed to it (people only)
    by: str | None = None  # who merged it: user, shipped, auto; None for the name itself
    rule: str = ""
    hits: list[dict] = field(default_factory=list)
    query: str = ""  # the search for exactly this spelling, e.g. person:"Trump"

    def to_dict(self) -> dict:
        return {"value": self.value, "articles": self.articles, "quotes": self.quotes,
                "by": self.by, "rule": self.rule, "query": self.query,
                "hits": [{"id": h["id"], "title": h["title"]} for h in self.hits]}


def exact_query(kind: str, value: str) -> str | None:
    """A search for the articles that hold exactly this stored spelling (none can be written
    for a value holding a double quote or the facet separator, which no stored value holds)."""
    return None if not searchable(value) else f'{kind}:"{value}"'


def searchable(value: str) -> bool:
    """Whether `field:"value"` finds exactly the stored value."""
    return bool(value.strip()) and '"' not in value and SEP not in value


def spelling(searcher, kind: str, value: str, hits: int = SHOWN_ARTICLES) -> Spelling:
    """How often the archive writes one spelling, with its first articles."""
    query = exact_query(kind, value)
    if query is None:
        return Spelling(value, 0, 0)
    found = searcher.search(SearchQuery(text=query, per_page=max(1, hits), facet_limit=1,
                                        sort="newest", snippets=False))
    quotes = 0
    if kind == "person":
        said = searcher.quotes(SearchQuery(text=exact_query("speaker", value), per_page=1,
                                           facet_limit=1, snippets=False))
        quotes = said["total"]
    return Spelling(value, found["total"], quotes, hits=found["hits"][:hits], query=query)


def explain(searcher, kind: str, name: str) -> dict:
    """The spellings behind a name (the name first), the merges offered, the names kept apart."""
    watcher = searcher.aliases
    watcher.refresh()
    table = ALIAS_FIELDS.get(kind)
    if table is None:
        return {"spellings": [], "suggested": [], "not_same": []}
    group = watcher.spellings(kind, name)
    canonical = watcher.canonical(kind, name)
    mine = [j for j in watcher.judgements if j.field == table]
    out = []
    for value in sorted(group, key=lambda v: (v != canonical, v)):
        item = spelling(searcher, kind, value)
        if value != canonical:
            made = sorted((j for j in mine if j.verdict == Verdict.POSITIVE and j.variant == value
                           and j.canonical in group), key=lambda j: PRIORITY[j.by])
            if made:
                item.by, item.rule = str(made[0].by), made[0].rule
        out.append(item)
    apart = sorted({other for j in mine if j.verdict == Verdict.NEGATIVE
                    for a, other in ((j.variant, j.canonical), (j.canonical, j.variant))
                    if a in group and other not in group})
    offered = []
    for j in mine:
        if j.by != By.AUTO or j.variant in group or j.variant in apart:
            continue
        if j.canonical in group and (j.verdict == Verdict.UNSURE or j.verdict
                                     == Verdict.POSITIVE and watcher.canonical(kind, j.variant)
                                     == j.variant):
            offered.append(j.variant)
    return {
        "spellings": [s for s in out if s.value == canonical or s.articles or s.quotes],
        "suggested": [spelling(searcher, kind, v, hits=0) for v in sorted(set(offered))],
        "not_same": [spelling(searcher, kind, v, hits=0) for v in apart],
    }


def lookup(searcher, kind: str, name: str) -> str | None:
    """The name that a spelling no article holds stands for, when exactly one fits its keys:
    'Elijah Cummings' -> 'Elijah Eugene Cummings', 'Recep Tayyip Erdogan' -> '... Erdoğan'."""
    if kind == "person":
        wanted = parse(name)
        if wanted is None or wanted.lone:
            return None

        def fits(value: str) -> bool:
            found = parse(value)
            return bool(found) and not found.lone and (
                found.full_key == wanted.full_key
                or found.short_key == wanted.short_key
                and middles_agree(found.middles, wanted.middles))
    elif kind == "organization":
        key = fingerprints.generate(name)

        def fits(value: str) -> bool:
            return bool(key) and fingerprints.generate(value) == key
    else:
        return None
    names = {searcher.canonical(kind, v) for v in searcher.value_counts(kind, ARTICLE) if fits(v)}
    return names.pop() if len(names) == 1 else None
