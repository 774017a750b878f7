"""newsindex_quotes on real sentences: quote spans, cues, speakers, continuations, scare quotes."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.quote_marks import MARKS, find_marked_spans
from tests.conftest import CORPORA, SHARED

TRAIN = CORPORA / "polnear" / "train" / "text"


def seed_text() -> str:
    """The seed article, read from ../shared at test time."""
    return sorted((SHARED / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")


def excerpt(stem: str, phrase: str, before: int = 0, after: int = 0) -> str:
    """The PolNeAR train paragraph holding phrase and its neighbours, read at run time."""
    paras = (TRAIN / f"{stem}.txt").read_text(encoding="utf-8").split("\n")
    k = next(i for i, p in enumerate(paras) if phrase in p)
    return "\n".join(paras[max(0, k - before) : k + after + 1])


def quotes_of(nlp, text: str) -> list[dict]:
    return nlp(text)._.quotes


def quote_starting(quotes: list[dict], words: str) -> dict:
    """The quote whose text (after its opening mark) starts with words."""
    hits = [q for q in quotes if q["text"][1:].lstrip("'").startswith(words)]
    assert len(hits) == 1, [q["text"][:40] for q in quotes]
    return hits[0]


def mention(text: str, quote: dict) -> str:
    return text[quote["speaker_start"] : quote["speaker_end"]]


@pytest.fixture(scope="module")
def seed(nlp):
    text = seed_text()
    return text, quotes_of(nlp, text)


def test_seed_trump_quotes_after_cue_and_continuations(seed):
    text, quotes = seed
    first = quote_starting(quotes, "As we both agreed")
    cont = quote_starting(quotes, "President Putin even used")
    second = quote_starting(quotes, "People have died")
    cont2 = quote_starting(quotes, "No more lives")
    for q in (first, cont, second, cont2):
        assert q["speaker"] in ("Trump", "Donald Trump")
        assert q["kind"] == "direct"
        assert mention(text, q) == "Trump"
    assert first["cue"] == "said"
    assert cont["speaker_start"] == first["speaker_start"]  # inherits the mention it follows
    assert cont2["speaker_start"] == second["speaker_start"]
    assert cont["confidence"] < first["confidence"]


def test_seed_peskov_quote_and_continuation(seed):
    text, quotes = seed
    first = quote_starting(quotes, "President Trump spoke")
    cont = quote_starting(quotes, "President Putin, for his part")
    assert first["speaker"] == cont["speaker"]
    assert "Peskov" in first["speaker"]
    assert mention(text, cont) == "Peskov"


def test_seed_partial_quote_by_hegseth(seed):
    text, quotes = seed
    q = quote_starting(quotes, "unrealistic")
    assert q["text"] == "\u201cunrealistic\u201d"
    assert q["speaker"] == "Pete Hegseth"
    assert q["cue"] == "told"
    assert q["kind"] == "partial"


def test_nested_single_quotes_stay_inside_the_quote(seed):
    text, quotes = seed
    outer = quote_starting(quotes, "President Putin even used")
    assert "\u2018common sense.\u2019" in outer["text"]
    assert not any(q["text"].startswith("\u2018") for q in quotes)
    assert all(not (outer["start"] < q["start"] < outer["end"]) for q in quotes)


def test_offsets_cover_the_marks_like_polnear_gold(seed):
    text, quotes = seed
    for q in quotes:
        assert text[q["start"] : q["end"]] == q["text"]
        assert q["text"][0] in "\u201c\"" and q["text"][-1] in "\u201d\""
        assert 0 < q["confidence"] <= 1


def test_inverted_cue_said_name(nlp):
    text = excerpt("usa-today_2016-06-14_donald-trump-at-just-the-way-he-", " said Sen.")
    quotes = quotes_of(nlp, text)
    q = quote_starting(quotes, "He's going to have to stop")
    assert q["speaker"] == "Susan Collins"
    added = quote_starting(quotes, "He will have to earn")
    assert added["speaker"] == "Cathy McMorris Rodgers"
    assert added["cue"] == "added"


def test_cue_before_with_colon(nlp):
    text = excerpt("usa-today_2016-06-15_obama-rips-rhetoric-over-radical", 'Obama said: "There')
    q = quote_starting(quotes_of(nlp, text), "There's no magic")
    assert q["speaker"] == "Obama" and q["cue"] == "said"


def test_cue_before_told_outlet_colon_quote_over_two_paragraphs(nlp):
    stem = "breitbart_2016-04-23_clinton-wades-in-urges-britain-t"
    text = excerpt(stem, "telling Breitbart London", after=2)
    q = quote_starting(quotes_of(nlp, text), "President Obama\u2019s comments")
    assert q["speaker"] == "Ted Cruz"
    assert "\n\n\u201cRather than scolding" in q["text"] and q["text"].endswith("countries.\u201d")
    assert mention(text, q) == "Ted Cruz"


def test_adding_takes_the_subject_of_the_main_verb(nlp):
    text = excerpt("politico_2016-05-05_paul-ryan-says-he-s-not-ready-to", 'adding, "', before=2)
    q = quote_starting(quotes_of(nlp, text), "They need to sit down")
    assert q["speaker"] == "Sean Spicer"
    assert q["cue"] == "adding"
    assert mention(text, q) == "Spicer"


def test_split_quote_around_the_cue(nlp):
    text = excerpt("wash-post_2016-03-30_as-clinton-sanders-answer-union-", '" he said, "')
    quotes = quotes_of(nlp, text)
    first = quote_starting(quotes, "While this system is not perfect")
    second = quote_starting(quotes, "I think most people would agree")
    assert first["speaker"] == second["speaker"] == "Sanders"
    assert mention(text, first) == mention(text, second) == "he"


def test_pronoun_speaker_is_the_last_quoted_person(nlp):
    text = excerpt("breitbart_2016-04-12_mexican-anchor-crosses-swords-wi", " said, referring",
                   before=2)
    q = quote_starting(quotes_of(nlp, text), "Many governments")
    assert q["speaker"] == "Ramos"
    assert mention(text, q) == "he"


def test_written_quote_and_its_continuation(nlp):
    text = excerpt("politico_2016-04-17_rnc-rules-clash-erupts", " wrote. \u201c")
    quotes = quotes_of(nlp, text)
    cont = quote_starting(quotes, "Major changes now")
    assert cont["speaker"] == "Ryder" and cont["cue"] == "wrote"


def test_a_phrase_is_no_speaker_but_its_mention_is_kept(nlp):
    text = excerpt("huff-post_2016-05-16_trump-says-he-s-unlikely-to-have", "the spokesman said")
    q = quote_starting(quotes_of(nlp, text), "The PM has made")
    assert q["speaker"] is None and q["speaker_label"] is None
    assert mention(text, q) == "the spokesman"


def test_missing_closing_mark_ends_before_said_name(nlp):
    text = excerpt("wash-post_2016-09-04_growing-up-american-only-to-lear",
                   "There wasn't a lot of education")
    q = quote_starting(quotes_of(nlp, text), "There wasn't a lot")
    assert q["text"].endswith("keep,")
    assert q["speaker"] == "Kessel"


def test_quote_over_two_paragraphs_is_one_quote(nlp):
    text = excerpt("politico_2016-05-23_senate-candidates-stake-out-a-ra", "really an amorphous",
                   after=2)
    quotes = quotes_of(nlp, text)
    q = quote_starting(quotes, "really an amorphous")
    assert "\n" in q["text"] and q["text"].endswith("\u201d")
    assert q["speaker"] == "Grayson"


def test_titles_and_scare_quotes_are_not_quotes(nlp):
    stem = "wash-post_2015-11-08_in-satirizing-the-elite-a-mexica"
    assert quotes_of(nlp, excerpt(stem, 'play called "Los Hijos')) == []
    stem = "huff-post_2015-12-22_of-the-most-powerful-things-lati"
    text = excerpt(stem, "the \u201cAvatar\u201d star")
    assert all("Avatar" not in q["text"] for q in quotes_of(nlp, text))


def test_straight_marks_with_inverted_name_cue(nlp):
    text = excerpt("politico_2015-11-09_sanders-endorsements-prove-clint", '" the senator said',
                   before=2)
    quotes = quotes_of(nlp, text)
    asked = quote_starting(quotes, "That would be you?")
    assert asked["speaker"] == "Borger" and asked["cue"] == "asked"
    assert quote_starting(quotes, "That would be me")["cue"] == "said"


def test_according_to_attributes_a_partial_quote(nlp):
    text = excerpt("huff-post_2016-02-07_the-latest-gop-debate-kicked-off", "according to Rubio")
    q = quote_starting(quotes_of(nlp, text), "hundreds of bills")
    assert q["cue"] in ("according to", "said")
    assert q["speaker"] == "Marco Rubio" or q["speaker"] == "Rubio"


def wikinews_paragraph(title_words: str, phrase: str) -> str:
    """One paragraph of a wikinews 2019 article, read from ../shared at test time."""
    with (CORPORA / "wikinews-2019-2020" / "wikinews_2019.csv").open(encoding="utf-8") as f:
        body = next(r["text"] for r in csv.DictReader(f) if title_words in r["title"])
    return next(p for p in body.split("\n") if phrase in p)


def test_wikinews_said_title_name_then_continuation(nlp):
    text = wikinews_paragraph("Sixteen states sue", "said California Attorney General")
    quotes = quotes_of(nlp, text)
    first = quote_starting(quotes, "President Trump treats")
    cont = quote_starting(quotes, "He knows there is no border crisis")
    assert first["speaker"] == cont["speaker"] == "Xavier Becerra"


def test_wikinews_told_the_press_colon(nlp):
    text = wikinews_paragraph("life-saving treatments for Ebola", "told the press")
    q = quote_starting(quotes_of(nlp, text), "What will stop Ebola")
    assert q["speaker"] == "Mike Ryan" and q["cue"] == "told"


def test_wikinews_partial_quotes_after_a_semicolon_pronoun(nlp):
    text = wikinews_paragraph("Bombs kill at least 20", "dastardly act")
    quotes = quotes_of(nlp, text)
    assert quote_starting(quotes, "We will use the full force")["speaker"] == "Delfin Lorenzana"
    partial = quote_starting(quotes, "dastardly act")
    assert partial["kind"] == "partial"
    assert partial["speaker"] == "Delfin Lorenzana"
    assert mention(text, partial) == "he"


def test_textless_and_markless_docs_have_no_quotes(nlp):
    assert quotes_of(nlp, "") == []
    assert quotes_of(nlp, "No quotation here, said nobody.") == []


@given(st.text(alphabet='ab ,.\n"\u201c\u201d\u2018\u2019\'', max_size=60))
def test_mark_pairing_never_fails_and_spans_are_ordered(text: str):
    spans = find_marked_spans(text)
    last = -1
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.start >= last
        assert text[span.start] in MARKS
        last = span.end


def test_unbalanced_marks_in_polnear_never_crash(nlp):
    texts = [p.read_text(encoding="utf-8") for p in sorted(TRAIN.glob("breitbart_2016-0[12]*.txt"))]
    for doc in nlp.pipe(texts[:8]):
        for q in doc._.quotes:
            assert doc.text[q["start"] : q["end"]] == q["text"]
