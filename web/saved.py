"""Saved searches in SQLite beside the index (`<index_dir>/saved.sqlite`), bound parameters only.

Each saved search is a name and a canonical search URL. When it is saved or opened we remember
which results matched, so that the list can say how many matches are new since then. With
accounts, each belongs to its owner and is private unless shared; owner '' is the single user's
(and, once accounts exist, everyone's to see).
"""

from __future__ import annotations

import secrets
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

FILENAME = "saved.sqlite"
MAX_NAME = 200
SCHEMA = """
CREATE TABLE IF NOT EXISTS saved (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    created TEXT NOT NULL,
    opened TEXT,
    seen BLOB,
    owner TEXT NOT NULL DEFAULT '',
    shared INTEGER NOT NULL DEFAULT 0,
    UNIQUE (owner, url)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# The table from before accounts (url unique on its own) is set aside, and its rows become the
# single user's in the new one; a copy cut short is finished on the next open.
SET_ASIDE = "ALTER TABLE saved RENAME TO saved_before_accounts"
COPY_BACK = """
BEGIN;
INSERT INTO saved (id, name, url, created, opened, seen)
    SELECT id, name, url, created, opened, seen FROM saved_before_accounts;
DROP TABLE saved_before_accounts;
COMMIT;
"""


@dataclass(frozen=True)
class SavedSearch:
    """One saved search as stored."""

    id: int
    name: str
    url: str
    created: str
    opened: str | None
    seen: frozenset[str] | None  # result ids when last opened (None: never opened)
    owner: str = ""  # '' on a single-user server
    shared: bool = False

    def visible_to(self, viewer: str | None) -> bool:
        """Whether a user sees it (viewer None: the single user, who sees everything)."""
        return viewer is None or self.owner in (viewer, "") or self.shared


def _row(row: tuple) -> SavedSearch:
    return SavedSearch(*row[:5], _unpack(row[5]), row[6], bool(row[7]))


def now() -> str:
    """UTC time as ISO 8601 with seconds, for display and Atom."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def clean_name(name: str) -> str:
    """A name fit to store: printable, one line, trimmed, bounded."""
    printable = "".join(ch if ch.isprintable() else " " for ch in name or "")
    return " ".join(printable.split())[:MAX_NAME]


def _pack(ids: Iterable[str]) -> bytes:
    return zlib.compress("\n".join(sorted(ids)).encode("utf-8"))


def _unpack(blob: bytes | None) -> frozenset[str] | None:
    if blob is None:
        return None
    text = zlib.decompress(blob).decode("utf-8")
    return frozenset(text.split("\n")) if text else frozenset()


SQLITE_MAX_ID = 2**63 - 1


def storable_id(saved_id: int) -> bool:
    """Whether an id from a URL can be an SQLite row id (a larger one overflows, not a 404)."""
    return 0 < saved_id <= SQLITE_MAX_ID


class SavedSearches:
    """The saved-search table of one index folder."""

    def __init__(self, index_dir: str | Path):
        self.path = Path(index_dir) / FILENAME

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.executescript(SCHEMA)
            if "owner" not in {col[1] for col in db.execute("PRAGMA table_info(saved)")}:
                db.execute(SET_ASIDE)
                db.executescript(SCHEMA)
            if db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'saved_before_accounts'"
            ).fetchone():
                db.executescript(COPY_BACK)
            with db:
                yield db

    def secret(self) -> str:
        """A secret kept with the saved searches, so signed cookies survive restarts."""
        with self._db() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", ("secret",)).fetchone()
            if row:
                return row[0]
            value = secrets.token_hex(32)
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("secret", value))
            return value

    def all(self, viewer: str | None = None) -> list[SavedSearch]:
        """Every saved search the viewer sees (see SavedSearch.visible_to), by name."""
        with self._db() as db:
            rows = db.execute(
                "SELECT id, name, url, created, opened, seen, owner, shared FROM saved "
                "ORDER BY name COLLATE NOCASE"
            ).fetchall()
        return [item for item in map(_row, rows) if item.visible_to(viewer)]

    def get(self, saved_id: int) -> SavedSearch | None:
        """One saved search by id."""
        if not storable_id(saved_id):
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT id, name, url, created, opened, seen, owner, shared FROM saved "
                "WHERE id = ?", (saved_id,)
            ).fetchone()
        return _row(row) if row else None

    def save(self, name: str, url: str, owner: str = "") -> int:
        """Save a search URL under a name (saving the same URL again renames it); its id."""
        with self._db() as db:
            db.execute(
                "INSERT INTO saved (name, url, created, owner) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(owner, url) DO UPDATE SET name = excluded.name",
                (clean_name(name) or url, url, now(), owner),
            )
            return db.execute(
                "SELECT id FROM saved WHERE owner = ? AND url = ?", (owner, url)
            ).fetchone()[0]

    def share(self, saved_id: int, shared: bool) -> bool:
        """Show a saved search to every user, or make it private again."""
        if not storable_id(saved_id):
            return False
        with self._db() as db:
            return db.execute(
                "UPDATE saved SET shared = ? WHERE id = ?", (int(shared), saved_id)
            ).rowcount == 1

    def rename(self, saved_id: int, name: str) -> bool:
        """Give a saved search a new name; False when it does not exist or the name is empty."""
        name = clean_name(name)
        if not name or not storable_id(saved_id):
            return False
        with self._db() as db:
            return db.execute(
                "UPDATE saved SET name = ? WHERE id = ?", (name, saved_id)
            ).rowcount == 1

    def delete(self, saved_id: int) -> bool:
        """Forget a saved search."""
        if not storable_id(saved_id):
            return False
        with self._db() as db:
            return db.execute("DELETE FROM saved WHERE id = ?", (saved_id,)).rowcount == 1

    def seen_at_save(self, saved_id: int, ids: Iterable[str]) -> None:
        """Remember what matched when it was saved (unless it was seen since), so that a search
        saved a moment ago has nothing new."""
        with self._db() as db:
            db.execute("UPDATE saved SET seen = ? WHERE id = ? AND seen IS NULL",
                       (_pack(ids), saved_id))

    def opened(self, saved_id: int, ids: Iterable[str]) -> None:
        """Remember that it was opened now, and what matched then."""
        with self._db() as db:
            db.execute(
                "UPDATE saved SET opened = ?, seen = ? WHERE id = ?", (now(), _pack(ids), saved_id)
            )


def new_since_opened(
    saved: SavedSearch, ids: Iterable[str], story: Callable[[str], str] | None = None
) -> int:
    """How many of the current matches were not among those seen when saved or last opened;
    with `story` (an article id -> its group of near-duplicates), how many stories: a reprint
    of a story seen is not news, and a story that came in two copies is one."""
    story = story or (lambda match: match)
    current = {story(match) for match in ids}
    if saved.seen is None:
        return len(current)
    return len(current - {story(match) for match in saved.seen})
