"""Arrays read from a segment, kept beside it as numpy files and mapped by every reader.

Whoosh stores a posting list as blocks of 128 postings, each a pickled, compressed tuple, and
decoding them is pure Python: a word in half of 300,000 articles takes ~100 ms to read, again in
every process and after every restart; a serving process reads every facet field and the
publication dates of every segment the same way before its first search (~10 s at 300k). A
segment never changes once written (deletions are kept apart, in the table of contents), so
what is read from it stays right as long as the segment lives:

- long posting lists (at least MIN_POSTINGS in the segment) of the searched text fields: after
  every commit, the committing process writes those of every new segment
  (`facets.keep_long_postings`); a reader that meets a long list without its file writes it;
- the facet tables and per-document arrays (dates, quotation trust, field lengths) of a segment,
  written by the first process that reads them (`facets.FacetCache`).

Each goes to `arrays/<segment>/` in the index folder, under a temporary name renamed into place
(a reader sees a whole file or none). Every reader, in any thread or serving process, maps the
file (`np.load(mmap_mode="r")`), and the operating system's page cache holds one copy for all.

Each commit also removes (`prune`) the files of segments that merges took out of the index, and
temporary files a killed process left (`newsindex check` lists both as leftovers meanwhile). An
index folder the server cannot write to simply goes without (reads decode as before).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path

import numpy as np

DIRNAME = "arrays"
DONE = "DONE"  # a segment's long lists are all kept
# In every file name: raise it when what a kept array holds changes (its build, its dtype), so
# that files of the old kind are never read (merges remove them with their segments).
FORMAT = 1
# Shorter lists decode in well under a millisecond: a file each would cost more than it saves.
MIN_POSTINGS = 2048
TEMP_SUFFIX = ".tmp"  # a file being written, renamed into place when whole
STALE_SECONDS = 600


class SegmentArrays:
    """The arrays kept beside the segments of one index folder."""

    def __init__(self, index_dir: str | os.PathLike) -> None:
        self.root = Path(index_dir) / DIRNAME

    def path(self, segment: str, field: str, text: str | bytes) -> Path:
        """The file of one term's posting list in one segment."""
        raw = text if isinstance(text, bytes) else text.encode()
        digest = hashlib.blake2b(field.encode() + b"\0" + raw, digest_size=16).hexdigest()
        return self.root / segment / f"{digest}.{FORMAT}.npy"

    def load(
        self, segment: str, field: str, text: str | bytes
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers, weights) of a term in a segment as written, or None."""
        both = _mapped(self.path(segment, field, text))
        if both is None:
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
        both = np.concatenate([ids.astype(np.int32), narrow.view(np.int32)])
        return _replace(self.path(segment, field, text), lambda out: np.save(out, both))

    def named(self, segment: str, name: str, suffix: str = ".npy") -> Path:
        """The file of a per-segment array or table by its name ("days", "table-person")."""
        return self.root / segment / f"{_SAFE.sub('_', name)}.{FORMAT}{suffix}"

    def load_array(self, segment: str, name: str) -> np.ndarray | None:
        return _mapped(self.named(segment, name))

    def save_array(self, segment: str, name: str, array: np.ndarray) -> bool:
        """Keep a per-segment array (not one of Python objects: those cannot be mapped)."""
        if array.dtype.hasobject:
            return False
        return _replace(self.named(segment, name), lambda out: np.save(out, array))

    def load_table(
        self, segment: str, field: str
    ) -> tuple[list[str], np.ndarray, np.ndarray] | None:
        """A facet field's segment table as kept: (values, documents, value of each posting).
        Its values are written last, so a table with them is whole."""
        try:
            values = json.loads(self.named(segment, f"table-{field}", ".json").read_bytes())
        except (OSError, ValueError):
            return None
        docs = self.load_array(segment, f"table-{field}-docs")
        ids = self.load_array(segment, f"table-{field}-ids")
        return None if docs is None or ids is None else (values, docs, ids)

    def save_table(self, segment: str, field: str, values: list[str], docs: np.ndarray,
                   ids: np.ndarray) -> bool:
        return (
            self.save_array(segment, f"table-{field}-docs", docs)
            and self.save_array(segment, f"table-{field}-ids", ids)
            and _replace(self.named(segment, f"table-{field}", ".json"),
                         lambda out: out.write(json.dumps(values).encode()))
        )

    def done(self, segment: str) -> bool:
        """Whether every long list of the segment has been kept (`facets.keep_long_postings`)."""
        return (self.root / segment / DONE).exists()

    def mark_done(self, segment: str) -> None:
        with suppress(OSError):
            (self.root / segment).mkdir(parents=True, exist_ok=True)
            (self.root / segment / DONE).touch()

    def prune(self, live: Iterable[str]) -> None:
        """Remove the files of segments no longer in the index, and the temporary files a
        process that died while writing left (`leftovers`)."""
        for path in self.leftovers(live):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def leftovers(self, live: Iterable[str], now: float | None = None) -> list[Path]:
        """The folders of segments not in `live` (merged away), and temporary files older than
        STALE_SECONDS in the others: a process writing one renames it within seconds, so one
        that old was left by a process killed meanwhile."""
        live, now = set(live), time.time() if now is None else now
        out = []
        try:
            folders = sorted(self.root.iterdir())
        except OSError:
            return out
        for folder in folders:
            if folder.name not in live:
                out.append(folder)
                continue
            with suppress(OSError):
                for path in sorted(folder.glob("*" + TEMP_SUFFIX)):
                    with suppress(OSError):
                        if now - path.stat().st_mtime > STALE_SECONDS:
                            out.append(path)
        return out


_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _mapped(path: Path) -> np.ndarray | None:
    """A kept array, memory-mapped (read only), or None if there is none (or only part of one)."""
    try:
        return np.load(path, mmap_mode="r")
    except (OSError, ValueError):
        return None


def _replace(path: Path, write: Callable) -> bool:
    """Write a file under a temporary name and rename it into place: a reader sees all of it or
    nothing. False where the folder cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=TEMP_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True
