"""The development gold (bench/data/dev_gold/*.json): hand-labelled quotes and entities of BBC files
001-012 per section and 20 Wikinews seeds, joined with their article text and our annotation.

The gold holds file names (or seed URLs) and 5-10-word keys only; the BBC text is read at run time
from ../shared, never stored here. See ../shared/EVALUATION.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common import DEFAULT_BBC, OUT, ROOT

from indexer.records import Record
from indexer.sources import Article, SourceError, read_sources

GOLD_DIR = ROOT / "bench" / "data" / "dev_gold"
SEEDS_CSV = ROOT / "seeds" / "wikinews-2019-2020.csv"


@dataclass
class GoldArticle:
    """One labelled article: where it is, its gold labels, and (once annotated) our record."""

    corpus: str
    file: str
    labels: dict
    article: Article | None = None
    record: Record | None = None


def fold(text: str | None) -> str:
    """Case, accents and punctuation ignored: how names are compared with the gold."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    kept = "".join(c if c.isalnum() else " " for c in kept.casefold())
    return " ".join(kept.split())


def load_gold(gold_dir: Path = GOLD_DIR) -> list[GoldArticle]:
    """Every labelled article of every gold file, in file order."""
    out = []
    for path in sorted(gold_dir.glob("*.json")):
        for art in json.loads(path.read_text(encoding="utf-8"))["articles"]:
            out.append(GoldArticle(art["corpus"], art["file"], art))
    return out


def attach_articles(gold: list[GoldArticle], bbc: Path = DEFAULT_BBC,
                    seeds_csv: Path = SEEDS_CSV) -> None:
    """Read each labelled article the way `newsindex index` reads it."""
    by_url = {}
    for item in read_sources([seeds_csv]):
        if isinstance(item, SourceError):
            raise SystemExit(f"dev gold: {item}")
        by_url[item.url] = item
    for g in gold:
        if g.corpus == "wikinews":
            g.article = by_url.get(g.file)
        else:
            found = [a for a in read_sources([bbc / g.file]) if isinstance(a, Article)]
            g.article = found[0] if found else None
        if g.article is None:
            raise SystemExit(f"dev gold: cannot read {g.corpus} article {g.file}")


def annotated_gold(model: str | None = None, bbc: Path = DEFAULT_BBC) -> list[GoldArticle]:
    """The gold with article text and a fresh annotation of each article."""
    from indexer.annotation import annotate, load_pipeline

    gold = load_gold()
    attach_articles(gold, bbc)
    nlp = load_pipeline(model) if model else load_pipeline()
    records = annotate([g.article for g in gold], nlp, workers=0)
    for g, record in zip(gold, records, strict=True):
        g.record = record
    return gold


def run_evaluation(
    description: str,
    misses_name: str,
    score: Callable[[list[GoldArticle], list[str]], dict],
    print_table: Callable[[dict], None],
    argv: list[str] | None = None,
) -> int:
    """The command line every gold evaluation shares: annotate, score, write misses, report."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: the project's)")
    parser.add_argument("--corpus", choices=("bbc", "wikinews"), default=None,
                        help="score one part of the gold only")
    parser.add_argument("--misses", type=Path, default=OUT / misses_name)
    args = parser.parse_args(argv)
    gold = annotated_gold(args.model)
    if args.corpus:
        gold = [g for g in gold if g.corpus == args.corpus]
    lines: list[str] = []
    report = score(gold, lines)
    args.misses.parent.mkdir(parents=True, exist_ok=True)
    args.misses.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print_table(report)
    print(f"misses: {args.misses}", file=sys.stderr)
    report["articles"] = len(gold)
    print(json.dumps(report))
    return 0
