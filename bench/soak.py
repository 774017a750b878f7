"""Soak: 32 clients for 60 s against the web UI over a 100k-article index, loopback only.

The index is bench_search.py's replicated BBC index (`index_for`, built once under bench/out/).
The clients mix searches, quote searches, facet clicks (a search narrowed by a person, country,
organisation, topic, source or month) and saved-search reads (the list, opening one, its feed),
each picking at random (seeded) from words and facet values of the indexed records. The server
is the real `newsindex serve` (waitress) bound to 127.0.0.1; nothing leaves the machine, and the
run is bounded by --seconds (each request by a 30 s timeout). Any response other than 200 (after
following one redirect, as a browser would) or a failed connection is an error.

    python bench/soak.py --bbc ../shared/corpora/bbc-news [--size 100000] [--clients 32]
        [--saved-share 0.2]

Last line of stdout: {"requests", "errors", "error_kinds", "rps", "p50_ms", "p95_ms", "p99_ms",
"p95_ms_by_kind", "server_peak_rss_mb", ...}.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from bench_search import index_for
from common import (
    DEFAULT_BBC,
    LOOPBACK,
    SOURCES,
    annotated_bbc,
    emit,
    log,
    peak_rss_mb,
    percentile,
    read_records,
    run_clients,
    serving,
)

from indexer.records import Record, facet_values

TIMEOUT = 30.0
WARM_UP_TIMEOUT = 600.0
SAVED_SEARCHES = 8
WORD = re.compile(r"[A-Za-z]{5,}")


class Plan:
    """What the clients ask for: real words and facet values of the indexed records."""

    def __init__(self, records: list[Record], saved_share: float):
        self.saved_share = saved_share
        words: Counter[str] = Counter()
        for r in records:
            words.update(w.lower() for w in WORD.findall(r.get("title") or ""))
        self.words = [w for w, _ in words.most_common(300)]
        self.values: dict[str, list[str]] = {"source": list(SOURCES)}  # as replicate() sets them
        for facet in ("person", "country", "organization", "topic"):
            counts = Counter(v for r in records for v in facet_values(r, facet))
            self.values[facet] = [v for v, _ in counts.most_common(100)]
        speakers = Counter(q["speaker"] for r in records for q in r["quotes"] if q.get("speaker"))
        self.speakers = [s for s, _ in speakers.most_common(100)]
        self.saved_ids: list[int] = []

    def request(self, rng: random.Random) -> tuple[str, str]:
        """One request: a saved-search read (saved_share of them), else a search, a quote
        search or a facet click in the ratio 3 : 2 : 3. Returns (kind, path with query)."""
        if rng.random() < self.saved_share:
            choice = rng.random()
            if choice < 0.3 or not self.saved_ids:
                return "saved", "/saved"
            saved = rng.choice(self.saved_ids)
            return "saved", f"/saved/{saved}.atom" if choice < 0.6 else f"/saved/{saved}"
        roll = rng.random() * 8
        word = rng.choice(self.words)
        if roll < 3:
            suffix = rng.choice(["", "", ".json"])
            return "search", f"/search{suffix}?" + urlencode({"q": word})
        if roll < 5:
            params = {"q": word} if rng.random() < 0.6 else {"speaker": rng.choice(self.speakers)}
            return "quotes", "/quotes?" + urlencode(params)
        facet = rng.choice(list(self.values))
        params = {"q": word, facet: rng.choice(self.values[facet])}
        if rng.random() < 0.3:
            year = rng.randint(2015, 2024)
            params.update({"from": f"{year}-01", "to": f"{year}-06"})
        return "facet", "/search?" + urlencode(params)


def get(conn: http.client.HTTPConnection, path: str, headers: dict | None = None):
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    return response, response.read()


def warm_up(port: int, plan: Plan) -> float:
    """First requests of each kind, untimed: they build the per-generation facet tables."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=WARM_UP_TIMEOUT)
    facet = next(iter(plan.values))
    for path in (
        "/search?" + urlencode({"q": plan.words[0]}),
        "/quotes?" + urlencode({"q": plan.words[0]}),
        "/search?" + urlencode({facet: plan.values[facet][0]}),
    ):
        response, _ = get(conn, path)
        if response.status != 200:
            raise SystemExit(f"soak: warm-up {path} gave {response.status}")
    conn.close()
    return time.perf_counter() - started


def create_saved_searches(port: int, plan: Plan, rng: random.Random) -> None:
    """Save a few searches through the web form (session cookie and CSRF token, as a browser)."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=TIMEOUT)
    response, body = get(conn, "/search?q=" + plan.words[0])
    cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body)[1].decode()
    for n in range(SAVED_SEARCHES):
        url = "/search?" + urlencode({"q": rng.choice(plan.words)})
        form = urlencode({"csrf_token": token, "name": f"soak {n}", "url": url})
        conn.request(
            "POST", "/saved", body=form,
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = conn.getresponse()
        response.read()
        if response.status != 303:
            raise SystemExit(f"soak: saving a search gave {response.status}")
        plan.saved_ids.append(int(response.getheader("Location").rsplit("#s", 1)[1]))
    conn.close()


def client(port: int, plan: Plan, seed: int, deadline: float, results: list) -> None:
    """One client: requests back to back until the deadline, each timed."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=TIMEOUT)
    while time.monotonic() < deadline:
        kind, path = plan.request(rng)
        started = time.perf_counter()
        try:
            response, _ = get(conn, path)
            status = response.status
            if status in (301, 302, 303):  # a saved search opening, or a URL made canonical
                response, _ = get(conn, response.getheader("Location"))
                status = response.status
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__
            conn.close()
            conn = http.client.HTTPConnection(LOOPBACK, port, timeout=TIMEOUT)
        results.append((kind, status, time.perf_counter() - started, path))
    conn.close()


def ms(seconds: list[float], q: float) -> float:
    return round(percentile(seconds, q) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bbc", type=Path, default=DEFAULT_BBC, help="BBC corpus folder")
    parser.add_argument(
        "--records", type=Path, help="annotated BBC records (JSON Lines) instead of --bbc's cache"
    )
    parser.add_argument("--size", type=int, default=100_000, help="articles in the index")
    parser.add_argument("--index", type=Path, help="soak this index instead of building one")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=8, help="server threads")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--saved-share", type=float, default=0.2, help="of requests")
    args = parser.parse_args()

    records = list(read_records(args.records)) if args.records else annotated_bbc(args.bbc)
    index = args.index or index_for(records, args.size, rebuild=False)[0]
    plan = Plan(records, args.saved_share)
    rng = random.Random(args.seed)
    with serving(index, args.threads) as (server, port):
        warm = warm_up(port, plan)
        log(f"soak: warmed up in {warm:.0f} s")
        create_saved_searches(port, plan, rng)
        client(port, plan, args.seed, time.monotonic() + 5, [])  # caches of every kind
        log(f"soak: {args.clients} clients for {args.seconds:g} s on http://{LOOPBACK}:{port}")
        results: list = []
        deadline = time.monotonic() + args.seconds
        elapsed = run_clients(client, [(port, plan, args.seed + n, deadline, results)
                                       for n in range(args.clients)])
        rss = peak_rss_mb(server.pid)
        alive = server.poll() is None

    errors = [r for r in results if r[1] != 200]
    for kind, status, _, path in errors[:10]:
        log(f"error: {kind} {path} -> {status}")
    times = [r[2] for r in results]
    kinds = ("search", "quotes", "facet", "saved")
    by_kind = {k: [r[2] for r in results if r[0] == k] for k in kinds}
    emit(
        {
            "index_articles": args.size,
            "clients": args.clients,
            "saved_share": args.saved_share,
            "warm_up_s": round(warm, 1),
            "seconds": round(elapsed, 1),
            "requests": len(results),
            "errors": len(errors),
            "error_kinds": dict(Counter(str(r[1]) for r in errors)),
            "server_alive": alive,
            "rps": round(len(results) / elapsed, 1),
            "p50_ms": ms(times, 50),
            "p95_ms": ms(times, 95),
            "p99_ms": ms(times, 99),
            "max_ms": round(max(times, default=0) * 1000, 1),
            "requests_by_kind": {k: len(v) for k, v in by_kind.items()},
            "p95_ms_by_kind": {k: ms(v, 95) for k, v in by_kind.items()},
            "server_peak_rss_mb": round(rss, 1),
        }
    )


if __name__ == "__main__":
    main()
