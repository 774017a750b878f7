"""Re-apply topics to an indexed archive without NLP: after the taxonomy or user topics change."""

from __future__ import annotations

from collections import defaultdict

from indexer.schema import ARTICLE
from indexer.search import Searcher
from indexer.store import Store
from indexer.topics import Taxonomy, record_topics


def query_matches(searcher: Searcher, taxonomy: Taxonomy) -> dict[str, list[str]]:
    """Article id -> labels of the user topics whose search query matches it."""
    matched: dict[str, list[str]] = defaultdict(list)
    with searcher.store.searcher() as s:
        for topic in taxonomy.query_topics():
            q = searcher.parse(topic.query)
            for docnum in s.docs_for_query(q):
                fields = s.stored_fields(docnum)
                if fields.get("kind") == ARTICLE:
                    matched[fields["id"]].append(topic.label)
    return matched


def reapply_topics(store: Store, taxonomy: Taxonomy) -> tuple[int, int]:
    """Classify every stored record again; rewrite only those whose topics changed."""
    matched = query_matches(Searcher(store), taxonomy)
    seen = 0

    def changed():
        nonlocal seen
        for record in store.records():
            seen += 1
            topics = record_topics(record, taxonomy, matched.get(record["id"], ()))
            if topics != record.get("topics"):
                yield dict(record, topics=topics)

    rewritten = sum(1 for _ in store.write(changed()))
    return seen, rewritten
