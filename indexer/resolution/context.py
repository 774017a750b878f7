"""Evidence from the index itself for the automatic merges, and their recomputation.

After every `index` run (records loaded or annotated, on Whoosh or OpenSearch alike) the
searcher is asked for the facet values' counts and, for the few surnames that may stand for a
full name, the context their articles share; `resolution.archive` judges from that (and votes
on the type of names both the person and organisation facets hold), and the result is stored
beside the index, where every searcher picks it up at its next query.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from indexer.resolution import archive
from indexer.resolution.archive import COMMON, CONTEXT_FACETS, CONTEXT_VALUES
from indexer.resolution.judgements import Judgement, Verdict, resolve
from indexer.resolution.provenance import searchable
from indexer.schema import ARTICLE, QUOTE
from indexer.search import SearchQuery

SPELLINGS = 5  # spellings of a name asked about at most (a query has at most 1,000 characters)


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
        articles = searcher.search(SearchQuery(per_page=1, facet_limit=1, snippets=False))
        limit = COMMON * articles["total"]
        self.common = {v for name in CONTEXT_FACETS
                       for v, n in searcher.value_counts(name, ARTICLE).items() if n > limit}
        self._seen: dict[tuple, tuple[int, set[str]]] = {}
        # What the last run found for a pair whose mentions did not change since, it finds again.
        self.known = {(j.variant, j.canonical, j.evidence.get("mentions"),
                       j.evidence.get("canonical_mentions")):
                      {k: j.evidence[k] for k in ("apart", "shared") if k in j.evidence}
                      for j in earlier if "shared" in j.evidence}
        self.counts: dict[str, dict[str, int]] = {}

    def apart(self, field: str, names: list[str], others: list[str]) -> tuple[int, set[str]]:
        """How many articles (and, for people, quotations) name one of `names` and none of
        `others`, and the context values around them."""
        key = (field, tuple(names), tuple(others))
        if key not in self._seen:
            def any_of(values: list[str], facet: str = field) -> str:
                return "(" + " OR ".join(f'{facet}:"{v}"' for v in values) + ")"

            names, others = names[:SPELLINGS], others[:SPELLINGS]
            count, found = 0, set()
            if all(searchable(v) for v in names + others):
                query = SearchQuery(per_page=1, facet_limit=CONTEXT_VALUES, snippets=False)
                texts = [("search", any_of(names))]
                if field == "person":
                    texts.append(("quotes", any_of(names, "speaker")))
                for kind, text in texts:
                    result = getattr(self.searcher, kind)(
                        replace(query, text=f"{text} NOT {any_of(others)}"))
                    count += result["total"]
                    for facet in CONTEXT_FACETS:
                        found |= {item["value"] for item in result["facets"].get(facet, [])}
            self._seen[key] = (count, found - self.common - set(names) - set(others))
        return self._seen[key]

    def shared(self, field: str) -> archive.Shared:
        """For one facet: how the articles of two names' spellings apart from each other's
        compare (see archive.related)."""

        def evidence(names: list[str], others: list[str]) -> dict[str, int]:
            """names[0] and others[0] are the spellings the judgement is about."""
            key = (names[0], others[0], self.mentions(field, names), self.mentions(field, others))
            if key not in self.known:
                count, mine = self.apart(field, names, others)
                theirs = self.apart(field, others, names)[1] if count else set()
                self.known[key] = {"apart": count, "shared": len(mine & theirs)}
            return self.known[key]

        return evidence

    def mentions(self, field: str, names: list[str]) -> int:
        """The mentions of some spellings, as the judgements' evidence counts them."""
        if field not in self.counts:
            self.counts[field] = (person_mentions(self.searcher) if field == "person"
                                  else self.searcher.value_counts(field, ARTICLE))
        return sum(self.counts[field].get(n, 0) for n in names)


def recompute(searcher, index_dir: str | Path) -> list[Judgement]:
    """Judge the archive's values afresh and store the result beside the index."""
    context = Context(searcher, archive.load(index_dir))
    persons, organizations = person_mentions(searcher), searcher.value_counts("organization",
                                                                             ARTICLE)
    found = archive.auto_judgements(persons, organizations, context.shared)
    merged = {j.variant for j in found if j.field == "person" and j.verdict == Verdict.POSITIVE}
    # Organisations vote with their merged spellings; a person's do not (a surname merged into
    # a full name would lend it the full name's mentions against an organisation of that name).
    # Articles only: a quotation's speaker may be an organisation ("the OECD said").
    types = archive.type_votes({"person": searcher.value_counts("person", ARTICLE),
                                "organization": organizations},
                               keep={"person": merged},
                               merged={"organization": resolve(found).get("organization", {})},
                               works=searcher.value_counts(archive.WORK, ARTICLE))
    archive.save(index_dir, found, types)
    return found
