"""Index verification: an archive is trusted only if counts, quotes and records hold together."""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from pathlib import Path

from whoosh import index
from whoosh.index import LockError

from indexer.schema import ARTICLE, QUOTE
from indexer.segment_arrays import SegmentArrays
from indexer.store import TOC_TEMP, unpack

# How many offending ids a report lists per kind of problem (the counts are always complete).
SHOWN = 20
PROBLEM_KEYS = ("duplicate_ids", "orphan_quotes", "unreadable", "quote_mismatches")
# Names of Whoosh's files for the index called MAIN: TOCs, half-written TOCs, segment files.
TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
SEGMENT = re.compile(r"^(MAIN_[0-9a-z]+)[.][A-Za-z0-9_.]+$")


def _problem(report: dict, key: str, item: str, message: str) -> None:
    report[key].append(item)
    if len(report[key]) <= SHOWN:
        report["problems"].append(message)


def writer_active(ix) -> bool:
    """Whether another process holds the write lock right now (an indexer is running)."""
    lock = ix.lock("WRITELOCK")
    try:
        if lock.acquire(blocking=False):
            lock.release()
            return False
    except LockError:
        pass
    return True


def leftovers(index_dir: Path, generation: int, live: set[str]) -> list[str]:
    """Files of the index folder that no commit refers to (left by a writer that died)."""
    out = []
    for name in sorted(os.listdir(index_dir)):
        toc, segment = TOC.match(name), SEGMENT.match(name)
        if (
            name == "MAIN.tmp"
            or TOC_TEMP.match(name)
            or (toc and int(toc.group(1)) != generation)
            or (segment and segment.group(1) not in live)
        ):
            out.append(name)
    return out


def check_index(index_dir: str | os.PathLike) -> dict:
    """Verify an index: counts, duplicate ids, orphan quotes, unreadable records, leftovers."""
    index_dir = Path(index_dir)
    report: dict = {
        "index": str(index_dir),
        "ok": False,
        "articles": 0,
        "quotes": 0,
        "documents": 0,
        "deleted": 0,
        "segments": 0,
        "generation": None,
        "writer_active": False,
        "problems": [],
        "duplicate_ids": [],
        "orphan_quotes": [],
        "unreadable": [],
        "quote_mismatches": [],
        "leftovers": [],
        "problem_count": 1,
    }
    if not index.exists_in(index_dir):
        report["problems"].append(f"{index_dir}: no index here")
        return report
    try:
        ix = index.open_dir(index_dir)
        reader = ix.reader()
    except Exception as exc:  # a damaged TOC or segment: that is what we are here to say
        reason = f"{type(exc).__name__}: {exc}"
        report["problems"].append(f"{index_dir}: cannot open the index: {reason}")
        return report
    with reader:
        report["generation"] = reader.generation()
        report["documents"] = reader.doc_count()
        report["deleted"] = reader.doc_count_all() - reader.doc_count()
        live = {seg.segment_id() for seg in ix._read_toc().segments}
        report["segments"] = len(live)
        ids: Counter[tuple[str, str]] = Counter()  # an article may be called "x#q0" too
        quotes_held: Counter[str] = Counter()
        quotes_claimed: dict[str, int] = {}
        quote_parents: dict[str, str] = {}
        kinds: defaultdict[str, int] = defaultdict(int)
        for docnum, fields in reader.iter_docs():
            kind, doc_id = fields.get("kind") or "", fields.get("id") or f"#{docnum}"
            kinds[kind] += 1
            ids[kind, doc_id] += 1
            try:
                data = unpack(fields["record"])
            except Exception as exc:
                _problem(report, "unreadable", doc_id, f"{doc_id}: record does not unpack: {exc}")
                continue
            if kind == ARTICLE:
                if data.get("id") != doc_id:
                    _problem(
                        report,
                        "unreadable",
                        doc_id,
                        f"{doc_id}: stored record has id {data.get('id')!r}",
                    )
                quotes_claimed[doc_id] = len(data.get("quotes") or [])
            elif kind == QUOTE:
                parent = fields.get("article_id") or data.get("article_id") or ""
                quote_parents[doc_id] = parent
                quotes_held[parent] += 1
            else:
                _problem(report, "unreadable", doc_id, f"{doc_id}: unknown document kind {kind!r}")
    report["articles"], report["quotes"] = kinds[ARTICLE], kinds[QUOTE]
    for (_, doc_id), n in sorted(ids.items()):
        if n > 1:
            _problem(report, "duplicate_ids", doc_id, f"{doc_id}: {n} copies in the index")
    for doc_id, parent in sorted(quote_parents.items()):
        if parent not in quotes_claimed:
            _problem(
                report, "orphan_quotes", doc_id, f"{doc_id}: quote of missing article {parent!r}"
            )
    for aid, claimed in sorted(quotes_claimed.items()):
        if quotes_held[aid] != claimed:
            _problem(
                report,
                "quote_mismatches",
                aid,
                f"{aid}: record has {claimed} quotes, index holds {quotes_held[aid]}",
            )
    report["writer_active"] = writer_active(ix)
    if not report["writer_active"]:
        report["leftovers"] = leftovers(index_dir, report["generation"], live) + [
            path.relative_to(index_dir).as_posix()
            for path in SegmentArrays(index_dir).leftovers(live)
        ]
    report["problem_count"] = sum(len(report[k]) for k in PROBLEM_KEYS)
    report["ok"] = not report["problems"]
    return report


def summary(report: dict) -> str:
    """One line for a terminal: the verdict and the counts."""
    verdict = "ok" if report["ok"] else f"{report.get('problem_count') or 1} problems"
    return (
        f"{report['index']}: {verdict}; {report['articles']} articles, {report['quotes']} quotes, "
        f"{report['segments']} segments, generation {report['generation']}"
    )
