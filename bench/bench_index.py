"""Indexing throughput on the 2,225 BBC articles: how close `newsindex index` gets to bare spaCy.

In one run, on the same machine:

1. baseline: bare `nlp.pipe` over the article texts (title + body, as annotation does) with the
   same model and newsindex components, pipeline already loaded, nothing else done;
2. `newsindex index` with --workers 1, then with --workers 2, each into a fresh index: reading
   the files, hashing, loading the pipeline, annotating, writing and committing, end to end;
3. the same command again on the unchanged corpus (NLP skipped for unchanged articles);
4. `newsindex index` of the annotated records alone (JSON Lines exported from step 2), no NLP,
   against bare Whoosh writing the same records' title and body (stemmed, with positions, as
   our schema has them; one writer, one commit) in this process: the floor a store could reach;
5. near-duplicate detection's cost: step 2's one-worker run again with `--no-duplicates`, and
   the detection alone (signatures of every record, LSH, groups) timed in this process, as a
   share of the one-worker run.

The commands run as child processes, as a user would run them. Wall-clock articles/s are the
result; CPU seconds and the machine's load average are printed too, because on a shared
two-core machine other processes take CPU from whichever phase is running.

Usage: python bench/bench_index.py --bbc ../shared/corpora/bbc-news
Prints a JSON object as its last line (keys in ../shared/EVALUATION.md, Benchmarks).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_BBC, ROOT, bbc_articles, emit, log  # noqa: E402


def children_cpu() -> float:
    """CPU seconds used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def newsindex(index: Path, *args: str) -> tuple[float, float, str]:
    """Run `newsindex --index INDEX ...` as a user would; (wall seconds, CPU seconds, summary)."""
    command = [sys.executable, "-m", "indexer", "--index", str(index), *args]
    cpu, started = children_cpu(), time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed ({proc.returncode}):\n{proc.stderr}")
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    return wall, children_cpu() - cpu, summary


def baseline(bbc: Path, batch_size: int) -> tuple[int, float, float]:
    """Bare nlp.pipe over the texts: (articles, wall seconds, CPU seconds)."""
    from indexer.annotation import SEPARATOR, load_pipeline

    texts = [a.title + SEPARATOR + a.body for a in bbc_articles(bbc)]
    nlp = load_pipeline()
    cpu, started = time.process_time(), time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return len(texts), time.perf_counter() - started, time.process_time() - cpu


def duplicates_seconds(records: Path, folder: Path) -> float:
    """Seconds near-duplicate detection takes for every record, as an index run does it."""
    from indexer.duplicates import Duplicates, fresh_signatures
    from indexer.records import read_jsonl

    loaded = [r for r in read_jsonl(records) if isinstance(r, dict)]
    started = time.perf_counter()
    fresh = fresh_signatures(loaded)
    Duplicates(folder).update({aid: h for aid, (h, _) in fresh.items()}, fresh, lambda a: None)
    seconds = time.perf_counter() - started
    log(f"duplicates: {len(loaded)} records in {seconds:.2f} s")
    return seconds


def bare_whoosh(records: Path, folder: Path) -> tuple[int, float, float]:
    """Bare Whoosh writing the records' id, title and body: (records, wall s, CPU s)."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    from indexer.records import read_jsonl

    text = fields.TEXT(analyzer=StemmingAnalyzer(), phrase=True)
    schema = fields.Schema(id=fields.ID(stored=True, unique=True), title=text, body=text)
    folder.mkdir(parents=True)
    cpu, started = time.process_time(), time.perf_counter()
    writer = index.create_in(str(folder), schema).writer()
    n = 0
    for record in read_jsonl(records):
        if isinstance(record, dict):
            writer.add_document(id=record["id"], title=record.get("title") or "",
                                body=record.get("body") or "")
            n += 1
    writer.commit()
    return n, time.perf_counter() - started, time.process_time() - cpu


def load_only(args: argparse.Namespace, folders: list[str], work: Path, record, phases) -> dict:
    """Step 4 alone, `--repeat` times, from an export (given, or made as step 2 makes it)."""
    n = len(bbc_articles(args.bbc))
    records = args.records
    if records is None:
        records = work / "records.jsonl"
        newsindex(work / "w1", "index", *folders, "--workers", "1", "--quiet")
        newsindex(work / "w1", "export", "-o", str(records))
    runs, bare = [], []
    for attempt in range(args.repeat):
        wall, cpu, line = newsindex(work / f"loaded{attempt}", "index", str(records), "--quiet")
        record("load_records", n, wall, cpu, line)
        runs.append(phases["load_records"])
        record("bare_whoosh", *bare_whoosh(records, work / f"bare{attempt}"))
        bare.append(phases["bare_whoosh"])
    best = max(runs, key=lambda p: p["aps"])
    return {"load_records_aps": best["aps"], "load_records_runs": runs,
            "bare_whoosh_aps": max(p["aps"] for p in bare), "bare_whoosh_runs": bare,
            "ratio_load_vs_bare_whoosh": round(best["aps"] / max(p["aps"] for p in bare), 3),
            "articles": n, "cpus": os.cpu_count(),
            "load_average_at_start": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, default=DEFAULT_BBC, help="BBC corpus folder")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--keep", action="store_true", help="keep the indexes made")
    parser.add_argument("--only", choices=("all", "load"), default="all",
                        help="load: only step 4, loading annotated records (no NLP)")
    parser.add_argument("--records", type=Path,
                        help="with --only load: a JSON Lines export of the BBC records to load "
                             "(made by indexing and exporting the corpus when not given)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="with --only load: loads into fresh indexes, best one reported")
    args = parser.parse_args()
    folders = [str(p) for p in sorted(args.bbc.iterdir()) if p.is_dir()]
    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    load_before = os.getloadavg()[0]
    phases: dict[str, dict] = {}

    def record(name: str, articles: int, wall: float, cpu: float, note: str = "") -> None:
        phases[name] = {"aps": round(articles / wall, 2), "wall_s": round(wall, 1),
                        "cpu_s": round(cpu, 1), "load": round(os.getloadavg()[0], 2)}
        log(f"{name}: {articles} articles in {wall:.1f} s ({articles / wall:.2f}/s), "
            f"CPU {cpu:.1f} s, load {os.getloadavg()[0]:.2f}  {note}")

    if args.only == "load":
        try:
            emit(load_only(args, folders, work, record, phases))
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        return
    try:
        n, wall, cpu = baseline(args.bbc, args.batch_size)
        record("baseline_nlp_pipe", n, wall, cpu)
        batch = ("--batch-size", str(args.batch_size), "--quiet")
        for workers in (1, 2):
            wall, cpu, line = newsindex(work / f"w{workers}", "index", *folders,
                                        "--workers", str(workers), *batch)
            record(f"index_{workers}_worker{'s' if workers > 1 else ''}", n, wall, cpu, line)
        wall, cpu, line = newsindex(work / "w1", "index", *folders, "--workers", "1", *batch)
        if f"unchanged {n}" not in line:
            raise SystemExit(f"bench: the re-run re-indexed articles: {line}")
        record("rerun_unchanged", n, wall, cpu, line)
        records = work / "records.jsonl"
        newsindex(work / "w1", "export", "-o", str(records))
        wall, cpu, line = newsindex(work / "loaded", "index", str(records), "--quiet")
        record("load_records", n, wall, cpu, line)
        record("bare_whoosh", *bare_whoosh(records, work / "bare"))
        wall, cpu, line = newsindex(work / "nodups", "index", *folders, "--workers", "1",
                                    "--no-duplicates", *batch)
        record("index_1_worker_no_duplicates", n, wall, cpu, line)
        detection = duplicates_seconds(records, work / "dups")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    aps = {k: v["aps"] for k, v in phases.items()}
    emit({
        "baseline_nlp_pipe_aps": aps["baseline_nlp_pipe"],
        "index_1_worker_aps": aps["index_1_worker"],
        "index_2_workers_aps": aps["index_2_workers"],
        "rerun_unchanged_aps": aps["rerun_unchanged"],
        "load_records_aps": aps["load_records"],
        "bare_whoosh_aps": aps["bare_whoosh"],
        "ratio_load_vs_bare_whoosh": round(aps["load_records"] / aps["bare_whoosh"], 3),
        "ratio_1_worker_vs_baseline": round(aps["index_1_worker"] / aps["baseline_nlp_pipe"], 3),
        "ratio_2_vs_1_workers": round(aps["index_2_workers"] / aps["index_1_worker"], 3),
        "ratio_rerun_vs_first": round(aps["rerun_unchanged"] / aps["index_1_worker"], 1),
        "duplicates_share_of_index": round(detection / phases["index_1_worker"]["wall_s"], 4),
        "ratio_1_worker_with_vs_without_duplicates": round(
            aps["index_1_worker"] / aps["index_1_worker_no_duplicates"], 3),
        "articles": n,
        "cpus": os.cpu_count(),
        "load_average_at_start": round(load_before, 2),
        "phases": phases,
    })


if __name__ == "__main__":
    main()
