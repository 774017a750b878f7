"""Score the IPTC topic classifier on the BBC corpus (and look at Wikinews), per EVALUATION.md.

BBC folders map to IPTC top-level codes; odd-numbered files are the development half, even-numbered
ones the test half. The prediction is the first top-level topic ``classify`` returns (none counts
as wrong). Prints both halves' top-1 accuracy, macro-F1 over the five gold classes, per-class F1
and confusion matrices; with ``--wikinews``, the topic facet's top 10 and agreement with hand
labels (tests/data/wikinews_topics.json); with ``--errors N``, N development-half mistakes and the
terms behind them. The last line is a JSON object.

    .venv/bin/python bench/eval_topics.py --bbc ../shared/corpora/bbc-news [--wikinews DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.topics import classify, default_taxonomy, evidence  # noqa: E402

GOLD = {
    "business": "04000000",
    "entertainment": "01000000",
    "politics": "11000000",
    "sport": "15000000",
    "tech": "13000000",
}
CLASSES = list(GOLD.values())
WIKINEWS_LABELS = ROOT / "tests" / "data" / "wikinews_topics.json"
NONE = "none"


def read_text(path: Path) -> str:
    """A corpus file's text (one BBC file has a stray Latin-1 byte)."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def bbc_articles(folder: Path) -> list[dict]:
    """Every BBC article with its gold code and half (dev: odd file number, test: even)."""
    articles = []
    for name, code in GOLD.items():
        for path in sorted((folder / name).glob("*.txt")):
            title, _, body = read_text(path).strip().partition("\n")
            half = "dev" if int(path.stem) % 2 else "test"
            articles.append({"path": f"{name}/{path.name}", "title": title.strip(),
                             "body": body.strip(), "gold": code, "half": half})
    return articles


def top_code(topics: list[dict]) -> str:
    """The first top-level topic's code, or NONE."""
    return next((t["code"] for t in topics if "parent" not in t), NONE)


def scores(golds: list[str], preds: list[str]) -> dict:
    """Top-1 accuracy, macro-F1 over the gold classes, per-class F1 and the confusion matrix."""
    labels = {c: label_of(c) for c in CLASSES}
    per_class = {}
    for c in CLASSES:
        tp = sum(g == c and p == c for g, p in zip(golds, preds, strict=True))
        predicted = sum(p == c for p in preds)
        actual = sum(g == c for g in golds)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[labels[c]] = round(f1, 4)
    confusion = {labels[g]: dict(Counter(label_of(p) for gg, p in zip(golds, preds, strict=True)
                                         if gg == g).most_common())
                 for g in CLASSES}
    return {
        "n": len(golds),
        "accuracy": round(sum(g == p for g, p in zip(golds, preds, strict=True)) / len(golds), 4),
        "macro_f1": round(sum(per_class.values()) / len(per_class), 4),
        "per_class_f1": per_class,
        "confusion": confusion,
    }


def label_of(code: str) -> str:
    """The IPTC label of a predicted code, or "none"."""
    return default_taxonomy().by_code[code].label if code != NONE else NONE


def print_half(name: str, result: dict) -> None:
    """A readable block for one half."""
    print(f"\n== BBC {name} half: n={result['n']} accuracy={result['accuracy']:.4f} "
          f"macro-F1={result['macro_f1']:.4f}")
    for label, f1 in result["per_class_f1"].items():
        print(f"  F1 {f1:.3f}  {label}")
    print("  confusion (gold -> predicted, predictions outside the five included):")
    for gold, row in result["confusion"].items():
        print(f"    {gold}:")
        print("      " + ", ".join(f"{label} {n}" for label, n in row.items()))


def wikinews(folder: Path) -> dict:
    """Topic facet top 10 over Wikinews and agreement with the hand-judged acceptable topics."""
    judged = json.loads(WIKINEWS_LABELS.read_text(encoding="utf-8"))["articles"]
    facet: Counter[str] = Counter()
    top_facet: Counter[str] = Counter()
    firsts: Counter[str] = Counter()
    agree = judged_n = none = 0
    misses = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["title"].startswith("TEST PAGE"):
                    continue
                topics = classify(row["title"], row["text"])
                facet.update(t["label"] for t in topics)
                top_facet.update(t["label"] for t in topics if "parent" not in t)
                first = top_code(topics)
                firsts[first] += 1
                none += first == NONE
                if row["url"] in judged:
                    judged_n += 1
                    ok = first in judged[row["url"]]["codes"]
                    agree += ok
                    if not ok:
                        misses.append((row["title"][:70], label_of(first)))
    print(f"\n== Wikinews: {sum(firsts.values())} articles, {none} without a topic")
    print("  topic facet, top 10 (all topic values, second-level included):")
    for label, n in facet.most_common(10):
        print(f"    {n:4}  {label}")
    print("  top-level topics only, top 10:")
    for label, n in top_facet.most_common(10):
        print(f"    {n:4}  {label}")
    print(f"  first topic agrees with the hand judgement: {agree}/{judged_n}")
    for title, label in misses:
        print(f"    miss: {title!r} -> {label}")
    return {"articles": sum(firsts.values()), "no_topic": none,
            "top10": [[label, n] for label, n in facet.most_common(10)],
            "top10_top_level": [[label, n] for label, n in top_facet.most_common(10)],
            "hand_agreement": round(agree / judged_n, 4) if judged_n else None}


def show_errors(articles: list[dict], preds: list[str], limit: int) -> None:
    """Development-half mistakes with the strongest terms of the gold and the predicted topic."""
    shown = 0
    for article, pred in zip(articles, preds, strict=True):
        if article["half"] != "dev" or pred == article["gold"] or shown >= limit:
            continue
        shown += 1
        why = evidence(article["title"], article["body"])
        tax = default_taxonomy()

        def strongest(code: str, why=why, tax=tax) -> str:
            terms: Counter[str] = Counter()
            for c, contributions in why.items():
                if (tax.by_code[c].parent or c) == code:
                    terms.update(contributions)
            return ", ".join(f"{t}:{v:.1f}" for t, v in terms.most_common(8))

        print(f"\n{article['path']}: {article['title']!r} gold={article['gold']} pred={pred}")
        print(f"  gold terms: {strongest(article['gold'])}")
        if pred != NONE:
            print(f"  pred terms: {strongest(pred)}")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the JSON summary last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, required=True, help="the bbc-news corpus folder")
    parser.add_argument("--wikinews", type=Path, help="the wikinews-2019-2020 corpus folder")
    parser.add_argument("--errors", type=int, default=0, help="show N development-half errors")
    args = parser.parse_args(argv)

    articles = bbc_articles(args.bbc)
    start = time.perf_counter()
    preds = [top_code(classify(a["title"], a["body"])) for a in articles]
    elapsed = time.perf_counter() - start
    summary: dict = {"articles_per_second": round(len(articles) / elapsed, 1)}
    for half in ("dev", "test"):
        pairs = [(a["gold"], p) for a, p in zip(articles, preds, strict=True) if a["half"] == half]
        result = scores([g for g, _ in pairs], [p for _, p in pairs])
        print_half(half, result)
        summary[half] = result
    print(f"\nspeed: {summary['articles_per_second']} articles/s (one process)")
    if args.errors:
        show_errors(articles, preds, args.errors)
    if args.wikinews:
        summary["wikinews"] = wikinews(args.wikinews)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
