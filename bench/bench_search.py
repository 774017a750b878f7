"""Faceted search at 10k/30k/100k articles: our numpy facets vs Whoosh's `groupedby`, same run.

Indexes are built with the project's Store from the BBC annotated records replicated (distinct
ids, dates over ten years, six sources; see bench/common.py) and kept under bench/out/ for the
next run (--rebuild makes them again). Each size is then served by a fresh process, as
`newsindex serve` would hold it: facet tables are built once (reported as warm-up), then a fixed
mix of queries runs, each with every facet count and page 1 with snippets:

- narrow: one word in about 0.5-1% of the articles;
- broad: one word in more than half of the articles;
- match_all: no query text, newest first;
- filters: no query text, three facet filters (topic, country, source);
- quotes: a word searched in quotations, with the speaker and mention facets too.

Every query is measured cold: the term-postings cache is emptied before it, so nothing is reused
but the per-generation facet tables. Long posting lists are read from the numpy files every
commit writes beside their segment (indexer/segment_arrays.py; written here once the index is
built, as its build bypasses the Store's commit); the mix is then run again decoding Whoosh's
blocks instead (`p95_decoding_ms`: a segment without those files, and every run before them).
The facet tables and dates a serving process reads are kept there too, by the first process that
reads them (`warmup_ms` is that of a process finding them kept; this one's first run reads them
from Whoosh). The same narrow and broad queries are then run through Whoosh's own
`search(..., groupedby=...)` with the same five facets (the baseline).

With --backend opensearch the same mix is also timed, cold caches aside, on a one-node and a
three-node (3 shards, 1 replica) OpenSearch cluster on loopback holding the same records;
`deeper_facet_requests` counts the second requests made to keep multi-shard facet counts exact.
On one machine the three nodes share its cores: that run measures the cost of coordination and
replication, not the gain of spreading a large index over machines.

Usage: python bench/bench_search.py --bbc ../shared/corpora/bbc-news [--sizes 10000,30000,100000]
       [--backend opensearch [--nodes 1]] [--opensearch-only]
Prints a JSON object as its last line (keys in ../shared/EVALUATION.md, Benchmarks) and keeps it
in bench/out/bench_search-BACKEND-SIZES.json; bench/plot_search.py draws every kept run.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    DEFAULT_BBC,
    OUT,
    ROOT,
    annotated_bbc,
    dir_mb,
    emit,
    log,
    peak_rss_mb,
    percentile,
    replicate,
)

KINDS = ("narrow", "broad", "match_all", "filters", "quotes")
PER_KIND = 20  # queries timed per kind and size
GROUPEDBY_RUNS = 3  # groupedby takes seconds to minutes: fewer runs
WORD = re.compile(r"[a-z]{4,}")


def searchable(word: str) -> bool:
    """Whether the index keeps the word (stop words are dropped by the analyzer)."""
    from indexer.schema import SCHEMA

    return any(True for _ in SCHEMA["body"].analyzer(word))


def document_frequencies(records: list[dict], field: str = "body") -> Counter:
    """In how many records each lower-case word appears (words the index keeps)."""
    df: Counter = Counter()
    for record in records:
        df.update(set(WORD.findall((record.get("title", "") + " " + record[field]).lower())))
    return Counter({w: c for w, c in df.items() if searchable(w)})


def pick_words(df: Counter, total: int, low: float, high: float, n: int) -> list[str]:
    """n words whose share of articles lies in [low, high], spread over that range."""
    words = sorted((w for w, c in df.items() if low <= c / total <= high),
                   key=lambda w: (-df[w], w))  # ties by spelling: the same mix in every run
    if not words:
        raise SystemExit(f"bench: no word in {low:.1%}-{high:.1%} of the articles")
    step = max(1, len(words) // n)
    return words[::step][:n]


def quote_words(records: list[dict], n: int) -> list[str]:
    """Common words of quotations (several hundred quotes each at 100k)."""
    df: Counter = Counter()
    for record in records:
        for quote in record.get("quotes", []):
            df.update(set(WORD.findall(quote["text"].lower())))
    df = Counter({w: c for w, c in df.items() if searchable(w)})
    total = sum(len(r.get("quotes", [])) for r in records) or 1
    return pick_words(df, total, 0.01, 0.05, n)


def query_mix(records: list[dict]) -> dict:
    """The fixed queries, chosen from the base records so that every size gets the same ones."""
    df = document_frequencies(records)
    topics = Counter(t["label"] for r in records for t in r.get("topics", [])[:1])
    countries = Counter(c for r in records for c in r.get("countries", []))
    sources = ["Daily Ledger", "Evening Wire", "Northern Post", "Metro Herald", "Coast Times"]
    top_topics = [t for t, _ in topics.most_common(4)]
    top_countries = [c for c, _ in countries.most_common(5)]
    filters = [
        {"topic": [top_topics[i % len(top_topics)]],
         "country": [top_countries[i % len(top_countries)]],
         "source": [sources[i % len(sources)]]}
        for i in range(PER_KIND)
    ]
    return {
        "narrow": pick_words(df, len(records), 0.005, 0.01, PER_KIND),
        "broad": pick_words(df, len(records), 0.5, 0.9, PER_KIND),
        "filters": filters,
        "quotes": quote_words(records, PER_KIND),
    }


def index_for(
    records: list[dict], size: int, rebuild: bool, procs: int = 3
) -> tuple[Path, float | None]:
    """The index of `size` replicated records (reused from bench/out/ when complete), and the
    seconds its build took (recorded with it when reused).

    Built as a bulk load with the Store's own writers: `procs` forked processes each write the
    article and quote documents (article_document, quote_documents) of a consecutive share of
    the records into one segment, with the Store's fast analysis, and one commit lists the
    segments, as `newsindex index` does with a large batch of annotated records; each process
    makes its share itself, so a million records are never held in memory at once. The
    documents, and so the index, are those 200 `newsindex index` commits would make, in hours
    rather than minutes on a busy two-core machine. (Whoosh's own multi-process writer, used
    before, pickles every document through a queue: 183 against 327 articles/s at 10k here.)
    """
    from indexer.store import Store

    folder = OUT / f"search-index-{size}"
    stamp = folder / "BENCH_COMPLETE"
    if stamp.exists() and not rebuild:
        keep_postings(folder)
        return folder, json.loads(stamp.read_text() or "{}").get("seconds")  # its build's time
    shutil.rmtree(folder, ignore_errors=True)
    log(f"building the {size}-article index in {folder} ({procs} processes)")
    started = time.perf_counter()
    share = -(-size // procs)
    Store(folder).write_shares([replicate(records, min(size, start + share), start)
                                for start in range(0, size, share)])
    keep_postings(folder)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps({"seconds": seconds, "procs": procs}))
    log(f"built {size} articles in {seconds:.0f} s ({size / seconds:.0f} articles/s)")
    return folder, seconds


def keep_postings(folder: Path) -> None:
    """Write the long posting lists' numpy files, as every `newsindex index` commit does
    (this build bypasses the Store's commit); segments already done are skipped."""
    from itertools import chain

    from indexer.facets import keep_long_postings
    from indexer.schema import SEARCHED
    from indexer.store import Store

    started = time.perf_counter()
    written = keep_long_postings(Store.open_existing(folder).ix,
                                 chain.from_iterable(SEARCHED.values()))
    if written:
        log(f"{folder.name}: kept {written} long posting lists in "
            f"{time.perf_counter() - started:.0f} s")


def serve_and_time(folder: Path, mix: dict, repeats: int) -> dict:
    """Time the mix in a fresh process that serves the index (so its peak memory is measurable)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--serve-worker", str(folder), "--mix", json.dumps(mix),
         "--repeats", str(repeats)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(f"bench worker failed:\n{proc.stderr}")
    sys.stderr.write(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def query_for(mix: dict, kind: str, i: int):
    """The i-th query of one kind in the mix, as (Searcher method, SearchQuery)."""
    from indexer.search import SearchQuery

    if kind in ("narrow", "broad"):
        return "search", SearchQuery(text=mix[kind][i % len(mix[kind])])
    if kind == "match_all":
        return "search", SearchQuery(sort="newest")
    if kind == "filters":
        chosen = mix["filters"][i % len(mix["filters"])]
        return "search", SearchQuery(filters={k: tuple(v) for k, v in chosen.items()})
    return "quotes", SearchQuery(text=mix["quotes"][i % len(mix["quotes"])])


def time_mix(searcher, mix: dict, repeats: int, before=lambda: None):
    """Milliseconds and totals per query kind, for either backend's searcher."""
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    totals: dict[str, list[int]] = {k: [] for k in KINDS}
    for _ in range(repeats):
        for kind in KINDS:
            for i in range(PER_KIND):
                method, query = query_for(mix, kind, i)
                before()
                t = time.perf_counter()
                result = getattr(searcher, method)(query)
                times[kind].append((time.perf_counter() - t) * 1000)
                totals[kind].append(result["total"])
    return times, totals


CLUSTERS = {"1": ("1_node", 1, 1, 0), "3": ("3_nodes", 3, 3, 1)}  # name, nodes, shards, replicas


def opensearch_times(
    records: list[dict], size: int, mix: dict, repeats: int, clusters: str = "1,3"
) -> dict:
    """The same mix on OpenSearch: one node, and three nodes (3 shards, 1 replica) on loopback."""
    sys.path.insert(0, str(ROOT))
    from tests.opensearch_cluster import loaded_cluster

    out = {}
    for name, nodes, shards, replicas in (CLUSTERS[c] for c in clusters.split(",")):
        log(f"OpenSearch {name}: loading {size} articles")
        cluster = loaded_cluster(replicate(records, size), nodes, shards, replicas, heap="2g")
        with cluster as (searcher, load_s):
            searcher.search(query_for(mix, "match_all", 0)[1])  # warm-up, untimed
            times, totals = time_mix(searcher, mix, repeats)
        out[name] = {
            "load_s": round(load_s, 1),
            "deeper_facet_requests": searcher.deeper_requests,
            "p50_ms": {k: round(percentile(v, 50), 1) for k, v in times.items()},
            "p95_ms": {k: round(percentile(v, 95), 1) for k, v in times.items()},
        }
        log(f"OpenSearch {name} {size}: {json.dumps(out[name])}")
    return out


def worker(folder: Path, mix: dict, repeats: int) -> dict:
    """Inside the serving process: warm up, time our searches, then the groupedby baseline."""
    from whoosh import sorting
    from whoosh.query import Term

    from indexer.schema import ARTICLE, FACETS
    from indexer.search import Searcher, SearchQuery
    from indexer.store import Store

    store = Store.open_existing(folder)
    searcher = Searcher(store)
    started = time.perf_counter()
    searcher.search(SearchQuery(text=""))
    searcher.quotes(SearchQuery(text=""))
    warmup_ms = (time.perf_counter() - started) * 1000

    times, totals = time_mix(searcher, mix, repeats, searcher.cache.drop_postings)
    rss = peak_rss_mb()
    kept, searcher.cache.kept = searcher.cache.kept, None  # as a segment without the files
    decoding, _ = time_mix(searcher, mix, repeats, searcher.cache.drop_postings)
    searcher.cache.kept = kept
    articles = searcher.stats()["articles"]

    grouped: dict[str, list[float]] = {"narrow": [], "broad": []}
    facets = {name: sorting.FieldFacet(name, allow_overlap=True) for name in FACETS}
    for kind in grouped:
        for i in range(GROUPEDBY_RUNS):
            q = searcher.parse(mix[kind][i])
            with store.searcher() as s:
                t = time.perf_counter()
                results = s.search(q, limit=20, filter=Term("kind", ARTICLE), groupedby=facets)
                for name in FACETS:
                    results.groups(name)
                grouped[kind].append((time.perf_counter() - t) * 1000)
    return {
        "articles": articles,
        "warmup_ms": round(warmup_ms, 1),
        "p50_ms": {k: round(percentile(v, 50), 1) for k, v in times.items()},
        "p95_ms": {k: round(percentile(v, 95), 1) for k, v in times.items()},
        "p95_decoding_ms": {k: round(percentile(v, 95), 1) for k, v in decoding.items()},
        "share_of_articles": {
            k: round(sum(v) / len(v) / articles, 4) for k, v in totals.items() if k != "quotes"
        },
        "groupedby_p95_ms": {k: round(percentile(v, 95), 1) for k, v in grouped.items()},
        "groupedby_p50_ms": {k: round(percentile(v, 50), 1) for k, v in grouped.items()},
        "peak_rss_mb": round(rss, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, default=DEFAULT_BBC, help="BBC corpus folder")
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--repeats", type=int, default=1, help="passes over the query mix")
    parser.add_argument("--rebuild", action="store_true", help="build the indexes again")
    parser.add_argument("--build-procs", type=int, default=3, help="index-building processes")
    parser.add_argument("--backend", choices=("whoosh", "opensearch"), default="whoosh",
                        help="opensearch: also time the mix on 1- and 3-node OpenSearch clusters")
    parser.add_argument("--nodes", default="1,3", choices=("1", "3", "1,3"),
                        help="which OpenSearch clusters: 1 node, 3 nodes or both")
    parser.add_argument("--opensearch-only", action="store_true",
                        help="time OpenSearch alone (the Whoosh side kept from an earlier run)")
    parser.add_argument("--serve-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mix", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_worker:
        print(json.dumps(worker(args.serve_worker, json.loads(args.mix), args.repeats)))
        return

    records = annotated_bbc(args.bbc)
    mix = query_mix(records)
    log(f"query mix: narrow {mix['narrow'][:5]}..., broad {mix['broad'][:5]}..., "
        f"quotes {mix['quotes'][:5]}...")
    sizes = [int(s) for s in args.sizes.split(",")]
    per_size, build_s, index_mb, opensearch = {}, {}, {}, {}
    if args.opensearch_only:
        args.backend = "opensearch"
    for size in sizes:
        if not args.opensearch_only:
            folder, seconds = index_for(records, size, args.rebuild, args.build_procs)
            if seconds is not None:
                build_s[str(size)] = round(seconds, 1)
            index_mb[str(size)] = round(dir_mb(folder), 1)
            per_size[str(size)] = serve_and_time(folder, mix, args.repeats)
            log(f"{size}: {json.dumps(per_size[str(size)])}")
        if args.backend == "opensearch":
            opensearch[str(size)] = opensearch_times(records, size, mix, args.repeats,
                                                         args.nodes)
    extra = {"opensearch": opensearch} if opensearch else {}
    result = {
        "p95_ms": {s: r["p95_ms"] for s, r in per_size.items()},
        "p50_ms": {s: r["p50_ms"] for s, r in per_size.items()},
        "p95_decoding_ms": {s: r["p95_decoding_ms"] for s, r in per_size.items()},
        "groupedby_p95_ms": {s: r["groupedby_p95_ms"] for s, r in per_size.items()},
        "speedup_broad_vs_groupedby": {
            s: round(r["groupedby_p95_ms"]["broad"] / r["p95_ms"]["broad"], 1)
            for s, r in per_size.items()
        },
        "serve_peak_rss_mb": max((r["peak_rss_mb"] for r in per_size.values()), default=None),
        "serve_peak_rss_mb_by_size": {s: r["peak_rss_mb"] for s, r in per_size.items()},
        "index_mb": index_mb,
        "warmup_ms": {s: r["warmup_ms"] for s, r in per_size.items()},
        "share_of_articles": {s: r["share_of_articles"] for s, r in per_size.items()},
        "build_s": build_s,
        **extra,
    }
    # kept for bench/plot_search.py, which draws p95 against archive size from every run's file
    backend = "opensearch-only" if args.opensearch_only else args.backend
    saved = OUT / f"bench_search-{backend}-{'_'.join(map(str, sizes))}.json"
    saved.write_text(json.dumps(result, indent=1), encoding="utf-8")
    emit(result)


if __name__ == "__main__":
    main()
