"""Score persons, organisations and countries on the hand-labelled development gold.

Per ../shared/EVALUATION.md: precision and recall per type, pooled over the articles, comparing
each record's "persons", "organizations" and "countries" with the gold's, names folded
(dev_gold.fold: case, accents and punctuation ignored; for organisations a leading "The" too,
which the gold keeps and entity cleaning cuts). Persons are also scored leniently: a
predicted name whose folded words are the gold name's last word or the whole name is right
("Blair" for "Tony Blair"). Countries: precision against the gold's countries together with those
it names only through a place (countries_via_place); recall against that union and against the
countries named outright. Writes the misses (FP/FN per type and file) to
bench/out/entities_gold_misses.txt; the last line printed is the JSON report.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable

from dev_gold import GoldArticle, fold, run_evaluation

TYPES = ("persons", "organizations", "countries")


def strict_match(pred: str, gold: str) -> bool:
    """Same name once folded."""
    return fold(pred) == fold(gold)


def organisation_match(pred: str, gold: str) -> bool:
    """Same name once folded, a leading "The" aside ("Washington Post", "The Washington Post")."""
    return _without_the(fold(pred)) == _without_the(fold(gold))


def _without_the(folded: str) -> str:
    return folded[4:] if folded.startswith("the ") else folded


def lenient_match(pred: str, gold: str) -> bool:
    """Same name, or the prediction is the gold name's last word ("Blair" for "Tony Blair")."""
    folded, words = fold(pred), fold(gold).split()
    return bool(words) and folded in (" ".join(words), words[-1])


def _distinct(names: list[str]) -> list[str]:
    """Names once each by their folded form, first spelling kept."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(fold(name), name)
    return [name for key, name in seen.items() if key]


def _compare(
    c: Counter, kind: str, pred: list[str], gold: list[str],
    same: Callable[[str, str], bool], misses: list[str] | None, file: str,
) -> None:
    """Add one article's true positives, predictions and gold of `kind` to the counts."""
    pred, gold = _distinct(pred), _distinct(gold)
    c[f"{kind}:pred"] += len(pred)
    c[f"{kind}:gold"] += len(gold)
    for p in pred:
        right = any(same(p, g) for g in gold)
        c[f"{kind}:pred_right"] += right
        if not right and misses is not None:
            misses.append(f"FP\t{kind}\t{file}\t{p}")
    for g in gold:
        found = any(same(p, g) for p in pred)
        c[f"{kind}:gold_found"] += found
        if not found and misses is not None:
            misses.append(f"FN\t{kind}\t{file}\t{g}")


def _ratio(hits: int, n: int) -> float:
    return round(hits / n, 4) if n else 0.0


def score(gold: list[GoldArticle], misses: list[str] | None = None) -> dict:
    """Pooled precision and recall per type; misses are written for the strict comparisons."""
    c: Counter = Counter()
    for g in gold:
        rec, lab = g.record, g.labels
        _compare(c, "persons", rec["persons"], lab["persons"], strict_match, misses, g.file)
        _compare(c, "persons_lenient", rec["persons"], lab["persons"], lenient_match, None, g.file)
        _compare(c, "organizations", rec["organizations"], lab["organizations"], organisation_match,
                 misses, g.file)
        union = lab["countries"] + lab["countries_via_place"]
        _compare(c, "countries", rec["countries"], union, strict_match, misses, g.file)
        _compare(c, "countries_named", rec["countries"], lab["countries"], strict_match, None,
                 g.file)
    report = {}
    for kind in ("persons", "persons_lenient", "organizations", "countries"):
        report[kind] = {"p": _ratio(c[f"{kind}:pred_right"], c[f"{kind}:pred"]),
                        "r": _ratio(c[f"{kind}:gold_found"], c[f"{kind}:gold"]),
                        "pred": c[f"{kind}:pred"], "gold": c[f"{kind}:gold"]}
    report["countries"]["r_named"] = _ratio(c["countries_named:gold_found"],
                                            c["countries_named:gold"])
    if misses is not None:
        misses.sort()  # by kind of miss, type and file
    return report


def print_table(report: dict, out=sys.stdout) -> None:
    """One row per type: precision, recall, predictions, gold names."""
    print(f"{'':18}{'P':>7}{'R':>7}{'pred':>6}{'gold':>6}", file=out)
    for kind, s in report.items():
        print(f"{kind:18}{s['p']:7.3f}{s['r']:7.3f}{s['pred']:6}{s['gold']:6}", file=out)
    print(f"countries recall against those named outright: {report['countries']['r_named']:.3f}",
          file=out)


def main(argv: list[str] | None = None) -> int:
    """Annotate the gold articles with the project's pipeline and score their entities."""
    return run_evaluation(__doc__, "entities_gold_misses.txt", score, print_table, argv)


if __name__ == "__main__":
    sys.exit(main())
