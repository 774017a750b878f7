"""bench/eval_quotes.py follows EVALUATION.md: gold rules, fragment joining, one-to-one matching."""

from __future__ import annotations

import sys

from tests.conftest import CORPORA, ROOT

sys.path.insert(0, str(ROOT / "bench"))

import eval_quotes as ev  # noqa: E402

POLNEAR = CORPORA / "polnear"
WAPO = "breitbart_2016-10-12_washington-post-backs-hillary-cl"


def test_test_split_has_539_gold_quotes_in_84_articles():
    data = ev.load_split(POLNEAR, "test")
    assert len(data) == 84
    assert sum(len(gold) for _, _, gold in data) == 539


def test_gold_takes_the_first_annotator_sorted_by_name():
    anns = sorted((POLNEAR / "test" / "attributions").glob("*.ann"))
    stems = {}
    for ann in anns:
        stems.setdefault(ann.stem.rsplit("_", 1)[0], []).append(ann)
    multi = next(stem for stem, files in stems.items() if len(files) > 1)
    assert ev.first_annotation(POLNEAR / "test" / "attributions", multi) == stems[multi][0]


def test_fragments_split_by_white_space_are_joined_into_one_quote():
    stem = "breitbart_2016-10-22_canada-eu-failure-signals-more-b"
    text = (POLNEAR / "test" / "text" / f"{stem}.txt").read_text(encoding="utf-8")
    ann = ev.first_annotation(POLNEAR / "test" / "attributions", stem).read_text(encoding="utf-8")
    spans = [text[g.span.start : g.span.end] for g in ev.gold_quotes(text, ann)]
    joined = next(s for s in spans if s.startswith("\u201cAt the end of the negotiations"))
    assert "\n\n\u201cIt can\u2019t work this way" in joined


def test_unclosed_and_partial_contents_are_not_direct_quotes():
    text = (POLNEAR / "test" / "text" / f"{WAPO}.txt").read_text(encoding="utf-8")
    ann = (POLNEAR / "test" / "attributions" / f"{WAPO}_ef2d.ann").read_text(encoding="utf-8")
    spans = [text[g.span.start : g.span.end] for g in ev.gold_quotes(text, ann)]
    assert "\u201cWe are not blind to those,\u201d" in spans
    # A content that opens a quotation but never closes it is not a direct quote.
    assert not any(s.startswith("\u201cWe recognize") for s in spans)
    # Partial quotes inside a paraphrase are not direct quotes either.
    assert not any(s.startswith("Clinton, the Democratic") for s in spans)


def test_direct_quote_rule_trims_trailing_punctuation():
    assert ev.is_direct('"We are not blind to those,"')
    assert ev.is_direct("\u201cDone.\u201d.")
    assert not ev.is_direct("Clinton \u201cis dogged,\u201d")
    assert not ev.is_direct("\u201cWe recognize that many")


def test_matching_is_one_to_one_at_the_overlap_of_the_longer_span():
    gold = [ev.Span(0, 100)]
    pred = [ev.Span(0, 60), ev.Span(0, 100)]
    assert ev.match(pred, gold, 0.5) == [(1, 0)]
    assert ev.match([ev.Span(0, 40)], gold, 0.5) == []
    assert ev.match([ev.Span(0, 40)], gold, 0.3) == [(0, 0)]


def test_speaker_counts_when_the_mention_overlaps_the_source():
    gold = ev.GoldQuote(ev.Span(10, 50), (ev.Span(51, 56),))
    assert ev._speaker_ok({"speaker_start": 51, "speaker_end": 53}, gold)
    assert not ev._speaker_ok({"speaker_start": 57, "speaker_end": 60}, gold)
    assert not ev._speaker_ok({"speaker_start": None, "speaker_end": None}, gold)


def test_report_scores_direct_quotes_and_lists_misses(tmp_path):
    text = (POLNEAR / "test" / "text" / f"{WAPO}.txt").read_text(encoding="utf-8")
    ann = (POLNEAR / "test" / "attributions" / f"{WAPO}_ef2d.ann").read_text(encoding="utf-8")
    gold = ev.gold_quotes(text, ann)
    hit = {"start": gold[0].span.start, "end": gold[0].span.end, "speaker": "x", "cue": "wrote",
           "speaker_start": gold[0].source[0].start, "speaker_end": gold[0].source[0].end,
           "kind": "direct"}
    partial = dict(hit, start=0, end=10, kind="partial")
    arts = [ev.Article(WAPO, "breitbart", text, gold, [hit, partial])]
    report = ev.evaluate(arts, tmp_path / "misses.txt")
    assert report["overlap_50"]["tp"] == 1 and report["overlap_50"]["pred"] == 1
    assert report["overlap_50"]["speaker_acc"] == 1.0
    assert report["all_kinds_overlap_50"]["pred"] == 2
    assert report["publishers"]["breitbart"]["gold"] == len(gold)
    lines = (tmp_path / "misses.txt").read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("FN") for line in lines) == len(gold) - 1
