"""Near-duplicate detection on labelled BBC pairs: precision and recall of the groups it makes.

The labelled set (bench/data/duplicates.json) keeps file names and edit recipes only; the text
is read from the BBC corpus at run time and the edited copies are made from it here, as wire
desks edit a story: a new headline, a trimmed ending, a byline or a sentence added, paragraphs
reordered, a dateline. Pairs:

- identical: the corpus's byte-identical copies (two files, one text);
- edited: a file and a copy made from it by its recipe;
- different: two articles of one section on the same subject (the highest word overlap in the
  section among pairs that share no long passage), which must not be grouped.

Every BBC article and every edited copy goes through the indexer's own detector (in batches, as
index runs commit), so chains through other articles count too. Prints JSON as its last line.

Usage: python bench/eval_duplicates.py [--bbc DIR] [--build]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_BBC, ROOT, emit, log  # noqa: E402

from indexer.duplicates import Duplicates, signature  # noqa: E402

GOLD = ROOT / "bench" / "data" / "duplicates.json"
RECIPES = (
    ("headline", "trim"),
    ("byline", "sentence"),
    ("reorder",),
    ("dateline", "trim"),
    ("headline", "byline", "reorder"),
    ("sentence", "trim", "dateline"),
)
BATCH = 500


def read(bbc: Path, name: str) -> tuple[str, str]:
    """Title and body of a BBC file (first line, then the rest)."""
    text = (bbc / name).read_text("latin-1")
    title, _, body = text.partition("\n")
    return title.strip(), body.strip()


def edited(title: str, body: str, recipe: tuple[str, ...]) -> tuple[str, str]:
    """A copy as a wire desk would run it, made deterministically by the recipe."""
    paragraphs = [p for p in body.splitlines() if p.strip()]
    for step in recipe:
        if step == "headline":
            title = f"UPDATE 1-{' '.join(title.split()[::-1])}"
        elif step == "trim":  # the story cut at the sentence end nearest its last fifth
            text = "\n".join(paragraphs)
            cut = text.rfind(". ", 0, len(text) * 4 // 5)
            paragraphs = text[: cut + 1 if cut > 0 else len(text)].split("\n")
        elif step == "byline":
            paragraphs.insert(0, "By Staff Reporter, Evening Wire")
        elif step == "sentence":
            paragraphs.append("Additional reporting by the newsdesk; editing by the night team.")
        elif step == "reorder" and len(paragraphs) > 2:
            paragraphs[1], paragraphs[2] = paragraphs[2], paragraphs[1]
        elif step == "dateline":
            paragraphs[0] = "LONDON (Evening Wire) - " + paragraphs[0]
    return title, "\n\n".join(paragraphs)


def build(bbc: Path) -> dict:
    """Choose the labelled pairs (run once; the result is committed as file names)."""
    names = sorted(str(p.relative_to(bbc)) for p in bbc.glob("*/*.txt"))
    texts = {n: (bbc / n).read_bytes() for n in names}
    by_text: dict[bytes, list[str]] = {}
    for n in names:
        by_text.setdefault(texts[n], []).append(n)
    identical = [list(p) for group in by_text.values() for p in combinations(group, 2)]
    copies = {n for group in by_text.values() if len(group) > 1 for n in group}
    singles = [n for n in names if n not in copies]
    edits = [{"file": n, "recipe": list(RECIPES[i % len(RECIPES)])}
             for i, n in enumerate(singles[::15])]
    words = {n: set(re.findall(r"[a-z]{4,}", read(bbc, n)[1].lower())) for n in singles}
    grams = {n: set(zip(*(re.findall(r"\w+", read(bbc, n)[1].lower())[i:] for i in range(8)),
                        strict=False)) for n in singles}
    different = []
    for section in sorted({n.split("/")[0] for n in singles}):
        files = [n for n in singles if n.startswith(section + "/")]
        scored = []
        for a, b in combinations(files, 2):
            overlap = len(words[a] & words[b]) / len(words[a] | words[b])
            if overlap > 0.2 and not grams[a] & grams[b]:  # same subject, no shared passage
                scored.append((overlap, a, b))
        scored.sort(reverse=True)
        different += [[a, b] for _, a, b in scored[:25]]
    return {"identical": identical, "edited": edits, "different": different}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, default=DEFAULT_BBC, help="BBC corpus folder")
    parser.add_argument("--build", action="store_true", help="choose the pairs again")
    args = parser.parse_args()
    if args.build:
        GOLD.write_text(json.dumps(build(args.bbc), indent=1) + "\n", "utf-8")
    gold = json.loads(GOLD.read_text("utf-8"))

    bodies = {str(p.relative_to(args.bbc)): read(args.bbc, str(p.relative_to(args.bbc)))[1]
              for p in sorted(args.bbc.glob("*/*.txt"))}
    for item in gold["edited"]:
        title, body = read(args.bbc, item["file"])
        bodies["copy:" + item["file"]] = edited(title, body, tuple(item["recipe"]))[1]

    started = time.perf_counter()
    signatures = {aid: ("", signature(body)) for aid, body in bodies.items()}
    signing = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        state, current = Duplicates(tmp), {}
        ids = list(bodies)
        for at in range(0, len(ids), BATCH):  # as index runs commit, later copies find earlier
            current.update({aid: "" for aid in ids[at : at + BATCH]})
            state = Duplicates(tmp)
            groups = state.update(current, {a: signatures[a] for a in ids[at : at + BATCH]},
                                  lambda aid: None)
    total = time.perf_counter() - started

    def together(a: str, b: str) -> bool:
        return a in groups and groups.get(a) == groups.get(b)

    positives = [tuple(p) for p in gold["identical"]]
    positives += [(e["file"], "copy:" + e["file"]) for e in gold["edited"]]
    negatives = [tuple(p) for p in gold["different"]]
    tp = sum(together(a, b) for a, b in positives)
    fp = sum(together(a, b) for a, b in negatives)
    missed = [p for p in positives if not together(*p)]
    merged = [p for p in negatives if together(*p)]
    for pair in missed[:10]:
        log(f"missed: {pair}")
    for pair in merged[:10]:
        log(f"merged: {pair}")
    emit({
        "pairs": len(positives) + len(negatives),
        "identical": len(gold["identical"]),
        "edited": len(gold["edited"]),
        "different": len(negatives),
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(tp / len(positives), 4),
        "different_merged": fp,
        "articles": len(bodies),
        "groups": len(set(groups.values())),
        "grouped_articles": len(groups),
        "ms_per_article": round(1000 * total / len(bodies), 3),
        "signature_ms_per_article": round(1000 * signing / len(bodies), 3),
    })


if __name__ == "__main__":
    main()
