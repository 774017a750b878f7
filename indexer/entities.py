"""Entity normalisation: raw NER spans become facet-ready entities, one name and label each.

The spaCy component ``newsindex_entities`` reads ``doc.ents`` and sets on the Doc:

- ``doc._.entities``: ``{"text", "label", "canonical", "start", "end"}`` per PERSON, ORG, GPE,
  LOC, NORP or FAC mention (character offsets into ``doc.text``), plus ``"country"`` and
  ``"country_code"`` when the mention names a country, one of its places, or its people;
- ``doc._.persons`` and ``doc._.organizations``: canonical names, most mentioned first;
- ``doc._.countries``: ``{"name", "code"}`` dicts, most mentioned first.

Rules, all within one article:

- titles, honorifics, ranks in capitals ("DCI") and stray tokens (weekdays, dates, a possessive
  's) are cut from mentions, and an office word or rank tagged as an organisation ("Defense" of
  "Defense Secretary") is dropped; initials written together that the model left out of a
  surname open the name ("WH Auden"), and a body or place of such initials and a surname is a
  person where the article uses the surname alone or a calling comes before ("JRR Tolkien");
- a surface form gets one label: a person's if it ends a longer person's name, GPE/NORP if it
  names a country or its people, else the label most of its mentions have;
- names the model tagged somewhere but missed elsewhere are added where they recur (a person's
  surname too), as are untagged country names and dateline places ("BONN 1996-08-30");
- a short person name resolves to the fullest name it belongs to ("Putin" -> "Vladimir Putin"),
  a surname several people share to the one named first;
- a one-word "person" the article never joins to a full name, puts a title before, has speak or
  takes up with "he"/"she" is dropped (a lone first name, a brand or a work: "Sandra",
  "Courvoisier"); a person the model took into another entity is found ("the House Nancy
  Pelosi", "Russian Irina Shevchenko"); names after a company noun are organisations ("oil giant
  Yukos"), names the model starts with "The" or tags a work elsewhere are works; caption labels
  run into names are cut ("Jo JorgensenImage:");
- organisations ending in an event word are events, not organisations ("Whitbread Prize"); an
  acronym or short form resolves to the full name in the article ("NAO" -> "National Audit
  Office", "Labour" -> "Labour Party"); a country before a name the article uses alone is dropped
  ("US Federal Reserve");
- an "organisation" that is a rank or office ("Grand Masters", "Iranian Grand" of "Iranian
  Grand Master"), a product, programme or work after its owner's possessive ("IBM's
  Workplace"), or a word of another script is none; one opening with "Mr" is a person; a
  "person" the article also writes in the plural is a group ("Lib Dems"), and a place with a
  club word is a club ("Manchester United"); an acronym in brackets after a name stands for it
  ("Federal Security Service (FSB)"), and one body's country spelled two ways is one body;
- a person the model tags a body or a place is found by an age before the name ("40-year-old
  X Y") or by a surname it tags a person alone; names listed after a calling are people
  ("authors like Cicero, Virgil and Tacitus"), after a work noun works ("films include ...");
- an "organisation" that only qualifies a sporting result ("Commonwealth silver medal"), a
  capitalised phrase of the article's plain words ("Media Player"), an office's words or
  portfolio ("Trade and Industry Secretary", "Minister for X"), a model code ("PB100") or a
  currency code beside an amount ("USD 26.95") is none; a maker's product is the maker ("Sony
  Walkman" beside "Sony"); a party named by its members ("the Tories", "the Liberal Democrats")
  is an organisation, "Conservatives" the "Conservative Party" where the article names it;
- organisation names the model cut short are completed (a French elided word, a lower-case
  rest the article writes in full elsewhere, a plural organisation word two names share: "the
  House Foreign Affairs and Intelligence committees"); one spelled with or without a space or
  web domain is one ("TimeWarner", "Amazon.com");
- countries come from indexer.countries, judged with the article's other places (a smaller
  city needs its country named as well).

bench/eval_ner.py measures each rule against CoNLL-2003.
"""

from __future__ import annotations

import calendar
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import fingerprints
import numpy
import pycountry
from nameparser.config import CONSTANTS as NAMEPARSER
from spacy.attrs import ENT_IOB, IS_SPACE, LOWER, ORTH
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from indexer.countries import (
    country_kind,
    country_name_words,
    is_region,
    needs_support,
    other_country,
    resolve_country,
)
from indexer.first_names import is_given_name
from indexer.vocabulary import (
    BODY_WORDS,
    CLUB_HEADS,
    EVENT_HEADS,
    GENERIC_ORGS,
    LAW_HEADS,
    NOT_ENTITIES,
    NUMBERED_NAMES,
    ORG_HEADS,
    ORG_WORDS,
    PLATFORMS,
    SHIPPED_ORGANISATIONS,
    members_of,
    shortened,
)

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
# Labels we do not index that the model gives person names too: a first name and a surname
# tagged so ("fellow American Justin Gatlin" PRODUCT) is indexed as a person (see looks_personal).
MISTAKEN_FOR_NAMES = frozenset({"PRODUCT", "WORK_OF_ART", "EVENT"})
# Which label wins when a surface form's mentions split evenly.
LABEL_PREFERENCE = ("GPE", "LOC", "ORG", "PERSON", "NORP", "FAC")
# Labels whose untagged repeats in the same article are added as mentions.
PROPAGATED_LABELS = frozenset({"PERSON", "GPE", "LOC", "ORG"})
PROPER_NOUN_TAGS = frozenset({"NNP", "NNPS"})
NOUN_PHRASE_TAGS = frozenset({"JJ", "NN", "NNS"})
# Labels of words an untagged work's title is not made of: a name the model tagged (judged as
# a mention), a date or a number ("the series England won", "the show Monday").
NOT_TITLE_LABELS = ENTITY_LABELS | {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT",
                                    "QUANTITY"}
OUTSIDE_IOB = 2  # Token.ent_iob for a token outside every entity
MAX_PLACE_WORDS = 4  # longest untagged country or dateline place looked for
# A common noun right before a name that says what the name is: a work is no entity we index
# ("the film Festen", "musical Mary Poppins"), a group is an organisation ("the band Van Halen").
WORK_NOUNS = frozenset({
    "film", "movie", "play", "musical", "opera", "novel", "book", "memoir", "album", "song",
    "single", "show", "series", "sitcom", "drama", "documentary", "game", "poem", "painting",
    "biopic", "blockbuster", "sequel", "prequel", "trilogy", "soap", "programme", "thriller",
    "cartoon", "ballet",
})
# Words before "in" and a name that make it a work an actor plays in ("her role in Vera Drake",
# "who appeared in Brookside"); not "part", which people take in events too.
ROLE_WORDS = frozenset({
    "role", "roles", "starring", "starred", "stars", "star", "appeared", "appears", "appearing",
    "appear", "cameo", "performance", "performances",
})
# Common nouns right before a name that call it a product, as WORK_NOUNS call one a work
# ("file-sharing program BitTorrent", "the virus Zafi-D", "music players like the iPod"); not
# "player", which is a sportsman's too.
PRODUCT_NOUNS = frozenset({
    "program", "software", "browser", "console", "handset", "gadget", "app", "device",
    "smartphone", "phone", "laptop", "computer", "camera", "virus", "worm", "drug", "vaccine",
})
KIND_NOUNS = WORK_NOUNS | PRODUCT_NOUNS
# Nouns right after an owned name that make it the owner's product or scheme ("IBM's Workplace
# software", "its GameBoy console", "the IPPR's Digital Society initiative"): not a unit, an
# office or a deal ("its Sandoz unit", "its Morpheme offices", "SBC's AT&T deal").
OWNED_THING_NOUNS = PRODUCT_NOUNS | frozenset({
    "system", "product", "machine", "chip", "processor", "format", "feature", "toolbar",
    "initiative", "scheme", "project", "exhibition",
})
# Tags of the word before a noun that make the noun head a phrase: a determiner or a modifier.
PHRASE_OPENER_TAGS = frozenset({"DT", "PDT", "PRP$", "POS", "CD", "JJ", "JJR", "JJS", "NN",
                                "NNS", "NNP", "NNPS", "HYPH", "VBG", "VBN", "WP$"})
# Dependents that complete a verb: one with none after a noun and a name is a relative clause
# missing its object ("the console Sony launched"), not a title and its verb.
CLAUSE_COMPLEMENTS = frozenset({"dobj", "attr", "acomp", "ccomp", "xcomp", "dative", "oprd"})
# Lower-case nouns of a sporting result or meeting that a body's or place's name only
# qualifies ("Commonwealth silver medal", "AAA champion", "European Indoor trials").
EVENT_NOUNS = frozenset({
    "champion", "champions", "championship", "championships", "medal", "medals", "medallist",
    "medallists", "medalist", "medalists", "silver", "gold", "bronze", "title", "titles",
    "trials", "finalist", "finalists",
})  # not "meeting": "a European Union meeting" is the Union's
# Credits a work gives a person right after its title ("Harry Potter author JK Rowling", "Vera
# Drake star Imelda Staunton"); a person's name takes others ("Tony Blair adviser", "a Jim Carrey
# co-star"), so a "person" before one of these and a person's name is the work.
WORK_CREDITS = frozenset({
    "star", "stars", "author", "creator", "director", "actor", "actress", "novelist",
    "screenwriter", "writer",
})
# Tags of the words an organisation's name qualifies ("a BBC reporter", "a CBI quarterly").
QUALIFIED_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS", "CD", "HYPH", "JJ", "JJR", "JJS", "VBN",
                            "VBG"})
# Tags after a possessive's object that make it qualify what follows ("SBC's AT&T deal").
HEAD_FOLLOWERS = QUALIFIED_TAGS | {"VBD", "POS"}
# Lower-case words inside a work's title ("Harry Potter and the Prisoner of Azkaban").
TITLE_LINKS = frozenset({"of", "the", "a", "an"})
# Lower-case words inside a name after an owner's possessive ("Food and Agriculture Organization").
OWNED_NAME_LINKS = TITLE_LINKS | {"and", "for"}
# Words between a noun and the list of names it introduces ("authors like", "films include").
LIST_OPENERS = frozenset({"like", "including", "include", "includes", "as"})
# Words of an article about parties, in which a plural group name is a party's ("the Tories").
POLITICAL_WORDS = ("party", "parties", "election", "mps")
# Words of an article on an election, in which two joined surnames are a ticket ("Biden-Harris").
TICKET_WORDS = ("ticket", "election", "campaign", "nominee")
GROUP_NOUNS = frozenset({
    "band", "group", "club", "team", "side", "magazine", "newspaper", "company", "firm", "giant",
    "maker", "carrier", "retailer", "brand", "airline", "manufacturer", "chain", "label",
    "website", "broadcaster", "insurer", "conglomerate", "distributor", "supplier", "publisher",
})
# Nouns a lone surname leads that only a person leads: "the Clinton administration".
LED_BY = frozenset({"administration", "presidency", "era"})
# Prepositions that put what follows on a map: "in Manchester", "at Lievin".
LOCATIVES = frozenset({"in", "at", "from", "near", "outside", "around", "across"})
# Nouns that name a place by what follows "of" ("the hometown of Odense").
PLACE_NOUNS = frozenset({
    "town", "hometown", "city", "village", "county", "region", "province", "district",
    "suburb", "port", "capital", "island", "state",
})
# Lower-case words after a name (or its possessive) that make it a place's: a place has a
# governor, a mayor and residents, a body has none ("Chelyabinsk's governor", "Omsk regional").
LOCAL_WORDS = frozenset({
    "governor", "mayor", "residents", "regional", "region", "province", "provincial",
    "municipal", "municipality", "district",
})
# Last words of the names of buildings and streets that end no one's name ("Karl Marx Avenue",
# "Roosevelt Hotel"; not "Hall", "Lane", "Park", "Bridge" or "Castle": Nathan Lane, Wayne
# Bridge), and first words of natural places ("River Lagan", "Mount Kenya").
FACILITY_HEADS = frozenset({
    "Road", "Avenue", "Boulevard", "Street", "Square", "Hotel", "Hospital", "Airport", "Stadium",
    "Prison", "Museum", "Cathedral", "Mosque", "Synagogue", "Tower", "Centre", "Center",
})
LANDFORMS = frozenset({"River", "Mount", "Lake"})
DATELINE_FOLLOWERS = frozenset({",", "(", "-", "--", "—"})
EXTENSIONS = ("entities", "persons", "organizations", "countries", "works")

_TITLES_FILE = Path(__file__).parent / "data" / "titles.json"
_TITLES_DATA = json.loads(_TITLES_FILE.read_text(encoding="utf-8"))
TITLES = frozenset(_TITLES_DATA["titles"])
TITLE_ABBREVIATIONS = frozenset(_TITLES_DATA["abbreviations"])  # as written: "DI", not "Di"
CONNECTIVES = frozenset(_TITLES_DATA["connectives"])
# The titles that are offices: not the styles of address, which open a person's name and hold
# nothing, so "of the" after one names no body ("Lord of the Rings", not "Speaker of the House").
OFFICES = TITLES - frozenset(_TITLES_DATA["honorifics"])
# People's titles and ranks that end no organisation's name: an "organisation" ending in one is a
# rank ("Grand Masters"); "Treasury" and the other portfolio words name bodies too.
RANK_WORDS = frozenset(_TITLES_DATA["ranks"])
RANKS = (TITLES - frozenset(_TITLES_DATA["portfolios"])) | RANK_WORDS
# Job words and titles that may head a name ("Novelist Andrea Levy"): nameparser's list.
JOB_WORDS = frozenset(NAMEPARSER.titles)
WEEKDAYS = frozenset(day.lower() for day in calendar.day_name)
MONTHS = frozenset(month.lower() for month in calendar.month_name if month)
# Speech verbs as written (the pipeline has no lemmatiser): "Peskov said", "said Peskov".
SPEECH_VERBS = frozenset({
    "said", "says", "say", "told", "tells", "added", "adds", "wrote", "writes", "explained",
    "insisted", "insists",
})
PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "his", "her"})
# Lower-case words that belong inside a person's name.
NAME_PARTICLES = frozenset({
    "van", "von", "de", "da", "di", "du", "del", "della", "der", "den", "la", "le", "bin", "ibn",
    "al", "el", "dos", "das", "y", "ter", "ten", "zu", "af", "bint", "ben",
})
ARTICLES = frozenset({"the", "a", "an"})
SMALL_WORDS = frozenset({"of", "and", "for", "the", "on", "in", "at", "to"})
# Forms of address: an "organisation" opening with one is a person ("Mr Balls", "Mr Stone").
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame"})
POSSESSIVES = frozenset({"'s", "’s", "'", "’"})
KIN_NOUNS = frozenset({
    "mother", "father", "son", "daughter", "brother", "sister", "wife", "husband", "widow",
    "widower", "grandmother", "grandfather", "grandson", "granddaughter", "aunt", "uncle",
    "cousin", "niece", "nephew", "stepmother", "stepfather", "stepson", "stepdaughter",
})
PEOPLE_AND_PLACES = frozenset({"PERSON", "NORP", "GPE", "LOC", "FAC"})
RUN_LINKS = frozenset({"of", "for", "on", "and", "et"})  # inside an organisation's name
LEADING_VERB_TAGS = frozenset({"VBG", "VBD", "VBZ", "RB"})
_SPACES = re.compile(r"\s+")
# A nickname in quotes inside a full name: 'Pasquale "Pat" Di Cicco'.
_NICKNAME = re.compile(r"\s+[\"“‘'][^\"”’']{1,20}[\"”’']\s+")
# A capitalised word standing alone or glued to the end of another ("JorgensenImage").
_CAPTION_WORD = re.compile(r"(?:^|(?<=[a-z]))([A-Z][a-z]+)$")
_NAME_WORD = re.compile(r"[A-Z][a-zà-ÿ]+(?:[-'’][A-Z]?[a-zà-ÿ]+)*")
# A number with a unit written together: "£100bn", "420bn yuan", "in 7.60secs"; no name.
_AMOUNT = re.compile(r"\d+(?:\.\d+)?(?:bn|m|k|secs?|mins?|hrs?|pc|kg|km|cm)")
_MEASURE = re.compile(r"(?:(?:\d+x)?\d+(?:\.\d+)?)?(?:m|km|cm|kg)")  # "100m", "4x100m", "m"
_ELIDED = re.compile(r"[dlDL]['’][A-ZÀ-Ý][a-zà-ÿ]+")
CLUB_WORDS = CLUB_HEADS | {"Club"}  # words ending a club's or a band's name ("S Club")
_INITIAL = re.compile(r"[B-HJ-Z]\.?")  # one letter as an initial ("S", "J."); not "A" or "I"
_JOINED_INITIALS = re.compile(r"[A-Z]{2,3}")  # initials without dots: "JK", "JRR" (and acronyms)
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,5}s")  # "MPs", "NGOs", "CEOs": a class, not one body
# A product's model code ("CDP-101", "PB100", "B-17", "A321"), not a group ("G7", "G20").
_MODEL_CODE = re.compile(r"(?:[A-Z]{2,4}-?\d{2,}|[A-Z]-\d{2,}|[A-Z]\d{3,})[A-Za-z]*")
# A forum of countries named by "G" and its members' number ("G7", "G8", "G20"); see _forums.
_FORUM = re.compile(r"G\d{1,2}")
_TICKET = re.compile(r"(?<=\w)[/-](?=[A-Z])")  # "Biden-Harris", "De La Fuente/Richardson"
_WEB_DOMAIN = re.compile(r"\.(?:com|net|org|co\.uk)$", re.IGNORECASE)
_AGE_BEFORE = re.compile(r"\d+-year-old\s+$")
_SCORE = re.compile(r"\d{1,3}-\d{1,3}")  # a result between two sides' names

for _name in EXTENSIONS:
    Doc.set_extension(_name, default=None, force=True)


@dataclass(slots=True)
class Mention:
    """One cleaned entity mention: token range [i, j) of the Doc, its words and its raw label;
    cut is how many characters of the last token are no part of it ("JorgensenImage")."""

    i: int
    j: int
    words: tuple[str, ...]
    label: str
    cut: int = 0
    name: str = ""  # the name when it is not the text: "House Intelligence Committee"

    def text(self, doc: Doc) -> str:
        """The mention as written, white space made single (or the name it was given)."""
        if self.name:
            return self.name
        text = _SPACES.sub(" ", doc[self.i:self.j].text)
        return text[:len(text) - self.cut]

    def end_char(self, doc: Doc) -> int:
        """Character offset of the mention's end in doc.text."""
        last = doc[self.j - 1]
        return last.idx + len(last) - self.cut


def _bare(token_text: str) -> str:
    """Lower-case a token without its final dot, as title words are listed ("Mr." -> "mr")."""
    return token_text.lower().rstrip(".")


def _is_title(token_text: str) -> bool:
    """A title word before a name ("Mr.", "president") or a rank in capitals ("DCI")."""
    return _bare(token_text) in TITLES or token_text in TITLE_ABBREVIATIONS


def _addresses(doc: Doc, k: int, j: int) -> bool:
    """Whether the token at k addresses the person named up to j: a form of address ("Mr
    Balls", "Dame Judi Dench"), or a rank in capitals before a first name or before a surname
    the model tags a person elsewhere ("PC Keith Palmer", "DI Blake" beside "Sarah Blake").
    The same capitals name things too ("PC World", "DC Comics", "DS Smith" the firm)."""
    if _bare(doc[k].text) in HONORIFICS:
        return doc[k].text[:1].isupper()
    return doc[k].text in TITLE_ABBREVIATIONS and k + 1 < j and (
        is_given_name(doc[k + 1].text)
        or any(ent.label_ == "PERSON" and ent[-1].text == doc[j - 1].text for ent in doc.ents))


def _is_stray(doc: Doc, k: int) -> bool:
    """Tokens that ride along with a name but are not part of it: punctuation, weekdays, dates.

    Numbers go too, even from organisations: CoNLL measures more "Leeds 2" than "Channel 4".
    """
    token = doc[k]
    return token.is_punct or token.is_space or token.like_num or token.lower_ in WEEKDAYS


def _balanced(doc: Doc, i: int, j: int) -> tuple[int, int]:
    """The span cut before a bracket it does not close: "World Health Organization (WHO"."""
    opened: list[int] = []
    for k in range(i, j):
        if doc[k].text == "(":
            opened.append(k)
        elif doc[k].text == ")" and opened:
            opened.pop()
    return i, (opened[0] if opened else j)


def looks_personal(doc: Doc, i: int, j: int, common: frozenset[int] | None = None) -> bool:
    """A first name and one or two more name words whose surname the article uses alone too:
    what the model tags ORG in "Alistair Cragg won" or "officers Antoine Quirin and ..." is a
    person. So is a first name and one word that is no first name, no country and no plain word
    of the article ("Adrian Dunbar"), though the article never uses the surname alone.

    A name ending in another first name the article never uses alone ("Morgan Stanley") stays an
    organisation, and so does one with a word of an organisation's name ("Walter Reed Hospital",
    "Forest Laboratories") or a club's ("Sheffield United").
    """
    words = _hyphened_words(doc[i:j])
    if not (
        1 < len(words) <= 3
        and all(_NAME_WORD.fullmatch(word) for word in words)
        and is_given_name(words[0])
        and country_kind(words[0]) is None
        and not any(_is_title(word) or word.lower() in ORG_HEADS or word.lower() in BODY_WORDS
                    or word in CLUB_HEADS for word in words)
    ):
        return False
    surname = get_string_id(words[-1])
    return any(
        token.orth == surname and not (i <= token.i < j)
        and (not doc[token.i - 1].is_title or _is_title(doc[token.i - 1].text))
        for token in doc[1:]
    ) or (len(words) == 2 and not is_given_name(words[-1])
          and _plain_surname(doc, words[-1], common))


def _hyphened_words(span: Span) -> list[str]:
    """A span's words, tokens joined by a hyphen written without spaces made one: "Sven-Goran"
    is three tokens and one first name."""
    words: list[str] = []
    for token in span:
        joined = token.i > span.start and not span.doc[token.i - 1].whitespace_ and (
            token.text == "-" or words[-1].endswith("-"))
        if joined:
            words[-1] += token.text
        else:
            words.append(token.text)
    return words


def _mistaken_person(doc: Doc, i: int, j: int, common: frozenset[int]) -> bool:
    """Whether a product, work or event the model found is a person's name: it looks personal
    and the model tags its last word alone a person elsewhere in the article ("fellow American
    Justin Gatlin" PRODUCT, "behind Gatlin" PERSON); not "Paris Agreement" or "Blair Babes"."""
    last = doc[j - 1].text
    return looks_personal(doc, i, j, common) and any(
        ent.label_ == "PERSON" and ent.text == last for ent in doc.ents)


def _plain_surname(doc: Doc, word: str, common: frozenset[int] | None) -> bool:
    """A last word that is no plain word of the article and no country: "Emin", not "Britain"."""
    common = _common_words(doc) if common is None else common
    return get_string_id(word.lower()) not in common and country_kind(word) is None


def _common_words(doc: Doc) -> frozenset[int]:
    """Words the article itself writes in lower case (its plain vocabulary)."""
    return frozenset(token.lower for token in doc if token.is_lower and token.is_alpha)


def _relabelled(doc: Doc, i: int, j: int, label: str, common: frozenset[int]) -> str | None:
    """The label a cleaned mention keeps, or None for a word that names no entity we index.

    A lone capitalised word the article also writes in lower case is a plain word at the start
    of a sentence or heading ("Chess", "Search", "Observers"), not a name.
    """
    text = doc[i:j].text
    if text in NOT_ENTITIES or (label != "PERSON" and text in GENERIC_ORGS):
        return None
    if label in ("ORG", "PERSON") and doc[j - 1].text in EVENT_HEADS:
        return None  # an event or a prize: "European Indoor Championships", "Whitbread Prize",
        # "Oscar voters", "the Baku Olympiad" (its short name: _event_and_law_short_names)
    if label == "PERSON" and (place := _named_place(doc, i, j)):
        return place
    if label == "ORG" and (_cut_short(doc, i, j) or _names_a_title(doc, i, j)
                           or _names_a_law(doc, i, j) or _portfolio(doc, i)
                           or _kind_of_body(doc, i, j)):
        return None
    if not any(_is_latin(char) for char in text):
        return None  # a word of a quoted Farsi or Russian sentence, not an English name
    if label == "PERSON" and ":" in text:
        return None  # no one's name has a colon: a work's title ("My Own: The Life of ...")
    if label == "PERSON" and j - i > 1 and doc[j - 1].lower in common \
            and not is_given_name(doc[i].text):
        return None  # a thing named with a plain word of the article: "Smart Tags", "MSN Messenger"
    if j - i == 1 and label in ("PERSON", "ORG") and not doc[i].is_upper \
            and doc[i].lower in common:
        return None
    if label == "ORG" and _plain_phrase(doc, i, j, common):
        return None
    if label in ("ORG", "PERSON") and _PLURAL_ACRONYM.fullmatch(text):
        return None  # "MPs", "MEPs", "NGOs": people or things of a kind, no one body
    if label == "ORG" and _MODEL_CODE.fullmatch(doc[i].text):
        return None  # a product's model: "CDP-101", "PB100"
    if label == "ORG" and _an_amount(doc, i, j):
        return None  # a currency: "USD 26.95"
    if label in ("ORG", "PERSON") and _AMOUNT.fullmatch(doc[i].text):
        return None  # an amount or a time: "£100bn", "420bn yuan", "7.60secs"
    if label == "ORG" and looks_personal(doc, i, j, common):
        return _named_place(doc, i, j) or "PERSON"
    if label == "ORG" and _initial_and_surname(doc, i, j):
        return "PERSON"  # a team sheet's "S Parisse", "G Rowntree"
    if label in ("ORG", "GPE") and _initials_and_surname(doc, i, j) and i \
            and doc[i - 1].tag_ == "NN" and _is_calling(doc[i - 1].lower_):
        return "PERSON"  # "the poet TS Eliot"; not "investment bank JP Morgan"
    if label in ("ORG", "FAC", "GPE", "LOC") and _aged(doc, i, j):
        return "PERSON"
    if label == "NORP" and (text in SHIPPED_ORGANISATIONS or _party_members(doc, i, j, common)):
        return "ORG"  # a body by its nickname ("the Tories") or by its members' name
    if label == "PERSON" and _club(doc, i, j):
        return "ORG"
    if label == "PERSON" and (text in PLATFORMS or text in SHIPPED_ORGANISATIONS):
        return "ORG"  # "said on Twitter", "the Lib Dems": a body, whatever the model says
    return label


def _initial_and_surname(doc: Doc, i: int, j: int) -> bool:
    """Whether a mention is an initial and a name word, as team sheets and bylines write people
    ("M Bortolami", "J. Allard"); not a body's word after a letter ("S Club"). "A" and "I" are
    left out: they are words, not initials, before a capitalised name."""
    return (j - i == 2 and _INITIAL.fullmatch(doc[i].text) is not None
            and not doc.text[max(0, doc[i].idx - 1):doc[i].idx].isalnum()  # not "50K Walk"
            and _NAME_WORD.fullmatch(doc[i + 1].text) is not None
            and doc[i + 1].lower_ not in ORG_WORDS and doc[i + 1].text not in CLUB_WORDS)


def _initials_and_surname(doc: Doc, i: int, j: int) -> bool:
    """Whether a mention is initials written together and a name word ("TS Eliot", "JP
    Morgan"): a person or a body, which the words around it tell."""
    return (j - i == 2 and _joined_initials(doc[i].text)
            and _NAME_WORD.fullmatch(doc[i + 1].text) is not None
            and doc[i + 1].lower_ not in ORG_WORDS)


def _named_place(doc: Doc, i: int, j: int) -> str | None:
    """The label of a name that looks personal but names a building, a street or a natural
    place ("Karl Marx Avenue", "Francis Hospital", "the River Lagan"), else None."""
    if j - i > 1 and doc[j - 1].text in FACILITY_HEADS:
        return "FAC"
    if j - i > 1 and doc[i].text in LANDFORMS:
        return "LOC"
    return None


def _plain_phrase(doc: Doc, i: int, j: int, common: frozenset[int]) -> bool:
    """Whether an "organisation" is a capitalised phrase of the article's plain words, none an
    organisation word ("Universal Basic Income", "Media Player", "World Business Report")."""
    words = [token for token in doc[i:j] if token.lower_ not in SMALL_WORDS]
    return (
        len(words) > 1 and all(token.is_alpha and token.lower in common for token in words)
        and not any(token.lower_ in ORG_WORDS or country_kind(token.text) for token in words)
    )


def _aged(doc: Doc, i: int, j: int) -> bool:
    """Whether an "organisation" or "place" of name words has a person's age before it
    ("40-year-old Skandaraj Navaratnam"): bodies and places have no age in years."""
    return (
        1 < j - i <= 3 and all(_NAME_WORD.fullmatch(token.text) for token in doc[i:j])
        and not any(token.lower_ in ORG_WORDS for token in doc[i:j])
        and _AGE_BEFORE.search(doc.text[max(0, doc[i].idx - 20):doc[i].idx]) is not None
    )


def _party_members(doc: Doc, i: int, j: int, common: frozenset[int]) -> bool:
    """Whether a "nationality or group" is a party by its members' name ("the Tories", "the
    Liberal Democrats said"): a plural that names no country's people, in an article that
    talks of a party or an election."""
    text = doc[i:j].text
    return (
        text.endswith("s") and doc[j - 1].is_title and doc[j - 1].tag_ == "NNPS"
        and country_kind(text) is None
        and country_kind(doc[i:j - 1].text + " " + doc[j - 1].text[:-1]) is None
        and any(get_string_id(word) in common for word in POLITICAL_WORDS)
    )


def _club(doc: Doc, i: int, j: int) -> bool:
    """Whether a "person" is a club: a GeoNames place and a club word ("Manchester United",
    "Bristol City"); a first name keeps a person ("Charlotte City" would be one)."""
    return (
        j - i > 1 and doc[j - 1].text in CLUB_HEADS and not is_given_name(doc[i].text)
        and resolve_country(doc[i:j - 1].text, "GPE") is not None
    )


def _names_a_title(doc: Doc, i: int, j: int) -> bool:
    """Whether an "organisation" is a rank or an office: it ends in a job word ("Grand Masters",
    "Israeli Grand Master"), or it is a few words no organisation word ends that a capitalised
    title follows ("Iranian Grand" of "Iranian Grand Master", "Crown" of "Crown Princess",
    "Trade and Industry" of "Trade and Industry Secretary")."""
    last = _bare(doc[j - 1].text)
    if not any(token.lower_ == "of" for token in doc[i:j]) and (
            _is_job_word(last) or (last.endswith("s") and last[:-1] in RANK_WORDS)):
        return True  # not "Lehman Brothers", "House of Representatives", "Court of Justice"
    after = doc[j] if j < len(doc) else None
    return (
        after is not None and after.is_title and _is_job_word(_bare(after.text))
        and sum(token.lower_ != "and" for token in doc[i:j]) <= 2 and not doc[i:j].text.isupper()
        and not any(token.lower_ in ORG_HEADS for token in doc[i:j])
    )


def _names_a_law(doc: Doc, i: int, j: int) -> bool:
    """Whether an "organisation" is a law, a treaty, a budget or a convention: it ends in one of
    their words ("Data Protection Act", "Maastricht Treaty", "the Budget", "United States
    Constitution", "Democratic National Convention", "Tenure of Office Act"), unless "&" joins
    it to a firm's name ("Axa Equity & Law") or a body's word heads a name with "of" ("Office of
    Management and Budget", "UCLA School of Law")."""
    if doc[j - 1].text not in LAW_HEADS or any(token.text == "&" for token in doc[i:j]):
        return False
    of = next((k for k in range(i + 1, j - 1) if doc[k].lower_ == "of"), None)
    return of is None or doc[of - 1].lower_ not in ORG_WORDS


def _an_amount(doc: Doc, i: int, j: int) -> bool:
    """Whether an "organisation" is an ISO 4217 currency code beside a number ("USD 26.95")."""
    return (
        j - i == 1 and doc[i].is_upper and len(doc[i]) == 3
        and pycountry.currencies.get(alpha_3=doc[i].text) is not None
        and ((j < len(doc) and doc[j].like_num) or (i > 0 and doc[i - 1].like_num))
    )


def _portfolio(doc: Doc, i: int) -> bool:
    """Whether an "organisation" is the portfolio of an office before it ("State Minister for
    National Development Planning", "Secretary of State for Education"), not a body."""
    return i > 1 and doc[i - 1].lower_ in ("for", "of") and _is_title(doc[i - 2].text) \
        and doc[i - 2].is_title and _bare(doc[i - 2].text) not in ORG_WORDS


def _kind_of_body(doc: Doc, i: int, j: int) -> bool:
    """Whether a one-word "organisation" opening a sentence only says what kind of body the name
    after the next noun is: "Software giant Microsoft", "Film giant Disney", "Drinks firm
    Diageo"; not a body that leads a lower-case noun after the group's noun ("Virgin group
    chairman Richard Branson")."""
    return j - i == 1 and j + 1 < len(doc) and _opens_sentence(doc, i) \
        and not doc[i].is_upper and doc[j].is_lower and doc[j].text in GROUP_NOUNS \
        and _titled(doc[j + 1])


def _is_job_word(word: str) -> bool:
    """A person's title or rank that no organisation's name ends with ("master", "secretary";
    not "police" or "army", which name bodies too)."""
    return word in RANKS and word not in ORG_WORDS


def _is_latin(char: str) -> bool:
    """A letter of the Latin script (accents and ligatures included)."""
    return char.isalpha() and (char < "\u0250" or "\u1e00" <= char <= "\u1eff")


def _country_across(doc: Doc, i: int, j: int, label: str) -> tuple[int, int] | None:
    """A country's name that an entity cuts across ("The St Kitts and" of "The St Kitts and
    Nevis star"), or that a place ends with after "of" or "and" ("the Republic of Ireland",
    "North and South Korea"): the model's span is wrong or too wide, the country is right."""
    for k in range(i, j):
        for end in range(min(len(doc), k + MAX_PLACE_WORDS), max(j, k + 1), -1):
            if doc[k].is_alpha and doc[end - 1].is_alpha \
                    and country_kind(doc[k:end].text) == "country":
                return k, end
    if label in ("GPE", "LOC") and country_kind(doc[i:j].text) is None:
        for k in range(i + 2, j):
            if doc[k - 1].lower_ in ("of", "and") and country_kind(doc[k:j].text) == "country":
                return k, j
    return None


def _place_leading(doc: Doc, i: int, j: int) -> list[Mention]:
    """The place that opens an event or a name cut short, as a mention of its own: "Athens" of
    "Athens Olympic 100m silver medallist", "Sydney" of "Sydney Olympic 100m champion"."""
    if not (doc[j - 1].text in EVENT_HEADS or _cut_short(doc, i, j)):
        return []
    for k in range(j - 1, i, -1):
        if country_kind(doc[i:k].text) != "demonym" \
                and resolve_country(doc[i:k].text, "GPE") is not None:
            return [Mention(i, k, tuple(token.text for token in doc[i:k]), "GPE")]
    return []


def _cut_short(doc: Doc, i: int, j: int) -> bool:
    """Whether an organisation is a longer name the model cut short before its noun: it ends in
    an adjective ("British Olympic relay gold medallists")."""
    return j - i > 1 and doc[j - 1].tag_ == "JJ"


def organisation_name(text: str) -> str:
    """One spelling per organisation: "U.S. Senate" -> "US Senate", "Democratic party" ->
    "Democratic Party"."""
    words = text.split(" ")
    words = ["US" if w == "U.S." and n < len(words) - 1 else w for n, w in enumerate(words)]
    if len(words) > 1 and words[-1] in ORG_HEADS and words[-2][:1].isupper():
        words[-1] = words[-1].capitalize()
    return " ".join(words)


def clean_span(doc: Doc, start: int, end: int, label: str) -> tuple[int, int] | None:
    """Token range of a mention without titles and stray tokens, or None if nothing is left."""
    i, j = start, end
    while i < j and (_is_stray(doc, i) or (doc[i].lower_ in ARTICLES and j - i > 1)):
        i += 1
    dated = False
    while j > i and (_is_stray(doc, j - 1) or doc[j - 1].lower_ in POSSESSIVES
                     or (dated and doc[j - 1].lower_ in MONTHS)):
        if _numbered(doc, i, j, label):
            break
        dated = dated or doc[j - 1].like_num
        j -= 1
    if label == "PERSON":
        last_title = max((k for k in range(i, j - 1) if _is_title(doc[k].text)), default=-1)
        if last_title >= 0:
            i = last_title + 1
        while i < j and (doc[i].is_punct or doc[i].lower_ in CONNECTIVES):
            i += 1
        i = _after_party_nickname(doc, i, j)
        while j - i > 1 and _leads_name(doc, i, j):
            i += 1
        j = next((k for k in range(i + 1, j) if _ends_name(doc[k])), j)
        if j - i == 1 and (_is_title(doc[i].text) or _bare(doc[i].text) in JOB_WORDS):
            return None
        while j > i and (doc[j - 1].is_lower or doc[j - 1].is_punct) \
                and not _hyphen_joined(doc[j - 1]):
            j -= 1
    elif label == "ORG":
        while j - i > 1 and doc[j - 1].is_lower and doc[j - 1].is_stop:
            j -= 1  # "Sweeney Todd and" of "Sweeney Todd and A Funny Thing ..."
        while j - i > 1 and doc[i].tag_ in LEADING_VERB_TAGS:
            i += 1  # "Enrolling Minetest" at the start of a sentence
    elif (
        label == "NORP" and j - i > 1
        and resolve_country(doc[i:j].text, label) is None
        and resolve_country(doc[i].text, label) is not None
    ):
        j = i + 1  # "Russian Bitcoin" -> "Russian"
    i, j = _balanced(doc, i, j)
    while j > i and _is_stray(doc, j - 1) and not _numbered(doc, i, j, label):
        j -= 1
    if i >= j or not any(char.isalpha() for char in doc[i:j].text):
        return None
    return i, j


def _numbered(doc: Doc, i: int, j: int, label: str) -> bool:
    """Whether an organisation's last token is a number that is part of its name ("BBC Radio 4",
    "Channel 4"): a single digit after a word that numbers stations and channels."""
    return (
        label == "ORG" and j - i > 1 and doc[j - 1].is_digit and len(doc[j - 1]) == 1
        and doc[j - 2].text in NUMBERED_NAMES
    )


def _ends_name(token) -> bool:
    """A word inside a "person" that ends the name: a possessive ("Joseph O'Connor's Star") or
    a lower-case word that is no name particle ("Luc Bondy for Cruel", not "Van der Merwe")."""
    return token.lower_ in POSSESSIVES or (
        token.is_lower and token.is_alpha and token.lower_ not in NAME_PARTICLES
        and not _hyphen_joined(token)
    )


def _hyphen_joined(token) -> bool:
    """A word a hyphen joins to the name word before it, no space between: "kwan" of
    "Hoi-kwan"."""
    return (
        token.i > 1 and token.nbor(-1).text == "-" and not token.nbor(-1).whitespace_
        and not token.nbor(-2).whitespace_ and token.nbor(-2).is_title
    )


def _after_party_nickname(doc: Doc, i: int, j: int) -> int:
    """Where a person's name starts after a body's shipped nickname the model took into it
    ("Tory Liam Fox", "Lib Dem Norman Baker", "Tories Ken Clarke"); i when the mention opens
    with no nickname, or is one ("Lib Dems"). What is left may name nobody ("Treasury" of "Lib
    Dem Treasury spokesman"): the rules for a lone word judge it."""
    for n in (2, 1):
        if j - i > n and _nickname(doc[i:i + n].text):
            return i + n
    return i


def _nickname(text: str) -> bool:
    """Whether a text is a body's shipped nickname, plural or singular ("Tories", "Tory")."""
    return text in SHIPPED_ORGANISATIONS or text in _SINGULAR_NICKNAMES


def _leads_name(doc: Doc, i: int, j: int) -> bool:
    """A word before a person's name that is not part of it: an article, a job ("Guitarist
    Eddie Van Halen", nameparser's titles), a place ("Vermont Bernie Sanders") or a party
    the article tags NORP elsewhere ("Tory Treasurer Lord Ashcroft")."""
    word = doc[i].text
    if doc[i].is_lower or doc[i].is_punct:
        return True
    if is_given_name(word):
        return False
    if _opens_sentence_before_name(doc, i, j):
        return True
    return _bare(word) in JOB_WORDS or (
        j - i > 2 and resolve_country(word, "GPE") is not None
    ) or any(ent.label_ == "NORP" and ent.text == word for ent in doc.ents)


def _opens_sentence_before_name(doc: Doc, i: int, j: int) -> bool:
    """Whether the first word of a "person" only opens the sentence before a first name and a
    surname: a capitalised noun or adverb that is no given name and that the article never
    writes elsewhere ("Sprinter Kelly Holmes", "Nevertheless Franz Ferdinand", "Farmer Geoff
    Brooks"); not an initial or a particle ("J van Niekerk", "Al-Walid bin Talal"), nor a surname
    written first that the article repeats ("Khoo Kay Peng", then "Mr Khoo")."""
    first = doc[i]
    return (
        _opens_sentence(doc, i) and j - i >= 3 and len(first.text) > 2 and first.text.isalpha()
        and not first.is_upper and is_given_name(doc[i + 1].text)
        and all(_NAME_WORD.fullmatch(token.text) for token in doc[i + 1:j])
        and not any(token.text == first.text and token.i != i for token in doc)
    )  # "Mr Khoo" elsewhere: "Khoo Kay Peng" is a surname first


def _opens_sentence(doc: Doc, i: int) -> bool:
    """Whether token i opens a sentence, a heading or a line (the parser's sentences aside)."""
    return i == 0 or doc[i].is_sent_start or doc[i - 1].is_space or doc[i - 1].text in ".!?:"


def _is_title_fragment(doc: Doc, i: int, j: int) -> bool:
    """Whether a non-person mention only names an office ("Defense" in "Defense Secretary") or
    a rank before a person's name ("DCI" of "DCI Neil Thomas")."""
    return (
        j < len(doc)
        and all(_is_title(token.text) for token in doc[i:j])
        and (_is_title(doc[j].text) or (doc[j].ent_type_ == "PERSON" and all(
            token.text in TITLE_ABBREVIATIONS for token in doc[i:j])))
    )


def _mentions(doc: Doc) -> list[Mention]:
    """Cleaned mentions of the labels we index, in document order."""
    mentions = []
    common = _common_words(doc)
    labels = _caption_labels(doc)
    forums = _forums(doc)
    for ent in _entity_pieces(doc):
        if ent.start in forums and ent.end == ent.start + 1:
            continue  # a forum the model tags a place, a person or a product: see _forums
        if ent.label_ in MISTAKEN_FOR_NAMES:
            cleaned = clean_span(doc, ent.start, ent.end, "PERSON")
            if cleaned and _mistaken_person(doc, *cleaned, common):
                mentions.append(Mention(*cleaned, tuple(t.text for t in doc[slice(*cleaned)]),
                                        "PERSON"))
            continue
        if ent.label_ not in ENTITY_LABELS:
            continue
        country = _country_across(doc, ent.start, ent.end, ent.label_)
        if country is not None:
            k, end = country
            mentions.append(Mention(k, end, tuple(token.text for token in doc[k:end]), "GPE"))
            continue
        inside = _person_inside(doc, ent.start, ent.end, ent.label_, common)
        if inside is not None:
            k, end = inside
            for t in range(ent.start, k):  # "Russian Irina Shevchenko": Russia is named too
                kind = country_kind(doc[t].text)
                if kind is not None:
                    label = "GPE" if kind == "country" else "NORP"
                    mentions.append(Mention(t, t + 1, (doc[t].text,), label))
            mentions.append(Mention(k, end, tuple(token.text for token in doc[k:end]), "PERSON"))
            rest = clean_span(doc, end + 1, ent.end, "ORG") if end < ent.end else None
            if rest is not None:
                mentions.append(Mention(*rest, tuple(t.text for t in doc[slice(*rest)]), "ORG"))
            continue
        raw_label = "PERSON" if _addressed(doc, ent.start, ent.end, ent.label_) else ent.label_
        start, end = ent.start, ent.end
        if raw_label == "ORG":
            start, end = _organisation_run(doc, start, end)
        elif raw_label == "PERSON":
            start = _first_names_before(doc, start)
            if end - start == 1:
                start = _initials_before(doc, start, end)
        cleaned = clean_span(doc, start, end, raw_label)
        if cleaned is None:
            continue
        i, j = cleaned
        label = _relabelled(doc, i, j, raw_label, common)
        if label is None and ent.label_ == "ORG":
            mentions.extend(_place_leading(doc, i, j))
        if label is None or (label != "PERSON" and _is_title_fragment(doc, i, j)):
            continue
        last = mentions[-1] if mentions else None
        if last and label == last.label == "PERSON" and (
                (last.j == i and doc[i - 1].whitespace_ == " ") or _nickname_between(doc, last, i)):
            # one name the model cut in two: "Susilo Bambang" "Yudhoyono", or either side of
            # a nickname: 'Edward Lodewijk "Eddie" Van Halen'
            i, j = clean_span(doc, last.i, j, label) or (i, j)
            mentions.pop()
        mention = Mention(i, j, tuple(token.text for token in doc[i:j]), label)
        mentions.append(_without_caption_label(doc, mention, labels) if labels else mention)
    if forums:
        mentions = sorted(mentions + [Mention(k, k + 1, (doc[k].text,), "ORG") for k in forums],
                          key=lambda m: m.i)
    return mentions


def _forums(doc: Doc) -> set[int]:
    """Tokens naming a forum of countries, "G" and its members' number ("the G8 summit", "G7
    finance ministers"), alone or as the model's whole entity, which it tags a place, a person,
    a product or nothing: an organisation. Not a maker's model ("PowerMac G4", "Pontiac G6")
    nor one of a kind ("a G4 processor")."""
    return {
        token.i for token in doc
        if _FORUM.fullmatch(token.text)
        and (token.ent_iob_ == "O" or (token.ent_iob_ == "B" and (
            token.i + 1 == len(doc) or doc[token.i + 1].ent_iob_ != "I")))
        and not (token.i and (doc[token.i - 1].tag_ in PROPER_NOUN_TAGS
                              or doc[token.i - 1].lower_ in ("a", "an")))
    }


def _entity_pieces(doc: Doc) -> Iterator[Span]:
    """The model's entities, each cut into the names either side of a line break or a score
    inside it: a title ending in a name and a body opening with one are two mentions, and so
    are the two sides of a result ("Clyde 0-5 Celtic" over "Celtic brushed aside Clyde" is
    "Clyde" and "Celtic", not "Clyde 0-5 Celtic Celtic")."""
    for ent in _party_names_joined(doc):
        start, k = ent.start, ent.start
        while k < ent.end:
            width = _break_at(doc, k, ent.start, ent.end) or (
                _owner_before(doc, k, start, ent.end) if ent.label_ == "ORG" else 0)
            if width:
                if start < k:
                    yield Span(doc, start, k, label=ent.label_)
                start = k + width
                k += width
            else:
                k += 1
        if start == ent.start:
            yield ent
        elif start < ent.end:
            yield Span(doc, start, ent.end, label=ent.label_)


def _party_names_joined(doc: Doc) -> list[Span]:
    """The model's entities, a party's name it tags in two made one: an organisation and the
    "nationality or group" word right after it ("Liberal Democrat leader": ORG "Liberal", NORP
    "Democrat"), and a group word after a name word it leaves untagged ("The Liberal Democrats
    say": NORP "Democrats"). Not after an owner's possessive ("Arsenal's Brazilian midfielder"),
    a country's people ("Reddy's Indian competitors") or a body's own word ("Senate
    Democrats", "House Republicans": the chamber and the party stay two)."""
    out: list[Span] = []
    for ent in doc.ents:
        last = out[-1] if out else None
        before = doc[ent.start - 1] if ent.start else None
        if not (ent.label_ == "NORP" and ent.end - ent.start == 1 and doc[ent.start].is_title
                and country_kind(ent.text) is None and before is not None
                and before.whitespace_ and before.lower_ not in ORG_WORDS):
            out.append(ent)
        elif (last is not None and last.label_ == "ORG" and last.end == ent.start
              and before.tag_ != "POS" and not before.text.endswith(tuple(POSSESSIVES))
              and not any(token.is_upper for token in last)):  # not "GOP Republicans"
            out[-1] = Span(doc, last.start, ent.end, label="ORG")
        elif (before.ent_iob_ == "O" and before.tag_ == "NNP" and before.is_title
              and not _opens_sentence(doc, before.i) and doc[ent.start].tag_ == "NNPS"
              and country_kind(before.text) is None):  # not "Fellow Democrats were ..."
            out.append(Span(doc, ent.start - 1, ent.end, label="NORP"))
        else:
            out.append(ent)
    return out


def _break_at(doc: Doc, k: int, start: int, end: int) -> int:
    """How many tokens from k on part two names of the entity [start, end): a line break, or a
    score with a name either side ("0-5", or "0", "-", "5"); 0 if none does."""
    token = doc[k]
    if token.is_space and "\n" in token.text:
        return 1
    if k == start:
        return 0
    if _SCORE.fullmatch(token.text) and k + 1 < end:
        return 1
    if token.is_digit and k + 3 < end and doc[k + 1].text == "-" and doc[k + 2].is_digit:
        return 3
    return 0


def _owner_before(doc: Doc, k: int, start: int, end: int) -> int:
    """1 if the possessive at k parts an owner from a proper name of two words or more that the
    model took into one organisation with it ("the United Nations' Food and Agriculture
    Organization", "Bristol's Old Vic Theatre School", "Roma's Olivier Dacourt"): the owner is
    a GeoNames place or stands alone elsewhere in the article, not only before its possessive.
    A name whose possessive is its own stays whole ("Transport and General Workers' Union",
    "Moody's Investors Service"; "Queen's Park Rangers": the owner is one title word)."""
    if doc[k].tag_ != "POS" or k == start or end - k < 3:
        return 0
    owned = doc[k + 1:end]
    if not (owned[0].tag_ in PROPER_NOUN_TAGS and _titled(owned[-1])
            and all(_titled(token) or token.lower_ in OWNED_NAME_LINKS for token in owned)):
        return 0
    first = start + 1 if doc[start].lower_ == "the" else start
    owner = doc[first:k].text
    if k == first or (k - first == 1 and owner.lower() in JOB_WORDS):
        return 0
    elsewhere = any(
        not (doc[first].idx <= m.start() < doc[end - 1].idx)
        for m in re.finditer(rf"(?<![\w'’]){re.escape(owner)}(?![\w'’])", doc.text))
    return 1 if elsewhere or resolve_country(owner, "GPE") is not None else 0


def _organisation_run(doc: Doc, i: int, j: int) -> tuple[int, int]:
    """An organisation's whole name where the model stopped short: before "of", "for", "on" (or
    "and" in a name with "of") and capitalised words it tagged nothing or a place ("Court of
    Appeals for the District of Columbia", "National Institute of Allergy and Infectious
    Diseases", "Select Committee on Benghazi"), or after an acronym it left out ("BNP
    Paribas")."""
    if i > 0 and doc[i - 1].is_upper and doc[i - 1].is_alpha and doc[i - 1].ent_iob_ == "O" \
            and doc[i - 1].tag_ in PROPER_NOUN_TAGS and not doc[i - 1].is_sent_start:
        i -= 1
    if all(_is_title(token.text) for token in doc[i:j]):
        return i, j  # an office: "Secretary of State for the Family"
    while j + 1 < len(doc) and doc[j].lower_ in RUN_LINKS and (
            doc[j].lower_ != "and" or any(token.lower_ == "of" for token in doc[i:j])):
        k = j + 1
        if doc[k].lower_ == "the" and doc[j].lower_ != "and":
            k += 1
        end = k
        while end < len(doc) and len(doc[end]) > 1 \
                and (_titled(doc[end]) or doc[end].lower_ in ("of", "and")) \
                and (doc[end].ent_iob_ == "O" or (doc[end].ent_type_ == "GPE"
                                                   and doc[j].lower_ != "and")):
            end += 1
        while end > k and not _titled(doc[end - 1]):
            end -= 1
        if end == k or (end < len(doc) and _titled(doc[end])):
            break
        j = end
    return i, j


def _titled(token) -> bool:
    """A capitalised word of a name, a French elided one too ("d’Intervention")."""
    return token.is_title or _ELIDED.fullmatch(token.text) is not None


def _first_names_before(doc: Doc, i: int) -> int:
    """The start of a person's name where the model left out the first names: untagged
    capitalised name words before it, the first a given name ("Superintendent Yolanda" + "Yu
    Hoi-kwan", "producer Sacha Baron" + "Cohen")."""
    start = i
    for k in range(i - 1, max(i - 3, -1), -1):
        token = doc[k]
        if token.ent_iob_ != "O" or token.is_sent_start or not _NAME_WORD.fullmatch(token.text) \
                or _is_title(token.text):
            break
        if is_given_name(token.text):
            start = k
    return start


def _initials_before(doc: Doc, i: int, j: int) -> int:
    """The start of a surname's mention with the initials before it that the model left out,
    written together as British papers print them ("the poet WH Auden"); not a rank ("DI
    Blake") nor a country ("US Bush"). The name must be a person's by what is around it, as a
    lone surname must (a calling before it, a speech verb, "he" or "she" after it): the same
    capitals open bodies' names ("thought JP Morgan may ...")."""
    k = i - 1
    if k >= 0 and doc[k].ent_iob_ == "O" and doc[k].whitespace_ \
            and _joined_initials(doc[k].text) \
            and _titled_or_speaking(doc, Mention(k, j, (doc[k].text, doc[i].text), "PERSON")):
        return k
    return i


def _joined_initials(text: str) -> bool:
    """Whether a word may be a person's initials written together: two or three capitals, no
    rank and no country."""
    return (_JOINED_INITIALS.fullmatch(text) is not None and not _is_title(text)
            and country_kind(text) is None)


def _addressed(doc: Doc, i: int, j: int, label: str) -> bool:
    """Whether an organisation is a person addressed by a form of address: "Mr Balls"."""
    return (
        label == "ORG" and 1 < j - i <= 3 and _addresses(doc, i, j)
        and all(_NAME_WORD.fullmatch(token.text) for token in doc[i + 1:j])
        and not any(token.lower_ in ORG_WORDS for token in doc[i + 1:j])
    )


def _nickname_between(doc: Doc, last: Mention, i: int) -> bool:
    """Whether a quoted nickname alone stands between two parts of a person's name."""
    return (
        last.j + 3 == i and doc[last.j].is_quote and doc[i - 1].is_quote
        and doc[last.j + 1].is_title
    )


def _caption_labels(doc: Doc) -> frozenset[str]:
    """Capitalised words the article writes only before a colon, at least twice, alone or glued
    to the word before ("Jo JorgensenImage: Jo Jorgensen for President", "Tom Tancredo Image:"):
    the labels of picture captions, no part of any name."""
    before_colon: Counter = Counter()
    elsewhere: set[str] = set()
    for token in doc[:-1]:
        word = _CAPTION_WORD.search(token.text)
        if word is None:
            continue
        if doc[token.i + 1].text == ":":
            before_colon[word.group(1)] += 1
        else:
            elsewhere.add(word.group(1))
    return frozenset(w for w, n in before_colon.items() if n > 1 and w not in elsewhere)


def _without_caption_label(doc: Doc, m: Mention, labels: frozenset[str]) -> Mention:
    """A person's mention without the caption label the text runs into it."""
    last = doc[m.j - 1].text
    if m.label != "PERSON":
        return m
    if last in labels and m.j - m.i > 1:
        return Mention(m.i, m.j - 1, m.words[:-1], m.label)
    for label in labels:
        if last.endswith(label) and len(last) > len(label) and last[-len(label) - 1].islower():
            return Mention(m.i, m.j, (*m.words[:-1], last[:-len(label)]), m.label, len(label))
    return m


def _leads_only(doc: Doc, i: int, k: int) -> bool:
    """Whether words before a name only say who or where the person is: "the House", "Historian",
    "Russian", "Vermont" (a GeoNames place)."""
    return all(
        token.is_lower or token.is_punct or _is_title(token.text)
        or token.lower_ in JOB_WORDS or token.text in GENERIC_ORGS
        or country_kind(token.text) is not None or resolve_country(token.text, "GPE") is not None
        for token in doc[i:k]
    )


def _person_inside(
    doc: Doc, i: int, j: int, label: str, common: frozenset[int]
) -> tuple[int, int] | None:
    """The token range of a person's name the model took into another entity, or None: after
    words that only say who or where the person is ("the House Nancy Pelosi", "Russian Irina
    Shevchenko", "Historian Darcy Richardson"), before "of" and the person's organisation ("Eli
    Beckerman of Open the Debates"), or the whole of a "place" that is no GeoNames place and
    starts with no plain word of the article ("Savannah Guthrie", not "River Senne")."""
    if label == "PERSON":
        return None
    while i < j and (doc[i].lower_ in ARTICLES or _is_stray(doc, i)):
        i += 1
    while j > i and _is_stray(doc, j - 1):
        j -= 1
    for k in range(i + 1, j - 1):
        if doc[k - 1].lower_ in ("of", "for"):
            continue  # a body's name goes on: "the Office of Fair Trading" ("Fair" is a name)
        if _leads_only(doc, i, k) and looks_personal(doc, k, j, common):
            return k, j
    for k in range(i + 2, j - 1):
        if doc[k].lower_ == "of" and looks_personal(doc, i, k, common):
            return i, k
    whole = (
        label == "GPE" and resolve_country(doc[i:j].text, label) is None
        and j > i and doc[i].lower not in common
    )
    return (i, j) if whole and looks_personal(doc, i, j, common) else None


def _named_by_noun(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """Mentions of works dropped and groups made organisations, all of a name's mentions alike,
    when one of them follows a noun that says what it is ("the band Van Halen", "oil giant
    Yukos", "novel, Cloud Atlas,"; a town's name too: "club side Newcastle", not a country's).
    A "person" after a capitalised "The" is a work too ("The Da Vinci Code", where the model
    took "The" into the name, or "the play The False Servant" inside a sentence): people's
    names take no article. So is a name the model tags a work elsewhere
    ("Uganda bans Vagina Monologues" beside "the play The Vagina Monologues"), and a name that
    opens a title, with the names inside the title ("Harry Potter and the Prisoner of Azkaban"),
    or one a credit and a person's name follow ("Harry Potter author JK Rowling").

    The names that a noun, a credit or a title's words call works, and a body's products
    ("Microsoft's Xbox"), are listed in doc._.works; not those the model's label or a "The"
    alone calls one ("The Lib Dems" opening a sentence): across the archive, they outweigh the
    articles that give no such context (see resolution.archive.type_votes)."""
    kind: dict[tuple[str, ...], str] = {}
    cued: set[tuple[str, ...]] = set()  # works a noun, a credit or a title's words say so
    in_title: set[int] = set()
    works = {
        tuple(token.text for token in ent if not (token.i == ent.start and token.lower_ == "the"))
        for ent in doc.ents if ent.label_ == "WORK_OF_ART"
    }
    person_starts = {m.i for m in mentions if m.label == "PERSON"}
    for m in mentions:
        before = _noun_before(doc, m)
        listed = _list_noun(doc, m)
        longer = _inside_a_longer_title(doc, m)
        # "smartphones like the Nokia 6600"; only a product noun asks (see _calls_a_kind)
        maker = (listed in PRODUCT_NOUNS or before in PRODUCT_NOUNS) and _makes_a_model(doc, m)
        if _calls_a_kind(listed, maker) and m.label in ("PERSON", "ORG") and longer:
            in_title.add(m.i)
        elif _calls_a_kind(listed, maker) and m.label in ("PERSON", "ORG"):
            kind[m.words] = "WORK"
            cued.add(m.words)
        elif listed and _is_calling(listed) and m.label == "ORG" and len(m.words) <= 3 \
                and all(_NAME_WORD.fullmatch(word) for word in m.words):
            kind.setdefault(m.words, "PERSON")
        if m.words in works and m.label in ("PERSON", "ORG"):
            kind[m.words] = "WORK"  # the model's word alone ("The Lib Dems" opening a sentence)
        after_the = m.label == "PERSON" and m.i > 0 and doc[m.i - 1].text == "The" and (
            doc[m.i - 1].ent_type_ == "PERSON" or not doc[m.i - 1].is_sent_start)
        if m.label == "PERSON" and (m.j + 1 in person_starts and doc[m.j].lower_ in WORK_CREDITS):
            kind[m.words] = "WORK"  # "Harry Potter author JK Rowling"
            cued.add(m.words)
        if m.label in ("PERSON", "ORG") and _closes_a_title(doc, m):
            in_title.add(m.i)  # "Lord of the Rings": this mention only, as a longer title's
        if m.label == "PERSON" and _opens_a_title(doc, m):
            kind[m.words] = "WORK"
            cued.add(m.words)
            k = m.j + 2  # the rest of the title names nothing either ("of Azkaban")
            while k < len(doc) and (doc[k].is_title or doc[k].lower_ in TITLE_LINKS):
                in_title.add(k)
                k += 1
        named = (m.label in ("PERSON", "ORG") and not _clause_subject(doc, m.i, m.j)
                 and _calls_a_kind(before, maker)) \
            or (m.label == "ORG" and (_a_kind(doc, m) or _played_in(doc, m)))
        if (named or after_the) and longer:
            in_title.add(m.i)  # this mention only: the name's others may be the person's
        elif named or after_the:
            kind[m.words] = "WORK"
            if named:
                cued.add(m.words)
        elif before in GROUP_NOUNS and m.label in ("PERSON", "GPE"):
            kind.setdefault(m.words, "ORG")  # "giant Nokia"; a country stays one: _vote_labels
    untagged = _untagged_titles(doc, in_title)
    for title in untagged:
        kind[title] = "WORK"  # the article's other mentions of it: "The Aviator tells ..."
        cued.add(title)
    for m in mentions:  # two titles the model joined: "The Aviator and Million Dollar Baby"
        if any(m.words[:len(title)] == title and m.words[len(title):len(title) + 1] == ("and",)
               for title in cued):
            in_title.add(m.i)
    owned, named_otherwise, by_body = set(), set(), set()
    for m in mentions:
        if m.label != "ORG":
            continue
        if not _owned(doc, m):
            named_otherwise.add(m.words)
            continue
        owned.add(m.words)
        if _a_bodys_product(doc, m):
            by_body.add(m.words)
    owned = {words for words in owned if words not in named_otherwise or words in by_body}
    kept, dropped = [], {}
    for m in mentions:
        if (kind.get(m.words) == "WORK" and m.words in cued) or m.words in by_body:
            dropped.setdefault(m.words, organisation_name(m.text(doc)))
        if kind.get(m.words) == "WORK" or m.words in owned or m.i in in_title:
            continue
        if m.words in kind:
            m.label = kind[m.words]
        kept.append(m)
    for title in untagged:  # in the article's order, as the works of its mentions are
        dropped.setdefault(title, organisation_name(" ".join(title)))
    doc._.works = list(dropped.values())
    return kept


def _untagged_titles(doc: Doc, in_title: set[int]) -> list[tuple[str, ...]]:
    """Titles a work noun calls works where the model tagged no name ("the film The Aviator",
    "the novel Cloud Atlas", "the musical Billy Elliot"), "The" aside: in other articles the
    model may tag the same title an organisation or a person, and the archive's vote (see
    resolution.archive.type_votes) counts the articles that call it a work. After a plural
    noun each title of the list ("the films The Aviator, Sideways and Ray"); after a singular
    one "and" stays inside the title ("the novel Pride and Prejudice"). Not a title that holds a
    name the model tagged (those mentions are judged above), a place, a date or a number ("the
    series England won"), a pronoun ("the play I wrote"), an owner ("in the film, Mr
    Rusesabagina's wife"), nor a name after a comma that no comma closes."""
    out = []
    for token in doc:
        if token.tag_ not in ("NN", "NNS"):
            continue
        noun = token.lower_ if token.tag_ == "NN" else _singular(token.lower_)
        if noun not in KIND_NOUNS or _bare_product_noun(doc, token.i, noun):
            continue
        links = TITLE_LINKS if token.tag_ == "NNS" else TITLE_LINKS | {"and"}
        k = token.i + 1
        apposed = k < len(doc) and doc[k].text == ","  # "the novel, Cloud Atlas, ..."
        k += apposed
        while (span := _untagged_title_at(doc, k, links, apposed, in_title)) is not None:
            k, end = span
            out.append(tuple(t.text for t in doc[k:end]))
            if token.tag_ != "NNS" or end + 1 >= len(doc) or doc[end].text not in (",", "and"):
                break
            k = end + 1 + (doc[end].text == "," and doc[end + 1].lower_ == "and")
    return out


def _untagged_title_at(doc: Doc, k: int, links: frozenset[str], apposed: bool,
                       in_title: set[int]) -> tuple[int, int] | None:
    """The untagged title that opens at k, its own "The" aside, as (start, end), or None (see
    _untagged_titles): capitalised words and the links between them. A title going on in
    figures ("Fahrenheit 9/11") is not known whole, and an owner ("the top film, Ice Cube's
    road-trip comedy") is no title."""
    if k < len(doc) and doc[k].text == "The":
        k += 1
    end = k
    while end < len(doc) and (_titled(doc[end]) or (
            doc[end].lower_ in links and end + 1 < len(doc) and _titled(doc[end + 1]))):
        end += 1
    title = doc[k:end]
    if not len(title) or title[0].tag_ not in PROPER_NOUN_TAGS or title[0].text == "I" \
            or (end < len(doc) and (doc[end].text[:1].isdigit()
                                    or doc[end].lower_ in POSSESSIVES)) \
            or (apposed and (end == len(doc) or doc[end].text != ",")) \
            or any(t.i in in_title or t.ent_type_ in NOT_TITLE_LABELS for t in title) \
            or _clause_subject(doc, k, end):
        return None
    return k, end


def _a_kind(doc: Doc, m: Mention) -> bool:
    """Whether an acronym the model tags an organisation is a kind of thing: an indefinite
    article makes it the head of its phrase ("an API", "a VPS,", "an RPG where"), not a
    body's name, which takes none unless it qualifies a noun ("a BBC reporter", "A CBI quarterly
    survey") or a clause says what it does ("a UKIP whose leadership ...")."""
    if len(m.words) != 1 or not m.words[0].isupper() or m.i == 0:
        return False
    after = doc[m.j] if m.j < len(doc) else None
    return doc[m.i - 1].lower_ in ("a", "an") and (after is None or not (
        after.tag_ in QUALIFIED_TAGS or after.lower_ in ("who", "whose")))


def _played_in(doc: Doc, m: Mention) -> bool:
    """Whether an "organisation" is a work an actor plays in: "her roles in Eternal Sunshine of
    the Spotless Mind", "who appeared in Brookside", "starred in The Basketball Diaries". Not a
    name that qualifies what follows it ("appeared in BBC series Ballykissangel", "a key role in
    Labour's campaign", "his role in the Tigers revival"), nor a body ("appeared in Christchurch
    District Court")."""
    if any(word.lower() in ORG_WORDS for word in m.words):
        return False
    k = m.i - 1
    if k > 0 and doc[k].lower_ == "the":
        k -= 1
    after = doc[m.j] if m.j < len(doc) else None
    return (
        k > 0 and doc[k].lower_ == "in" and doc[k - 1].lower_ in ROLE_WORDS
        and (after is None or after.tag_ not in HEAD_FOLLOWERS)
    )


def _makes_a_model(doc: Doc, m: Mention) -> bool:
    """Whether a name goes on in a model's name or number: the maker of the product a product
    noun calls ("consoles like the Sony PSP", "smartphones like the Nokia 6600"), not the
    product, nor a maker the model tagged with its model ("the Orange E200")."""
    if len(m.words) > 1 and (_MODEL_CODE.fullmatch(m.words[-1]) or doc[m.j - 1].like_num):
        return True
    if m.j >= len(doc):
        return False
    after = doc[m.j]
    return after.like_num or (after.is_upper and after.is_alpha) or (
        _titled(after) and not after.is_sent_start) or _MODEL_CODE.fullmatch(after.text) is not None


def _clause_subject(doc: Doc, i: int, j: int) -> bool:
    """Whether a name after a noun is the subject of a clause on the noun, not its title: "the
    console Sony launched", "the film Disney made", whose verb lacks the object the noun is.
    The small model parses "the biopic The Aviator was a hit" and "the film The Aviator opened
    in London" so too: a title's own capitalised "The" or a verb that has what it needs ("a
    hit") says otherwise."""
    return not (i > 0 and doc[i - 1].text == "The") and any(
        t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "relcl"
        and not any(c.dep_ in CLAUSE_COMPLEMENTS for c in t.head.children)
        for t in doc[i:j])


def _inside_a_longer_title(doc: Doc, m: Mention) -> bool:
    """Whether a name is only part of a title that goes on after it, with or without a
    possessive ("hosted The Doris Day Show", "her talk show Doris Day's Best Friends", "the
    sitcom Kim's Convenience"): the work is the longer title, not the name, which the article
    may name as a person elsewhere. A person or a place the model names after it ("the band
    Coldplay's Chris Martin") does not continue a title."""
    k = m.j
    if k + 1 < len(doc) and doc[k].lower_ in POSSESSIVES:
        k += 1
    return k < len(doc) and _titled(doc[k]) and doc[k].ent_type_ not in PEOPLE_AND_PLACES \
        and not doc[k].is_sent_start and doc[k].text != "I"


def _opens_a_title(doc: Doc, m: Mention) -> bool:
    """Whether a "person" opens a work's title: "and the" and capitalised words follow that the
    model tags no name ("Harry Potter and the Prisoner of Azkaban", "... and the Half-Blood
    Prince", "Charlie and the Chocolate Factory"); not a band after its singer ("Bob Marley and
    the Wailers"), nor a body named beside the person ("Tony Blair and the Labour Party")."""
    k = m.j
    if k + 3 >= len(doc) or doc[k].lower_ != "and" or doc[k + 1].lower_ != "the":
        return False
    first, second = doc[k + 2], doc[k + 3]
    return (first.is_title and first.ent_iob_ == "O" and second.ent_iob_ == "O"
            and (second.is_title or second.lower_ == "of" or second.text == "-"))


def _closes_a_title(doc: Doc, m: Mention) -> bool:
    """Whether a one-word name only ends a longer title that the model did not tag: a
    capitalised word that opens neither a sentence nor a name, then "of the" and the name ("Lord
    of the Rings", "Shaun of the Dead", "Revenge of the Sith"). Not after an office, whose body
    it names ("Speaker of the House", "Governor of the Reserve Bank"), nor a name in capitals
    ("Member of the SNP") or of more than one word ("Fellow of the Royal Society")."""
    if len(m.words) != 1 or not m.words[0].istitle() or m.i < 3:
        return False
    head, of, the = doc[m.i - 3], doc[m.i - 2], doc[m.i - 1]
    return of.text == "of" and the.text == "the" and the.ent_iob_ == "O" \
        and head.ent_iob_ == "O" and head.tag_ in PROPER_NOUN_TAGS and head.is_title \
        and not head.is_sent_start and _bare(head.text) not in OFFICES


def _list_noun(doc: Doc, m: Mention) -> str:
    """The noun a list of names is introduced by, singular, or "" if the mention is in no such
    list: "authors" of "classical authors like Cicero, Virgil and Tacitus", "film" of "whose
    films include Schindler's List, Michael Collins and ...", "firm" of "firms such as ...",
    "device" of "devices like the iPod". Not an owner whose possessive opens the item ("shows
    such as Channel 4's gameshow")."""
    if m.j + 1 < len(doc) and doc[m.j].lower_ in POSSESSIVES and doc[m.j + 1].is_lower:
        return ""
    k = _before_list(doc, m.i)
    if k > 0 and doc[k].lower_ in LIST_OPENERS:
        k -= 1
        if doc[k].lower_ == "such":
            k -= 1
        elif doc[k + 1].lower_ == "as":  # "his second goal of the game as Celtic drove home"
            return ""
    else:
        return ""
    return _noun_at(doc, k)


def _before_list(doc: Doc, i: int) -> int:
    """The token before the list of names that the name at i is in: back over capitalised
    words, commas, "and", "or", "the", colons and possessives."""
    k = i - 1
    while k > 0 and (doc[k].text in (",", "and", "or", ":", "'s", "’s", "the")
                     or (not doc[k].is_lower and not doc[k].is_punct)):
        k -= 1
    return k


def _list_start(doc: Doc, i: int) -> int:
    """The plural noun whose list of names the name at i goes on, or -1: "Falcon Crest" of "soap
    operas Knots Landing, Falcon Crest", "Semen Gresik" of "companies Adhi Karya and Semen
    Gresik". One "and" or "or" at most between them, for a second one opens another list
    ("managers Anthony Walker and Nicholas Jeffries, and Railtrack managers")."""
    k = _before_list(doc, i)
    joins = sum(t.lower_ in ("and", "or") for t in doc[k + 1:i])
    return k if doc[k].tag_ == "NNS" and _titled(doc[k + 1]) and joins <= 1 else -1


def _owned(doc: Doc, m: Mention) -> bool:
    """Whether an "organisation" follows an organisation's or a person's possessive ("IBM's
    Workplace", "the BBC's Focus on Africa", "Alice Sebold's The Lovely Bones"): a product,
    programme or work of its owner, when the article never names it otherwise; so is one after
    an untagged title's possessive ("The Emperor's New Clothes"), or one after "its" or "their"
    that a product's or a scheme's noun follows ("its GameBoy console", "its Connected World
    initiative"); a body's own committee or channel stays ("the Bank's Monetary Policy
    Committee", "Panasonic's Hollywood Laboratories")."""
    k = m.i - 1
    if k >= 0 and doc[k].text == "The":
        k -= 1
    return (
        k > 0 and (
            (doc[k].lower_ in POSSESSIVES
             and (doc[k - 1].ent_type_ in ("ORG", "PERSON")
                  or (doc[k - 1].ent_type_ == "" and doc[k - 1].is_title and k > 1
                      and doc[k - 2].text == "The")))
            or (doc[k].tag_ == "PRP$" and _thing_noun_after(doc, m)))
        and not any(word.lower() in ORG_WORDS or word.lower() in BODY_WORDS
                    or word in NUMBERED_NAMES for word in m.words)
    )


def _thing_noun_after(doc: Doc, m: Mention) -> bool:
    """Whether the lower-case nouns right after a mention end in one of OWNED_THING_NOUNS
    ("Windows operating system", "Xbox consoles", "Connected World initiative")."""
    k = m.j
    while k < len(doc) and doc[k].is_lower and doc[k].tag_ in ("NN", "NNS"):
        k += 1
    if k == m.j:
        return False
    noun = doc[k - 1].lower_
    return (_singular(noun) if doc[k - 1].tag_ == "NNS" else noun) in OWNED_THING_NOUNS


def _a_bodys_product(doc: Doc, m: Mention) -> bool:
    """Whether an owned "organisation" (see _owned) is a product an organisation's possessive
    names as the head of its phrase ("Microsoft's Xbox", "Apple's iPod."): then the article's
    other mentions of it are the product too; not a deal, a design or a unit it qualifies
    ("SBC's AT&T deal", "Eton Corporation's Porsche designed radio"), unless it is the subject
    of the verb after it (see _subject_of_verb_after) or a product's or a scheme's noun follows
    it ("IBM's Workplace software", "Microsoft's Windows operating system")."""
    k = m.i - (2 if doc[m.i - 1].text == "The" else 1) - 1
    after = doc[m.j] if m.j < len(doc) else None
    return doc[k].ent_type_ == "ORG" and (
        after is None or after.tag_ not in HEAD_FOLLOWERS or _subject_of_verb_after(doc, m)
        or _thing_noun_after(doc, m))


def _subject_of_verb_after(doc: Doc, m: Mention) -> bool:
    """Whether a mention is the subject of the verb right after it, an auxiliary ("Apple's iPod
    was launched") or one that ends its clause ("the lead that Apple's iPod made, with"): it
    heads its own phrase. Not a participle before a noun ("Eton Corporation's Porsche designed
    P7131 radio"), which the parser may take for the name's verb, nor a speech verb: a body's
    unit speaks ("Time Warner's AOL said"), a product does not."""
    after = doc[m.j]
    rest = doc[m.j + 1] if m.j + 1 < len(doc) else None
    return (after.tag_.startswith("VB") and doc[m.j - 1].dep_ in ("nsubj", "nsubjpass")
            and after.lower_ not in SPEECH_VERBS
            and (after.dep_ in ("aux", "auxpass") or rest is None or rest.is_punct))


def _noun_before(doc: Doc, m: Mention) -> str:
    """The lower-case noun right before a mention, or before the comma of an apposition
    ("novel, Cloud Atlas, makes"), singular ("companies Gizmondo and Tapwave") and with the word
    a hyphen joins it to ("film-maker"); "" if there is none. Not a verb spelt like one: "will play
    Cyril Saulnier in the final" names no play; nor a product noun that heads no phrase of its
    own, an adverbial ("speaking by phone Tony Blair said", "on camera Gordon Brown"), where a
    bare calling is not ("for distributor Toho", "and drama American Dreams")."""
    k = m.i - 1
    if k > 0 and doc[k].text == "," and m.j < len(doc) and doc[m.j].text == ",":
        k -= 1
    elif k > 0 and doc[k].text == "The" and not doc[k].is_sent_start:
        k -= 1  # a title's own "The" the model left out: "the film The Aviator"
    elif k > 0 and doc[k].lower_ in (",", "and", "or"):
        k = _list_start(doc, m.i)
    noun = _noun_at(doc, k)
    return "" if not noun or _bare_product_noun(doc, k, noun) else noun


def _noun_at(doc: Doc, k: int) -> str:
    """The lower-case common noun at token k, singular, with the word a hyphen joins it to
    ("film-maker": no "maker"), or "" if token k is none."""
    if k < 0 or not doc[k].is_lower or doc[k].tag_ not in ("NN", "NNS"):
        return ""
    noun = _singular(doc[k].lower_) if doc[k].tag_ == "NNS" else doc[k].lower_
    if k > 1 and doc[k - 1].text == "-" and not (doc[k - 2].whitespace_ or doc[k - 1].whitespace_):
        return doc[k - 2].lower_ + "-" + noun
    return noun


def _bare_product_noun(doc: Doc, k: int, noun: str) -> bool:
    """Whether a product noun has no determiner or modifier before it, an adverbial after a
    preposition ("by phone", "on camera"), where one naming a product has ("the drug",
    "file-sharing program", "his phone")."""
    return noun in PRODUCT_NOUNS and not (k > 0 and doc[k - 1].tag_ in PHRASE_OPENER_TAGS)


def _calls_a_kind(noun: str, maker: bool) -> bool:
    """Whether a noun before a name, or opening the list it is in, calls it a work or a
    product: a product noun not where the name is a maker whose model follows."""
    return noun in WORK_NOUNS or (noun in PRODUCT_NOUNS and not maker)


def _is_part_of(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Whether a short name is a shorter form of a full one: its words in order, sharing an end,
    case aside ("Van Doren Stern" opening a sentence, of "Philip van Doren Stern")."""
    if len(short) >= len(full):
        return False
    short, full = tuple(w.lower() for w in short), tuple(w.lower() for w in full)
    if short[0] != full[0] and short[-1] != full[-1]:
        return False
    words = iter(full)
    return all(word in words for word in short)


def _vote_labels(
    forms: dict[tuple[str, ...], Counter], texts: dict[tuple[str, ...], str],
    located: set[tuple[str, ...]] = frozenset(),
) -> dict[tuple[str, ...], str]:
    """One label per surface form, decided over all its mentions in the article.

    A form that ends a longer person's name is that person ("Zelenskyy" tagged GPE beside
    "Volodymyr Zelenskyy"; a place that starts one is not: "Koszalin Piotr Jedlinski" is a
    mis-cut); a country's name or people are GPE or NORP whatever the model said;
    anything else takes the label most of its mentions have.
    """
    people = [
        form for form, votes in forms.items()
        if len(form) > 1 and (votes["PERSON"] * 2 > sum(votes.values())
                              or _surname_of_person(form, forms))
    ]
    labels = {}
    for form, votes in forms.items():
        kind = country_kind(texts[form])
        in_person = any(
            _is_part_of(form, full)
            and (form[-1] == full[-1] or resolve_country(texts[form], "GPE") is None)
            for full in people
        )
        if (in_person and (kind is None or votes["PERSON"])) or _surname_of_person(form, forms):
            labels[form] = "PERSON"
        elif kind is not None:
            labels[form] = "GPE" if kind == "country" else "NORP"
        else:
            labels[form] = max(votes, key=lambda lab: (votes[lab], -LABEL_PREFERENCE.index(lab)))
            if labels[form] in ("PERSON", "ORG") \
                    and _place_not_person(form, texts[form], people, located, votes):
                labels[form] = "GPE"
    return labels


def _surname_of_person(form: tuple[str, ...], forms: dict[tuple[str, ...], Counter]) -> bool:
    """Whether an "organisation" (or a "place" GeoNames does not know) of two or three name words
    ends in a surname the model tags a person where the article uses it alone ("Phillips Idowu"
    beside "kept Idowu off top spot"); initials written together may open it ("JRR Tolkien"
    beside "Tolkien died")."""
    alone = forms.get(form[-1:])
    return (
        1 < len(form) <= 3 and alone is not None
        and alone["PERSON"] * 2 > sum(alone.values())
        and all(_NAME_WORD.fullmatch(word) for word in form[1:])
        and (_NAME_WORD.fullmatch(form[0]) is not None
             or (len(form) == 2 and _joined_initials(form[0])))
        and not any(word.lower() in ORG_WORDS for word in form)
        and country_kind(form[0]) is None
    )


def _located(doc: Doc, m: Mention) -> bool:
    """Whether the article treats a mention as a place: things are put in it ("in Manchester",
    "at Lievin"), it follows a place noun and "of" ("the hometown of Odense"), or it has a
    governor, a mayor or residents ("Chelyabinsk's governor", "Omsk regional officials").

    A list beside places ("Blackpool, Bournemouth and Brighton") would say so too, but in
    results tables it lists clubs the model tags places: CoNLL-2003 LOC and ORG F1 both drop."""
    k = m.j + 1 if m.j + 1 < len(doc) and doc[m.j].lower_ in POSSESSIVES else m.j
    if k < len(doc) and doc[k].lower_ in LOCAL_WORDS:
        return True  # "Chelyabinsk's governor", "Chelyabinsk regional Deputy Governor"
    before = doc[m.i - 1] if m.i else None
    if before is None:
        return False
    return before.lower_ in LOCATIVES or (
        before.lower_ == "of" and m.i > 1 and doc[m.i - 2].lower_ in PLACE_NOUNS)


def _place_not_person(
    form: tuple[str, ...], text: str, people: list[tuple[str, ...]],
    located: set[tuple[str, ...]], votes: Counter,
) -> bool:
    """Whether a "person" or "organisation" is a GeoNames place the article names no one after
    and puts things in ("in Manchester", "at Lievin", "the consulate in Erbil"): a first name
    tagged a person, or a part of a longer name, stays a person."""
    return (
        form in located
        and resolve_country(text, "GPE") is not None
        and not (len(form) == 1 and votes["PERSON"] and is_given_name(form[0]))
        and not any(word in full for full in people if full != form for word in form)
    )


def _groups(
    doc: Doc, labels: dict[tuple[str, ...], str]
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """"Persons" the article also writes in the plural or the singular: a party or a group,
    for people's names take no plural ("Lib Dem" beside "Lib Dems", "Tories" beside "Tory").
    Each -> its plural, the group's name ("Lib Dem MPs" are of the "Lib Dems")."""
    out = {}
    for form, label in labels.items():
        last = form[-1]
        if label != "PERSON" or len(last) < 3 or not last[0].isupper():
            continue
        if last.endswith("ies"):
            others = [last[:-3] + "y"]
        elif last.endswith("s"):
            others = [last[:-1]]
        else:
            others = [last + "s", last[:-1] + "ies"] if last.endswith("y") else [last + "s"]
        for other in others:
            text = " ".join((*form[:-1], other))
            if re.search(rf"(?<!\w){re.escape(text)}(?!\w)", doc.text):
                out[form] = form if last.endswith("s") else (*form[:-1], other)
                break
    return out


def _titled_or_speaking(doc: Doc, m: Mention) -> bool:
    """Whether a mention has a title or calling before it ("Mr Kennedy", "composer Mozart",
    "authors like Cicero"),
    speaks ("Peskov said", "said Peskov") or leads an administration ("the Obama
    administration"): what makes a lone surname a person."""
    before = doc[m.i - 1] if m.i else None
    after = doc[m.j] if m.j < len(doc) else None
    return (
        (before is not None and (_bare(before.text) in TITLES or before.lower_ in SPEECH_VERBS
                                 or (_is_calling(before.lower_) and not before.ent_type_)))
        or (after is not None and (after.lower_ in SPEECH_VERBS or after.lower_ in LED_BY))
        or _he_or_she_follows(doc, m) or _is_calling(_list_noun(doc, m))
    )


def _is_calling(word: str) -> bool:
    """A job or calling before a lone name that says it is a person's ("composer Mozart",
    "Pope Francis": nameparser's titles), not a firm's ("whisky maker Diageo")."""
    return word in JOB_WORDS and word not in GROUP_NOUNS and word not in KIND_NOUNS


def _he_or_she_follows(doc: Doc, m: Mention) -> bool:
    """Whether a subject is taken up by "he" or "she" before any other name, in its sentence or
    the next ("Collins ran in Birmingham ... he said"): a person, not a firm ("it")."""
    if doc[m.j - 1].dep_ != "nsubj" or doc[m.j - 1].tag_ != "NNP":
        return False
    sentence = doc[m.j - 1].sent
    end = sentence.end
    if end < len(doc):
        end = doc[end].sent.end
    for token in doc[m.j:end]:
        if token.ent_type_ == "PERSON":
            return False
        if token.lower_ in PERSONAL_PRONOUNS:
            return True
    return False


def _lone_names(
    labels: dict[tuple[str, ...], str], titled: set[tuple[str, ...]]
) -> set[tuple[str, ...]]:
    """One-word "persons" the article never joins to another name, titles nor has speak: a
    first name no surname follows ("Sandra", "Hurricane Humberto") or a company, brand or work
    the model took for a surname ("Diageo", "Lua"). A person named once in full is not one."""
    people = [form for form, label in labels.items() if label == "PERSON" and len(form) > 1]
    return {
        form for form, label in labels.items()
        if label == "PERSON" and len(form) == 1 and form not in titled
        and not any(form[0] in full for full in people)
    }


def _tickets(doc: Doc, labels: dict[tuple[str, ...], str],
             texts: dict[tuple[str, ...], str]) -> set[tuple[str, ...]]:
    """"Organisations" that are two people's surnames joined by a slash or a hyphen, each of a
    person the article names, in an article on an election ("Biden-Harris", "De La Fuente/
    Richardson"): a ticket, no body; its people are listed already. Elsewhere such a name is a
    firm's ("Hewlett-Packard" beside Bill Hewlett and David Packard)."""
    surnames = {form[-1] for form, label in labels.items() if label == "PERSON" and len(form) > 1}
    out = {form for form, label in labels.items() if label == "ORG" and len(
        parts := _TICKET.split(texts[form])) == 2 and all(
        part.split() and part.split()[-1] in surnames for part in parts)}
    if out and _common_words(doc).isdisjoint(get_string_id(word) for word in TICKET_WORDS):
        return set()
    return out


def _propagate(
    doc: Doc, labels: dict[tuple[str, ...], str], outside: numpy.ndarray
) -> list[Mention]:
    """Untagged repeats of names the article tagged elsewhere ("Lebed" after "Alexander Lebed")."""
    targets: dict[tuple[str, ...], str] = {
        form: label for form, label in labels.items() if label in PROPAGATED_LABELS
    }
    for form, label in labels.items():
        if label == "PERSON" and len(form) > 1 and form[-1].istitle() and len(form[-1]) > 2:
            targets.setdefault(form[-1:], "PERSON")
    by_first: dict[int, list[tuple[str, ...]]] = {}
    for form in sorted(targets, key=len, reverse=True):
        if form[0][:1].isupper():
            by_first.setdefault(get_string_id(form[0]), []).append(form)
    found = []
    orths = doc.to_array(ORTH)
    for k in numpy.flatnonzero(numpy.isin(orths, list(by_first)) & outside):
        if doc[k].tag_ not in PROPER_NOUN_TAGS:
            continue
        for form in by_first[int(orths[k])]:
            j = k + len(form)
            if j <= len(doc) and outside[k:j].all() and all(
                token.text == word for token, word in zip(doc[k:j], form, strict=True)
            ):
                found.append(Mention(int(k), j, form, targets[form]))
                outside[k:j] = False
                break
    return found


@lru_cache(maxsize=1)
def _country_first_word_ids() -> numpy.ndarray:
    """Hashes of the first words of country names, as spaCy's LOWER attribute gives them."""
    return numpy.array(sorted(get_string_id(word) for word in country_name_words()),
                       dtype=numpy.uint64)


def _missed_places(doc: Doc, outside: numpy.ndarray) -> list[Mention]:
    """Country names the model left untagged ("Belarus"), and dateline places ("BONN 1996-08-30").
    """
    found = []
    lowers = doc.to_array(LOWER)
    line_start = numpy.zeros(len(doc), dtype=bool)
    if len(doc):
        line_start[0] = True
        line_start[1:] = doc.to_array(IS_SPACE)[:-1].astype(bool)
    candidates = numpy.isin(lowers, _country_first_word_ids()) | line_start
    for k in numpy.flatnonzero(candidates & outside):
        k = int(k)
        if not outside[k] or not (doc[k].is_title or doc[k].is_upper):
            continue
        for j in range(min(len(doc), k + MAX_PLACE_WORDS), k, -1):
            if not outside[k:j].all():
                continue
            text = doc[k:j].text
            named = country_kind(text) == "country" and doc[k].tag_ in PROPER_NOUN_TAGS
            dateline = line_start[k] and _is_dateline(doc, k, j)
            if named or (dateline and resolve_country(text, "GPE")):
                found.append(Mention(k, j, tuple(t.text for t in doc[k:j]), "GPE"))
                outside[k:j] = False
                break
    return found


def _addressed_names(doc: Doc, outside: numpy.ndarray) -> list[Mention]:
    """People the model left untagged after a form of address ("Dame Judi Dench", "Mr
    Conlon"): the capitalised name words that follow it, up to three."""
    found = []
    for token in doc[:-1]:
        if _bare(token.text) not in HONORIFICS and token.text not in TITLE_ABBREVIATIONS:
            continue
        i = token.i + 1
        j = _untagged_name_end(doc, i, outside)
        if j > i and _addresses(doc, token.i, j):
            found.append(Mention(i, j, tuple(t.text for t in doc[i:j]), "PERSON"))
            outside[i:j] = False
    return found


def _untagged_name_end(doc: Doc, j: int, outside: numpy.ndarray,
                       stop: frozenset[str] = frozenset(), start: int | None = None) -> int:
    """Where a run of untagged capitalised name words from j ends: at most three words from
    `start` (j), no title and no word of `stop`."""
    start = j if start is None else start
    while j < len(doc) and j - start < 3 and outside[j] and _NAME_WORD.fullmatch(doc[j].text) \
            and doc[j].tag_ in PROPER_NOUN_TAGS and not _is_title(doc[j].text) \
            and doc[j].lower_ not in stop:
        j += 1
    return j


def _speaking_names(doc: Doc, outside: numpy.ndarray) -> list[Mention]:
    """People the model left untagged who speak: a usual first name and one or two capitalised
    name words, then (after a comma) a speech verb ("..., Theresa May, said: ...")."""
    found = []
    for token in doc[:-2]:
        i = token.i
        before = doc[i - 1] if i else None
        if not (outside[i] and token.tag_ in PROPER_NOUN_TAGS and is_given_name(token.text)
                and _NAME_WORD.fullmatch(token.text)) \
                or (before is not None and before.tag_ in PROPER_NOUN_TAGS):
            continue  # not the start of a run of names: "Action Performance Cos Inc said"
        j = _untagged_name_end(doc, i + 1, outside, ORG_WORDS, start=i)
        after = j + 1 if j < len(doc) and doc[j].text == "," else j
        if j - i > 1 and after < len(doc) and doc[after].lower_ in SPEECH_VERBS \
                and len(fingerprints.remove_types(doc[i:j].text).split()) == j - i:  # not "Inc"
            found.append(Mention(i, j, tuple(t.text for t in doc[i:j]), "PERSON"))
            outside[i:j] = False
    return found


def _is_dateline(doc: Doc, i: int, j: int) -> bool:
    """An all-capitals place opening a line, then a date, a comma or "(": "BONN 1996-08-30"."""
    return (
        all(token.is_upper and token.is_alpha for token in doc[i:j])
        and j < len(doc)
        and (doc[j].like_num or doc[j].text in DATELINE_FOLLOWERS)
    )


def _fullest_names(
    persons: set[tuple[str, ...]], first_seen: dict[tuple[str, ...], int],
    relatives: set[tuple[str, ...]] = frozenset(),
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each person form -> the fullest name in the article it is a short form of (or itself).

    A surname several people share ("Cummings": Elijah, his father, his wife) is the one the
    article names first, whom news writing goes on to call by surname alone. A name the article
    gave before it introduced a relative by a longer one is not the relative's: "Gloria
    Vanderbilt" of her obituary is not "her widowed mother, Gloria Morgan Vanderbilt".
    """
    def part_of(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
        return _is_part_of(short, full) and not (
            len(short) > 1 and full in relatives
            and first_seen.get(short, 0) < first_seen.get(full, 0))

    initialled = _initialled_names(persons)
    persons = persons - initialled.keys()
    resolved = {}
    for form in persons:
        longer = [full for full in persons if part_of(form, full)]
        if not longer:
            resolved[form] = form
            continue
        fullest = max(longer, key=len)
        if not all(full == fullest or part_of(full, fullest) for full in longer):
            first = min(longer, key=lambda full: first_seen.get(full, len(first_seen)))
            fullest = max((full for full in longer if part_of(first, full) or full == first),
                          key=len)
        resolved[form] = fullest
    for form, full in initialled.items():
        resolved[form] = resolved[full]
    return resolved


def _kin_before(doc: Doc, m: Mention) -> bool:
    """Whether a name is introduced as someone's relative: "her widowed mother, Gloria Morgan
    Vanderbilt", "his son Carter"."""
    k = m.i - 1
    if k > 0 and doc[k].text == ",":
        k -= 1
    return k >= 0 and doc[k].lower_ in KIN_NOUNS


def _initialled_names(persons: set[tuple[str, ...]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """An initial and a surname -> the one name in the article that the initial opens with that
    surname: "S Jones" of "Stephen Jones" on a team sheet, "G. Thomas" of "Gareth Thomas"; left
    alone when two fit ("S Williams" beside "Shane Williams" and "Scott Williams")."""
    out = {}
    for form in persons:
        if len(form) != 2 or _INITIAL.fullmatch(form[0]) is None:
            continue
        fits = [full for full in persons if len(full) > 1 and len(full[0]) > 2
                and full[0][0] == form[0][0] and full[-1].lower() == form[-1].lower()]
        if len(fits) == 1:
            out[form] = fits[0]
    return out


def _initials(form: tuple[str, ...]) -> str:
    """First letters of an organisation's capitalised words: "National Audit Office" -> "NAO"."""
    return "".join(word[0] for word in form if word[:1].isupper())


def _bracketed_acronyms(
    doc: Doc, mentions: list[Mention]
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """An acronym in brackets right after an organisation's name -> that name, whatever its
    initials: "the Federal Security Service (FSB)"."""
    out = {}
    for m in mentions:
        k = m.j
        if m.label == "ORG" and k + 2 < len(doc) and doc[k].text in ("(", "[") \
                and doc[k + 2].text in (")", "]") and doc[k + 1].is_upper \
                and doc[k + 1].is_alpha and len(doc[k + 1]) > 1:
            out.setdefault((doc[k + 1].text,), m.words)
    return out


def _same_country_prefix(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Two spellings of one body whose leading country is written two ways: "US Chess
    Federation" and "United States Chess Federation"."""
    for n in range(1, min(len(full), MAX_PLACE_WORDS)):
        if full[n:] == short[1:] and len(short) > 1 and short[0] != full[0]:
            a, b = resolve_country(short[0], "GPE"), resolve_country(" ".join(full[:n]), "GPE")
            if a is not None and a == b and country_kind(short[0]) == "country":
                return True
    return False


def _fullest_organisations(orgs: set[tuple[str, ...]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Short forms of an organisation -> its full name in the same article, when only one fits.

    An acronym the full name's initials spell or end ("NAO" for "National Audit Office", "SEC" for
    "US Securities Exchange Commission"); a name the full one ends with ("Reynolds Tobacco" for
    "RJ Reynolds Tobacco"); a name the full one extends by an organisation word ("Labour" for
    "Labour Party"). A name extended otherwise is another body ("AOL" and "AOL Europe"); a
    country before a name the article also uses alone is no part of it ("US Federal Reserve").
    """
    resolved = {
        form: form[1:] for form in orgs
        if len(form) > 1 and form[1:] in orgs and country_kind(form[0]) == "country"
    }
    orgs = orgs - resolved.keys()
    for form in orgs:
        if len(form) == 1 and form[0].isupper() and form[0].isalpha() and len(form[0]) > 1:
            longer = [full for full in orgs if len(full) > 1 and (
                _initials(full) == form[0]
                or (len(form[0]) > 2 and _initials(full).endswith(form[0])))]
        else:
            longer = [full for full in orgs if len(full) > len(form) and (
                full[-len(form):] == form
                or (full[:len(form)] == form and all(
                    word.lower() in ORG_HEADS for word in full[len(form):])))]
            longer = longer or [full for full in orgs if _same_country_prefix(form, full)]
        if len({_SPACES.sub(" ", " ".join(full)) for full in longer}) == 1:
            resolved[form] = longer[0]
    return resolved


def _makers(
    doc: Doc, labels: dict[tuple[str, ...], str], mentions: list[tuple[str, ...]]
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """A maker's name and a product's -> the maker, which the article names alone as an
    organisation too ("Sony Walkman", "Apple iPod" beside "Sony" and "Apple"): the product is no
    body. A name extended by an organisation word, a place or a number stays another body ("AOL
    Europe", "Sony Music", "Channel 4"), as does one written in full at least half as often as
    the maker alone, or one whose extension ends other bodies' names too ("NBC News", "Fox
    News"). The other way round, a first word alone, written more rarely than the one name it
    starts, is a short form of that name ("Allied" of "Allied Domecq")."""
    out = {}
    places = {ent.text for ent in doc.ents if ent.label_ in ("GPE", "LOC", "NORP")}
    orgs = [form for form, label in labels.items() if label == "ORG"]
    counts = Counter(m for m in mentions)
    for form in orgs:
        if len(form) > 1 and _MODEL_CODE.fullmatch(form[1]) and form[0][:1].isupper():
            out[form] = form[:1]  # a maker and its model: "Boeing B-17 Flying Fortress"
            continue
        if len(form) < 2 or labels.get(form[:1]) != "ORG" or counts[form] * 2 > counts[form[:1]]:
            continue  # "Allied Domecq" named in full as often as "Allied" alone: the body's name
        rest = form[1:]
        if any(word.lower() in ORG_WORDS or not word[:1].isalpha() for word in rest) \
                or " ".join(rest) in places or is_region(" ".join(rest)) \
                or resolve_country(" ".join(rest), "GPE") is not None \
                or any(other[-len(rest):] == rest and other[0] != form[0] for other in orgs):
            continue  # "AOL Europe"; "NBC News" beside "Fox News": a suffix of bodies' names
        out[form] = form[:1]
    for form in orgs:  # the other way: "Allied" alone once beside "Allied Domecq" four times
        fuller = [full for full in orgs if len(full) > 1 and full[:1] == form
                  and counts[full] > counts[form] and full not in out]
        if len(form) == 1 and len(fuller) == 1 and form not in out:
            out[form] = fuller[0]
    return out


def _spelling_variants(
    labels: dict[tuple[str, ...], str], texts: dict[tuple[str, ...], str]
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """One organisation spelled two ways in an article -> its fuller spelling: with or without a
    space ("TimeWarner", "Time Warner") or a web domain ("Amazon", "Amazon.com")."""
    by_key: dict[str, list[tuple[str, ...]]] = {}
    for form, label in labels.items():
        if label == "ORG":
            key = re.sub(r"\W", "", _WEB_DOMAIN.sub("", texts[form]).casefold())
            by_key.setdefault(key, []).append(form)
    out = {}
    for forms in by_key.values():
        if len(forms) > 1:
            fullest = max(forms, key=lambda form: (len(texts[form]), texts[form]))
            out.update({form: fullest for form in forms if form != fullest})
    return out


def _shortened_names(
    labels: dict[tuple[str, ...], str], texts: dict[tuple[str, ...], str], counts: Counter
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """One organisation named two ways in an article, word for word, -> one of them: the name
    written out ("Liberal Democrats", "News Corporation", "European Commission") rather than
    clipped ("Lib Dems", "News Corp", "EU Commission"); where only a plural differs, the name
    written more often ("Arbor Networks" beside one "Arbor Network", "Rolls-Royce" beside
    "Rolls-Royces"). A clipping keeps less than half its word, so that "BBC One" is not "BBC
    Online"."""
    orgs = [form for form, label in labels.items() if label == "ORG" and len(form) > 1]

    def written_out(form: tuple[str, ...]) -> tuple:
        return sum(len(word.removesuffix("s")) for word in form), counts[form], texts[form]

    out = {}
    for form in orgs:
        names = [other for other in orgs if len(other) == len(form) and all(
            shortened(a, b) or shortened(b, a) for a, b in zip(form, other, strict=True))]
        best = max(names, key=written_out)
        if best != form:
            out[form] = best
    return out


def _shipped_names(
    labels: dict[tuple[str, ...], str], texts: dict[tuple[str, ...], str]
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """A nickname the shipped aliases give a body -> the name the same article gives it
    ("Tories" beside "Conservatives" or "Conservative Party"): one body, one value per article."""
    orgs = [form for form, label in labels.items() if label == "ORG"]
    out = {}
    for form in orgs:
        target = SHIPPED_ORGANISATIONS.get(texts[form])
        if target is None:
            continue
        named = tuple(target.split())
        fits = [other for other in orgs if other != form
                and (other == named or members_of(other, named))]
        if fits:
            out[form] = max(fits, key=len)  # the party's name before its members'
    return out


def _parties(labels: dict[tuple[str, ...], str]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """A party by its members' name -> the party's name in the same article: "Conservatives"
    -> "Conservative Party", "Democrats" -> "Democratic Party"."""
    parties = [form for form, label in labels.items()
               if label == "ORG" and len(form) > 1 and form[-1] == "Party"]
    out = {}
    for form, label in labels.items():
        fits = [party for party in parties if label == "ORG" and members_of(form, party)]
        if len(fits) == 1:
            out[form] = fits[0]
    return out


def _ranked(values: list) -> list:
    """Distinct values, most frequent first, ties in order of first appearance."""
    counts = Counter(values)
    first = {value: n for n, value in reversed(list(enumerate(values)))}
    return sorted(counts, key=lambda value: (-counts[value], first[value]))


def _countries(
    labels: dict[tuple[str, ...], str], texts: dict[tuple[str, ...], str]
) -> dict[tuple[str, ...], tuple[str, str]]:
    """Country of each form, judged with the article's other places.

    A smaller city counts only if the article names its country some other way ("Tyler" beside
    "Texas"), and "Georgia" is the US state when the article names the United States but
    nothing else Georgian.
    """
    resolved = {}
    for form, label in labels.items():
        country = resolve_country(texts[form], label)
        if country is not None:
            resolved[form] = country
    sure = Counter(iso for form, (_, iso) in resolved.items() if not needs_support(texts[form]))
    kept = {}
    for form, country in resolved.items():
        if needs_support(texts[form]) and not sure[country[1]]:
            continue
        other = other_country(texts[form])
        if other is not None and sure[other[1]] and sure[country[1]] == 1:
            country = other
        kept[form] = country
    return kept


def _qualifies_event(doc: Doc, m: Mention) -> bool:
    """Whether an "organisation" only qualifies a result or a meeting after it ("Commonwealth
    100m champion", "World and Commonwealth champion", "Athens Olympic silver medallist",
    "Norwich Union European Indoor trials"): the lower-case words that follow, numbers and another
    capitalised word after "and" aside, adjectives and nouns only, include one of EVENT_NOUNS
    ("Ann Lee can take gold" is no such phrase)."""
    k = m.j
    while k < len(doc) and (doc[k].like_num or _MEASURE.fullmatch(doc[k].text)
                            or (doc[k].lower_ == "and" and k == m.j)
                            or (doc[k].is_title and k > m.j and doc[k - 1].lower_ == "and")):
        k += 1
    words = 0
    while k < len(doc) and words < 3 and doc[k].is_lower and doc[k].tag_ in NOUN_PHRASE_TAGS:
        if doc[k].lower_ in EVENT_NOUNS:
            return True
        k, words = k + 1, words + 1
    return False


def _completed(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """Organisations the model cut short where the article writes the rest in lower case, and
    names them in full elsewhere: "the League of Women voters" beside "the League of Women
    Voters" is the League of Women Voters."""
    longer: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    orgs = {m.words for m in mentions if m.label == "ORG"}
    for full in orgs:
        for n in range(1, len(full)):
            if full[:n] in orgs:
                longer.setdefault(full[:n], []).append(full)
    for first, second in zip(mentions, mentions[1:], strict=False):
        _share_head(doc, first, second)
    for m in mentions:  # "the Commerce department": the department's name
        k = m.j
        if m.label == "ORG" and k < len(doc) and doc[k].is_lower and doc[k].tag_ == "NN" \
                and doc[k].lower_ in ORG_HEADS and doc[m.j - 1].lower_ not in ORG_WORDS \
                and (k + 1 == len(doc) or (doc[k + 1].tag_ not in ("NN", "NNS")
                                           and doc[k + 1].ent_type_ != "PERSON"
                                           and not _names_next(doc[k + 1]))):
            # not a player's position before his name: "Wasps centre Stuart Abbott"; nor a
            # noun before the name it introduces: "CBS station KDKA-TV"
            m.words = (*m.words, doc[k].text.capitalize())
            m.name = " ".join(m.words)
    for m in mentions:
        if m.label != "ORG" or m.words not in longer:
            continue
        for full in longer[m.words]:
            rest = [word.lower() for word in full[len(m.words):]]
            j = m.j + len(rest)
            if j <= len(doc) and [token.lower_ for token in doc[m.j:j]] == rest \
                    and any(token.is_lower for token in doc[m.j:j]) \
                    and all(token.ent_iob_ == "O" for token in doc[m.j:j]):
                m.j, m.words, m.name = j, full, " ".join(full)
                break
    return mentions


def _names_next(token) -> bool:
    """Whether a word opens a name (a proper noun that is no date: not "Friday")."""
    return token.tag_ in PROPER_NOUN_TAGS and token.ent_type_ not in ("DATE", "TIME")


def _singular(word: str) -> str:
    """An English plural's singular, as organisation words make it ("parties", "committees")."""
    return word[:-3] + "y" if word.endswith("ies") else word[:-1]


# The shipped nicknames in the singular, as a member is called ("Tory" of "Tories").
_SINGULAR_NICKNAMES = frozenset(
    _singular(name) for name in SHIPPED_ORGANISATIONS if name.endswith("s"))


def _share_head(doc: Doc, first: Mention, second: Mention) -> None:
    """Two organisations sharing a plural organisation word written after them: "the House
    Foreign Affairs and Intelligence committees" are the House Foreign Affairs Committee and the
    House Intelligence Committee (a generic first word such as "House" or "Senate" is shared
    too)."""
    k = second.j
    if not (first.label == second.label == "ORG" and first.j + 1 == second.i
            and doc[first.j].lower_ == "and" and k < len(doc) and doc[k].tag_ == "NNS"
            and doc[k].is_lower and _singular(doc[k].lower_) in ORG_HEADS):
        return
    head = _singular(doc[k].lower_).capitalize()
    if len(first.words) > 1 and first.words[0].lower() in ORG_WORDS and len(second.words) == 1:
        second.words = (first.words[0], *second.words)
    for m in (first, second):
        m.words = (*m.words, head)
        m.name = " ".join(m.words)


def _event_qualifiers(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """Mentions without the "organisations" every mention of which qualifies an event, and
    without an event's or a law's short name ("CES" of the Consumer Electronics Show) or an
    acronym the article spells out in lower case ("IPO")."""
    event = {m.words for m in mentions if m.label == "ORG" and _qualifies_event(doc, m)}
    for m in mentions:
        if m.words in event and not (m.label == "ORG" and _qualifies_event(doc, m)):
            event.discard(m.words)
    short = _event_and_law_short_names(doc) | _lower_case_terms(doc)
    return [m for m in mentions if m.words not in event
            and not (m.label == "ORG" and len(m.words) == 1 and m.words[0] in short)]


def _event_and_law_short_names(doc: Doc) -> set[str]:
    """The short names of the events and laws the model tagged organisations: an event's
    initials ("GDC" of "the Game Developers Conference"), and what follows either in brackets
    ("E3", "MFA" of "the Multi-Fibre Agreement (MFA)")."""
    short = set()
    for ent in doc.ents:
        event = ent.label_ == "ORG" and ent[-1].text in EVENT_HEADS
        if not (event or (ent.label_ == "ORG" and _names_a_law(doc, ent.start, ent.end))):
            continue
        initials = _initials(tuple(token.text for token in ent))
        if event and len(initials) > 2:  # not "EC" of "European Championships": the
            short.add(initials)  # Commission's too; nor a law's ("FSA" of a Financial Services
            # Act is the Financial Services Authority's)
        if ent.end + 2 < len(doc) and doc[ent.end].text == "(" and doc[ent.end + 2].text == ")":
            short.add(doc[ent.end + 1].text)
    return short


def _lower_case_terms(doc: Doc) -> set[str]:
    """Acronyms the article spells out in lower case before them in brackets: a thing's or an
    idea's, not a body's, whose name is capitalised ("digital rights management (DRM)", "initial
    public offer (IPO)", "Internet service provider (ISP)"). Not a body's name written in lower
    case, which ends in an organisation word ("the public accounts committee (PAC)")."""
    terms = set()
    for k in range(1, len(doc) - 2):
        acronym = doc[k + 1].text
        if doc[k].text != "(" or doc[k + 2].text != ")" or not acronym.isalpha() \
                or not acronym.isupper() or len(acronym) < 2:
            continue
        words, start = [], k
        while start > 0 and len(words) < len(acronym):
            start -= 1
            if doc[start].lower_ in SMALL_WORDS or doc[start].text in ("-", "&"):
                continue
            if not doc[start].is_alpha:
                break
            words.insert(0, doc[start])
        if "".join(word.text[0] for word in words).upper() == acronym \
                and any(word.is_lower for word in words) \
                and not _body_word(words[-1].text):
            terms.add(acronym)
    return terms


def _body_word(word: str) -> bool:
    """Whether a word, in any case, is one that ends or alone makes a body's name ("committee",
    "Council", "laboratories")."""
    return word.lower() in ORG_HEADS or word.lower() in BODY_WORDS or word.title() in GENERIC_ORGS


def normalise(doc: Doc) -> Doc:
    """Set doc._.entities, persons, organizations and countries from the raw doc.ents."""
    mentions = _completed(doc, _event_qualifiers(doc, _named_by_noun(doc, _mentions(doc))))
    forms: dict[tuple[str, ...], Counter] = {}
    texts: dict[tuple[str, ...], str] = {}
    for mention in mentions:
        forms.setdefault(mention.words, Counter())[mention.label] += 1
        texts.setdefault(mention.words, mention.text(doc))
    located = {m.words for m in mentions if _located(doc, m)}
    labels = _vote_labels(forms, texts, located)
    groups = _groups(doc, labels)
    for form in groups:
        labels[form] = "ORG"
    titled = {m.words for m in mentions if _titled_or_speaking(doc, m)}
    lone = _lone_names(labels, titled) | _tickets(doc, labels, texts)
    mentions = [m for m in mentions if m.words not in lone]
    labels = {form: label for form, label in labels.items() if form not in lone}
    outside = doc.to_array(ENT_IOB) == OUTSIDE_IOB
    found = (_propagate(doc, labels, outside) + _missed_places(doc, outside)
             + _addressed_names(doc, outside) + _speaking_names(doc, outside))
    mentions = sorted(mentions + found, key=lambda m: m.i)
    for mention in found:
        labels.setdefault(mention.words, mention.label)
        texts.setdefault(mention.words, mention.text(doc))
    first_seen: dict[tuple[str, ...], int] = {}
    for mention in mentions:
        first_seen.setdefault(mention.words, mention.i)
    fullest = _fullest_names({form for form, label in labels.items() if label == "PERSON"},
                             first_seen, {m.words for m in mentions if _kin_before(doc, m)})
    full_org = _fullest_organisations({form for form, label in labels.items() if label == "ORG"})
    full_org.update(_makers(doc, labels, [m.words for m in mentions]))
    full_org.update(_parties(labels))
    full_org.update(_spelling_variants(labels, texts))
    for form, name in (_shortened_names(labels, texts, Counter(m.words for m in mentions))
                       | _shipped_names(labels, texts)).items():
        full_org.setdefault(form, full_org.get(name, name))  # "Apple iPod" stays Apple's
    for target in full_org.values():
        texts.setdefault(target, " ".join(target))  # a maker named only before its model
    for form, plural in groups.items():
        if labels.get(plural) == "ORG":
            full_org[form] = full_org.get(plural, plural)
    for acronym, full in _bracketed_acronyms(doc, mentions).items():
        if labels.get(acronym) == "ORG" and labels.get(full) == "ORG":
            full_org[acronym] = full_org.get(full, full)
    countries = _countries(labels, texts)
    entities = []
    for mention in mentions:
        form = mention.words
        label = labels[form]
        start, end = doc[mention.i].idx, mention.end_char(doc)
        if label == "PERSON":
            canonical = _NICKNAME.sub(" ", texts[fullest[form]])
        else:
            canonical = (organisation_name(texts[full_org.get(form, form)]) if label == "ORG"
                         else texts[form])
        text = doc.text[start:end]
        entity = {"text": text, "label": label, "canonical": canonical, "start": start, "end": end}
        if countries.get(form) is not None:
            entity["country"], entity["country_code"] = countries[form]
        entities.append(entity)
    doc._.entities = entities
    doc._.persons = _ranked([e["canonical"] for e in entities if e["label"] == "PERSON"])
    doc._.organizations = _ranked([e["canonical"] for e in entities if e["label"] == "ORG"])
    doc._.countries = [
        {"name": name, "code": code}
        for name, code in _ranked([(e["country"], e["country_code"]) for e in entities
                                   if "country" in e])
    ]
    return doc


def canonical_person_at(doc: Doc, start: int, end: int) -> str | None:
    """Canonical PERSON whose mention overlaps [start, end): quotes name speakers as facets do."""
    for entity in doc._.entities or ():
        if entity["label"] == "PERSON" and entity["start"] < end and start < entity["end"]:
            return entity["canonical"]
    return None


class EntityNormaliser:
    """Pipeline component wrapping ``normalise`` so any spaCy pipeline can add it by name."""

    def __init__(self, name: str = "newsindex_entities") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        return normalise(doc)


@Language.factory("newsindex_entities")
def make_entity_normaliser(nlp: Language, name: str) -> EntityNormaliser:
    """Factory for ``nlp.add_pipe("newsindex_entities")`` (after the ner pipe)."""
    return EntityNormaliser(name)
