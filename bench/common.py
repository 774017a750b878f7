"""Shared bench helpers: the BBC corpus, its annotated records cached once, replication, memory,
and a loopback `newsindex serve` with client threads for the load runs.

The BBC corpus is research-only: it is read at run time from the folder given, and its annotated
records are cached under bench/out/ (git-ignored), never shipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
DEFAULT_BBC = ROOT.parent / "shared" / "corpora" / "bbc-news"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indexer.records import Record, RecordError, read_jsonl, write_jsonl  # noqa: E402
from indexer.sources import Article, SourceError, read_sources  # noqa: E402

# Replicated copies are spread over ten years and over these publishers.
SOURCES = ("Daily Ledger", "Evening Wire", "Northern Post", "Metro Herald", "Coast Times", "BBC")
FIRST_DAY = date(2015, 1, 1)
DAYS = 3652
LOOPBACK = "127.0.0.1"
SERVER_START_TIMEOUT = 120.0


def log(message: str) -> None:
    """Progress on stderr, so that stdout's last line stays the JSON result."""
    print(message, file=sys.stderr, flush=True)


def bbc_articles(bbc: Path) -> list[Article]:
    """The BBC articles (category folders only) in a stable order; a broken file stops the bench."""
    out = []
    for item in read_sources(sorted(bbc.glob("*/*.txt"))):
        if isinstance(item, SourceError):
            raise SystemExit(f"bench: {item}")
        out.append(item)
    if not out:
        raise SystemExit(f"bench: no articles under {bbc}")
    return out


def corpus_key(articles: list[Article]) -> str:
    """A digest of the corpus text and of the indexer's code and data naming the record cache:
    records annotated by older code are never read back as this code's."""
    h = hashlib.sha1()
    for a in articles:
        h.update(a.content_hash.encode())
    package = ROOT / "indexer"
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json", ".txt") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(package)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def annotated_bbc(bbc: Path, workers: int = 1) -> list[Record]:
    """Annotated BBC records: annotated once with the project's pipeline, then read from cache."""
    articles = bbc_articles(bbc)
    cache = OUT / f"bbc-records-{corpus_key(articles)}.jsonl"
    if not cache.exists():
        from indexer.annotation import annotate, load_pipeline

        log(f"annotating {len(articles)} BBC articles once into {cache} ({workers} workers)")
        OUT.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        tmp = cache.with_suffix(".part")
        with open(tmp, "w", encoding="utf-8") as out:
            write_jsonl(annotate(articles, load_pipeline(), workers=workers), out)
        tmp.replace(cache)
        for stale in OUT.glob("bbc-records-*.jsonl"):
            if stale != cache:
                stale.unlink()  # annotated by older code
        log(f"annotated in {time.perf_counter() - started:.0f} s")
    return read_records(cache)


def read_records(path: Path) -> list[Record]:
    """Annotated records from a JSON Lines file; a broken line stops the bench."""
    records = []
    for item in read_jsonl(path):
        if isinstance(item, RecordError):
            raise SystemExit(f"bench: {path}: {item}")
        records.append(item)
    return records


def replicate(records: list[Record], size: int, start: int = 0) -> Iterator[Record]:
    """Records start..size-1 of an archive of `size` made by cycling over the base ones:
    distinct ids, dates over ten years, sources. Record i is the same whichever range holds
    it, so shares made apart (start > 0) together make the archive."""
    n = len(records)
    for i in range(start, size):
        base, copy = records[i % n], i // n
        day = FIRST_DAY + timedelta(days=(i * 7919 + copy * 104729) % DAYS)
        record = dict(base)
        record["id"] = f"{base['id']}~{i}"  # unique even where BBC repeats an article
        record["published"] = day.isoformat()
        record["source"] = SOURCES[(i + copy) % len(SOURCES)]
        record["content_hash"] = f"{base.get('content_hash', '')}~{copy}"
        yield record


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident memory (VmHWM) of a process, in MB."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between order statistics."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def dir_mb(path: Path) -> float:
    """Megabytes on disk under a folder."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def emit(result: dict) -> None:
    """The bench's result: one JSON object as the last line of stdout."""
    print(json.dumps(result, sort_keys=False), flush=True)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


@contextmanager
def serving(index: Path, threads: int, output=subprocess.DEVNULL) -> Iterator[tuple]:
    """The real `newsindex serve` over an index, on a free loopback port, as (process, port)
    once it accepts connections; stopped on leaving. Its output goes to `output`."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "--index", str(index), "serve",
         "--host", LOOPBACK, "--port", str(port), "--threads", str(threads)],
        cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            try:
                socket.create_connection((LOOPBACK, port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"bench: the server did not start ({proc.poll()})") from None
                time.sleep(0.2)
        yield proc, port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run_clients(client: Callable, arguments: list[tuple]) -> float:
    """client(*args) in one thread per tuple of arguments, all at once; seconds until all end."""
    threads = [threading.Thread(target=client, args=args) for args in arguments]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started
