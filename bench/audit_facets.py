"""Audit the person and organisation facets of a corpus for duplicates and wrong types.

Indexes a corpus with `newsindex index` (so the merges across the archive are made as for any
user), then lists the top values of the person, speaker and organisation facets, each checked
against bench/data/facet_audit.json: known duplicates ("Trump" beside "Donald Trump") and values
of the wrong type (a town as a person, a person as an organisation). The same is counted without
the automatic merges ("before"). With labelled lone surnames for the corpus (--labels), it scores
the automatic surname merges: precision and recall against what a reader of the articles says.
The last line is a JSON object.

    .venv/bin/python bench/audit_facets.py seeds/                   # the seeds (NLP: ~4 min)
    .venv/bin/python bench/audit_facets.py --bbc ../shared/corpora/bbc-news --labels bbc
    .venv/bin/python bench/audit_facets.py --index var/index        # an index as it stands
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import annotated_bbc, emit, log  # noqa: E402
from indexer.aliases import effective  # noqa: E402
from indexer.backends import BackendConfig, open_searcher  # noqa: E402
from indexer.cli import main as newsindex  # noqa: E402
from indexer.records import write_jsonl  # noqa: E402
from indexer.resolution.archive import FILE_NAME as RESOLVED  # noqa: E402
from indexer.resolution.judgements import Verdict  # noqa: E402
from indexer.search import SearchQuery  # noqa: E402

KNOWN = Path(__file__).resolve().parent / "data" / "facet_audit.json"
ALL_VALUES = 100_000  # enough to see whether a spelling is a facet value at all
FACETS = (("person", "search"), ("speaker", "quotes"), ("organization", "search"))


def check(value: str, facet: str, listed: set[str], known: dict,
          present: set[str] | None = None) -> str | None:
    """What is wrong with a facet value, if the known lists say so. A known duplicate whose
    other spelling is no facet value at all (present: every value) was merged into this one."""
    table = "person" if facet == "speaker" else facet
    meant = known["duplicates"].get(table, {}).get(value)
    if meant is not None and (present is None or meant in present):
        return f"duplicate of {meant}" + ("" if meant in listed else " (not listed)")
    if value in known["wrong_types"].get(table, []):
        return "wrong type"
    return None


def facet_values(searcher, kind: str, facet: str, limit: int) -> list[dict]:
    """A facet's top values over the whole archive (kind: "search" or "quotes")."""
    return getattr(searcher, kind)(SearchQuery(facet_limit=limit, per_page=1,
                                               snippets=False))["facets"][facet]


def audit(searcher, known: dict, top: int, show: bool) -> dict:
    """Each facet's top values with what is wrong with them; the counts of each kind."""
    out = {}
    for facet, kind in FACETS:
        values = facet_values(searcher, kind, facet, top)
        listed = {v["value"] for v in values}
        present = {v["value"] for v in facet_values(searcher, kind, facet, ALL_VALUES)}
        counts = {"top": len(values), "duplicates": 0, "wrong_types": 0}
        if show:
            print(f"\n{facet}: top {len(values)}")
        for rank, item in enumerate(values, 1):
            problem = check(item["value"], facet, listed, known, present)
            if problem:
                counts["duplicates" if problem.startswith("dup") else "wrong_types"] += 1
            if show:
                print(f"{rank:4}. {item['value']:<45} {item['count']:5}"
                      + (f"   <- {problem}" if problem else ""))
        out[facet] = counts
    return out


def surname_scores(index: Path, labels: dict[str, str | None], present: set[str]) -> dict:
    """The automatic surname merges against labelled lone surnames: precision and recall. Recall
    counts only the archive's merges; a surname each article already resolved to a full name is
    no facet value left to merge, so "left_apart" counts the labelled surnames that still stand
    alone in the person facet (present: its values) though they stand for someone."""
    merged, judgements = effective(index)
    made = {j.variant: merged.canonical("person", j.variant) for j in judgements
            if j.by == "auto" and j.verdict == Verdict.POSITIVE and j.variant in labels}
    made = {v: c for v, c in made.items() if c != v}
    right = sum(1 for v, c in made.items() if labels[v] == c)
    wanted = sum(1 for v in labels.values() if v)
    for variant, canonical in sorted(made.items()):
        if labels[variant] != canonical:
            log(f"wrong merge: {variant} -> {canonical} (labelled {labels[variant]})")
    left = sorted(v for v, c in labels.items() if c and v in present and v not in made)
    if left:
        log(f"left apart: {', '.join(left)}")
    return {"labelled": len(labels), "merged": len(made), "right": right,
            "left_apart": len(left),
            "precision": round(right / len(made), 3) if made else None,
            "recall": round(right / wanted, 3) if wanted else None}


def build(paths: list[str], bbc: Path | None, folder: Path) -> None:
    """Index the corpus into folder as `newsindex index` does (records load without NLP)."""
    if bbc is not None:
        records = folder.parent / "bbc.jsonl"
        with open(records, "w", encoding="utf-8") as out:
            write_jsonl(annotated_bbc(bbc, workers=2), out)
        paths = [*paths, str(records)]
    code = newsindex(["--index", str(folder), "index", "--quiet", *paths])
    if code not in (0, 1):
        raise SystemExit(f"bench: indexing failed ({code})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="files or folders to index (or .jsonl records)")
    parser.add_argument("--bbc", type=Path, help="the BBC corpus folder (annotated once, cached)")
    parser.add_argument("--index", type=Path, help="audit this index instead of building one")
    parser.add_argument("--labels", choices=("seeds", "bbc"),
                        help="score the surname merges against this corpus's labels")
    parser.add_argument("--top", type=int, default=100)
    args = parser.parse_args()
    known = json.loads(KNOWN.read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="audit-"))
    try:
        index = args.index
        if index is None:
            if not args.paths and args.bbc is None:
                parser.error("give PATHs to index, --bbc DIR or --index DIR")
            index = work / "index"
            build(args.paths, args.bbc, index)
        searcher = open_searcher(BackendConfig(backend="whoosh", index_dir=index))
        result: dict = {"articles": searcher.stats()["articles"]}
        result["after"] = audit(searcher, known, args.top, show=True)
        resolved = index / RESOLVED
        if resolved.exists():  # the same without the automatic merges
            aside = work / RESOLVED
            shutil.copy2(resolved, aside)
            resolved.unlink()
            try:
                result["before"] = audit(searcher, known, args.top, show=False)
            finally:
                shutil.copy2(aside, resolved)
        if args.labels:
            present = {v["value"] for v in facet_values(searcher, "search", "person", ALL_VALUES)}
            result["surnames"] = surname_scores(index, known["surnames"][args.labels], present)
        print()
        emit(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
