"""Evidence from the index itself for the automatic merges, and their recomputation.

After every `index` run (records loaded or annotated, on Whoosh or OpenSearch alike) the
searcher is asked for the facet values' counts and, for the few surnames that may stand for a
full name, the context their articles share; `resolution.archive` judges from that, and the
result is stored beside the index, where every searcher picks it up at its next query.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from indexer.resolution import archive
from indexer.resolution.archive import COMMON, CONTEXT_FACETS, CONTEXT_VALUES
from indexer.resolution.judgements import Judgement
from indexer.schema import ARTICLE, QUOTE
from indexer.search import SearchQuery


def person_mentions(searcher) -> dict[str, int]:
    """Each person spelling's mentions: articles naming it plus quotations attributed to it."""
    counts = dict(searcher.value_counts("person", ARTICLE))
    for name, n in searcher.value_counts("speaker", QUOTE).items():
        counts[name] = counts.get(name, 0) + n
    return counts


class Context:
    """What the articles of a person name share with another's: the people, organisations and
    countries around them, asked of the searcher once per name (both backends answer it)."""

    def __init__(self, searcher, earlier: list[Judgement] = ()) -> None:
        self.searcher = searcher
        self._seen: dict[str, set[str]] = {}
        articles = searcher.search(SearchQuery(per_page=1, facet_limit=1, snippets=False))
        limit = COMMON * articles["total"]
        self.common = {v for name in CONTEXT_FACETS
                       for v, n in searcher.value_counts(name, ARTICLE).items() if n > limit}
        # Names whose mentions did not change since the last run share what they shared then.
        self.known = {(j.variant, j.canonical, j.evidence.get("mentions"),
                       j.evidence.get("canonical_mentions")): j.evidence["shared"]
                      for j in earlier if "shared" in j.evidence}

    def values(self, name: str) -> set[str]:
        """The context values of one name's articles and quotations."""
        if name not in self._seen:
            found: set[str] = set()
            if '"' not in name:
                query = SearchQuery(per_page=1, facet_limit=CONTEXT_VALUES, snippets=False)
                for result in (self.searcher.search(replace(query, text=f'person:"{name}"')),
                               self.searcher.quotes(replace(query, text=f'speaker:"{name}"'))):
                    for facet in CONTEXT_FACETS:
                        found |= {item["value"] for item in result["facets"].get(facet, [])}
            self._seen[name] = found - self.common
        return self._seen[name]

    def shared(self, a: str, b: str, a_mentions: int, b_mentions: int) -> int:
        """How many context values the articles of a and b share (a and b aside)."""
        key = (a, b, a_mentions, b_mentions)
        if key not in self.known:
            self.known[key] = len((self.values(a) & self.values(b)) - {a, b})
        return self.known[key]


def recompute(searcher, index_dir: str | Path) -> list[Judgement]:
    """Judge the archive's values afresh and store the result beside the index."""
    context = Context(searcher, archive.load(index_dir))
    found = archive.auto_judgements(person_mentions(searcher),
                                    searcher.value_counts("organization", ARTICLE),
                                    context.shared)
    archive.save(index_dir, found)
    return found
