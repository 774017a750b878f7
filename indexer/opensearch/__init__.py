"""The OpenSearch backend: the Store and Searcher interface on an OpenSearch cluster."""

from indexer.opensearch.search import OpenSearchSearcher, time_queries
from indexer.opensearch.store import OpenSearchStore, connect

__all__ = ["OpenSearchSearcher", "OpenSearchStore", "connect", "time_queries"]
