"""Which store and searcher to use: Whoosh in a folder (default) or an OpenSearch cluster.

The CLI and the web app build a BackendConfig (from options, falling back to environment
variables) and call `open_store` / `open_searcher`; both backends have the same methods.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

from indexer.store import default_index_dir

BACKENDS = ("whoosh", "opensearch")
DEFAULT_URL = "http://127.0.0.1:9200"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class BackendConfig:
    """Where the index lives; for OpenSearch the index folder still holds aliases.json."""

    backend: str = field(default_factory=lambda: os.environ.get("NEWSINDEX_BACKEND", "whoosh"))
    index_dir: Path = field(default_factory=default_index_dir)
    opensearch_url: str = field(
        default_factory=lambda: os.environ.get("NEWSINDEX_OPENSEARCH_URL", DEFAULT_URL)
    )
    opensearch_index: str = field(
        default_factory=lambda: os.environ.get("NEWSINDEX_OPENSEARCH_INDEX", "newsindex")
    )
    shards: int = field(default_factory=lambda: _env_int("NEWSINDEX_OPENSEARCH_SHARDS", 1))
    replicas: int = field(default_factory=lambda: _env_int("NEWSINDEX_OPENSEARCH_REPLICAS", 0))

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; choose {' or '.join(BACKENDS)}")


def _backend_name(value: str) -> str:
    if value not in BACKENDS:
        raise argparse.ArgumentTypeError(f"{value!r}: choose {' or '.join(BACKENDS)}")
    return value


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """The --backend and --opensearch-* options (defaults from NEWSINDEX_* variables)."""
    env_backend = os.environ.get("NEWSINDEX_BACKEND", "whoosh")
    default = BackendConfig(backend=env_backend if env_backend in BACKENDS else "whoosh")
    group = parser.add_argument_group("backend")
    group.add_argument(
        "--backend",
        type=_backend_name,  # argparse checks a string default with it too (a bad env value)
        metavar="{" + ",".join(BACKENDS) + "}",
        default=env_backend,
        help="whoosh (an index folder, the default) or opensearch (env NEWSINDEX_BACKEND)",
    )
    group.add_argument(
        "--opensearch-url",
        default=default.opensearch_url,
        help="node URL(s), comma-separated (env NEWSINDEX_OPENSEARCH_URL)",
    )
    group.add_argument(
        "--opensearch-index",
        default=default.opensearch_index,
        help="index name prefix (env NEWSINDEX_OPENSEARCH_INDEX)",
    )
    group.add_argument(
        "--shards",
        type=int,
        default=default.shards,
        help="primary shards of a new OpenSearch index (env NEWSINDEX_OPENSEARCH_SHARDS)",
    )
    group.add_argument(
        "--replicas",
        type=int,
        default=default.replicas,
        help="replicas of each shard (env NEWSINDEX_OPENSEARCH_REPLICAS)",
    )


def config_from_args(args: argparse.Namespace) -> BackendConfig:
    """The configuration that parsed options describe."""
    return BackendConfig(
        backend=args.backend,
        index_dir=Path(args.index),
        opensearch_url=args.opensearch_url,
        opensearch_index=args.opensearch_index,
        shards=args.shards,
        replicas=args.replicas,
    )


def open_store(config: BackendConfig, create: bool = True):
    """A Store (Whoosh) or OpenSearchStore; with create=False a missing index is an error."""
    if config.backend == "opensearch":
        from indexer.opensearch import OpenSearchStore, connect

        return OpenSearchStore(
            connect(config.opensearch_url),
            prefix=config.opensearch_index,
            shards=config.shards,
            replicas=config.replicas,
            side_dir=config.index_dir,
            create=create,
        )
    from indexer.store import Store

    return Store(config.index_dir) if create else Store.open_existing(config.index_dir)


def open_searcher(config: BackendConfig):
    """A Searcher (Whoosh) or OpenSearchSearcher over an existing index."""
    store = open_store(config, create=False)
    if config.backend == "opensearch":
        from indexer.opensearch import OpenSearchSearcher

        return OpenSearchSearcher(store)
    from indexer.search import Searcher

    return Searcher(store)
