"""Helpers shared by the reliability tests: real annotated seed records and a CLI runner."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

from indexer.records import Record, write_jsonl
from indexer.sources import Article, read_sources
from indexer.store import Store
from tests.conftest import ROOT, SEEDS

SEED_CSV = SEEDS / "wikinews-2019-2020.csv"


def seed_articles(n: int, skip: int = 0) -> list[Article]:
    """The first n Wikinews seed articles (after `skip`), read as `newsindex index` reads them."""
    out = []
    for item in read_sources([SEED_CSV]):
        if isinstance(item, Article):
            if skip:
                skip -= 1
                continue
            out.append(item)
            if len(out) == n:
                break
    return out


@cache
def _annotated(nlp, n: int) -> tuple[Record, ...]:
    from indexer.annotation import annotate

    return tuple(annotate(seed_articles(n), nlp))


def annotated_records(nlp, n: int = 40) -> list[Record]:
    """Seed articles through the real pipeline, annotated once per session and copied per test."""
    import copy

    return copy.deepcopy(list(_annotated(nlp, n)))


def save_records(path: Path, records: list[Record]) -> Path:
    """Annotated records as a JSON Lines file that `newsindex index` loads without NLP."""
    with open(path, "w", encoding="utf-8") as out:
        write_jsonl(records, out)
    return path


def revised(records: list[Record]) -> list[Record]:
    """New versions of the same articles: changed text and hash, one quote fewer each."""
    out = []
    for r in records:
        out.append(
            dict(
                r,
                body=r["body"] + "\n\n(Updated.)",
                content_hash="v2-" + (r.get("content_hash") or r["id"]),
                quotes=r["quotes"][:-1],
            )
        )
    return out


def cli(index: Path, *args: str, **kwargs) -> list[str]:
    """The argv of a `newsindex` run on an index, as a separate process."""
    return [sys.executable, "-m", "indexer", "--index", str(index), *args]


def run(index: Path, *args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run `newsindex` to the end, capturing its output."""
    return subprocess.run(
        cli(index, *args),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        **kwargs,
    )


def stored(index: Path) -> dict[str, Record]:
    """Article id -> stored record, as the index holds them now."""
    return {r["id"]: r for r in Store.open_existing(index).records()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_listening(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait for a `newsindex serve` process to accept connections (fail with its stderr)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.2)
