"""Near-duplicates: wire copies and lightly edited reprints, found as articles are indexed.

Each article's body becomes a MinHash (datasketch) over its word shingles. Candidate pairs come
from locality-sensitive hashing: the signature is cut into bands (datasketch's optimal band
count for the threshold), and two articles sharing any band are compared; a pair whose
estimated Jaccard similarity reaches THRESHOLD is a copy. Groups are the connected components
of those pairs; a group is named after its member indexed first.

The state (signatures, band keys, pairs) lives in the index folder as `minhash.npz`, and the
groups (members of groups of two or more only) as `duplicates.json`, which searchers read;
both are written atomically after every index run and reconciled with the index on the next
(an article the index holds but the state lacks is read back from its stored record), so a run
that crashed between a commit and these files leaves nothing wrong for long. Band keys are kept
as numpy arrays rather than in datasketch's in-memory MinHashLSH, whose rebuild on every run
took 1.7 s per 20,000 articles.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import numpy as np

STATE_FILE = "minhash.npz"
GROUPS_FILE = "duplicates.json"
NUM_PERM = 128
SHINGLE = 3  # words per shingle
# Pairs at or above this estimated Jaccard similarity of their shingles are copies. Measured
# with bench/eval_duplicates.py on BBC pairs: edited copies lie above 0.5, different articles
# on the same subject below 0.1.
THRESHOLD = 0.5
MIN_SHINGLES = 8  # a text shorter than this says too little to call anything its copy
SCHEME = "affine32"
PARALLEL_MIN = 1000  # records from which signatures are made in several processes
WORD = re.compile(r"\w+")



@functools.cache
def hashing() -> tuple:
    """The MinHash permutations, LSH bands and rows per band (datasketch's optimum for the
    threshold), and odd 64-bit multipliers folding a band into one key. Made on first use:
    datasketch and scipy take a second to import, which searches never need."""
    from datasketch import MinHash, MinHashLSH

    permutations = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    mix = np.random.default_rng(7).integers(1, 2**63, size=lsh.r, dtype=np.uint64) | np.uint64(1)
    return permutations, lsh.b, lsh.r, mix


def shingles(text: str) -> list[bytes]:
    """Word n-grams of a text, lower case, punctuation and spacing aside."""
    words = WORD.findall(text.lower())
    grams = (" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))
    return list({g.encode() for g in grams})


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of a text (None when it is too short to compare)."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, permutations=hashing()[0], scheme=SCHEME)
    m.update_batch(grams)
    return m.hashvalues.astype(np.uint32)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """One 64-bit key per band of each signature (equal bands give equal keys)."""
    _, bands, rows, mix = hashing()
    parts = signatures[:, : bands * rows].astype(np.uint64).reshape(len(signatures), bands, rows)
    with np.errstate(over="ignore"):
        return (parts * mix).sum(axis=2, dtype=np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of signatures (row by row)."""
    return (a == b).mean(axis=-1)


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_groups(index_dir: str | os.PathLike) -> dict[str, str]:
    """Article id -> its group's id, for articles with at least one copy."""
    try:
        return json.loads((Path(index_dir) / GROUPS_FILE).read_text("utf-8"))["groups"]
    except FileNotFoundError:
        return {}


class Duplicates:
    """The near-duplicate state of one index folder."""

    def __init__(self, index_dir: str | os.PathLike):
        self.dir = Path(index_dir)
        path = self.dir / STATE_FILE
        if path.exists():
            with np.load(path, allow_pickle=False) as data:
                self.ids = [str(x) for x in data["ids"]]
                self.hashes = [str(x) for x in data["hashes"]]
                self.signatures = data["signatures"]
                self.keys = data["keys"]
                pairs = data["pairs"]
        else:
            self.ids, self.hashes = [], []
            self.signatures = np.zeros((0, NUM_PERM), dtype=np.uint32)
            self.keys = np.zeros((0, hashing()[1]), dtype=np.uint64)
            pairs = np.zeros((0, 2), dtype=np.int64)
        self.pairs = {(self.ids[a], self.ids[b]) for a, b in pairs.tolist()}

    def update(
        self,
        current: Mapping[str, str],
        fresh: Mapping[str, tuple[str, np.ndarray | None]],
        read_body,
    ) -> dict[str, str]:
        """Bring the state in line with the index's articles (`current`: id -> content hash):
        drop those gone or changed, add the new ones (signatures from `fresh`, else computed
        from `read_body(id)`), find their copies, save. Returns the groups."""
        keep = [i for i, (aid, h) in enumerate(zip(self.ids, self.hashes, strict=True))
                if current.get(aid) == h and aid not in fresh]
        if len(keep) == len(self.ids) == len(current) and (self.dir / GROUPS_FILE).exists():
            return self.groups()  # nothing changed: no rewrite (a re-run must cost nothing)
        kept_ids = {self.ids[i] for i in keep}
        self.ids = [self.ids[i] for i in keep]
        self.hashes = [self.hashes[i] for i in keep]
        self.signatures, self.keys = self.signatures[keep], self.keys[keep]
        self.pairs = {p for p in self.pairs if p[0] in kept_ids and p[1] in kept_ids}

        new_ids, new_hashes, new_sigs = [], [], []
        for aid, h in current.items():
            if aid in kept_ids:
                continue
            given = fresh.get(aid)
            sig = given[1] if given and given[0] == h else signature(read_body(aid) or "")
            new_ids.append(aid)
            new_hashes.append(h)
            new_sigs.append(sig if sig is not None else np.zeros(NUM_PERM, dtype=np.uint32))
        if new_ids:
            first_new = len(self.ids)
            sigs = np.vstack(new_sigs)
            keys = band_keys(sigs)
            self.ids += new_ids
            self.hashes += new_hashes
            self.signatures = np.vstack([self.signatures, sigs])
            self.keys = np.vstack([self.keys, keys])
            self.pairs |= self._new_pairs(first_new)
        self.save()
        return self.groups()

    def _new_pairs(self, first_new: int) -> set[tuple[str, str]]:
        """Pairs with at least one article from row first_new on that share a band and are
        similar enough."""
        found: set[tuple[int, int]] = set()
        usable = self.signatures.any(axis=1)
        for band in range(self.keys.shape[1]):
            column = self.keys[:, band]
            order = np.argsort(column, kind="stable")
            ordered = column[order]
            starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            ends = np.r_[starts[1:], len(ordered)]
            for s, e in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
                rows = order[s:e]
                rows = rows[usable[rows]]
                if rows.size < 2 or rows.max() < first_new:
                    continue
                for i, a in enumerate(rows.tolist()):
                    for b in rows[i + 1 :].tolist():
                        if max(a, b) >= first_new:
                            found.add((min(a, b), max(a, b)))
        if not found:
            return set()
        pairs = np.array(sorted(found), dtype=np.int64)
        close = similarity(self.signatures[pairs[:, 0]], self.signatures[pairs[:, 1]]) >= THRESHOLD
        return {(self.ids[a], self.ids[b]) for a, b in pairs[close].tolist()}

    def groups(self) -> dict[str, str]:
        """Article id -> group id (the member indexed first) for every article with a copy."""
        if not self.pairs:
            return {}
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        row = {aid: i for i, aid in enumerate(self.ids)}
        a = np.array([row[x] for x, _ in self.pairs])
        b = np.array([row[y] for _, y in self.pairs])
        n = len(self.ids)
        graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        sizes = np.bincount(labels)
        first: dict[int, int] = {}
        for i in np.flatnonzero(sizes[labels] > 1).tolist():  # rows in indexing order
            first.setdefault(int(labels[i]), i)
        return {self.ids[i]: self.ids[first[int(labels[i])]]
                for i in np.flatnonzero(sizes[labels] > 1).tolist()}

    def save(self) -> None:
        """Write the state, then the groups, each atomically."""
        self.dir.mkdir(parents=True, exist_ok=True)
        row = {aid: i for i, aid in enumerate(self.ids)}
        pairs = np.array(sorted((row[a], row[b]) for a, b in self.pairs), dtype=np.int64)
        _atomic_write(self.dir / STATE_FILE, lambda f: np.savez(
            f, ids=np.array(self.ids, dtype=str), hashes=np.array(self.hashes, dtype=str),
            signatures=self.signatures, keys=self.keys, pairs=pairs.reshape(-1, 2)))
        groups = self.groups()
        _atomic_write(self.dir / GROUPS_FILE, lambda f: f.write(
            json.dumps({"groups": groups}, ensure_ascii=False).encode("utf-8")))


def update_duplicates(
    store, fresh: Mapping[str, tuple[str, np.ndarray | None]],
    current: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """After an index run: the store's near-duplicate groups brought up to date (either
    backend) and given to the store (OpenSearch keeps them on its documents). `current` is
    the index's id -> content hash when the caller knows it already."""
    current = store.hashes() if current is None else current
    before = load_groups(store.dir)
    groups = Duplicates(store.dir).update(
        current, fresh, lambda aid: (store.get(aid) or {}).get("body"))
    changed = {aid: groups.get(aid, aid) for aid in set(before) | set(groups)
               if before.get(aid) != groups.get(aid) and aid in current}
    store.mark_duplicates(changed)
    return groups


def fresh_signatures(records: list[dict]) -> dict[str, tuple[str, np.ndarray | None]]:
    """Records in hand as `Duplicates.update` takes them: id -> (content hash, signature).
    From PARALLEL_MIN records on, the bodies are shared out to one forked process per core (a
    bulk load spent ~10% of its time here), as long as this process runs no other thread that
    a fork could catch holding a lock."""
    bodies = [record.get("body") or "" for record in records]
    workers = min(os.cpu_count() or 1, len(records) // (PARALLEL_MIN // 2))
    if workers > 1 and len(records) >= PARALLEL_MIN and hasattr(os, "fork") \
            and threading.active_count() == 1:
        import multiprocessing

        hashing()  # datasketch imported and the permutations made once, before the fork
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            sigs = pool.map(signature, bodies, chunksize=-(-len(bodies) // (workers * 4)))
    else:
        sigs = [signature(body) for body in bodies]
    return {record["id"]: (record.get("content_hash") or "", sig)
            for record, sig in zip(records, sigs, strict=True)}


def quote_digest(text: str) -> int:
    """A quotation's words (case, quotation marks, punctuation and spacing aside) as a signed
    64-bit number: the same quote in two copies of a story has the same one. The Whoosh store
    keeps it in a column of each quote document."""
    words = " ".join(WORD.findall(text.casefold()))
    digest = hashlib.blake2b(words.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def quote_key(group: str, text: str) -> str:
    """What the copies of one quotation share: its article's near-duplicate group and its words.
    A wire story's reprints repeat its quotes; the quotes view shows each once."""
    return f"{group}#{quote_digest(text) & (2**64 - 1):016x}"


class GroupWatcher:
    """The groups a searcher applies, re-read when duplicates.json changes (after an index run)."""

    def __init__(self, index_dir: str | os.PathLike) -> None:
        self.path = Path(index_dir) / GROUPS_FILE
        self.key: int | None = None
        self.groups: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.members: dict[str, list[str]] = {}  # group -> its articles

    def refresh(self) -> int:
        """Reload if the file changed; returns a key that changes with the groups."""
        try:
            key = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            key = 0
        if key != self.key:
            self.groups = load_groups(self.path.parent)
            self.sizes = dict(Counter(self.groups.values()))
            self.members = {}
            for article_id, group in self.groups.items():
                self.members.setdefault(group, []).append(article_id)
            self.key = key
        return key

    def similar(self, article_id: str) -> int:
        """How many other copies of an article the index holds."""
        self.refresh()
        group = self.groups.get(article_id)
        return self.sizes[group] - 1 if group else 0
