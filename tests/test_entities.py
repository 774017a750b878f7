"""Entity normalisation rules, pinned on real sentences from the seed article and the corpora."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import numpy
import pytest

from indexer.entities import TITLES, canonical_person_at, clean_span
from indexer.vocabulary import shortened
from tests.conftest import CORPORA, ROOT, SEEDS

WIKINEWS = CORPORA / "wikinews-2019-2020"
BBC = CORPORA / "bbc-news"


def article_text(path: Path) -> str:
    """Title and body of a text article joined as annotation.py joins them."""
    title, body = path.read_text(encoding="utf-8", errors="replace").split("\n", 1)
    return title + "\n\n" + body


def wikinews_rows() -> list[dict]:
    """All Wikinews rows of both years."""
    rows = []
    for name in ("wikinews_2019.csv", "wikinews_2020.csv"):
        with open(WIKINEWS / name, encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def wikinews_sentence(fragment: str) -> str:
    """The first Wikinews sentence containing the fragment (read at run time, never copied)."""
    for row in wikinews_rows():
        if fragment in row["text"]:
            return next(s for s in re.split(r"(?<=[.!?])\s+", row["text"]) if fragment in s)
    raise LookupError(fragment)


def wikinews_article(fragment: str) -> str:
    """Title and text of the first Wikinews article containing the fragment in either."""
    row = next(r for r in wikinews_rows() if fragment in r["title"] + "\n\n" + r["text"])
    return row["title"] + "\n\n" + row["text"]


@pytest.fixture(scope="module")
def seed(nlp):
    """The seed article run through the real pipeline."""
    return nlp(article_text(next(SEEDS.glob("000_*.txt"))))


def entities_with_text(doc, text: str) -> list[dict]:
    return [e for e in doc._.entities if e["text"] == text]


def test_seed_persons_are_exactly_the_people_named(seed):
    assert set(seed._.persons) == {
        "Vladimir Putin", "Volodymyr Zelenskyy", "Pete Hegseth", "Mark Fogel",
        "Alexander Vinnik", "Trump", "Peskov",
    }


def test_seed_short_form_resolves_to_the_full_name(seed):
    putins = entities_with_text(seed, "Putin")
    assert len(putins) >= 5
    assert {e["canonical"] for e in putins} == {"Vladimir Putin"}


def test_seed_weekday_is_cut_from_a_person_and_offsets_follow(seed):
    # The title reads "President Trump Wednesday said ..."; the raw model tags "Trump Wednesday".
    assert any(ent.text == "Trump Wednesday" for ent in seed.ents)
    first = seed._.entities[0]
    assert (first["text"], first["label"]) == ("Trump", "PERSON")
    assert (first["start"], first["end"]) == (10, 15)
    assert all(seed.text[e["start"]:e["end"]] == e["text"] for e in seed._.entities)


def test_seed_label_is_the_majority_of_a_forms_mentions(seed):
    # The raw model tags "Trump" ORG three times among seven PERSON mentions.
    assert any(ent.text == "Trump" and ent.label_ == "ORG" for ent in seed.ents)
    assert {e["label"] for e in entities_with_text(seed, "Trump")} == {"PERSON"}


def test_seed_zelenskyy_is_never_a_country_or_organisation(seed):
    raw = {ent.label_ for ent in seed.ents if ent.text == "Zelenskyy"}
    assert {"GPE", "ORG"} <= raw
    zelenskyy = [e for e in seed._.entities if "Zelenskyy" in e["text"]]
    assert {(e["label"], e["canonical"]) for e in zelenskyy} == {("PERSON", "Volodymyr Zelenskyy")}
    assert all("country" not in e for e in zelenskyy)


def test_seed_countries_from_names_abbreviations_and_demonyms(seed):
    names = [c["name"] for c in seed._.countries]
    assert names[0] == "Ukraine"
    assert {"Ukraine", "Russia", "United States"} <= set(names)
    assert "Middle East" not in names
    assert {"name": "United States", "code": "US"} in seed._.countries
    us = entities_with_text(seed, "U.S.")
    assert us and all(e["country_code"] == "US" for e in us)
    russian = entities_with_text(seed, "Russian")
    assert russian and all(e["country"] == "Russia" for e in russian)


def test_seed_office_word_is_not_an_organisation(seed):
    # "Defense Secretary Pete Hegseth": the raw model tags "Defense" as an ORG.
    assert any(ent.text == "Defense" and ent.label_ == "ORG" for ent in seed.ents)
    assert "Defense" not in seed._.organizations
    assert set(seed._.organizations) == {"European Union", "NATO"}


def test_canonical_person_at_names_the_speaker_mention(seed):
    text = seed.text
    peskov = text.index("Peskov said")
    assert canonical_person_at(seed, peskov, peskov + 6) == "Peskov"
    putin = text.index("Putin has refused")
    assert canonical_person_at(seed, putin, putin + 5) == "Vladimir Putin"
    assert canonical_person_at(seed, putin - 1, putin + 1) == "Vladimir Putin"
    nato = text.index("NATO")
    assert canonical_person_at(seed, nato, nato + 4) is None


def test_title_and_surname_resolve_to_the_full_name_in_a_bbc_article(nlp):
    # BBC politics/117: "Betty Boothroyd has said ...", later "Lady Boothroyd said ...".
    doc = nlp(article_text(BBC / "politics" / "117.txt"))
    lady = doc.text.index("Lady Boothroyd")
    mention = [e for e in doc._.entities if e["start"] == lady + len("Lady ")]
    assert [(m["text"], m["canonical"]) for m in mention] == [("Boothroyd", "Betty Boothroyd")]
    assert "Boothroyd" not in doc._.persons
    assert doc._.persons[0] == "Betty Boothroyd"


def test_untagged_repeat_of_a_tagged_name_is_found(nlp):
    # The headline "Boothroyd calls for Lords speaker" is not tagged by the model.
    doc = nlp(article_text(BBC / "politics" / "117.txt"))
    assert not any(ent.start_char == 0 for ent in doc.ents)
    first = doc._.entities[0]
    assert (first["start"], first["text"]) == (0, "Boothroyd")
    assert first["canonical"] == "Betty Boothroyd"


def test_possessive_is_cut_from_a_person(nlp):
    doc = nlp(wikinews_sentence("Angela Merkel's spokesperson"))
    assert any(ent.text == "Angela Merkel's" for ent in doc.ents)
    merkel = [e for e in doc._.entities if "Merkel" in e["text"]]
    assert [(e["text"], e["canonical"]) for e in merkel] == [("Angela Merkel", "Angela Merkel")]
    assert doc.text[merkel[0]["start"]:merkel[0]["end"]] == "Angela Merkel"


@pytest.mark.parametrize(
    ("fragment", "raw", "name"),
    [
        ("Congressman Amash, who", "Congressman Amash", "Amash"),
        ("Sheriff Lee said", "Sheriff Lee", "Lee"),
        ("According to Dr Meerjady", "Dr Meerjady", "Meerjady"),
        ("Cardinal Marc Ouellet of the Holy See", "Cardinal Marc Ouellet", "Marc Ouellet"),
    ],
)
def test_title_is_stripped_from_a_person(nlp, fragment, raw, name):
    doc = nlp(wikinews_article(fragment))
    ent = next(ent for ent in doc.ents if ent.text == raw and ent.label_ == "PERSON")
    mention = next(e for e in doc._.entities if e["end"] == ent.end_char)
    assert mention["text"] == name
    assert mention["start"] == ent.end_char - len(name)
    assert set(name.split()) <= set(mention["canonical"].split())
    assert raw.split()[0] not in mention["canonical"]
    assert raw not in doc._.persons


def test_a_place_that_starts_a_miscut_person_stays_a_place(nlp):
    # The model cuts "Koszalin Piotr Jedlinski" as one PERSON; "Koszalin" alone is the city.
    doc = nlp(wikinews_article("Koszalin"))
    koszalin = entities_with_text(doc, "Koszalin")
    assert koszalin
    assert {(e["label"], e.get("country")) for e in koszalin} == {("GPE", "Poland")}


def conll_documents_with(fragment: str) -> list[str]:
    """CoNLL-2003 validation documents containing a fragment, tokens joined by spaces."""
    text = (CORPORA / "conll2003" / "valid.txt").read_text(encoding="utf-8")
    docs = []
    for block in text.split("-DOCSTART- -X- -X- O"):
        sentences = [
            " ".join(line.split()[0] for line in sentence.splitlines() if line.strip())
            for sentence in block.split("\n\n")
        ]
        doc = "\n".join(s for s in sentences if s)
        if fragment in doc:
            docs.append(doc)
    return docs


def test_country_name_tagged_as_person_becomes_a_place(nlp):
    # In CoNLL cricket reports the raw model tags "Sri Lanka" PERSON now and then.
    docs = list(nlp.pipe(conll_documents_with("Sri Lanka")))
    raw = {ent.label_ for doc in docs for ent in doc.ents if ent.text == "Sri Lanka"}
    assert "PERSON" in raw
    lanka = [e for doc in docs for e in entities_with_text(doc, "Sri Lanka")]
    assert {(e["label"], e["country_code"]) for e in lanka} == {("GPE", "LK")}


def test_offsets_and_names_are_clean_across_wikinews(nlp):
    rows = wikinews_rows()[:40]
    for doc in nlp.pipe(r["title"] + "\n\n" + r["text"] for r in rows):
        for e in doc._.entities:
            assert doc.text[e["start"]:e["end"]] == e["text"]
            words = e["text"].split()
            assert not words[-1].endswith(("'s", "’s"))
            if e["label"] == "PERSON":
                assert words[0].lower().rstrip(".") not in TITLES or len(words) == 1
        assert len(doc._.persons) == len(set(doc._.persons))


def test_clean_span_gives_none_when_only_stray_tokens_remain(nlp):
    doc = nlp.make_doc("He left on Wednesday 12 .")
    assert clean_span(doc, 3, 6, "PERSON") is None
    assert clean_span(doc, 0, 1, "PERSON") == (0, 1)


def test_a_doc_without_entities_gets_empty_lists(nlp):
    doc = nlp("it rained all day and nobody came.")
    assert (doc._.entities, doc._.persons, doc._.organizations, doc._.countries) == ([], [], [], [])


def test_dateline_place_the_model_missed_is_found(nlp):
    # Reuters datelines in CoNLL: "BELGRADE 1996-08-30" on a line of its own.
    docs = list(nlp.pipe(conll_documents_with("\nBELGRADE 1996")))
    missed = 0
    for doc in docs:
        start = doc.text.index("\nBELGRADE 1996") + 1
        if not any(ent.start_char == start for ent in doc.ents):
            missed += 1
        found = [e for e in doc._.entities if e["start"] == start]
        assert [(e["text"], e["label"], e["country"]) for e in found] == [
            ("BELGRADE", "GPE", "Serbia")
        ]
    assert missed


def test_country_name_the_model_missed_is_found(nlp):
    docs = list(nlp.pipe(conll_documents_with("Belarus")))
    raw = sum(ent.text == "Belarus" for doc in docs for ent in doc.ents)
    found = [e for doc in docs for e in entities_with_text(doc, "Belarus")]
    assert len(found) > raw
    assert {(e["label"], e["country_code"]) for e in found} == {("GPE", "BY")}


def test_canonical_name_keeps_the_articles_spelling(nlp):
    # "Bashar al-Assad" is four tokens; its canonical form must not gain spaces round the hyphen.
    doc = nlp(wikinews_article("Assad's government"))
    assert "Bashar al-Assad" in doc._.persons
    assert {e["canonical"] for e in doc._.entities if "Assad" in e["text"]} == {"Bashar al-Assad"}


def test_small_city_needs_its_country_named_in_the_article(nlp):
    # "Corona" (a Californian city of 150,000) in an article about cow urine and COVID-19 in India.
    doc = nlp(wikinews_article("drink cow urine"))
    corona = entities_with_text(doc, "Corona")
    assert corona and all("country" not in e for e in corona)
    assert "United States" not in [c["name"] for c in doc._.countries]


def test_georgia_is_the_us_state_in_an_article_about_the_united_states(nlp):
    doc = nlp(wikinews_article("On the campaign trail in the USA"))
    georgia = entities_with_text(doc, "Georgia")
    assert georgia and {e["country_code"] for e in georgia} == {"US"}
    assert [c["name"] for c in doc._.countries] == ["United States"]


def test_platforms_time_zones_and_diseases_are_not_people_across_wikinews(nlp):
    """What `make run` shows: Wikinews says "on Twitter", "UTC", "COVID-19" again and again."""
    from indexer.entities import GENERIC_ORGS, NOT_ENTITIES

    rows = [r for r in wikinews_rows() if re.search(r"Twitter|UTC|COVID-19|\(WHO", r["text"])]
    assert len(rows) > 30
    persons, organisations = set(), set()
    for doc in nlp.pipe(r["title"] + "\n\n" + r["text"] for r in rows):
        persons.update(doc._.persons)
        organisations.update(doc._.organizations)
    assert not persons & (NOT_ENTITIES | {"Twitter", "Facebook", "YouTube", "Wikinews"})
    assert not organisations & (NOT_ENTITIES | GENERIC_ORGS)
    assert "Twitter" in organisations and "Donald Trump" in persons
    assert all(name.count("(") == name.count(")") for name in persons | organisations)


def test_unclosed_brackets_are_cut_and_organisation_spellings_agree(nlp):
    from indexer.entities import organisation_name

    doc = nlp("The World Health Organization (WHO said on Twitter the Democratic party had met.")
    assert "World Health Organization" in doc._.organizations
    assert not [o for o in doc._.organizations if "(" in o]
    assert organisation_name("Democratic party") == "Democratic Party"
    assert organisation_name("U.S. Senate") == organisation_name("US Senate") == "US Senate"
    assert organisation_name("U.S.") == "U.S."  # a bare "U.S." organisation is left alone
    assert organisation_name("the party") == "the party"
    doc = nlp.make_doc("the World Health Organization (WHO) and Congress ( met")
    assert clean_span(doc, 1, 7, "ORG") == (1, 4)  # "(WHO)" closes but ends as stray ")"
    assert clean_span(doc, 1, 6, "ORG") == (1, 4)
    assert clean_span(doc, 8, 10, "ORG") == (8, 9)


def test_the_netherlands_is_listed_as_netherlands(nlp):
    doc = nlp("Dutch farmers protested in the Netherlands and in Holland on Monday.")
    assert doc._.countries == [{"name": "Netherlands", "code": "NL"}]


@pytest.fixture(scope="module")
def bbc(nlp):
    """BBC articles by file name, annotated on first use (read from ../shared, never copied)."""
    cache: dict = {}

    def annotated(name: str):
        if name not in cache:
            cache[name] = nlp(article_text(BBC / name))
        return cache[name]

    return annotated


def test_a_first_name_and_a_surname_used_alone_is_a_person_though_tagged_org(bbc):
    doc = bbc("sport/005.txt")
    assert {"Alistair Cragg", "Carolina Kluft"} <= set(doc._.persons)
    assert not {"Alistair Cragg", "Carolina Kluft"} & set(doc._.organizations)


def test_a_person_the_model_tags_a_product_is_a_person_when_it_tags_the_surname_one(bbc, nlp):
    # "fellow American Justin Gatlin" is a PRODUCT to the model, "behind Gatlin" a PERSON.
    assert "Justin Gatlin" in bbc("sport/003.txt")._.persons
    # A work or an event opening with a first name is none: no "Agreement" is a person.
    doc = nlp(wikinews_article("Greta Thunberg named 2019 Time Person"))
    assert not [p for p in doc._.persons if "Agreement" in p]


def test_a_works_title_with_a_colon_is_no_person(bbc):
    # "My Heart is My Own: The Life of Mary Queen of Scots", a PERSON to the model.
    persons = bbc("entertainment/007.txt")._.persons
    assert "Andrea Levy" in persons
    assert not [p for p in persons if ":" in p]


def test_a_name_ending_in_a_plain_word_of_the_article_with_no_first_name_is_no_person(bbc):
    # Nicholas Negroponte's book "Being Digital": "digital" is a plain word of the article.
    persons = bbc("tech/004.txt")._.persons
    assert "Being Digital" not in persons
    assert [p for p in persons if "Negroponte" in p]


def test_a_short_form_capitalised_at_a_sentence_start_joins_the_full_name(bbc):
    # "... by Philip van Doren Stern." then "... from Van Doren Stern's family".
    persons = bbc("entertainment/003.txt")._.persons
    assert "Philip van Doren Stern" in persons
    assert "Van Doren Stern" not in persons


def test_a_speaker_the_model_left_untagged_is_a_person(bbc, nlp):
    # "The Shadow Secretary of State for the Family, Theresa May, said: ..." (no entity)
    assert "Theresa May" in bbc("politics/001.txt")._.persons
    # Only the start of a run of untagged names, and no organisation word: not "Cos Inc".
    from indexer.entities import _speaking_names

    doc = nlp("Action Performance Cos Inc said Friday it had agreed to buy Motorsport Traditions.")
    doc.ents = []
    assert not _speaking_names(doc, numpy.ones(len(doc), dtype=bool))
    doc = nlp("The Shadow Secretary, Theresa May, said the plans were old.")
    doc.ents = []
    assert [m.words for m in _speaking_names(doc, numpy.ones(len(doc), dtype=bool))] == [
        ("Theresa", "May")]


def test_a_first_name_before_a_word_never_used_alone_stays_an_organisation(nlp):
    from indexer.entities import is_given_name

    doc = nlp(wikinews_article("Al Noor Mosque"))
    assert is_given_name("Al")
    assert not [p for p in doc._.persons if p.endswith("Mosque")]
    assert is_given_name("Stanley")  # so "Morgan Stanley" ends in a first name: not a person


def test_a_capitalised_word_the_article_writes_in_lower_case_is_no_name(nlp):
    doc = nlp(wikinews_article("Dorsa Derakhshani"))
    assert "Chess" not in doc._.organizations
    assert "Dorsa Derakhshani" in doc._.persons


def test_a_person_the_article_puts_things_in_is_the_geonames_place(bbc):
    doc = bbc("politics/004.txt")
    assert "Manchester" not in doc._.persons
    assert {"name": "United Kingdom", "code": "GB"} in doc._.countries


def test_a_job_word_before_a_name_is_cut(bbc):
    doc = bbc("entertainment/007.txt")
    assert "Andrea Levy" in doc._.persons
    assert not [p for p in doc._.persons if p.startswith("Novelist")]


def test_a_word_opening_the_sentence_before_a_first_name_is_cut(bbc):
    """The model takes the paragraph's first word into the name: a job the titles list lacks
    ("Sprinter Kelly Holmes", "Backbencher Stephen Pound") or an adverb ("Nevertheless")."""
    doc = bbc("entertainment/189.txt")
    assert "Kelly Holmes" in doc._.persons and "Sprinter Kelly Holmes" not in doc._.persons
    doc = bbc("politics/257.txt")
    assert "Stephen Pound" in doc._.persons and "Backbencher Stephen Pound" not in doc._.persons
    doc = bbc("entertainment/236.txt")  # "Nevertheless Franz Ferdinand were the only UK band"
    assert not [p for p in doc._.persons if p.startswith("Nevertheless")]


def test_initials_particles_and_a_surname_written_first_are_kept(nlp):
    doc = nlp("J van Niekerk scored twice. Al-Walid bin Talal bought the hotel.\n\n"
              "Malaysian tycoon Khoo Kay Peng owns the rest.\n\n"
              "Khoo Kay Peng said he would keep it. Mr Khoo is 66.")
    assert {"J van Niekerk", "Al-Walid bin Talal", "Khoo Kay Peng"} <= set(doc._.persons)


def test_a_name_after_the_musical_is_a_work_not_a_person(bbc):
    assert "Mary Poppins" not in bbc("entertainment/005.txt")._.persons


def test_a_plural_acronym_is_a_kind_not_an_organisation(bbc):
    """The model tags "MPs" ORG in these two; members of parliament are no one body."""
    for name in ("politics/040.txt", "politics/048.txt"):
        doc = bbc(name)
        assert "MPs" in {e.text for e in doc.ents if e.label_ == "ORG"}, name
        assert "MPs" not in doc._.organizations and "MPs" not in doc._.persons, name


def test_an_event_or_a_prize_is_not_an_organisation(bbc):
    orgs = [*bbc("sport/003.txt")._.organizations, *bbc("entertainment/007.txt")._.organizations]
    assert not [o for o in orgs if o.endswith(("Grand Prix", "Prize", "Championships"))]


def test_an_award_ceremony_a_trade_show_and_a_prize_alone_are_no_organisations_or_people(bbc):
    doc = bbc("entertainment/041.txt")  # "success at the Oscars in February", tagged ORG
    assert "Oscars" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert "Oscars" not in doc._.organizations
    doc = bbc("entertainment/371.txt")  # "Oscar" tagged PERSON: the prize, no one's name
    assert "Oscar" in {e.text for e in doc.ents if e.label_ == "PERSON"}
    assert "Oscar" not in doc._.persons and "Oscar" not in doc._.organizations
    orgs = bbc("tech/052.txt")._.organizations  # "the Electronic Entertainment Expo (E3)"
    assert "Microsoft" in orgs and "Electronic Entertainment Expo" not in orgs and "E3" not in orgs
    orgs = bbc("tech/155.txt")._.organizations  # "the Consumer Electronics Show", then "CES"
    assert "CES" not in orgs and "Consumer Electronics Show" not in orgs
    orgs = bbc("business/410.txt")._.organizations  # "the Detroit Motor Show"
    assert "DaimlerChrysler" in orgs and "Detroit Motor Show" not in orgs
    for name in ("sport/063.txt", "sport/087.txt"):  # "run in this year's Worlds", "for the
        doc = bbc(name)  # Worlds": the World Championships, tagged ORG or PERSON
        assert "Worlds" not in doc._.organizations and "Worlds" not in doc._.persons, name


def test_a_law_a_treaty_a_budget_or_a_convention_is_no_organisation(bbc, nlp):
    doc = bbc("politics/142.txt")  # "the referendum on the EU Constitution", tagged ORG
    assert "the EU Constitution" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert doc._.organizations.count("European Union") == 1
    assert "EU" not in doc._.organizations and "EU Constitution" not in doc._.organizations
    orgs = bbc("business/296.txt")._.organizations  # "its Multi-Fibre Agreement (MFA)"
    assert "World Trade Organisation" in orgs
    assert "Multi-Fibre Agreement" not in orgs and "MFA" not in orgs
    assert "Budget" not in bbc("politics/005.txt")._.organizations  # "the Budget" of March
    doc = nlp(wikinews_sentence("Tenure of Office Act"))
    assert "Tenure of Office Act" not in doc._.organizations
    # A body's word heading the name with "of", or "&" of a firm's name, keeps a body.
    assert "Office of Management and Budget" in bbc("business/326.txt")._.organizations
    assert "Axa Equity & Law" in bbc("business/281.txt")._.organizations
    doc = nlp(wikinews_sentence("UCLA School of Law"))
    assert "UCLA School of Law" in doc._.organizations


def test_an_acronym_spelt_out_in_lower_case_is_a_term_not_a_body(bbc, nlp):
    doc = bbc("business/169.txt")  # "an initial public offer (IPO)", tagged ORG
    assert "IPO" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert "IPO" not in doc._.organizations
    orgs = bbc("tech/358.txt")._.organizations  # "digital rights management (DRM)"
    assert "DRM" not in orgs and "TPM" not in orgs
    assert "ISP" not in bbc("business/252.txt")._.organizations  # "Internet service provider"
    # A body's name is capitalised ("the World Economic Forum (WEF)"); written in lower case,
    # it ends in an organisation word.
    assert "WEF" in bbc("business/487.txt")._.organizations
    doc = nlp("MPs on the public accounts committee (PAC) said the project was late.")
    assert "PAC" in doc._.organizations


def test_a_work_an_actor_plays_in_is_no_organisation(bbc, nlp):
    doc = bbc("entertainment/198.txt")  # "Keaveney, who appeared in Brookside, ..."
    assert "Brookside" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert "Brookside" not in doc._.organizations
    assert "Vera Drake" not in bbc("entertainment/352.txt")._.organizations  # "his role in"
    # A body's name that qualifies what follows it stays a body.
    assert "BBC" in bbc("entertainment/224.txt")._.organizations  # "appeared in BBC series"
    assert "Labour" in bbc("politics/009.txt")._.organizations  # "his role in Labour's ..."
    assert "Tigers" in bbc("sport/391.txt")._.organizations  # "his role in the Tigers revival"
    # A defendant appears in a court: "appears in Christchurch District Court".
    doc = nlp(wikinews_sentence("appeared in Christchurch District Court"))
    assert "Christchurch District Court" in doc._.organizations


def test_a_street_a_building_a_river_or_an_event_that_looks_personal_is_no_person(bbc, nlp):
    doc = nlp(wikinews_article("Karl Marx Avenue"))
    assert "Karl Marx Avenue" not in doc._.persons
    for name, place in (("sport/321.txt", "Lansdowne Road"), ("politics/393.txt", "Victoria Tower"),
                        ("entertainment/012.txt", "River Lagan"), ("sport/499.txt", "Davis Cup"),
                        ("entertainment/325.txt", "Tony Award")):
        doc = bbc(name)
        assert place in doc.text and place not in doc._.persons, name
    assert "Liam Neeson" in bbc("entertainment/012.txt")._.persons
    doc = nlp("Nathan Lane starred in the show. Lane said he loved it.")
    assert "Nathan Lane" in doc._.persons  # a surname that is also a street word


def test_a_name_opening_a_title_is_a_work_with_the_names_inside_it(bbc, nlp):
    doc = bbc("entertainment/028.txt")  # "Harry Potter and the Prisoner of Azkaban"
    assert "Harry Potter" in {e.text for e in doc.ents if e.label_ == "PERSON"}
    assert "Harry Potter" not in doc._.persons and "Alfonso Cuaron" in doc._.persons
    doc = nlp("Harry Potter and the Goblet of Fire opens in May. Fans of Azkaban queued.")
    assert "Harry Potter" not in doc._.persons
    doc = nlp("Bob Marley and the Wailers played in London. Bob Marley sang.")
    assert "Bob Marley" in doc._.persons  # a singer and his band: no title
    persons = bbc("entertainment/025.txt")._.persons  # "... and the Half-Blood Prince"
    assert "Harry Potter" not in persons and "Half" not in persons


def test_a_name_that_only_ends_a_longer_title_is_no_entity(bbc, nlp):
    doc = bbc("business/001.txt")  # "the Lord of the Rings trilogy boosted results"
    assert "Rings" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert "Rings" not in doc._.organizations and "Time Warner" in doc._.organizations
    doc = nlp("He was awarded the Most Brilliant Order of the Sun, first class — a high national "
              "honor conferred by the president of Namibia — in 2014.")  # Wikinews
    assert "Sun" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert "Sun" not in doc._.organizations
    # a name of two words, or in capitals, is no title's end
    doc = nlp("She is a Fellow of the Royal Society and a Member of the SNP.")
    assert {"Royal Society", "SNP"} <= set(doc._.organizations)
    # after an office "of the" names its body
    assert "Bundesbank" in nlp("He had been President of the Bundesbank for years.")._.organizations
    assert "Treasury" in nlp("He became Secretary of the Treasury in 2001.")._.organizations


def test_the_kind_of_body_before_its_name_is_no_organisation(bbc, nlp):
    # a capitalised word opening the sentence says what kind of body follows
    doc = nlp("Software giant Microsoft is taking the plunge into the world of blogging.")
    assert "Software" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert doc._.organizations == ["Microsoft"]
    # not a body whose group noun leads a lower-case word, no name
    doc = nlp("Vodafone group chief executive Arun Sarin said sales rose.")
    assert "Vodafone" in doc._.organizations
    # a body's name the model tags a place after a group's noun is an organisation
    doc = bbc("sport/345.txt")  # "Wilkinson's club side Newcastle"
    assert "Newcastle" in {e.text for e in doc.ents if e.label_ == "GPE"}
    assert "Newcastle" in doc._.organizations
    assert "Australia" not in {c["name"] for c in doc._.countries}
    doc = nlp("The visiting side France were beaten.")  # a country's team: still the country
    assert [c["name"] for c in doc._.countries] == ["France"] and not doc._.organizations


def test_the_noun_before_a_name_is_read_singular_and_whole(nlp):
    doc = nlp("Shares in state construction companies Adhi Karya and Semen Gresik have risen.")
    assert doc._.organizations == ["Adhi Karya", "Semen Gresik"] and not doc._.persons
    # the noun goes on to the list's later names, up to a second "and"
    doc = nlp("Nominees include the bands Coldplay and Keane, and Robbie Williams, who won last "
              "year.")
    assert "Keane" in doc._.organizations and doc._.persons == ["Robbie Williams"]
    # a list opens with a name right after its noun
    doc = nlp("The strike hit films and Disney said it would fight.")
    assert doc._.organizations == ["Disney"] and not doc._.works
    # a film-maker is no maker: the person stays a person
    doc = nlp("The sixth and final Star Wars movie may not be suitable for young children, "
              "film-maker George Lucas has said.")
    assert doc._.persons == ["George Lucas"] and not doc._.organizations
    doc = nlp("Independent film-maker Morgan Spurlock may have forced fast-food giant "
              "McDonalds to withdraw its Supersize meals.")
    assert "Morgan Spurlock" in doc._.persons and "McDonalds" in doc._.organizations


def test_a_word_of_a_bodys_name_keeps_a_first_name_and_a_word_a_body(bbc):
    doc = bbc("business/233.txt")  # "licensed to one manufacturer, Forest Laboratories"
    assert "Forest Laboratories" in doc._.organizations
    assert "Forest Laboratories" not in doc._.persons


def test_a_hyphenated_first_name_makes_a_person_of_what_the_model_tags_org(bbc):
    doc = bbc("sport/113.txt")  # "England coach Sven-Goran Eriksson", then "said Eriksson"
    assert "Sven-Goran Eriksson" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert "Sven-Goran Eriksson" in doc._.persons
    assert not {"Sven-Goran Eriksson", "Eriksson"} & set(doc._.organizations)
    persons = bbc("entertainment/045.txt")._.persons  # "in Jean-Pierre Jeunet's A Very Long"
    assert "Jean-Pierre Jeunet" in persons
    from indexer.first_names import is_given_name

    assert is_given_name("Sven-Goran") and is_given_name("Jean-Philippe")
    assert not is_given_name("Rees-Jones")  # a double-barrelled surname


def test_an_initial_and_a_surname_is_a_person_and_joins_the_full_name(bbc):
    doc = bbc("sport/312.txt")  # a team sheet: "M Bortolami, S Parisse", "S Jones" tagged ORG
    assert {"M Bortolami", "S Jones"} <= {e.text for e in doc.ents if e.label_ == "ORG"}
    assert {"M Bortolami", "S Parisse"} <= set(doc._.persons)
    assert not {"M Bortolami", "S Parisse", "S Jones"} & set(doc._.organizations)
    assert "Stephen Jones" in doc._.persons and "S Jones" not in doc._.persons
    assert "Kevin Morgan" in doc._.persons and "K Morgan" not in doc._.persons
    assert "S Club" in bbc("entertainment/319.txt")._.organizations  # the band "S Club 7"
    assert "K Walk" not in bbc("sport/093.txt")._.persons  # "the 50K Walk"


def test_initials_written_together_open_a_persons_name(nlp):
    """British papers print initials without dots ("JK Rowling"): the model leaves them out of
    the surname it tags, or tags the whole an organisation or a place. With the surname used
    alone elsewhere, or a calling before, it is one person's name; an acronym naming a body
    stays one."""
    assert nlp("The poet WH Auden moved to New York in 1939.")._.persons == ["WH Auden"]
    doc = nlp("The novelist JRR Tolkien wrote for children. Tolkien died in 1973.")
    assert doc._.persons == ["JRR Tolkien"] and not doc._.organizations
    doc = nlp("A new edition of the novels of DH Lawrence is due. Lawrence wrote them in Italy.")
    assert doc._.persons == ["DH Lawrence"]
    doc = nlp("Investment bank JP Morgan said profits rose. JP Morgan employs 200,000 people.")
    assert doc._.organizations == ["JP Morgan"] and not doc._.persons
    doc = nlp("AC Milan beat Inter 2-1 on Sunday. The AC Milan coach said he was pleased.")
    assert "AC Milan" in doc._.organizations and not doc._.persons


def test_a_police_rank_in_capitals_is_a_title_not_a_name_or_a_body(nlp):
    """"PC", "DCI", "DI" before a name are ranks, matched as written: "Di Canio" keeps his "Di"."""
    doc = nlp("PC Keith Palmer was stabbed outside Parliament. Colleagues of PC Palmer grieved.")
    assert doc._.persons == ["Keith Palmer"]
    doc = nlp('DCI Neil Thomas led the inquiry. "We are pleased," DCI Thomas said.')
    assert doc._.persons == ["Neil Thomas"] and not doc._.organizations
    doc = nlp("Detective Inspector Sarah Blake said officers were still searching. DI Blake "
              "appealed for witnesses.")
    assert doc._.persons == ["Sarah Blake"] and not doc._.organizations
    doc = nlp("Paolo Di Canio scored twice at Upton Park. Di Canio said he was delighted.")
    assert "Paolo Di Canio" in doc._.persons and "Canio" not in doc._.persons
    # the same capitals name things: no first name or known surname follows them
    doc = nlp('Tim Danton, editor of PC Pro magazine, said: "Prices are falling."')
    assert doc._.persons == ["Tim Danton"]
    assert not nlp("Sales at PC World rose by 5% over Christmas, the retailer said.")._.persons


def test_a_name_a_credit_and_a_person_follow_is_a_work(bbc, nlp):
    doc = bbc("entertainment/075.txt")  # "Harry Potter author JK Rowling"
    assert "Harry Potter" in {e.text for e in doc.ents if e.label_ == "PERSON"}
    assert "Harry Potter" not in doc._.persons and "JK Rowling" in doc._.persons
    persons = bbc("entertainment/347.txt")._.persons  # "Kill Bill director Quentin Tarantino"
    assert "Kill Bill" not in persons and "Quentin Tarantino" in persons
    doc = nlp("Tony Blair adviser Alastair Campbell left. Tony Blair said he was sorry.")
    assert {"Tony Blair", "Alastair Campbell"} <= set(doc._.persons)  # a person's aide


def test_an_acronym_after_a_or_an_is_a_kind_of_thing_not_a_body(bbc, nlp):
    doc = bbc("sport/090.txt")  # honours: "an MBE", "an OBE"
    assert {"MBE", "OBE"} & {e.text for e in doc.ents if e.label_ == "ORG"}
    assert not {"MBE", "OBE"} & set(doc._.organizations)
    assert "RPG" not in bbc("tech/249.txt")._.organizations  # a role-playing game
    doc = nlp("A CBI quarterly survey found gloom. Later a UKIP spokesman said a UKIP whose "
              "leaders quarrel cannot win. The CBI and UKIP disagreed.")
    assert {"CBI", "UKIP"} <= set(doc._.organizations)


def test_a_product_named_after_its_makers_possessive_is_the_product_throughout(bbc):
    doc = bbc("tech/130.txt")
    assert "Xbox" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert "Xbox" not in doc._.organizations and "Microsoft" in doc._.organizations
    orgs = bbc("business/162.txt")._.organizations  # "the one underpinning SBC's AT&T deal"
    assert "AT&T" in orgs and "SBC" in orgs  # the deal is owned, not the company


def test_an_owners_possessive_inside_an_organisation_parts_owner_and_name(nlp):
    """The model takes "the United Nations' Food and Agriculture Organization" or "Bristol's Old
    Vic Theatre School" for one organisation: the owner (a name the article also uses alone, or
    a GeoNames place) and the name after its possessive are two. A name whose possessive is
    its own stays whole ("Transport and General Workers' Union"), and so does one whose owner
    never stands alone ("Moody's Investors Service"). A word that ends only bodies' names
    ("Organization", "Laboratories") keeps the name after the possessive a body, not a product."""
    doc = nlp("The name was agreed with the United Nations' Food and Agriculture Organization. "
              "The United Nations said it was pleased.")
    assert doc._.organizations == ["United Nations", "Food and Agriculture Organization"]
    doc = nlp("Bristol's Old Vic Theatre School trained him. He was born in Bristol.")
    assert doc._.organizations == ["Old Vic Theatre School"]
    doc = nlp("The Transport and General Workers' Union said the deal was bad.")
    assert doc._.organizations == ["Transport and General Workers' Union"]
    doc = nlp("Moody's Investors Service cut its rating.")
    assert doc._.organizations == ["Moody's Investors Service"]
    doc = nlp("Panasonic's Hollywood Laboratories will test the discs. Panasonic said so.")
    assert doc._.organizations == ["Panasonic", "Hollywood Laboratories"] and not doc._.works


def test_a_makers_possessive_before_the_names_own_verb_names_the_product(nlp):
    """"Apple's iPod was launched", "the lead that Apple's iPod made,": the name is the verb's
    subject and heads its phrase, so it is the product; a participle before a noun ("Porsche
    designed P7131 radio") qualifies what follows, and a speech verb's subject is a body."""
    for text in ("Apple's iPod was launched in 2001. The iPod sold well.",
                 "Firms follow the lead that Apple's iPod made, with ease of use. The iPod won."):
        doc = nlp(text)
        assert doc._.works == ["iPod"] and doc._.organizations == ["Apple"], text
    doc = nlp("The Eton Corporation's Porsche designed P7131 radio will be launched. The Porsche "
              "radio is set to go on sale.")
    assert "Porsche" in doc._.organizations and doc._.works == []
    doc = nlp("Profits will fall, Time Warner's AOL said. AOL has 20 million members.")
    assert "AOL" in doc._.organizations and doc._.works == []


def test_a_verb_spelt_like_a_work_noun_and_an_owner_in_a_list_name_no_work(bbc):
    """"will play Cyril Saulnier in the final" (play the verb), "shows such as Channel 4's
    gameshow ..." (the owner, not the show listed), "the game as Celtic drove home" ("as" alone
    lists nothing): the names stay, and no work is reported for the archive's type vote."""
    for name, facet, file in (("Cyril Saulnier", "persons", "sport/424.txt"),
                              ("Channel 4", "organizations", "entertainment/181.txt"),
                              ("Celtic", "organizations", "sport/108.txt")):
        doc = bbc(file)
        assert name in getattr(doc._, facet) and name not in doc._.works, file
    assert "Xbox" in bbc("tech/130.txt")._.works  # "Microsoft's Xbox", the product


def test_a_name_inside_a_longer_title_is_not_the_work(nlp):
    """Doris Day's obituary: "hosted The Doris Day Show", "talk show Doris Day's Best Friends".
    The works are the longer titles: she stays a person of her own obituary, and no work named
    "Doris Day" reaches the archive's type vote; a name the work noun calls the work still is
    one ("the film Vera Drake's director")."""
    doc = nlp(wikinews_article("advocate Doris Day"))
    assert "Doris Day" in doc._.persons and "Doris Day" not in doc._.works
    doc = nlp("The film Vera Drake's director Mike Leigh was there.")
    assert doc._.works == ["Vera Drake"] and doc._.persons == ["Mike Leigh"]


def test_a_title_the_model_tags_nothing_after_a_work_noun_is_a_work(nlp):
    """Reviews write "the film The Aviator" or "the novel, Cloud Atlas," where the model tags no
    name, and "The Aviator" an organisation two sentences on. The work noun's title is listed in
    doc._.works, for the archive's type vote, and the article's other mentions of it are the
    work too; after a plural noun, each title of a list. Not a country, a date or a pronoun
    after "series", "game" or "play", an owner after the noun's comma, nor a title going on in
    figures, which is not known whole."""
    doc = nlp("The biopic The Aviator was a hit. The Aviator tells the story of Howard Hughes.")
    assert doc._.works == ["Aviator"] and doc._.organizations == []
    assert doc._.persons == ["Howard Hughes"]
    doc = nlp("He starred in the film The Aviator last year.")
    assert doc._.works == ["Aviator"]
    doc = nlp("The films The Aviator, Sideways and Ray lead the race. The studios behind The"
              " Aviator and Million Dollar Baby failed.")  # a list, and two titles joined
    # "Ray", tagged a person, goes on the list of "films"
    assert sorted(doc._.works) == ["Aviator", "Ray", "Sideways"] and doc._.organizations == []
    for text in ("England won the series 2-1 in Cape Town.",
                 "The game Saturday was close, and the play I wrote was staged.",
                 "The documentary Fahrenheit 9/11 was made by Michael Moore.",
                 "It was the top film, Ice Cube's road-trip comedy, that won."):
        assert nlp(text)._.works == [], text


def test_a_name_a_product_noun_calls_a_product_is_no_organisation(nlp):
    """The model tags programs, viruses and gadgets organisations. A product noun before the
    name ("file-sharing program BitTorrent", "the virus Zafi-D") or opening a list ("music
    devices like the iPod") calls it a product, as a work noun calls a title a work: it leaves
    the article's organisations and joins its works, for the archive's vote. A name that is the
    subject of a clause on the noun is not its title ("the console Sony launched", "the film
    Disney made"), a maker whose model's name goes on after it ("consoles like the Sony PSP")
    is not the product, a bare noun after a preposition names nothing ("by phone Tony Blair
    said"), and a body the list's noun calls a company stays one."""
    doc = nlp("About 70% were using file-sharing program BitTorrent, the firm said."
              " BitTorrent is popular.")
    assert doc._.works == ["BitTorrent"] and doc._.organizations == []
    doc = nlp("The virus Zafi-D spread fast. Zafi-D plunders Microsoft Outlook for addresses.")
    assert "Zafi-D" in doc._.works and "Zafi-D" not in doc._.organizations
    doc = nlp("Music devices like the iPod sell well. Apple said the iPod sold 10 million.")
    assert doc._.works == ["iPod"] and doc._.organizations == ["Apple"]
    for text in ("He praised the console Sony launched last year. Sony said sales were up.",
                 "He saw the film Disney made. Disney shares rose."):
        doc = nlp(text)
        assert doc._.works == [] and len(doc._.organizations) == 1, text
    doc = nlp("Companies like the BBC and ITV said so.")
    assert doc._.organizations == ["BBC", "ITV"] and doc._.works == []
    doc = nlp("Games for handheld consoles like the Sony PSP and the Nintendo DS sell."
              " Smartphones like the Nokia 6600 are popular.")  # the makers of the products
    assert doc._.organizations == ["Sony", "Nintendo", "Nokia"] and doc._.works == []
    doc = nlp("Handsets like the Orange E200, offering web access, sold well.")  # one span
    assert doc._.organizations == ["Orange"] and doc._.works == []
    for text in ("Speaking by phone Tony Blair said he would stay.",  # a bare noun: adverbial
                 "Later, on camera Gordon Brown looked tired, he said."):
        doc = nlp(text)
        assert len(doc._.persons) == 1 and doc._.works == [], text
    doc = nlp("A spokesman for distributor Toho said the film would open.")  # a bare calling
    assert doc._.organizations == ["Toho"]


def test_a_place_with_a_governor_or_residents_is_no_organisation(nlp):
    """The model tags "Chelyabinsk" an organisation in "Chelyabinsk regional Deputy Governor
    Oleg Klimov" and "Chelyabinsk's governor": a place has a governor and residents, a body has
    none. A body with a governor stays one."""
    doc = nlp(wikinews_article("Magnitogorsk apartment building collapses"))
    assert "Chelyabinsk" not in doc._.organizations and "Oleg Klimov" in doc._.persons
    doc = nlp("The Bank of England governor Mervyn King said rates would stay.")
    assert doc._.organizations == ["Bank of England"]


def test_a_players_position_before_his_name_is_not_part_of_the_club(bbc):
    orgs = bbc("sport/306.txt")._.organizations  # "broke Wasps centre Stuart Abbott's leg"
    assert "Wasps" in orgs and "Wasps Centre" not in orgs


def test_a_name_after_a_work_noun_and_the_titles_own_the_is_a_work(bbc):
    doc = bbc("entertainment/066.txt")  # "Horror movie The Grudge", where "The" is left out
    assert "Grudge" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert "Grudge" not in doc._.organizations and "Sony Pictures" in doc._.organizations
    doc = bbc("entertainment/189.txt")  # "Long-running soap EastEnders won ..."
    assert "EastEnders" not in doc._.organizations and "ITV" in doc._.organizations


def test_a_first_name_and_a_surname_the_article_never_writes_in_lower_case_is_a_person(bbc):
    doc = bbc("entertainment/012.txt")
    assert "Adrian Dunbar" in doc._.persons
    assert "Adrian Dunbar" not in doc._.organizations


def test_a_surname_several_people_share_is_the_first_one_named(nlp):
    doc = nlp(wikinews_article("Maya Rockeymoore Cummings"))
    assert "Cummings" not in doc._.persons
    assert doc._.persons[0] == "Elijah Eugene Cummings"


def test_a_name_given_before_a_relative_with_a_longer_one_is_not_the_relative(nlp):
    """Gloria Vanderbilt's obituary names her first, then "her widowed mother, Gloria Morgan
    Vanderbilt": she is not her mother, and the lone "Vanderbilt" of the story is her; a short
    name with no relative between still takes the longer one (Elijah Eugene Cummings, above)."""
    doc = nlp(wikinews_article("heiress Gloria Vanderbilt"))
    assert doc._.persons[0] == "Gloria Vanderbilt"
    assert "Gloria Morgan Vanderbilt" in doc._.persons  # the mother, once
    canonical = Counter(e["canonical"] for e in doc._.entities if e["label"] == "PERSON")
    assert canonical["Gloria Vanderbilt"] > 10 and canonical["Gloria Morgan Vanderbilt"] == 1


def test_a_name_the_model_cut_in_two_is_one_person(bbc):
    persons = bbc("business/012.txt")._.persons
    assert "Susilo Bambang Yudhoyono" in persons
    assert not {"Susilo Bambang", "Yudhoyono"} & set(persons)


def test_a_party_and_titles_before_a_name_are_cut(bbc):
    persons = bbc("politics/007.txt")._.persons
    assert "Ashcroft" in persons
    assert not [p for p in persons if p.startswith("Tory")]


def test_a_name_after_a_company_noun_is_an_organisation_in_all_its_mentions(bbc):
    doc = bbc("business/003.txt")  # "oil giant Yukos", then "Yukos" alone
    assert "Yukos" in doc._.organizations
    assert "Yukos" not in doc._.persons


def test_a_name_after_a_capitalised_the_or_in_apposition_to_novel_is_a_work(bbc):
    assert "Da Vinci Code" not in bbc("entertainment/009.txt")._.persons  # "The Da Vinci Code"
    assert "Cloud Atlas" not in bbc("entertainment/004.txt")._.persons  # "novel, Cloud Atlas,"
    assert "Kim Gevaert" in bbc("sport/009.txt")._.persons  # "Belgium rival Kim Gevaert"


def test_an_acronym_and_a_short_form_resolve_to_the_full_name_in_the_article(bbc):
    orgs = bbc("politics/006.txt")._.organizations  # "National Audit Office" then "NAO"
    assert "National Audit Office" in orgs and "NAO" not in orgs
    orgs = bbc("politics/005.txt")._.organizations  # "Labour Party" then "Labour"
    assert "Labour Party" in orgs and "Labour" not in orgs


def test_a_clipped_or_singular_name_beside_the_full_one_is_one_organisation(bbc):
    orgs = bbc("politics/007.txt")._.organizations  # "Lib Dem" and "Liberal Democrats"
    assert "Liberal Democrats" in orgs and "Lib Dem" not in orgs
    orgs = bbc("business/422.txt")._.organizations  # "News Corp" and "News Corporation"
    assert "News Corporation" in orgs and "News Corp" not in orgs
    orgs = bbc("politics/373.txt")._.organizations  # "EU Commission", "European Commission"
    assert "European Commission" in orgs and "EU Commission" not in orgs
    orgs = bbc("tech/368.txt")._.organizations  # "Arbor Networks", once "Arbor Network"
    assert "Arbor Networks" in orgs and "Arbor Network" not in orgs
    assert not shortened("One", "Online")  # "BBC One" is not "BBC Online"
    assert shortened("Dems", "Democrats") and shortened("Corp", "Corporation")


def test_a_shipped_nickname_beside_the_article_s_own_name_is_one_organisation(bbc):
    orgs = bbc("politics/001.txt")._.organizations  # "Tories" and "Conservatives"
    assert "Conservatives" in orgs and "Tories" not in orgs
    orgs = bbc("business/121.txt")._.organizations  # "Fed" and "Federal Reserve"
    assert "Federal Reserve" in orgs and "Fed" not in orgs


def test_a_country_before_a_name_the_article_uses_alone_is_dropped(bbc):
    orgs = bbc("business/002.txt")._.organizations
    assert "Federal Reserve" in orgs and "US Federal Reserve" not in orgs


def test_an_article_before_an_organisation_is_cut_and_a_station_keeps_its_number(bbc):
    orgs = bbc("politics/005.txt")._.organizations
    assert "Conservative Party" in orgs and "a Conservative Party" not in orgs
    assert "BBC Radio 4" in orgs and "BBC Radio" not in orgs


def test_a_lone_first_name_or_brand_the_article_never_joins_to_a_full_name_is_no_person(bbc):
    assert "Sandra" not in bbc("politics/011.txt")._.persons  # "his wife, Sandra,"
    persons = bbc("business/005.txt")._.persons  # "Courvoisier brandy", "Glenmorangie"
    assert not {"Courvoisier", "Glenmorangie", "Stolichnaya"} & set(persons)
    assert "Mr Balls" not in bbc("politics/005.txt")._.persons


def test_a_lone_name_after_a_title_or_that_speaks_stays_a_person(seed):
    assert {"Trump", "Peskov"} <= set(seed._.persons)  # "President Trump", "Peskov said"


def test_a_person_the_model_took_into_another_entity_is_found(nlp, bbc):
    doc = nlp(wikinews_article("the House Nancy Pelosi"))
    assert "Nancy Pelosi" in doc._.persons
    assert not [o for o in doc._.organizations if "Pelosi" in o]
    doc = bbc("sport/001.txt")  # "Russian Irina Shevchenko"
    assert "Irina Shevchenko" in doc._.persons
    assert {"name": "Russia", "code": "RU"} in doc._.countries


def test_a_lone_surname_a_pronoun_takes_up_stays_a_person(nlp):
    para = next(p for p in (BBC / "sport/010.txt").read_text(encoding="utf-8").split("\n")
                if "such a strong field" in p)  # "Collins ran in ... ," he said"
    assert "Collins" in nlp(para)._.persons


def test_a_possessive_or_a_lower_case_word_ends_a_name(bbc):
    assert "Joseph O'Connor" in bbc("entertainment/004.txt")._.persons  # "O'Connor's Star"
    assert "Luc Bondy" in bbc("entertainment/008.txt")._.persons  # "Luc Bondy for Cruel"


def test_a_name_the_model_tags_a_work_elsewhere_is_a_work(bbc):
    assert "Vagina Monologues" not in bbc("entertainment/010.txt")._.persons


def test_a_first_name_and_a_surname_the_article_uses_alone_is_a_person_whatever_it_is(nlp):
    doc = nlp(wikinews_article("Antoine Quirin"))  # "officers Antoine Quirin and", "by Quirin"
    assert "Antoine Quirin" in doc._.persons
    assert "Antoine Quirin" not in doc._.organizations


def test_an_organisation_the_article_puts_things_in_is_the_geonames_place(bbc):
    assert "Colchester" not in bbc("sport/001.txt")._.organizations


def test_an_organisation_ending_in_an_adjective_was_cut_short(bbc):
    assert "British Olympic" not in bbc("sport/010.txt")._.organizations


def test_a_caption_label_run_into_a_name_is_cut(nlp):
    doc = nlp(wikinews_article("Image: Jo Jorgensen for President"))
    assert not [p for p in doc._.persons if "Image" in p]
    assert "Jo Jorgensen" in doc._.persons
    for e in doc._.entities:
        assert doc.text[e["start"]:e["end"]] == e["text"]


def test_a_country_an_entity_cuts_across_or_ends_with_is_named(nlp, bbc):
    assert {"name": "Saint Kitts and Nevis", "code": "KN"} in bbc("sport/010.txt")._.countries
    assert "Kitts" not in bbc("sport/010.txt")._.persons  # "The St Kitts and" tagged PERSON
    doc = nlp(wikinews_article("Northern Ireland and the Republic of Ireland"))
    assert {"name": "Ireland", "code": "IE"} in doc._.countries
    doc = nlp("Grain prices rose in South America and in North and South Korea.")
    assert {"name": "South Korea", "code": "KR"} in doc._.countries
    assert {"name": "United States", "code": "US"} not in doc._.countries


def test_a_place_opening_an_event_is_named(bbc):
    assert {"name": "United States", "code": "US"} in bbc("sport/005.txt")._.countries


def test_the_source_is_not_an_organisation_of_its_own_articles(nlp):
    from indexer.annotation import annotate
    from indexer.sources import read_sources

    rows = [a for a in read_sources([ROOT / "seeds" / "wikinews-2019-2020.csv"])
            if "Wikinews" in a.body][:3]
    assert rows and all(a.source == "Wikinews" for a in rows)
    for record in annotate(rows, nlp, workers=0):
        assert "Wikinews" not in record["organizations"]


def test_an_organisation_that_is_a_rank_or_an_office_is_none(nlp):
    doc = nlp(wikinews_article("Iranian Grand Master Ehasn"))  # "Iranian Grand" + "Master"
    assert not [o for o in doc._.organizations if "Grand" in o or "Master" in o]


def test_an_adviser_s_office_is_no_organisation(nlp):
    # "National Security Adviser John Bolton": the office before a name is no body.
    doc = nlp(wikinews_article("National Security Adviser John Bolton"))
    assert "National Security" not in doc._.organizations
    assert "John Bolton" in doc._.persons


def test_an_organisation_opening_with_a_form_of_address_is_a_person(nlp):
    doc = nlp("Ed Balls denied the claim. Mr Balls, who stepped down from his Treasury post, "
              "said the Budget would be prudent.")
    assert "Mr Balls" not in doc._.organizations
    assert "Ed Balls" in doc._.persons


def test_words_of_another_script_are_no_names(nlp):
    doc = nlp(wikinews_article("Farsi language:"))
    for e in doc._.entities:
        if e["label"] in ("PERSON", "ORG"):
            assert any("a" <= c.lower() <= "z" for c in e["canonical"]), e


def test_an_acronym_in_brackets_stands_for_the_organisation_before_it(nlp):
    doc = nlp("The Federal Security Service (FSB) said gas caused the blast. The FSB denies "
              "that the two explosions are linked, but FSB sources have told reporters more.")
    assert "FSB" not in doc._.organizations
    assert "Federal Security Service" in doc._.organizations


def test_a_country_spelled_two_ways_before_one_body_is_one_body(nlp):
    doc = nlp(wikinews_article("plays for the United States Chess Federation"))
    assert "United States Chess Federation" in doc._.organizations
    assert "US Chess Federation" not in doc._.organizations


def test_an_organisation_put_in_a_place_is_the_place_though_a_first_name_too(nlp):
    doc = nlp("Iran was allowed to use the consulate in Erbil.")  # "Erbil": a Turkish name
    assert "Erbil" not in doc._.organizations
    assert {"name": "Iraq", "code": "IQ"} in doc._.countries


def test_a_product_or_programme_after_its_owners_possessive_is_no_organisation(nlp):
    doc = nlp("IBM said it will add Linux-based elements to IBM's Workplace software, a suite "
              "of programs for desktop computers.")
    assert "Workplace" not in doc._.organizations
    assert "IBM" in doc._.organizations


def test_an_owned_name_a_product_or_scheme_noun_follows_is_the_owners_thing(bbc):
    # "IBM's Workplace software", then "Workplace is a suite": the product throughout.
    orgs = bbc("tech/012.txt")._.organizations
    assert "IBM" in orgs and "Workplace" not in orgs
    orgs = bbc("tech/153.txt")._.organizations  # "Nintendo first launched its GameBoy console"
    assert "Nintendo" in orgs and "GameBoy" not in orgs
    assert "Connected World" not in bbc("tech/005.txt")._.organizations  # "its ... initiative"
    # A unit is a body: "Its Global Investors wing made ...", said of Barclays.
    assert "Global Investors" in bbc("business/126.txt")._.organizations


def test_a_verb_opening_an_organisation_at_a_sentence_start_is_cut(nlp):
    doc = nlp(wikinews_article("Enrolling Minetest"))
    assert not [o for o in doc._.organizations if o.startswith("Enrolling")]


def test_a_person_the_article_also_writes_in_the_plural_is_a_group(nlp):
    doc = nlp("Lib Dem leader Charles Kennedy said the Lib Dems would do well in the south. "
              "Tory chairman Liam Fox said the Tories would not.")
    assert {"Lib Dem", "Lib Dems", "Tories"}.isdisjoint(doc._.persons)
    assert "Lib Dems" in doc._.organizations
    assert "Charles Kennedy" in doc._.persons


def test_a_quoted_nickname_is_no_part_of_the_canonical_name(nlp):
    doc = nlp('She married the Hollywood agent Pasquale "Pat" Di Cicco in 1941.')
    assert "Pasquale Di Cicco" in doc._.persons
    assert not [p for p in doc._.persons if '"' in p]


def test_a_lower_case_word_hyphen_joined_to_a_name_is_part_of_it(nlp):
    doc = nlp("Legislator Yolanda Yu Hoi-kwan was hit by a tear gas canister on Sunday.")
    assert "Yolanda Yu Hoi-kwan" in doc._.persons
    assert "Yolanda Yu Hoi" not in doc._.persons


def test_a_place_and_a_club_word_tagged_a_person_is_a_club(nlp, bbc):
    doc = nlp("Manchester United beat Leeds United 2-0 at Old Trafford on Saturday, and "
              "Sir Alex Ferguson said Manchester United had played well.")
    assert {"Manchester United", "Leeds United"}.isdisjoint(doc._.persons)
    assert "Manchester United" in doc._.organizations
    assert "Alex Ferguson" in doc._.persons
    # "Sheffield United", tagged ORG: a place that is also a first name, and a club word.
    doc = bbc("sport/178.txt")
    assert "Sheffield United" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert "Sheffield United" not in doc._.persons
    assert "Sheffield United" in doc._.organizations


def test_an_organisation_the_model_stopped_short_runs_to_its_whole_name(nlp):
    doc = nlp("But the Court of Appeals for the District of Columbia ruled against the firms. "
              "Analyst Nick Van den Brul of BNP Paribas said the results were strong.")
    assert "Court of Appeals for the District of Columbia" in doc._.organizations
    assert "Court of Appeals" not in doc._.organizations
    assert "BNP Paribas" in doc._.organizations
    doc = nlp("Shadow Secretary of State for the Family Theresa May criticised the plan.")
    assert not [o for o in doc._.organizations if "Family" in o]


def test_a_calling_before_a_lone_name_or_an_administration_after_it_makes_a_person(nlp):
    doc = nlp("He remembers first hearing classical composer Mozart as a boy. The demand was "
              "filed by the Clinton administration in 1999. German music publisher "
              "Bertelsmann bought the label.")
    assert {"Mozart", "Clinton"} <= set(doc._.persons)
    assert "Bertelsmann" not in doc._.persons


def test_first_names_the_model_left_out_of_a_person_are_taken_in(nlp):
    doc = nlp("Police Senior Superintendent Yolanda Yu Hoi-kwan said at a press conference "
              "that officers had acted lawfully.")
    assert "Yolanda Yu Hoi-kwan" in doc._.persons


def test_a_nickname_between_two_parts_of_a_name_joins_them(nlp):
    doc = nlp('Edward Lodewijk "Eddie" Van Halen, the lead guitarist, has died. Eddie Van Halen '
              "was 65.")
    assert doc._.persons == ["Edward Lodewijk Van Halen"]


def test_a_person_the_model_left_untagged_after_a_form_of_address_is_found(nlp):
    doc = nlp("Imelda Staunton was named best actress, and Dame Judi Dench was best supporting "
              "actress for her part in the play. Thank you, Mr Vice President.")
    assert "Judi Dench" in doc._.persons
    assert "Vice President" not in doc._.persons


def test_a_place_before_a_person_the_model_ran_into_an_organisation_is_cut(nlp):
    doc = nlp(wikinews_article("Bernie Sanders ends 2020 US presidential bid"))
    assert "Vermont Bernie Sanders" not in doc._.organizations
    assert "Bernie Sanders" in doc._.persons


def test_a_person_the_model_tags_a_body_or_place_is_found_by_age_or_lone_surname(nlp):
    doc = nlp("Police named the victim as 52-year-old Tavish Lindqvist, a nurse from the town. "
              "The first victim was 40-year-old Thayalan Sivapalan, a former employee.")
    assert {"Tavish Lindqvist", "Thayalan Sivapalan"} <= set(doc._.persons)
    assert "Tavish Lindqvist" not in doc._.organizations
    doc = nlp("Former champion Jonathan Hale believes Phillips Okafor can win gold in Madrid. "
              "Hale himself kept Okafor off the top spot at the Glasgow meeting.")
    assert "Phillips Okafor" in doc._.persons


def test_a_geonames_place_after_a_place_noun_is_no_organisation(nlp):
    doc = nlp("The prize will be presented in the author's hometown of Odense next spring.")
    assert "Odense" not in doc._.organizations


def test_a_makers_name_and_a_products_is_the_maker(nlp):
    doc = nlp("The Nokia Communicator was the first phone of its kind. Nokia made it in Finland, "
              "and Nokia sold it for years. Nokia later stopped. NBC said NBC News and Fox News "
              "would both cover the launch.")
    assert "Nokia Communicator" not in doc._.organizations
    assert {"Nokia", "NBC News", "Fox News"} <= set(doc._.organizations)


def test_a_body_that_only_qualifies_a_result_or_a_meeting_is_no_organisation(nlp):
    doc = nlp("Former Commonwealth 400m silver medallist Ada Okoro will race in Glasgow on "
              "Friday. She won the AAA title last year.")
    assert not doc._.organizations
    assert doc._.persons == ["Ada Okoro"]
    doc = nlp("Commonwealth leaders met in Malta. The Commonwealth said it would send observers.")
    assert doc._.organizations == ["Commonwealth"]


def test_a_party_named_by_its_members_is_an_organisation(nlp):
    doc = nlp("The Tories dismissed the housing plan as a gimmick, while the Liberal Democrats "
              "said it came too late. Both parties will publish their own election pledges "
              "next week.")
    assert set(doc._.organizations) == {"Tories", "Liberal Democrats"}
    doc = nlp("The Democrats won the House, and the Democratic Party will choose its leader in "
              "January. Party officials said turnout was high.")
    assert doc._.organizations == ["Democratic Party"]
    doc = nlp("Muslims and Christians prayed together in the square on Friday, the organisers "
              "said.")
    assert not doc._.organizations


def test_two_surnames_joined_in_an_article_on_an_election_are_a_ticket_not_a_body(nlp):
    doc = nlp("Joe Biden and Kamala Harris spoke in Delaware before the election. Biden-Harris "
              "released a statement: \"We cannot accept this.\"")
    assert not doc._.organizations
    assert set(doc._.persons) == {"Joe Biden", "Kamala Harris"}
    doc = nlp("The Reform Party nominated Rocky De La Fuente and Darcy Richardson. The De La "
              "Fuente/Richardson ticket has ballot access in 15 states.")
    assert doc._.organizations == ["Reform Party"]
    # no election: two founders' names are their firm's
    doc = nlp("Bill Hewlett and David Packard founded Hewlett-Packard in a garage.")
    assert doc._.organizations == ["Hewlett-Packard"]


def test_an_organisation_word_before_a_name_introduces_it_and_alone_names_no_body(nlp):
    doc = nlp("Neighbors told CBS station KDKA-TV that the area is usually quiet.")
    assert "CBS Station" not in doc._.organizations and "CBS" in doc._.organizations
    doc = nlp("The Commerce department Friday said that sales rose.")  # a date is no name
    assert doc._.organizations == ["Commerce Department"]
    doc = nlp("It claims this was later covered up by the Church. Visitors filled the Centre.")
    assert not doc._.organizations


def test_an_organisation_and_the_group_word_the_model_tags_apart_are_one_party(nlp):
    # The model tags ORG "Liberal" and NORP "Democrat": the archive then joined "Liberal" to
    # Australia's "Liberal Party" in 16 BBC articles.
    doc = nlp("He passed on his congratulations, as did Conservative leader Michael Howard and "
              "Liberal Democrat leader Charles Kennedy.")
    assert doc._.organizations == ["Liberal Democrat"]
    # not after an owner's possessive (the model tags "Countryfile" NORP), nor a country's people
    doc = nlp("He told BBC One's Countryfile programme that farmers were worried.")
    assert not any("Countryfile" in name for name in doc._.organizations)
    doc = nlp("Arsenal\n\nArsenal's Brazilian midfielder Edu has been fined.")
    assert "Arsenal" in doc._.organizations
    assert not any("Brazilian" in name for name in doc._.organizations)
    # the model tags NORP "Democrats" alone, "Liberal" nothing
    doc = nlp("The Liberal Democrats say they also oppose the plan, and the party will vote "
              "against it.")
    assert doc._.organizations == ["Liberal Democrats"]
    # a chamber, or an acronym, and a party's members stay two (ORG "Senate", NORP "Democrats")
    doc = nlp("Senate Democrats blocked the bill on Tuesday, before the election.")
    assert "Senate Democrats" not in doc._.organizations
    doc = nlp("Some GOP Republicans objected before the election.")
    assert "GOP Republicans" not in doc._.organizations
    doc = nlp("He dropped out of the race.\n\nFellow Democrats were more supportive of the "
              "party's choice.")
    assert "Fellow Democrats" not in doc._.organizations


def test_a_body_named_by_a_shipped_nickname_is_an_organisation_without_a_word_on_parties(nlp):
    # No "party" or "election" here, so only the shipped alias ("Tories" -> "Conservative
    # Party") says the model's "nationality or group" is a body; a plural without one stays none.
    doc = nlp("The Tories wanted a sunset clause on the anti-terror laws. Ministers said they "
              "would think again.")
    assert doc._.organizations == ["Tories"]
    doc = nlp("Muslims and Christians prayed together in the square on Friday, and ministers "
              "said they would think again.")
    assert not doc._.organizations


def test_an_organisation_cut_short_before_lower_case_or_elided_words_gets_its_whole_name(nlp):
    doc = nlp("The two officers served in the Groupe de Sécurité et d’Intervention, a unit of "
              "the national police.")
    assert doc._.organizations == ["Groupe de Sécurité et d’Intervention"]
    doc = nlp("The forum was run by the League of Women voters for decades. Critics said the "
              "League of Women Voters was fairer.")
    assert doc._.organizations == ["League of Women Voters"]


def test_two_bodies_sharing_a_plural_organisation_word_are_each_named_with_it(nlp):
    doc = nlp("The Senate Judiciary and Intelligence committees will hold hearings next week.")
    assert doc._.organizations == ["Senate Judiciary Committee", "Senate Intelligence Committee"]


def test_names_listed_after_a_calling_are_people_and_after_a_work_noun_are_works(nlp):
    doc = nlp("The critics praised ancient historians such as Thucydides, Polybius and Plutarch.")
    assert "Thucydides" in doc._.persons
    assert "Thucydides" not in doc._.organizations
    doc = nlp("The actor, whose films include Silent Harbour, Michael Collins and The Crying "
              "Game, was honoured on Monday.")
    assert not doc._.persons
    doc = nlp("Analysts said firms like Amazon and Tesco would gain.")
    assert doc._.organizations == ["Amazon", "Tesco"]


def test_one_organisation_spelled_with_and_without_a_space_or_domain_is_one(nlp):
    doc = nlp("Shoppers were sent to Amazon.com for the books. Critics said Amazon would gain "
              "most, and Amazon declined to comment.")
    assert doc._.organizations == ["Amazon.com"]
    doc = nlp("Profits at Time Warner rose 76% in the quarter. TimeWarner said its film "
              "division had a weak year.")
    assert doc._.organizations == ["Time Warner"]


def test_a_first_name_of_a_person_found_by_a_lone_surname_is_no_organisation(nlp):
    doc = nlp("Former champion Jonathan Hale believes Phillips Okafor can win gold in Madrid. "
              "Hale himself kept Okafor off the top spot at the Glasgow meeting. Phillips has "
              "been in fine form.")
    assert not doc._.organizations
    assert "Phillips Okafor" in doc._.persons


def test_a_capitalised_phrase_of_the_articles_plain_words_is_no_organisation(nlp):
    doc = nlp("A flaw in Media Player lets an attacker take over a machine, because the player "
              "opens files from the web without checking them. The media files are common.")
    assert not doc._.organizations
    doc = nlp("The National Audit Office said the national audit of every office was late.")
    assert doc._.organizations == ["National Audit Office"]


def test_a_model_code_the_model_tags_an_organisation_is_a_product_and_its_maker_the_body(nlp):
    from spacy.tokens import Span

    from indexer.entities import normalise

    doc = nlp("The jet, a Lockheed C-130 Hercules, landed in 1961, and Casio sold the FX100 "
              "while finance ministers of the G20 met.")
    words = [token.text for token in doc]
    jet = words.index("Lockheed")
    doc.ents = [Span(doc, jet, jet + 3, "ORG"), Span(doc, words.index("FX100"),
                words.index("FX100") + 1, "ORG"),
                Span(doc, words.index("G20"), words.index("G20") + 1, "ORG")]
    normalise(doc)
    assert doc._.organizations == ["Lockheed", "G20"]


def test_a_forum_of_countries_named_g_and_a_number_is_an_organisation(nlp):
    # The model tags "G7" a place here, and leaves "G8" untagged before "summit".
    doc = nlp("Finance ministers from the G7 met in London on Friday.")
    assert doc._.organizations == ["G7"]
    doc = nlp("The G8 summit will be held in Scotland. G8 leaders will discuss Africa.")
    assert doc._.organizations == ["G8"]
    # A maker's model or one of a kind is no forum.
    doc = nlp("Apple updated its PowerMac G4 computer. In that small box there is a G4 "
              "processor.")
    assert "G4" not in doc._.organizations
    doc = nlp("The Pontiac G6 sold well.")
    assert "G6" not in doc._.organizations


def test_a_first_word_alone_written_more_rarely_than_the_name_it_starts_is_that_body(nlp):
    doc = nlp("Shares in drinks firm Allied Domecq rose 4% on Monday. Allied Domecq said profits "
              "were up, and analysts expect Allied to be bought by a rival.")
    assert doc._.organizations == ["Allied Domecq"]


def test_an_office_and_its_portfolio_are_no_organisations(nlp):
    from spacy.tokens import Span

    from indexer.entities import normalise

    doc = nlp("The new scheme was announced on Tuesday by the Trade and Industry Secretary Alan "
              "Johnson.")
    assert not doc._.organizations
    doc = nlp("Prices will rise in April, said Budi Santoso, Coordinating Minister for Economic "
              "Affairs.")
    words = [token.text for token in doc]
    doc.ents = [Span(doc, words.index("Economic"), words.index("Affairs") + 1, "ORG")]
    normalise(doc)
    assert not doc._.organizations


def test_an_organisation_word_written_in_lower_case_after_a_name_is_part_of_it(nlp):
    doc = nlp("The Commerce department released a report on Thursday showing strong growth.")
    assert doc._.organizations == ["Commerce Department"]
    doc = nlp("The Labour party conference opened in Brighton on Sunday.")
    assert doc._.organizations == ["Labour"]  # "party" qualifies "conference" here


def test_a_name_after_the_possessive_of_a_title_is_part_of_a_work(nlp):
    doc = nlp("His stories, which include The Emperor's New Clothes and The Ugly Duckling, are "
              "read everywhere.")
    assert not doc._.organizations


def test_a_name_after_a_generic_body_word_and_of_is_the_bodys_name(bbc):
    doc = bbc("tech/037.txt")  # "the UK's Office of Fair Trading (OFT)"; "Fair" is a name
    assert "Office of Fair Trading" in doc._.organizations
    assert "Fair Trading" not in doc._.persons


def test_a_partys_nickname_is_a_body_and_no_part_of_a_persons_name(bbc):
    doc = bbc("politics/124.txt")  # "for the Lib Dems, added", tagged PERSON
    assert "Lib Dems" in {e.text for e in doc.ents if e.label_ == "PERSON"}
    assert "Lib Dems" not in doc._.persons and "Lib Dems" in doc._.organizations
    persons = bbc("politics/220.txt")._.persons  # "but Tory Liam Fox said", singular nickname
    assert "Liam Fox" in persons and "Tory Liam Fox" not in persons
    persons = bbc("politics/146.txt")._.persons  # "But Lib Dem Norman Baker accused"
    assert "Norman Baker" in persons and "Lib Dem Norman Baker" not in persons
    # No name after the nickname: "Lib Dem Treasury spokesman Vince Cable", "Lib Dem Treasury"
    # tagged PERSON, is nobody.
    persons = bbc("politics/275.txt")._.persons
    assert not [p for p in persons if "Treasury" in p]
    persons = bbc("politics/283.txt")._.persons  # "Tory-Labour" tagged PERSON
    assert not [p for p in persons if "Labour" in p]


def test_a_number_and_its_unit_written_together_is_no_name(bbc):
    doc = bbc("business/159.txt")  # "£100bn", the number tagged ORG
    assert "100bn" in {e.text for e in doc.ents if e.label_ == "ORG"}
    assert "100bn" not in doc._.organizations
    doc = bbc("sport/086.txt")  # a sprinter's times: "in 7.60secs"
    assert not [n for n in doc._.organizations + doc._.persons if n[0].isdigit()]


def test_a_currency_code_beside_an_amount_is_no_organisation(nlp):
    doc = nlp("The licence costs EUR 40 a year, the BBC said.")
    assert doc._.organizations == ["BBC"]
