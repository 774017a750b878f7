"""Score direct-quote extraction and speaker attribution on PolNeAR, per ../shared/EVALUATION.md."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPENING = ('"', "\u201c")
CLOSING = ('"', "\u201d")
THRESHOLDS = (0.3, 0.5, 0.8)
MAIN_THRESHOLD = 0.5


@dataclass(frozen=True)
class Span:
    """A character span [start, end) into an article's text."""

    start: int
    end: int

    def overlap(self, other: Span) -> int:
        """Characters the two spans share."""
        return max(0, min(self.end, other.end) - max(self.start, other.start))

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class GoldQuote:
    """A gold direct quote and the Source span of its attribution (None when it has none)."""

    span: Span
    source: tuple[Span, ...] | None


def parse_ann(ann: str) -> tuple[dict[str, tuple[str, list[Span]]], list[dict[str, str]]]:
    """Read BRAT standoff: text-bound spans by id, and the attribution events."""
    spans: dict[str, tuple[str, list[Span]]] = {}
    events: list[dict[str, str]] = []
    for line in ann.splitlines():
        if re.match(r"T\d+\t", line):
            tid, meta, *_ = line.split("\t")
            label, _, ranges = meta.partition(" ")
            frags = [Span(*map(int, r.split())) for r in ranges.split(";")]
            spans[tid] = (label, frags)
        elif re.match(r"E\d+\t", line):
            args = line.split("\t")[1].split()
            events.append(dict(a.split(":", 1) for a in args))
    return spans, events


def join_fragments(frags: list[Span], text: str) -> list[Span]:
    """Join fragments that only white space separates (a quote running over a paragraph break)."""
    out: list[Span] = []
    for frag in sorted(frags, key=lambda s: s.start):
        if out and not text[out[-1].end : frag.start].strip():
            out[-1] = Span(out[-1].start, max(out[-1].end, frag.end))
        else:
            out.append(frag)
    return out


def is_direct(fragment: str) -> bool:
    """Begins with an opening mark and ends with a closing one, trailing .,;:!? aside."""
    s = fragment.strip().rstrip(".,;:!? ")
    return len(s) >= 2 and s.startswith(OPENING) and s.endswith(CLOSING)


def gold_quotes(text: str, ann: str) -> list[GoldQuote]:
    """Gold direct quotes of one article with their Source spans."""
    spans, events = parse_ann(ann)
    quotes = []
    for ev in events:
        if "Content" not in ev or ev["Content"] not in spans:
            continue
        src = ev.get("Source")
        source = tuple(spans[src][1]) if src in spans else None
        for frag in join_fragments(spans[ev["Content"]][1], text):
            if is_direct(text[frag.start : frag.end]):
                quotes.append(GoldQuote(frag, source))
    return quotes


def first_annotation(attributions: Path, stem: str) -> Path:
    """The first annotator's .ann for an article (sorted by name)."""
    return sorted(attributions.glob(f"{stem}_*.ann"))[0]


def match(pred: list[Span], gold: list[Span], threshold: float) -> list[tuple[int, int]]:
    """One-to-one matches (pred index, gold index) where overlap >= threshold x the longer span."""
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            ov = p.overlap(g)
            if ov and ov >= threshold * max(len(p), len(g)):
                pairs.append((ov / max(len(p), len(g)), i, j))
    pairs.sort(reverse=True)
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((i, j))
    return out


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 rounded for the report."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4)}


@dataclass
class Article:
    """One scored article: its publisher, text, gold quotes and the predicted quote records."""

    name: str
    publisher: str
    text: str
    gold: list[GoldQuote]
    pred: list[dict]


def load_split(polnear: Path, split: str) -> list[tuple[str, str, list[GoldQuote]]]:
    """(file stem, text, gold quotes) for every article of a split, sorted by name."""
    out = []
    for txt in sorted((polnear / split / "text").glob("*.txt")):
        text = txt.read_text(encoding="utf-8")
        ann_path = first_annotation(polnear / split / "attributions", txt.stem)
        ann = ann_path.read_text(encoding="utf-8")
        out.append((txt.stem, text, gold_quotes(text, ann)))
    return out


def _speaker_ok(quote: dict, gold: GoldQuote) -> bool:
    """Whether the predicted speaker mention overlaps the gold Source span."""
    if quote.get("speaker_start") is None or gold.source is None:
        return False
    mention = Span(quote["speaker_start"], quote["speaker_end"])
    return any(mention.overlap(s) > 0 for s in gold.source)


def score(articles: list[Article], threshold: float) -> dict:
    """Counts, P/R/F1 and speaker accuracy over articles at one overlap threshold."""
    tp = n_pred = n_gold = with_source = speaker_hits = 0
    for art in articles:
        pred = [Span(q["start"], q["end"]) for q in art.pred]
        pairs = match(pred, [g.span for g in art.gold], threshold)
        tp += len(pairs)
        n_pred += len(pred)
        n_gold += len(art.gold)
        for i, j in pairs:
            if art.gold[j].source is not None:
                with_source += 1
                speaker_hits += _speaker_ok(art.pred[i], art.gold[j])
    out = {"gold": n_gold, "pred": n_pred, "tp": tp, **prf(tp, n_pred, n_gold)}
    out["speaker_acc"] = round(speaker_hits / with_source, 4) if with_source else 0.0
    return out


def _context(text: str, start: int, end: int) -> str:
    """A one-line excerpt of a span with some text either side."""
    left = text[max(0, start - 60) : start]
    right = text[end : end + 60]
    return f"{left}[[{text[start:end]}]]{right}".replace("\n", "\u23ce")


def misses(art: Article, threshold: float) -> list[str]:
    """Lines describing false positives, false negatives and wrong speakers of one article."""
    pred = [Span(q["start"], q["end"]) for q in art.pred]
    pairs = match(pred, [g.span for g in art.gold], threshold)
    mp = {i for i, _ in pairs}
    mg = {j for _, j in pairs}
    lines = []
    for i, q in enumerate(art.pred):
        if i not in mp:
            where = _context(art.text, q["start"], q["end"])
            lines.append(f"FP\t{art.name}\t{q['speaker']}\t{where}")
    for j, g in enumerate(art.gold):
        if j not in mg:
            lines.append(f"FN\t{art.name}\t{_context(art.text, g.span.start, g.span.end)}")
    for i, j in pairs:
        g, q = art.gold[j], art.pred[i]
        if g.source is not None and not _speaker_ok(q, g):
            gold_src = " | ".join(art.text[s.start : s.end] for s in g.source)
            used = (art.text[q["speaker_start"] : q["speaker_end"]]
                    if q.get("speaker_start") is not None else None)
            lines.append(
                f"SPK\t{art.name}\tgold={gold_src!r}\tpred={used!r}->{q['speaker']!r}\t"
                f"cue={q['cue']!r}\t{_context(art.text, g.span.start, g.span.end)}"
            )
    return lines


def direct_only(articles: list[Article]) -> list[Article]:
    """The same articles with only the quotes the component calls direct (not partial)."""
    return [
        Article(a.name, a.publisher, a.text, a.gold,
                [q for q in a.pred if q.get("kind", "direct") == "direct"])
        for a in articles
    ]


def evaluate(articles: list[Article], misses_path: Path | None) -> dict:
    """Report on direct quotes (all kinds too at 50%), per publisher, and the misses file."""
    every = articles
    articles = direct_only(articles)
    report = {f"overlap_{int(t * 100)}": score(articles, t) for t in THRESHOLDS}
    report["all_kinds_overlap_50"] = score(every, MAIN_THRESHOLD)
    by_pub: dict[str, list[Article]] = defaultdict(list)
    for art in articles:
        by_pub[art.publisher].append(art)
    report["publishers"] = {p: score(arts, MAIN_THRESHOLD) for p, arts in sorted(by_pub.items())}
    if misses_path is not None:
        misses_path.parent.mkdir(parents=True, exist_ok=True)
        lines = [line for art in articles for line in misses(art, MAIN_THRESHOLD)]
        misses_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report


def print_table(report: dict, out=sys.stdout) -> None:
    """Human-readable tables: thresholds, then publishers at 50% overlap."""
    head = f"{'':22}{'gold':>6}{'pred':>6}{'tp':>6}{'P':>8}{'R':>8}{'F1':>8}{'spk':>8}"
    print(head, file=out)
    rows = [(k, v) for k, v in report.items() if "overlap_" in k]
    rows += list(report["publishers"].items())
    for name, s in rows:
        print(f"{name:22}{s['gold']:6}{s['pred']:6}{s['tp']:6}{s['p']:8.3f}{s['r']:8.3f}"
              f"{s['f1']:8.3f}{s['speaker_acc']:8.3f}", file=out)


def main(argv: list[str] | None = None) -> int:
    """Run the project's pipeline over a PolNeAR split and score its quotations."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polnear", type=Path, default=ROOT.parent / "shared/corpora/polnear")
    parser.add_argument("--split", choices=("train", "dev", "test"), default="test")
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: the project's)")
    parser.add_argument("--misses", type=Path, default=None,
                        help="where to write misses (default bench/out/quotes_misses_<split>.txt)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from indexer.annotation import load_pipeline

    nlp = load_pipeline(args.model) if args.model else load_pipeline()
    data = load_split(args.polnear, args.split)
    t0 = time.perf_counter()
    docs = nlp.pipe(text for _, text, _ in data)
    articles = [
        Article(stem, stem.split("_", 1)[0], text, gold, doc._.quotes or [])
        for (stem, text, gold), doc in zip(data, docs, strict=True)
    ]
    seconds = time.perf_counter() - t0
    misses_path = args.misses or ROOT / "bench" / "out" / f"quotes_misses_{args.split}.txt"
    report = evaluate(articles, misses_path)
    print_table(report)
    print(f"misses: {misses_path}", file=sys.stderr)
    report.update(split=args.split, articles=len(articles), seconds=round(seconds, 1))
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
