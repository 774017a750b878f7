"""Re-apply topics to an indexed archive without NLP: after the taxonomy or user topics change.

Works on either backend: the user topics' queries run through the backend's own searcher, and
only the records whose topics changed are written back (with their quotes, in one commit).
"""

from __future__ import annotations

from collections import defaultdict

from indexer.search import QueryFront, SearchQuery
from indexer.topics import Taxonomy, record_topics


def query_matches(searcher: QueryFront, taxonomy: Taxonomy) -> dict[str, list[str]]:
    """Article id -> labels of the user topics whose search query matches it."""
    matched: dict[str, list[str]] = defaultdict(list)
    for topic in taxonomy.query_topics():
        for article_id in searcher.match_ids(SearchQuery(text=topic.query)):
            matched[article_id].append(topic.label)
    return matched


def reapply_topics(store, searcher: QueryFront, taxonomy: Taxonomy) -> tuple[int, int]:
    """Classify every stored record again; rewrite only those whose topics changed."""
    matched = query_matches(searcher, taxonomy)
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
