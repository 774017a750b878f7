"""p95 against archive size, Whoosh (ours) and OpenSearch (1 node), from kept bench_search runs.

bench/bench_search.py keeps each run's JSON in bench/out/bench_search-*.json. This reads them all
(or the files given), takes for each size the newest run that measured it, and draws one panel
per query kind with both backends' p95 in milliseconds on log-log axes, so the point where the
embedded default stops being the faster one (the crossover) can be read off. It writes
bench/out/search_p95_by_size.png and prints the merged curves as a JSON object (last line).

Usage: python bench/plot_search.py [RUN.json ...] [--out bench/out/search_p95_by_size.png]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, emit  # noqa: E402

KINDS = ("narrow", "broad", "match_all", "filters", "quotes")
TARGETS_1M = {"narrow": 100, "broad": 300, "match_all": 300}  # issue 17, ms p95 at 1M


def curves(paths: list[Path]) -> dict:
    """{backend: {kind: {size: p95}}}, later files (by modification time) winning per size."""
    out: dict[str, dict[str, dict[int, float]]] = {"whoosh": {}, "opensearch_1_node": {}}
    for path in sorted(paths, key=lambda p: p.stat().st_mtime):
        run = json.loads(path.read_text(encoding="utf-8"))
        for size, p95 in run.get("p95_ms", {}).items():
            for kind, ms in p95.items():
                out["whoosh"].setdefault(kind, {})[int(size)] = ms
        for size, clusters in run.get("opensearch", {}).items():
            for kind, ms in clusters.get("1_node", {}).get("p95_ms", {}).items():
                out["opensearch_1_node"].setdefault(kind, {})[int(size)] = ms
    return out


def crossover(ours: dict[int, float], theirs: dict[int, float]) -> int | None:
    """The smallest measured size at which OpenSearch's p95 is below ours, if any."""
    for size in sorted(set(ours) & set(theirs)):
        if theirs[size] < ours[size]:
            return size
    return None


def plot(data: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(KINDS), figsize=(4 * len(KINDS), 4), sharey=True)
    for ax, kind in zip(axes, KINDS, strict=True):
        for backend, style in (("whoosh", "o-"), ("opensearch_1_node", "s--")):
            points = sorted(data[backend].get(kind, {}).items())
            if points:
                ax.plot(*zip(*points, strict=True), style, label=backend.replace("_", " "))
        if kind in TARGETS_1M:
            ax.plot([1_000_000], [TARGETS_1M[kind]], "r*", markersize=12, label="1M target")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(kind.replace("_", "-"))
        ax.set_xlabel("articles")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("p95 ms (every facet, page 1 with snippets)")
    axes[0].legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", type=Path, help="bench_search JSON files")
    parser.add_argument("--out", type=Path, default=OUT / "search_p95_by_size.png")
    args = parser.parse_args()
    paths = args.runs or sorted(OUT.glob("bench_search-*.json"))
    if not paths:
        raise SystemExit("no bench_search runs kept in bench/out/: run bench/bench_search.py")
    data = curves(paths)
    plot(data, args.out)
    emit({
        "p95_ms": {b: {k: dict(sorted(v.items())) for k, v in kinds.items()}
                   for b, kinds in data.items()},
        "opensearch_faster_from": {
            kind: crossover(data["whoosh"].get(kind, {}), data["opensearch_1_node"].get(kind, {}))
            for kind in KINDS
        },
        "plot": str(args.out),
    })


if __name__ == "__main__":
    main()
