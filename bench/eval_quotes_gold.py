"""Score quotes and speakers on the hand-labelled development gold (bench/data/dev_gold/).

Per ../shared/EVALUATION.md: share of gold quotes found (a predicted quote contains the key),
speaker accuracy (lenient: the surname in the predicted speaker; strict: the full name), the same on
the hard ones, and precision of predicted direct quotes of five words or more. Writes the misses to
bench/out/quotes_gold_misses.txt; the last line printed is the JSON report.
"""

from __future__ import annotations

import sys
from collections import Counter

from dev_gold import GoldArticle, fold, run_evaluation

MIN_WORDS = 5


def _speaker_right(pred: str | None, gold: dict) -> tuple[bool, bool]:
    """(lenient, strict) agreement of a predicted speaker with a gold quote's speaker."""
    if gold["speaker"] is None:
        return pred is None, pred is None
    lenient = bool(pred) and fold(gold["speaker"]) in fold(pred)
    strict = bool(pred) and fold(pred) == fold(gold["speaker_full"] or gold["speaker"])
    return lenient, strict


def _ratio(hits: int, n: int) -> float:
    return round(hits / n, 4) if n else 0.0


def score(gold: list[GoldArticle], misses: list[str] | None = None) -> dict:
    """Found, speaker accuracy (all / hard / by reason) and direct-quote precision, pooled."""
    c: Counter = Counter()
    for g in gold:
        body, quotes = g.article.body, g.record["quotes"]
        used: set[int] = set()
        for gq in g.labels["quotes"]:
            hit = next((i for i, q in enumerate(quotes) if gq["key"] in q["text"]), None)
            kinds = ["all"] + (["hard", f"hard:{gq.get('why') or '?'}"] if gq["hard"] else [])
            for kind in kinds:
                c[f"{kind}:gold"] += 1
            if hit is None:
                if misses is not None:
                    misses.append(f"FN\t{g.file}\t{gq['key']!r}\tgold={gq['speaker_full']!r}")
                continue
            used.add(hit)
            pred = quotes[hit]["speaker"]
            lenient, strict = _speaker_right(pred, gq)
            for kind in kinds:
                c[f"{kind}:found"] += 1
                c[f"{kind}:lenient"] += lenient
                c[f"{kind}:strict"] += strict
            if not lenient and misses is not None:
                q = quotes[hit]
                where = body[max(0, q["start"] - 150) : q["start"] + 60].replace("\n", "\u23ce")
                misses.append(f"SPK\t{g.file}\tgold={gq['speaker_full']!r}\tpred={pred!r}"
                              f"\tcue={q['cue']!r}\thard={gq['hard']}\t{where}")
        keys = [gq["key"] for gq in g.labels["quotes"]]
        for i, q in enumerate(quotes):
            if q.get("kind", "direct") != "direct" or len(q["text"].split()) < MIN_WORDS:
                continue
            c["pred_direct"] += 1
            right = i in used or any(k in q["text"] for k in keys)
            c["pred_direct_right"] += right
            if not right and misses is not None:
                where = body[max(0, q["start"] - 40) : q["end"] + 40].replace("\n", "\u23ce")
                misses.append(f"FP\t{g.file}\t{q['speaker']!r}\t{where}")
    report = {}
    for kind in ["all", "hard"] + sorted({k.rsplit(":", 1)[0] for k in c if k.startswith("hard:")}
                                          - {"hard"}):
        n, found = c[f"{kind}:gold"], c[f"{kind}:found"]
        if not n:
            continue
        report[kind] = {"gold": n, "found": _ratio(found, n),
                        "speaker_acc": _ratio(c[f"{kind}:lenient"], found),
                        "speaker_acc_strict": _ratio(c[f"{kind}:strict"], found)}
    report["precision_direct"] = _ratio(c["pred_direct_right"], c["pred_direct"])
    report["pred_direct"] = c["pred_direct"]
    return report


def print_table(report: dict, out=sys.stdout) -> None:
    """Rows per kind of quote, then the precision line."""
    print(f"{'':24}{'gold':>6}{'found':>8}{'spk':>8}{'strict':>8}", file=out)
    for kind, s in report.items():
        if isinstance(s, dict):
            print(f"{kind:24}{s['gold']:6}{s['found']:8.3f}{s['speaker_acc']:8.3f}"
                  f"{s['speaker_acc_strict']:8.3f}", file=out)
    print(f"precision of {report['pred_direct']} predicted direct quotes of {MIN_WORDS}+ words: "
          f"{report['precision_direct']:.3f}", file=out)


def main(argv: list[str] | None = None) -> int:
    """Annotate the gold articles with the project's pipeline and score quotes and speakers."""
    return run_evaluation(__doc__, "quotes_gold_misses.txt", score, print_table, argv)


if __name__ == "__main__":
    sys.exit(main())
