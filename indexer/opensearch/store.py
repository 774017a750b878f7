"""Store stage on OpenSearch: annotated records bulk-loaded into versioned indexes behind aliases.

Two aliases, `<prefix>-articles` and `<prefix>-quotes`, each point at one concrete index named
`<prefix>-<kind>-v<mapping version>-<timestamp>`. Writing goes through the aliases; `reindex`
loads a fresh pair beside the live one and swaps both aliases in one atomic call, so searches
never see a missing or half-built index.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout, NotFoundError, TransportError

from indexer.duplicates import load_groups
from indexer.opensearch.documents import (
    LATER_ARTICLE_FIELDS,
    MAPPING_VERSION,
    TRUST_FIELDS,
    article_document,
    mapping,
    quote_documents,
    quote_id,
)
from indexer.records import Record
from indexer.schema import ARTICLE, QUOTE
from indexer.speaker_corrections import applied
from indexer.store import COMMIT_EVERY, default_index_dir

DEFAULT_PREFIX = "newsindex"
RETRY_SECONDS = 180.0  # how long a bulk batch keeps retrying while the cluster recovers
RETRYABLE = {429, 500, 502, 503, 504}


class BulkError(RuntimeError):
    """Documents the cluster refused for good (not a transient failure)."""


def connect(urls: str | list[str], timeout: float = 60.0) -> OpenSearch:
    """A client over one or several nodes (comma-separated); it fails over between them."""
    hosts = [u.strip() for u in urls.split(",")] if isinstance(urls, str) else list(urls)
    return OpenSearch(
        hosts=[h for h in hosts if h],
        timeout=timeout,
        retry_on_timeout=True,
        max_retries=3,
        http_compress=True,
    )


def _stamp() -> str:
    return time.strftime("%Y%m%d%H%M%S") + f"{random.randrange(1000):03d}"


class OpenSearchStore:
    """Articles and their quotations in two OpenSearch indexes; the same methods as `Store`."""

    def __init__(
        self,
        client: OpenSearch,
        prefix: str = DEFAULT_PREFIX,
        shards: int = 1,
        replicas: int = 0,
        side_dir: str | os.PathLike | None = None,
        create: bool = True,
    ):
        self.client = client
        self.prefix = prefix
        self.shards = shards
        self.replicas = replicas
        # Side files (aliases.json, saved searches) stay on local disk, as beside a Whoosh index.
        self.dir = Path(side_dir) if side_dir else default_index_dir()
        self.aliases = {ARTICLE: f"{prefix}-articles", QUOTE: f"{prefix}-quotes"}
        try:
            found = self.exists()
        except OSConnectionError as exc:
            hosts = ", ".join(str(c.host) for c in client.transport.connection_pool.connections)
            raise ConnectionError(f"{hosts}: OpenSearch does not answer ({exc.info})") from None
        if create:
            self._ensure()
        elif not found:
            raise FileNotFoundError(
                f"{self.aliases[ARTICLE]}: no such OpenSearch index; run `newsindex index` first"
            )

    # -- indexes and aliases ------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether both aliases are in place."""
        return all(self.client.indices.exists_alias(name=a) for a in self.aliases.values())

    def _ensure(self) -> None:
        if self.exists():
            self._add_later_fields()
            return
        stamp = _stamp()
        actions = []
        for kind, alias in self.aliases.items():
            if self.client.indices.exists_alias(name=alias):
                continue
            index = self._create(kind, stamp)
            actions.append({"add": {"index": index, "alias": alias, "is_write_index": True}})
        try:
            self.client.indices.update_aliases(body={"actions": actions})
        except TransportError:
            # Another loader created them at the same moment: keep its indexes, drop ours.
            self.client.indices.delete(index=",".join(a["add"]["index"] for a in actions))
            if not self.exists():
                raise

    def _add_later_fields(self) -> None:
        """Give a quote index of mapping version 1 the kind and confidence fields, and an
        article index the duplicate group and the works, so that new documents can be written
        to them (their mappings are strict)."""
        for kind, fields in ((QUOTE, TRUST_FIELDS), (ARTICLE, LATER_ARTICLE_FIELDS)):
            index = self.indexes()[kind]
            properties = self.client.indices.get_mapping(index=index)[index]["mappings"].get(
                "properties", {}
            )
            missing = {k: v for k, v in fields.items() if k not in properties}
            if missing:
                self.client.indices.put_mapping(index=index, body={"properties": missing})

    def _create(self, kind: str, stamp: str) -> str:
        index = f"{self.prefix}-{kind}s-v{MAPPING_VERSION}-{stamp}"
        self.client.indices.create(
            index=index,
            body=mapping(self.shards, self.replicas),
            params={"wait_for_active_shards": "1"},
        )
        return index

    def indexes(self) -> dict[str, str]:
        """kind -> the concrete index its alias points at now."""
        out = {}
        for kind, alias in self.aliases.items():
            out[kind] = next(iter(self.client.indices.get_alias(name=alias)))
        return out

    def mapping_version(self) -> int:
        """The mapping version of the live article index (older ones want a `reindex`)."""
        index = self.indexes()[ARTICLE]
        meta = self.client.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})
        return int(meta.get("newsindex_mapping", 0))

    def reindex(self, records: Iterable[Record] | None = None) -> dict[str, str]:
        """Build fresh indexes at the current mapping from `records` (default: the stored ones),
        then swap both aliases at once and drop the old indexes; returns the new index names."""
        old = self.indexes()
        stamp = _stamp()
        new = {kind: self._create(kind, stamp) for kind in self.aliases}
        target = {kind: new[kind] for kind in new}
        source = records if records is not None else self.records()
        for _ in self._write(source, COMMIT_EVERY, target):
            pass
        self.client.indices.refresh(index=",".join(new.values()))
        actions = []
        for kind, alias in self.aliases.items():
            actions.append({"remove": {"index": old[kind], "alias": alias}})
            actions.append({"add": {"index": new[kind], "alias": alias, "is_write_index": True}})
        self.client.indices.update_aliases(body={"actions": actions})
        self.client.indices.delete(index=",".join(old.values()))
        return new

    def drop(self) -> None:
        """Delete both indexes (tests, or starting over)."""
        if self.exists():
            self.client.indices.delete(index=",".join(self.indexes().values()))

    # -- the Store interface ---------------------------------------------------------------

    def hashes(self) -> dict[str, str]:
        """Article id -> content hash, to skip NLP for unchanged articles."""
        hits = helpers.scan(
            self.client,
            index=self.aliases[ARTICLE],
            query={"_source": ["content_hash"], "query": {"match_all": {}}},
            size=5000,
        )
        return {h["_id"]: h["_source"].get("content_hash", "") for h in hits}

    def get(self, article_id: str) -> Record | None:
        """The stored annotated record of one article."""
        try:
            doc = self.client.get(
                index=self.aliases[ARTICLE], id=article_id, params={"_source": "record"}
            )
        except NotFoundError:
            return None
        return doc["_source"]["record"]

    def records(self) -> Iterator[Record]:
        """Every stored article record (for export and re-indexing)."""
        for hit in helpers.scan(
            self.client,
            index=self.aliases[ARTICLE],
            query={"_source": ["record"], "query": {"match_all": {}}},
            size=500,
        ):
            yield hit["_source"]["record"]

    def write(
        self, records: Iterable[Record], commit_every: int = COMMIT_EVERY
    ) -> Iterator[Record]:
        """Add or replace records in batches; yields each once the cluster acknowledged it."""
        yield from self._write(records, commit_every, self.aliases)
        self.refresh()

    def mark_duplicates(self, groups: dict[str, str]) -> None:
        """Set the near-duplicate group of the articles whose group changed and of their quotes
        (and of articles and quotes stored before the field existed), for searches to collapse
        on."""
        # Whole documents are written again: a partial update would rebuild them from _source,
        # which leaves out the analysed text.
        index = self.aliases[ARTICLE]
        unset = {"bool": {"must_not": {"exists": {"field": "dup_group"}}}}
        found = helpers.scan(self.client, index=index, size=500,
                             query={"_source": ["record"], "query": unset})
        records = {hit["_id"]: hit["_source"]["record"] for hit in found}
        quoted = helpers.scan(self.client, index=self.aliases[QUOTE], size=500,
                              query={"_source": ["article_id"], "query": unset})
        ids = list(dict.fromkeys([*groups, *(hit["_source"]["article_id"] for hit in quoted)]))
        ids = [aid for aid in ids if aid not in records]
        for at in range(0, len(ids), 500):
            chunk = ids[at : at + 500]
            found = self.client.mget(index=index, body={"ids": chunk}, params={"_source": "record"})
            records.update({d["_id"]: d["_source"]["record"] for d in found["docs"] if d["found"]})
        now = load_groups(self.dir)  # every group (`groups` names those that changed)
        actions = []
        for aid, record in records.items():
            actions.append(self._action(index, article_document(record, now.get(aid))))
            actions += [self._action(self.aliases[QUOTE], doc)
                        for doc in quote_documents(record, now.get(aid))]
        self._bulk(actions)
        self.refresh()

    def delete(self, article_ids: Iterable[str]) -> int:
        """Remove articles and their quotes; returns how many documents went."""
        ids = list(article_ids)
        old = self._quote_counts(ids, self.aliases[ARTICLE])
        actions = [
            {"_op_type": "delete", "_index": self.aliases[QUOTE], "_id": quote_id(aid, n)}
            for aid, count in old.items()
            for n in range(count)
        ]
        actions += [
            {"_op_type": "delete", "_index": self.aliases[ARTICLE], "_id": aid} for aid in old
        ]
        self._bulk(actions)
        self.refresh()
        return len(actions)

    def size_bytes(self) -> int:
        """Bytes on disk of the primary shards of both indexes."""
        stats = self.client.indices.stats(index=",".join(self.aliases.values()), metric="store")
        return int(stats["_all"]["primaries"]["store"]["size_in_bytes"])

    def refresh(self) -> None:
        """Make everything written so far searchable."""
        self.client.indices.refresh(index=",".join(self.aliases.values()))

    # -- bulk machinery ----------------------------------------------------------------------

    def _write(
        self, records: Iterable[Record], commit_every: int, target: dict[str, str]
    ) -> Iterator[Record]:
        batch: list[Record] = []
        for record in applied(records, self.dir):  # the speaker corrections, on the way in
            batch.append(record)
            if len(batch) >= max(1, commit_every):
                self._commit(batch, target)
                yield from batch
                batch = []
        if batch:
            self._commit(batch, target)
            yield from batch

    def _commit(self, batch: list[Record], target: dict[str, str]) -> None:
        """Quotes first, then stale quotes out, then the articles: an article that is there
        always has its quotes, and an interrupted batch is simply written again next run."""
        batch = list({r["id"]: r for r in batch}.values())  # the last version of an id wins
        old = self._quote_counts([r["id"] for r in batch], target[ARTICLE])
        groups = load_groups(self.dir)  # the copies known so far; the run's end tells the rest
        quotes, stale = [], []
        for record in batch:
            docs = list(quote_documents(record, groups.get(record["id"])))
            quotes += [self._action(target[QUOTE], d) for d in docs]
            stale += [
                {"_op_type": "delete", "_index": target[QUOTE], "_id": quote_id(record["id"], n)}
                for n in range(len(docs), old.get(record["id"], 0))
            ]
        self._bulk(quotes)
        self._bulk(stale)
        self._bulk([self._action(target[ARTICLE], article_document(r, groups.get(r["id"])))
                    for r in batch])

    @staticmethod
    def _action(index: str, doc: dict) -> dict:
        return {"_op_type": "index", "_index": index, "_id": doc["id"], "_source": doc}

    def _quote_counts(self, ids: list[str], index: str) -> dict[str, int]:
        """How many quotes each already-stored article has (to delete the surplus)."""
        if not ids:
            return {}
        resp = self._retrying(
            lambda: self.client.mget(
                index=index, body={"ids": ids}, params={"_source": "quote_count"}
            )
        )
        return {
            d["_id"]: int(d["_source"].get("quote_count", 0)) for d in resp["docs"] if d["found"]
        }

    def _retrying(self, call: Callable[[], dict]) -> dict:
        """Run a request again while the cluster is failing over (a node gone, a shard moving)."""
        deadline = time.monotonic() + RETRY_SECONDS
        delay = 0.5
        while True:
            try:
                return call()
            except (OSConnectionError, ConnectionTimeout, TransportError) as exc:
                status = exc.status_code if isinstance(exc.status_code, int) else 503
                if status not in RETRYABLE or time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _bulk(self, actions: list[dict]) -> None:
        """Send actions; retry the ones that failed transiently until all are acknowledged."""
        deadline = time.monotonic() + RETRY_SECONDS
        delay = 0.5
        pending = actions
        while pending:
            body = []
            for action in pending:
                meta = {"_index": action["_index"], "_id": action["_id"]}
                body.append({action["_op_type"]: meta})
                if action["_op_type"] == "index":
                    body.append(action["_source"])
            resp = self._retrying(lambda b=body: self.client.bulk(body=b))
            failed, fatal = [], []
            for action, item in zip(pending, resp["items"], strict=True):
                result = next(iter(item.values()))
                status = result.get("status", 500)
                if status < 300 or (action["_op_type"] == "delete" and status == 404):
                    continue
                (failed if status in RETRYABLE else fatal).append((action, result))
            if fatal:
                action, result = fatal[0]
                raise BulkError(f"{action['_id']}: {result.get('error')}")
            pending = [a for a, _ in failed]
            if pending:
                if time.monotonic() > deadline:
                    raise BulkError(f"{len(pending)} documents still refused: {failed[0][1]}")
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
