"""Long posting lists kept beside their segment as numpy files, mapped by every reader.

Whoosh stores a posting list as blocks of 128 postings, each a pickled, compressed tuple, and
decoding them is pure Python: a word in half of 300,000 articles takes ~100 ms to read, again in
every process and after every restart. A segment never changes once written (deletions are
kept apart, in the table of contents), so the arrays read from it stay right as long as the
segment lives. After every commit, the committing process writes the document numbers and
weights of each long posting list (at least MIN_POSTINGS in the segment) of the searched text
fields of every new segment to `postings/<segment>/<hash>.npy` in the index folder
(`facets.keep_long_postings`: a temporary file renamed into place, so a reader sees a whole file
or none); a reader that meets a long list without its file writes it. Every reader, in any thread
or serving process, maps the file (`np.load(mmap_mode="r")`), and the operating system's page
cache holds one copy for them all. Facet fields are not kept here: they are read whole, once per
segment, into the facet tables.

Each commit also removes (`prune`) the files of segments that merges took out of the index. An
index folder the server cannot write to simply goes without (reads decode as before).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

import numpy as np

DIRNAME = "postings"
DONE = "DONE"  # a segment's long lists are all kept
# Shorter lists decode in well under a millisecond: a file each would cost more than it saves.
MIN_POSTINGS = 2048


class SegmentPostings:
    """The kept posting lists of one index folder."""

    def __init__(self, index_dir: str | os.PathLike) -> None:
        self.root = Path(index_dir) / DIRNAME

    def path(self, segment: str, field: str, text: str | bytes) -> Path:
        raw = text if isinstance(text, bytes) else text.encode()
        digest = hashlib.blake2b(field.encode() + b"\0" + raw, digest_size=16).hexdigest()
        return self.root / segment / f"{digest}.npy"

    def load(
        self, segment: str, field: str, text: str | bytes
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers, weights) of a term in a segment as written, or None."""
        try:
            both = np.load(self.path(segment, field, text), mmap_mode="r")
        except (OSError, ValueError):
            return None
        n = len(both) // 2
        return both[:n], both[n:].view(np.float32)

    def save(self, segment: str, field: str, text: str | bytes, ids: np.ndarray,
             weights: np.ndarray) -> bool:
        """Keep a term's arrays (int32 ids, float32 weights); False where the folder is not
        writable or a weight does not fit a float32 exactly."""
        narrow = weights.astype(np.float32)
        if len(ids) != len(weights) or not (narrow == weights).all():
            return False
        path = self.path(segment, field, text)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    np.save(out, np.concatenate([ids.astype(np.int32), narrow.view(np.int32)]))
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return False
        return True

    def done(self, segment: str) -> bool:
        """Whether every long list of the segment has been kept (`facets.keep_long_postings`)."""
        return (self.root / segment / DONE).exists()

    def mark_done(self, segment: str) -> None:
        with suppress(OSError):
            (self.root / segment).mkdir(parents=True, exist_ok=True)
            (self.root / segment / DONE).touch()

    def prune(self, live: Iterable[str]) -> None:
        """Remove the kept lists of segments no longer in the index."""
        live = set(live)
        try:
            folders = list(self.root.iterdir())
        except OSError:
            return
        for folder in folders:
            if folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)
