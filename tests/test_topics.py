"""IPTC topics on real articles (seed, Wikinews, BBC development half) and user-defined topics."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from indexer.records import check_record
from indexer.search import Searcher, SearchQuery
from indexer.store import Store
from indexer.topic_lexicon import Lexicon, term_key, tokenise
from indexer.topics import (
    DATA_FILE,
    classify,
    default_taxonomy,
    load_taxonomy,
    record_topics,
)
from tests.conftest import CORPORA, ROOT, SEEDS, SHARED

BBC = CORPORA / "bbc-news"
WIKINEWS = CORPORA / "wikinews-2019-2020"
JUDGED = ROOT / "tests" / "data" / "wikinews_topics.json"
BBC_GOLD = {"business": "04000000", "entertainment": "01000000", "politics": "11000000",
            "sport": "15000000", "tech": "13000000"}
IPTC_TOP = {
    "01000000": "arts, culture, entertainment and media",
    "02000000": "crime, law and justice",
    "03000000": "disaster, accident and emergency incident",
    "04000000": "economy, business and finance",
    "05000000": "education",
    "06000000": "environment",
    "07000000": "health",
    "08000000": "human interest",
    "09000000": "labour",
    "10000000": "lifestyle and leisure",
    "11000000": "politics",
    "12000000": "religion",
    "13000000": "science and technology",
    "14000000": "society",
    "15000000": "sport",
    "16000000": "conflict, war and peace",
    "17000000": "weather",
}


def top_level(topics: list[dict]) -> list[str]:
    """Codes of the top-level topics, in order."""
    return [t["code"] for t in topics if "parent" not in t]


def seed_article() -> tuple[str, str]:
    """The seed article: first line title, the rest body."""
    path = next(p for folder in (SEEDS, SHARED / "seeds") for p in sorted(folder.glob("*.txt")))
    title, _, body = path.read_text(encoding="utf-8").partition("\n")
    return title.strip(), body.strip()


def wikinews_rows() -> list[dict]:
    """Wikinews 2019-2020 articles (test pages left out)."""
    rows = []
    for path in sorted(WIKINEWS.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += [r for r in csv.DictReader(handle) if not r["title"].startswith("TEST PAGE")]
    return rows


def wikinews_article(title_part: str) -> dict:
    """The one Wikinews article whose title contains title_part."""
    (row,) = [r for r in wikinews_rows() if title_part in r["title"]]
    return row


def bbc_dev_articles() -> list[tuple[str, str, str]]:
    """(title, body, gold code) of the BBC development half: odd-numbered files only."""
    articles = []
    for folder, code in BBC_GOLD.items():
        for path in sorted((BBC / folder).glob("*.txt")):
            if int(path.stem) % 2 == 1:
                text = path.read_bytes().decode("utf-8", errors="replace")
                title, _, body = text.strip().partition("\n")
                articles.append((title.strip(), body.strip(), code))
    return articles


# -- the taxonomy data -----------------------------------------------------------------------


def test_taxonomy_has_the_17_iptc_top_level_codes_with_their_official_labels():
    taxonomy = default_taxonomy()
    tops = {t.code: t.label for t in taxonomy.topics if t.parent is None}
    assert tops == IPTC_TOP
    assert all(t.parent in IPTC_TOP for t in taxonomy.topics if t.parent is not None)


def test_no_topic_lists_the_same_term_twice_under_two_spellings():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    clashes = []
    for top in data["topics"]:
        seen: dict = {}
        for group in [top, *top.get("subtopics", [])]:
            for term in group.get("terms", {}):
                key = term_key(term)
                if key in seen:
                    clashes.append((seen[key], term))
                seen[key] = term
    assert clashes == []


# -- matching rules -------------------------------------------------------------------------


def test_capitalised_exact_term_matches_only_that_case():
    lexicon = Lexicon([("=Labour", "party", 1.0), ("labour", "work", 1.0)])
    found = lexicon.match(tokenise("Labour said labour costs rose; Labour won."))
    assert {lexicon.targets(k).popitem()[0]: n for k, n in found.items()} == {"party": 2, "work": 1}


def test_phrase_is_counted_once_and_not_again_as_its_words():
    lexicon = Lexicon([("climate change", "env", 5.0), ("change", "other", 1.0)])
    found = lexicon.match(tokenise("Climate changes worry voters; change is slow."))
    assert sorted(lexicon.targets(k).popitem()[0] for k in found.elements()) == ["env", "other"]


def test_stemmed_term_matches_inflections_but_exact_term_does_not():
    lexicon = Lexicon([("election", "vote", 1.0), ("=news", "media", 1.0)])
    found = lexicon.match(tokenise("Elections: the newly elected MP told News at Ten"))
    assert sum(n for k, n in found.items() if "vote" in lexicon.targets(k)) == 2
    assert sum(n for k, n in found.items() if "media" in lexicon.targets(k)) == 1


# -- real articles -------------------------------------------------------------------------


def test_seed_article_is_about_conflict_and_politics():
    topics = classify(*seed_article())
    assert set(top_level(topics)[:2]) == {"16000000", "11000000"}
    assert topics[0]["label"] == "conflict, war and peace"


def test_seed_article_gets_second_level_topics_under_their_parents():
    topics = classify(*seed_article())
    subs = {t["label"]: t["parent"] for t in topics if "parent" in t}
    assert subs.get("armed conflict") == "16000000"
    assert subs.get("diplomacy") == "11000000"
    assert top_level(topics) == [t["code"] for t in topics[: len(top_level(topics))]]


def test_scores_are_between_zero_and_one_and_best_first():
    for row in wikinews_rows()[:60]:
        topics = classify(row["title"], row["text"])
        scores = [t["score"] for t in topics if "parent" not in t]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < t["score"] <= 1 for t in topics)


def test_bbc_development_half_mostly_gets_its_section_topic():
    articles = bbc_dev_articles()
    right = sum(next(iter(top_level(classify(t, b))), None) == gold for t, b, gold in articles)
    assert len(articles) == 1114
    assert right / len(articles) >= 0.9


def test_wikinews_first_topic_agrees_with_hand_judgement():
    judged = json.loads(JUDGED.read_text(encoding="utf-8"))["articles"]
    rows = wikinews_rows()
    agree = sum(next(iter(top_level(classify(r["title"], r["text"]))), None)
                in judged[r["url"]]["codes"] for r in rows)
    assert len(rows) == len(judged) == 293
    assert agree / len(rows) >= 0.93


def test_wikinews_topic_facet_leads_with_politics_and_covers_the_news_mix():
    counts = Counter(t["label"] for r in wikinews_rows()
                     for t in classify(r["title"], r["text"]) if "parent" not in t)
    assert counts.most_common(1)[0][0] == "politics"
    top8 = {label for label, _ in counts.most_common(8)}
    assert {"crime, law and justice", "health", "science and technology",
            "disaster, accident and emergency incident"} <= top8


@pytest.mark.parametrize("title_part, code", [
    ("Hurricane Dorian strengthens", "17000000"),
    ("Scientists report two life-saving treatments for Ebola", "07000000"),
    ("Toronto serial killer", "02000000"),
    ("Eliud Kipchoge", "15000000"),
    ("Astronomers find water vapour", "13000000"),
    ("Notre Dame in Paris catches fire", "03000000"),
])
def test_wikinews_article_gets_the_topic_a_reader_expects(title_part, code):
    row = wikinews_article(title_part)
    assert code in top_level(classify(row["title"], row["text"]))


def test_text_without_news_vocabulary_gets_no_topic():
    body = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
            "incididunt ut labore et dolore magna aliqua. The meeting is on Tuesday as usual.")
    assert classify("Notes", body) == []


def test_organisation_names_add_only_evidence_the_text_lacks():
    body = "The agency said the new guidance would be published next week after a review."
    assert classify("Guidance due", body) == []
    with_org = classify("Guidance due", body, {"organizations": ["World Health Organization"]})
    assert top_level(with_org) == ["07000000"]
    text = "The World Health Organization said the outbreak of measles was spreading."
    assert (classify("Outbreak", text, {"organizations": ["World Health Organization"]})
            == classify("Outbreak", text))


# -- user-defined topics ---------------------------------------------------------------------


def test_custom_keyword_topic_is_saved_reloaded_and_found(tmp_path: Path):
    taxonomy = load_taxonomy(tmp_path)
    taxonomy.add_custom("brexit", keywords=["Brexit", "=Article 50"])
    taxonomy.save(tmp_path)
    reloaded = load_taxonomy(tmp_path)
    assert [t.label for t in reloaded.keyword_topics()] == ["brexit"]
    brexit = wikinews_article("Thousands march in anti-Brexit protest")
    other = wikinews_article("Eliud Kipchoge")
    found = [t for t in classify(brexit["title"], brexit["text"], taxonomy=reloaded)
             if t["label"] == "brexit"]
    assert found and found[0]["code"] == "custom:brexit" and 0.5 <= found[0]["score"] <= 1
    assert "brexit" not in {t["label"] for t in classify(other["title"], other["text"],
                                                         taxonomy=reloaded)}
    iptc = [t for t in classify(brexit["title"], brexit["text"], taxonomy=reloaded)
            if not t["code"].startswith("custom:")]
    assert iptc == classify(brexit["title"], brexit["text"])


def test_user_terms_extend_a_shipped_topic(tmp_path: Path):
    title, body = "Pickleball craze", "Thousands queued to try pickleball at the new courts."
    assert "15000000" not in top_level(classify(title, body))
    (tmp_path / "topics.json").write_text(
        json.dumps({"topics": [{"code": "15000000", "terms": {"pickleball": 5}}]}))
    taxonomy = load_taxonomy(tmp_path)
    assert top_level(classify(title, body, taxonomy=taxonomy))[0] == "15000000"
    taxonomy.save(tmp_path)
    assert top_level(classify(title, body, taxonomy=load_taxonomy(tmp_path)))[0] == "15000000"


def test_custom_topic_needs_keywords_or_a_query_and_its_own_label(tmp_path: Path):
    taxonomy = load_taxonomy(tmp_path)
    with pytest.raises(ValueError):
        taxonomy.add_custom("nothing")
    with pytest.raises(ValueError):
        taxonomy.add_custom("both", keywords=["a"], query="b")
    with pytest.raises(ValueError):
        taxonomy.add_custom("sport", keywords=["pickleball"])
    assert taxonomy.remove_custom("nothing") is False


def test_query_topic_reapplied_without_nlp_changes_the_topic_facet(tmp_path: Path):
    rows = wikinews_rows()[150:230]
    records = []
    for row in rows:
        record = {"id": row["url"].rsplit("/", 1)[-1], "title": row["title"], "body": row["text"],
                  "published": row["date"], "persons": [], "organizations": [], "countries": [],
                  "quotes": [], "entities": []}
        record["topics"] = classify(record["title"], record["body"], record)
        records.append(check_record(record))
    store = Store(tmp_path / "index")
    for _ in store.write(records):
        pass
    searcher = Searcher(store)
    label = "pandemic watch"
    assert searcher.search(SearchQuery(filters={"topic": (label,)}))["total"] == 0

    taxonomy = load_taxonomy(store.dir)
    taxonomy.add_custom(label, query="coronavirus OR COVID")
    taxonomy.save(store.dir)
    taxonomy = load_taxonomy(store.dir)
    (topic,) = taxonomy.query_topics()
    hits = searcher.search(SearchQuery(text=topic.query, per_page=200))["hits"]
    matched = {hit["id"] for hit in hits}
    assert 5 <= len(matched) < len(rows)
    redone = [dict(r, topics=record_topics(r, taxonomy, [label] if r["id"] in matched else []))
              for r in store.records()]
    for _ in store.write(redone):
        pass

    after = Searcher(store).search(SearchQuery(filters={"topic": (label,)}, per_page=200))
    assert after["total"] == len(matched)
    assert {hit["id"] for hit in after["hits"]} == matched
    facet = {f["value"]: f["count"] for f in after["facets"]["topic"]}
    assert facet[label] == len(matched)
