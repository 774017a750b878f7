"""The OpenSearch backend: the Store and Searcher interface on an OpenSearch cluster."""

from indexer.opensearch.search import OpenSearchSearcher
from indexer.opensearch.store import OpenSearchStore, connect

__all__ = ["OpenSearchSearcher", "OpenSearchStore", "connect"]
