"""Load run: 16 concurrent clients against `newsindex serve` on loopback for a bounded time.

The server is the real one (`newsindex --index DIR serve`, waitress), started as a child
process on a free port over one of bench_search.py's replicated BBC indexes (built if missing).
Each client keeps one HTTP connection and loops until the time is up over a mix of requests a
reader makes: JSON and HTML searches (narrow and broad words, no text, facet filters, a later
page, newest first) and quote searches. Every non-200 answer or failed request is an error.

Usage: python bench/load.py --bbc ../shared/corpora/bbc-news [--size 100000] [--seconds 60]
Prints a JSON object as its last line: requests/s, p50/p95 latency, errors, server peak memory.
"""

from __future__ import annotations

import argparse
import http.client
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import index_for, query_mix  # noqa: E402
from common import (  # noqa: E402
    DEFAULT_BBC,
    LOOPBACK,
    annotated_bbc,
    emit,
    log,
    peak_rss_mb,
    percentile,
    run_clients,
    serving,
)


def request_mix(mix: dict) -> list[str]:
    """The paths the clients cycle through, in a fixed shuffled order."""
    paths = []
    for word in mix["narrow"][:8] + mix["broad"][:8]:
        paths.append("/search.json?" + urlencode({"q": word}))
        paths.append("/search?" + urlencode({"q": word}))
    for chosen in mix["filters"][:8]:
        paths.append("/search.json?" + urlencode(chosen, doseq=True))
    for word in mix["quotes"][:8]:
        paths.append("/quotes.json?" + urlencode({"q": word}))
    paths += ["/search.json?sort=newest", "/search.json?q=&page=3", "/"]
    random.Random(7).shuffle(paths)
    return paths


def wait_ready(port: int, server: subprocess.Popen, timeout: float = 600) -> None:
    """Until the server answers (it builds its facet tables on the first search)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench: the server exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
            conn.request("GET", "/search.json?q=")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("bench: the server did not answer in time")


def client(port: int, paths: list[str], start: int, deadline: float, out: list, errors: list):
    """One client: one keep-alive connection, requests until the deadline."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=60)
    i = start
    while time.monotonic() < deadline:
        path = paths[i % len(paths)]
        i += 1
        t = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{response.status} {path}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{type(exc).__name__} {path}")
            conn.close()
            conn = http.client.HTTPConnection(LOOPBACK, port, timeout=60)
            continue
        out.append((time.perf_counter() - t) * 1000)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, default=DEFAULT_BBC, help="BBC corpus folder")
    parser.add_argument("--size", type=int, default=100_000, help="articles in the index")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=8, help="server threads")
    args = parser.parse_args()

    records = annotated_bbc(args.bbc)
    folder, _ = index_for(records, args.size, rebuild=False)
    paths = request_mix(query_mix(records))
    # The server's output goes to a file: an unread pipe fills up and then blocks the server.
    server_log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (open while the server runs)
    with serving(folder, args.threads, server_log) as (server, port):
        started = time.perf_counter()
        wait_ready(port, server)
        log(f"server ready in {time.perf_counter() - started:.1f} s; "
            f"{args.clients} clients for {args.seconds:g} s")
        latencies: list[float] = []
        errors: list[str] = []
        deadline = time.monotonic() + args.seconds
        elapsed = run_clients(client, [(port, paths, n * 7, deadline, latencies, errors)
                                       for n in range(args.clients)])
        rss = peak_rss_mb(server.pid)
    for line in errors[:10]:
        log(f"error: {line}")
    if errors:
        server_log.seek(0)
        log("server output (last lines):\n" + "".join(server_log.readlines()[-20:]))
    emit({
        "articles": args.size,
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies) + len(errors),
        "requests_per_s": round((len(latencies) + len(errors)) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "errors": len(errors),
        "server_peak_rss_mb": round(rss, 1),
    })


if __name__ == "__main__":
    main()
