"""Accounts for a shared server, in SQLite beside the index (`<index_dir>/accounts.sqlite`).

Users with a role, argon2 password hashes, one API token each (only its hash is stored), login
sessions (only their hashes), failed-login lockout with back-off, and the audit log of every
write. Bound parameters only. The command-line side (`newsindex users`, `newsindex audit`) is at
the end, so that the CLI and the web share one store.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import argon2
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from web.saved import now

FILENAME = "accounts.sqlite"
ROLES = ("reader", "editor", "admin")
MIN_PASSWORD = 8
NAME_PATTERN = re.compile(r"[\w.@+-]{1,64}")
FAILURES_BEFORE_LOCK = 5  # then locked for LOCK_SECONDS, doubled with each further failure
LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 3600
SESSION_SECONDS = 12 * 3600  # a login lasts a working day
FAILURES_FORGOTTEN = 24 * 3600  # failures this old no longer count (nor fill the table)
# The argon2 cost: a profile name from argon2.profiles. RFC_9106_LOW_MEMORY (64 MiB, 3 passes)
# by default; the test suite sets CHEAPEST so that hundreds of logins stay fast. A stored hash
# carries its own parameters, and a login with other ones rehashes the password.
HASH_PROFILE_ENV = "NEWSINDEX_ARGON2_PROFILE"
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password TEXT NOT NULL,
    created TEXT NOT NULL,
    token_id TEXT UNIQUE,
    token_hash TEXT,
    epoch INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS logins (
    name TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until REAL NOT NULL,
    last REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY, name TEXT NOT NULL, started REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""


class AccountError(ValueError):
    """A request the accounts cannot take (unknown user, bad name or role, short password)."""


@dataclass(frozen=True)
class User:
    """One account as the web and the CLI see it (never its hashes)."""

    name: str
    role: str
    created: str = ""
    has_token: bool = False
    epoch: int = 0  # bumped by `users revoke`: the token and the secret feed URLs stop working

    def can(self, role: str) -> bool:
        """Whether this user has at least that role (admin > editor > reader)."""
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class Login:
    """The answer to a login attempt: the user, or how long the name is locked, or neither."""

    user: User | None = None
    locked_for: int = 0


@lru_cache(maxsize=4)
def hasher(profile: str) -> PasswordHasher:
    """The argon2 hasher for a profile name of argon2.profiles."""
    parameters = getattr(argon2.profiles, profile, None)
    if not isinstance(parameters, argon2.Parameters):
        raise AccountError(f"{HASH_PROFILE_ENV}={profile}: not a profile of argon2.profiles")
    return PasswordHasher.from_parameters(parameters)


def hash_profile() -> str:
    return os.environ.get(HASH_PROFILE_ENV, "RFC_9106_LOW_MEMORY")


def password_hasher() -> PasswordHasher:
    """The hasher the environment asks for (see HASH_PROFILE_ENV)."""
    return hasher(hash_profile())


@lru_cache(maxsize=4)
def _unknown_user_hash(profile: str) -> str:
    return hasher(profile).hash(secrets.token_urlsafe(16))


def unknown_user_hash() -> str:
    """A hash no password matches, checked for names with no account."""
    return _unknown_user_hash(hash_profile())


def digest(secret: str) -> str:
    """SHA-256 of a random secret (tokens, session ids): enough for values nobody can guess."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def clean_user_name(name: str) -> str:
    """A user name as stored: trimmed and case-folded; refused unless letters, digits, . @ + -."""
    name = (name or "").strip().casefold()
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError(f"{name!r}: a user name is 1-64 letters, digits or . _ @ + -")
    return name


def checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


class Accounts:
    """The accounts, sessions and audit log of one index folder."""

    def __init__(self, index_dir: str | Path):
        self.path = Path(index_dir) / FILENAME
        self._ready = False

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            if not self._ready:
                db.executescript(SCHEMA)
                self._ready = True
            with db:
                yield db

    # -- users --------------------------------------------------------------------------------

    def any(self) -> bool:
        """Whether an account exists (then every page needs a login); never creates the file."""
        if not self.path.exists():
            return False
        with self._db() as db:
            return db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def users(self) -> list[User]:
        """Every account, by name."""
        with self._db() as db:
            rows = db.execute(
                "SELECT name, role, created, token_hash IS NOT NULL, epoch FROM users "
                "ORDER BY name"
            ).fetchall()
        return [User(*row) for row in rows]

    def user(self, name: str) -> User | None:
        """One account by name (None for a name that is not one)."""
        try:
            name = clean_user_name(name)
        except AccountError:
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT name, role, created, token_hash IS NOT NULL, epoch FROM users "
                "WHERE name = ?", (name,)
            ).fetchone()
        return User(*row) if row else None

    def add(self, name: str, role: str, password: str) -> User:
        """A new account; AccountError when the name is taken or the role unknown."""
        name = clean_user_name(name)
        if role not in ROLES:
            raise AccountError(f"{role!r}: the role is one of {', '.join(ROLES)}")
        hashed = password_hasher().hash(checked_password(password))
        try:
            with self._db() as db:
                db.execute(
                    "INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?)",
                    (name, role, hashed, now()),
                )
        except sqlite3.IntegrityError:
            raise AccountError(f"{name}: there is already an account with this name") from None
        return self.user(name)

    def remove(self, name: str) -> None:
        """Delete an account, its sessions and its token."""
        name = self._existing(name)
        with self._db() as db:
            db.execute("DELETE FROM users WHERE name = ?", (name,))
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))

    def set_role(self, name: str, role: str) -> None:
        """Give an account another role (it applies from the user's next request)."""
        name = self._existing(name)
        if role not in ROLES:
            raise AccountError(f"{role!r}: the role is one of {', '.join(ROLES)}")
        with self._db() as db:
            db.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))

    def passwd(self, name: str, password: str) -> None:
        """Set a new password; every session of the account ends and its lockout is lifted."""
        name = self._existing(name)
        hashed = password_hasher().hash(checked_password(password))
        with self._db() as db:
            db.execute("UPDATE users SET password = ? WHERE name = ?", (hashed, name))
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))
            db.execute("DELETE FROM logins WHERE name = ?", (name,))

    def _existing(self, name: str) -> str:
        user = self.user(name)
        if user is None:
            raise AccountError(f"{name}: no such user")
        return user.name

    # -- passwords and lockout ----------------------------------------------------------------

    def login(self, name: str, password: str) -> Login:
        """Check a password. After FAILURES_BEFORE_LOCK failures in a row the name is locked,
        for longer after each further failure, whether or not the account exists."""
        key = (name or "").strip().casefold()[:64]
        clock = time.time()
        with self._db() as db:
            row = db.execute(
                "SELECT failures, locked_until, last FROM logins WHERE name = ?", (key,)
            ).fetchone()
            failures, locked_until, last = row or (0, 0.0, clock)
            if locked_until > clock:
                return Login(locked_for=int(locked_until - clock) + 1)
            if last < clock - FAILURES_FORGOTTEN:
                failures = 0
            found = db.execute("SELECT password FROM users WHERE name = ?", (key,)).fetchone()
        if found is None:  # as slow as a real check: the time tells no one which names exist
            self._verify(key, unknown_user_hash(), password)
        elif self._verify(key, found[0], password):
            with self._db() as db:
                db.execute("DELETE FROM logins WHERE name = ?", (key,))
            return Login(user=self.user(key))
        failures += 1
        locked = 0
        if failures >= FAILURES_BEFORE_LOCK:
            locked = min(LOCK_SECONDS * 2 ** (failures - FAILURES_BEFORE_LOCK), MAX_LOCK_SECONDS)
        with self._db() as db:
            db.execute("DELETE FROM logins WHERE last < ? AND locked_until < ?",
                       (clock - FAILURES_FORGOTTEN, clock))
            db.execute(
                "INSERT INTO logins (name, failures, locked_until, last) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET failures = excluded.failures, "
                "locked_until = excluded.locked_until, last = excluded.last",
                (key, failures, clock + locked if locked else 0.0, clock),
            )
        return Login(locked_for=locked)

    def _verify(self, name: str, stored: str, password: str) -> bool:
        ph = password_hasher()
        try:
            ph.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        if ph.check_needs_rehash(stored):  # the cost setting changed: store the new cost
            with self._db() as db:
                db.execute(
                    "UPDATE users SET password = ? WHERE name = ?", (ph.hash(password), name)
                )
        return True

    # -- sessions -----------------------------------------------------------------------------

    def start_session(self, name: str) -> str:
        """A new random session id for a logged-in user (only its hash is stored)."""
        sid = secrets.token_urlsafe(32)
        with self._db() as db:
            db.execute(
                "INSERT INTO sessions (id_hash, name, started) VALUES (?, ?, ?)",
                (digest(sid), name, time.time()),
            )
        return sid

    def session_user(self, sid: str, lifetime: float = SESSION_SECONDS) -> User | None:
        """The user of a live session; None when it ended, expired or its user is gone."""
        with self._db() as db:
            row = db.execute(
                "SELECT u.name, u.role, u.created, u.token_hash IS NOT NULL, u.epoch, s.started "
                "FROM sessions s JOIN users u ON u.name = s.name WHERE s.id_hash = ?",
                (digest(sid),),
            ).fetchone()
            if row and row[5] + lifetime < time.time():
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (digest(sid),))
                return None
        return User(*row[:5]) if row else None

    def end_session(self, sid: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE id_hash = ?", (digest(sid),))

    # -- API tokens ---------------------------------------------------------------------------

    def new_token(self, name: str) -> str:
        """A new API token for the user, replacing the previous one; only its hash is kept."""
        name = self._existing(name)
        token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        with self._db() as db:
            db.execute(
                "UPDATE users SET token_id = ?, token_hash = ? WHERE name = ?",
                (token_id, digest(secret), name),
            )
        return f"{token_id}.{secret}"

    def token_user(self, token: str) -> User | None:
        """The user whose token this is (hashes compared in constant time), else None."""
        token_id, _, secret = (token or "").strip().partition(".")
        if not token_id or not secret:
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT name, token_hash FROM users WHERE token_id = ?", (token_id,)
            ).fetchone()
        if row and row[1] and hmac.compare_digest(row[1], digest(secret)):
            return self.user(row[0])
        return None

    def revoke(self, name: str) -> None:
        """Revoke the user's token and secret feed URLs, and end their sessions."""
        name = self._existing(name)
        with self._db() as db:
            db.execute(
                "UPDATE users SET token_id = NULL, token_hash = NULL, epoch = epoch + 1 "
                "WHERE name = ?",
                (name,),
            )
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))

    # -- the audit log --------------------------------------------------------------------------

    def record(self, actor: str, action: str, detail: str) -> None:
        """Write one line of the audit log: who did what, now."""
        with self._db() as db:
            db.execute(
                "INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)",
                (now(), actor, action, detail),
            )

    def audit(self, limit: int = 200) -> list[dict]:
        """The newest audit lines first."""
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute(
                "SELECT at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?",
                (max(1, min(limit, 100_000)),),
            ).fetchall()
        return [dict(zip(("at", "actor", "action", "detail"), row, strict=True)) for row in rows]


# -- the command line: `newsindex users ...` and `newsindex audit` --------------------------------


def cli_actor() -> str:
    """Who made a change from the command line, for the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def read_password(prompt: str = "Password") -> str:
    """Asked twice on a terminal; else the first line of standard input."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass(f"{prompt} again: ") != first:
        raise AccountError("the two passwords differ")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    """`newsindex users add|list|remove|passwd|token|revoke`; exit 2 on a refused request."""
    accounts = Accounts(args.index)
    try:
        if args.action == "list":
            for user in accounts.users():
                token = "  token" if user.has_token else ""
                print(f"{user.name}  {user.role}  since {user.created}{token}")
            return 0
        if args.action == "add":
            user = accounts.add(args.name, args.role, read_password())
            message = f"added {user.name} ({user.role})"
            detail = f"{user.name} as {user.role}"
        elif args.action == "remove":
            accounts.remove(args.name)
            message = detail = f"removed {args.name}"
        elif args.action == "passwd":
            accounts.passwd(args.name, read_password("New password"))
            message = f"new password for {args.name}; their sessions ended"
            detail = args.name
        elif args.action == "token":
            token = accounts.new_token(args.name)
            message = f"new API token for {args.name} (shown once, replaces any other): {token}"
            detail = args.name
        else:
            accounts.revoke(args.name)
            message = f"revoked the token, feed URLs and sessions of {args.name}"
            detail = args.name
    except AccountError as exc:
        print(f"newsindex: {accounts.path}: {exc}", file=sys.stderr)
        return 2
    accounts.record(cli_actor(), f"users {args.action}", detail)
    print(message)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """`newsindex audit`: who changed what and when, newest first."""
    import json

    for line in Accounts(args.index).audit(args.limit):
        if args.json:
            print(json.dumps(line, ensure_ascii=False))
        else:
            print(f"{line['at']}  {line['actor']}  {line['action']}  {line['detail']}")
    return 0
