"""Speaker mentions for quotations: find the mention a cue points to and resolve it to a person."""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc, Token

from indexer import first_names
from indexer.vocabulary import ORG_HEADS

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
PRONOUN_GENDER = {"he": "male", "him": "male", "his": "male",
                  "she": "female", "her": "female", "hers": "female"}
# Honorifics and kinship words right before a name that tell a person's gender in the article.
GENDER_WORDS = {
    "male": frozenset({"mr", "sir", "lord", "king", "prince", "father", "son", "brother", "husband",
                       "uncle", "duke", "baron", "sheikh", "monsieur", "herr", "señor"}),
    "female": frozenset({"mrs", "ms", "miss", "lady", "dame", "baroness", "queen", "princess",
                         "mother", "daughter", "sister", "wife", "aunt", "duchess", "madame",
                         "frau", "señora"}),
}
GUESSES = {"male": "male", "female": "female"}  # 'mostly_female' Kim, 'andy' Jo stay unknown
CLAUSE_LINKS = frozenset({"relcl", "acl", "advcl", "ccomp", "pcomp", "xcomp", "csubj", "dobj",
                          "pobj"})
TITLE_REACH = 4  # words of title that may stand before a sentence's opening name
TITLE_POS = frozenset({"DET", "ADJ", "NOUN", "PROPN", "PUNCT", "SPACE"})
ORG_REACH = 1000  # characters back that 'the company said' looks for the company
RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
NAME_LABELS = {"PERSON": "PERSON", "ORG": "ORG", "NORP": "ORG", "GPE": "ORG", "FAC": "ORG"}
NP_DEPS = frozenset({"compound", "det", "amod", "poss", "nummod", "nmod", "case", "quantmod"})
# Dependencies through which a participle or conjoined verb shares its governor's subject.
CLIMB_DEPS = frozenset({"advcl", "conj", "xcomp", "pcomp", "acl", "prep"})


@dataclass
class Speaker:
    """Who spoke: the resolved name (or None), its kind, and the offsets of the mention used."""

    name: str | None
    label: str | None
    start: int
    end: int
    resolved: bool  # False when the mention is a pronoun or title we could not tie to a name
    antecedent_at: int | None = None  # for 'he'/'she': where the chosen antecedent was named


class EntityIndex:
    """Entities of a Doc by token, plus where persons and titles are mentioned, for resolution."""

    def __init__(self, doc: Doc, entities: list[dict], quoted: list[tuple[int, int]]) -> None:
        self.doc = doc
        self.by_token: dict[int, dict] = {}
        starts = [t.idx for t in doc]
        self.token_starts = starts
        persons: list[tuple[int, str, bool]] = []
        orgs: list[tuple[int, str]] = []
        self.titles: dict[str, str] = {}
        self.genders: dict[str, str] = {}  # what the article's own words say ('Mrs Hewitt')
        q_starts = [a for a, _ in quoted]
        for ent in entities:
            first = bisect_left(starts, ent["start"])
            last = bisect_left(starts, ent["end"])
            for i in range(first, last):
                self.by_token[i] = ent
            if first >= len(doc) or _inside(quoted, q_starts, ent["start"]):
                continue
            if ent["label"] == "ORG":
                orgs.append((ent["start"], ent["canonical"]))
            if ent["label"] != "PERSON":
                continue
            head = doc[first:last].root if last > first else doc[first]
            if _is_role(doc[first], ent):
                continue  # 'the Bishop' names no one; 'the Bishop said' looks further back
            is_subject = _main_subject(head) or _opens_sentence(doc, first) or _fronts_main(head)
            persons.append((ent["start"], ent["canonical"], is_subject))
            self._learn_titles(doc, first, head, ent["canonical"])
            self._learn_gender(doc, first, ent["canonical"])
        self.persons = persons
        self.orgs = orgs
        self.org_starts = [o[0] for o in orgs]
        self.person_starts = [p[0] for p in persons]
        self.quoted = quoted
        self.quote_starts = q_starts

    def in_quote(self, pos: int) -> bool:
        """Whether a character offset lies inside a quotation (no speaker is found in there)."""
        return _inside(self.quoted, self.quote_starts, pos)

    def _learn_titles(self, doc: Doc, first: int, head: Token, name: str) -> None:
        """Remember 'Defense Secretary Pete Hegseth' and 'Hegseth, the secretary' as titles."""
        i = first - 1
        while i >= 0 and doc[i].dep_ == "compound" and doc[i].pos_ in ("NOUN", "PROPN"):
            self.titles[doc[i].lower_.rstrip(".")] = name
            i -= 1
        for child in head.children:
            if child.dep_ == "appos" and child.pos_ == "NOUN":
                self.titles[child.lower_] = name

    def persons_between(self, lo: int, hi: int) -> bool:
        """Whether a person is named (outside quotations) between two offsets."""
        k = bisect_left(self.person_starts, lo)
        return k < len(self.person_starts) and self.person_starts[k] < hi

    def org_before(self, pos: int) -> str | None:
        """The organisation 'the company' or 'it' points to: the latest named in reach."""
        k = bisect_left(self.org_starts, pos)
        if k and pos - self.orgs[k - 1][0] < ORG_REACH:
            return self.orgs[k - 1][1]
        return None

    def _learn_gender(self, doc: Doc, first: int, name: str) -> None:
        """'Mrs Hewitt', 'her husband John Smith': words before a name that give its gender."""
        if first == 0 or name in self.genders:
            return
        word = doc[first - 1].lower_.rstrip(".")
        for gender, words in GENDER_WORDS.items():
            if word in words:
                self.genders[name] = gender

    def gender(self, name: str) -> str | None:
        """'male', 'female' or None: the article's own words, else the first name's usual use."""
        return self.genders.get(name) or first_name_gender(name)

    def person_before(self, pos: int, gender: str | None = None) -> tuple[str, int] | None:
        """Who a pronoun at pos points to (name, where named): latest subject, else latest,
        never a person known to be of the other gender."""
        k = bisect_left(self.person_starts, pos)
        window = [p for p in self.persons[max(0, k - 8) : k]
                  if gender is None or self.gender(p[1]) in (None, gender)]
        for start, name, is_subject in reversed(window):
            if is_subject and pos - start < 1500:
                return name, start
        if window and pos - window[-1][0] < 600:
            return window[-1][1], window[-1][0]
        return None


@lru_cache(maxsize=4096)
def first_name_gender(name: str) -> str | None:
    """The usual gender of a full name's first name; None for a lone surname or an unclear one."""
    words = name.split()
    if len(words) < 2:
        return None
    return GUESSES.get(first_names.guess(words[0]))


def _main_subject(token: Token) -> bool:
    """The subject of its sentence's main verb ('Moore said Hansen may return': Moore only),
    or a name in apposition to it ('one of the Guildford Four, Gerry Conlon, said')."""
    for _ in range(4):  # 'one of the Guildford Four, Gerry Conlon, said': up to 'one'
        if token.dep_ not in ("appos", "pobj", "prep") or token.head.i == token.i:
            break
        token = token.head
    if token.dep_ not in SUBJECT_DEPS:
        return False
    verb = token.head
    while verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
    return verb.dep_ == "ROOT"


def _opens_sentence(doc: Doc, first: int) -> bool:
    """A name that opens its sentence, after at most a title ('Aviation analyst Nick Van den
    Brul of BNP Paribas described ...'): the sentence is about it whatever the parse says."""
    start = doc[first].sent.start
    lead = doc[start:first]
    return len(lead) <= TITLE_REACH and all(t.pos_ in TITLE_POS for t in lead)


def _fronts_main(token: Token) -> bool:
    """A name before its sentence's main verb and outside any clause ('However, one of the
    Guildford Four, Gerry Conlon - who was wrongly convicted - said'): what the sentence is about,
    however the parser attached it."""
    root = token.sent.root
    if token.i >= root.i or root.pos_ not in ("VERB", "AUX"):
        return False
    node = token
    while node.i != root.i and node.head.i != node.i:
        if node.dep_ in CLAUSE_LINKS:
            return False
        node = node.head
    return node.i == root.i


def sentence_subject(sent_root: Token) -> Token | None:
    """The subject of a sentence's main verb, if it has one."""
    return next((c for c in sent_root.children if c.dep_ in SUBJECT_DEPS), None)


def _inside(quoted: list[tuple[int, int]], q_starts: list[int], pos: int) -> bool:
    """Whether pos falls inside one of the sorted quoted spans."""
    k = bisect_left(q_starts, pos + 1) - 1
    return k >= 0 and quoted[k][0] <= pos < quoted[k][1]


def subject_of(cue: Token) -> Token | None:
    """The subject of a cue verb, climbing to the governing verb for 'adding', 'writing'; the
    agent of a passive one ('he was told by the minister')."""
    for child in cue.children:
        if child.dep_ == "agent":
            obj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if obj is not None:
                return obj
    verb = cue
    if cue.tag_ == "VBG" and cue.head.dep_ == "ccomp" and cue.head.head.pos_ == "VERB":
        verb = cue.head.head  # 'He said Mr Blair had spoken warmly, adding: "...': He adds
    for _ in range(4):
        for child in verb.children:
            if child.dep_ in SUBJECT_DEPS:
                return child
        if verb.dep_ in CLIMB_DEPS and verb.head.i != verb.i:
            verb = verb.head
        else:
            break
    return None


def mention_span(token: Token, index: EntityIndex) -> tuple[int, int]:
    """Character span of the mention a token heads: its entity, else its noun phrase core."""
    ent = index.by_token.get(token.i)
    if ent is not None:
        return ent["start"], ent["end"]
    left = token
    for child in token.lefts:
        if child.dep_ in NP_DEPS:
            left = child
            break
    return left.idx, token.idx + len(token.text)


def speaker_from_token(token: Token, index: EntityIndex) -> Speaker:
    """Resolve the mention headed by token to a canonical name, organisation or noun phrase."""
    start, end = mention_span(token, index)
    lower = token.lower_
    if lower in RELATIVE_PRONOUNS and token.head.dep_ == "relcl":
        antecedent = token.head.head
        resolved = speaker_from_token(antecedent, index)
        return Speaker(resolved.name, resolved.label, start, end, resolved.resolved)
    ent = index.by_token.get(token.i)
    if ent is not None and ent["label"] == "PERSON" and _is_role(token, ent):
        found = index.person_before(start)  # 'the Bishop said': the person named before
        if found is not None:
            return Speaker(found[0], "PERSON", start, end, False, found[1])
    if ent is not None and ent["label"] == "ORG":
        person = _person_after_organisation(token, ent)
        if person is not None:  # 'director of Amnesty International Man-kei Tam said'
            return Speaker(person[0], "PERSON", person[1], end, True)
    if ent is not None and ent["label"] in NAME_LABELS:
        return Speaker(ent["canonical"], NAME_LABELS[ent["label"]], start, end, True)
    if lower in PERSON_PRONOUNS:
        found = index.person_before(start, PRONOUN_GENDER.get(lower))
        name = found[0] if found else None
        spk = Speaker(name, "PERSON" if name else None, start, end, name is not None)
        spk.antecedent_at = found[1] if found else -1
        return spk
    if lower == "it":
        org = index.org_before(start)  # 'It said in a statement'
        return Speaker(org, "ORG" if org else None, start, end, org is not None)
    if token.pos_ == "PRON":
        return Speaker(None, None, start, end, False)
    named = _apposed_name(token, index) or _speaks_for(token, index)
    if named is not None:  # 'The Vice President, Mike Pence,', 'a spokesman for the X Group'
        found = speaker_from_token(named, index)
        return Speaker(found.name, found.label, start, end, found.resolved)
    if lower in ORG_NOUNS and _is_definite(token):
        own = _compound_name(token)  # 'The Trump campaign said'
        if own:
            return Speaker(own, "ORG", start, end, True)
        org = index.org_before(start)  # 'the company said'
        return Speaker(org, "ORG" if org else None, start, end, org is not None)
    if token.tag_ == "NNP" and index.doc.text[start:start + 1].isupper() and not _is_title(token) \
            and _missed(token):
        # A name the entity recogniser missed ('Superintendent Yolanda Yu Hoi-kwan said').
        return Speaker(index.doc.text[start:end], "NAME", start, end, True)
    title = lower.rstrip(".")
    if title in index.titles and _is_definite(token):
        return Speaker(index.titles[title], "PERSON", start, end, True)
    if token.tag_ == "NN" and _is_definite(token) and lower not in NOT_SPEAKERS:
        found = index.person_before(start)  # 'the world champion says', 'the bishop said'
        if found is not None:
            return Speaker(found[0], "PERSON", start, end, False, found[1])
    # A phrase is no speaker ('people', 'a spokesman'): the mention stays, the name is unknown.
    return Speaker(None, None, start, end, False)


def _speaks_for(token: Token, index: EntityIndex) -> Token | None:
    """The organisation a spokesperson speaks for: 'a spokesman for X', 'an X spokeswoman',
    'X's spokesman'."""
    if token.lower_ not in SPOKES_NOUNS:
        return None
    for child in token.children:
        if child.dep_ in ("compound", "poss", "nmod"):
            ent = index.by_token.get(child.i)
            if ent is not None and ent["label"] in ("ORG", "GPE", "NORP"):
                return child
        if child.dep_ == "prep" and child.lower_ in ("for", "of", "at"):
            for obj in child.children:
                ent = index.by_token.get(obj.i)
                if obj.dep_ == "pobj" and ent is not None and ent["label"] in NAME_LABELS:
                    return obj
    return None


def _missed(token: Token) -> bool:
    """Whether a proper noun without an entity is a name the recogniser missed, not one it
    tagged a work or a body that entity cleaning then dropped ("The actor, whose films include
    Star Wars: The Phantom Menace, said")."""
    return token.ent_type_ in ("", "PERSON")


def _apposed_name(token: Token, index: EntityIndex) -> Token | None:
    """A person or organisation named in apposition to a common noun or title, or to a word of
    its phrase ('The Shadow Secretary of State for the Family, Theresa May, said')."""
    # A role ('the actor') is a person's; only an organisation noun takes an organisation's name.
    labels = NAME_LABELS if token.lower_ in ORG_NOUNS or token.pos_ == "PROPN" else ("PERSON",)
    for tok in token.subtree:
        if _in_clause(tok, token):
            continue  # 'The actor, whose films include Star Wars: The Phantom Menace, said'
        if tok.dep_ == "appos" and tok.i > token.left_edge.i and tok.i != token.i:
            ent = index.by_token.get(tok.i)
            if (ent is not None and ent["label"] in labels) or (
                    ent is None and tok.pos_ == "PROPN" and not _is_title(tok) and _missed(tok)):
                return tok
    return None


def _person_after_organisation(token: Token, ent: dict) -> tuple[str, int] | None:
    """The person's name and start when the model ran an organisation into the name of the
    person who speaks for it: an organisation's head word, then two or three name words ending
    at the speaking token."""
    doc = token.doc
    span = doc.char_span(ent["start"], ent["end"], alignment_mode="expand")
    words = list(span) if span is not None else []
    if not words or words[-1].i != token.i:
        return None
    for n in range(1, len(words) - 1):
        name = doc.text[words[n].idx : ent["end"]]
        rest = name.split()
        if (words[n - 1].lower_ in ORG_HEAD_WORDS and 2 <= len(rest) <= 3
                and all(w[:1].isupper() and w.replace("-", "").isalpha() for w in rest)):
            return name, words[n].idx
    return None


def _is_role(token: Token, ent: dict) -> bool:
    """A one-word 'person' written with 'the' before it ('the Bishop') is a role, not a name."""
    if " " in ent["canonical"]:
        return False
    first = token.doc[token.i - 1] if token.i else None
    return first is not None and first.lower_ == "the" and first.idx + 4 == ent["start"]


def _in_clause(tok: Token, top: Token) -> bool:
    """Whether tok lies in a clause (relative, participle) under top rather than in its phrase."""
    node = tok
    while node.i != top.i and node.head.i != node.i:
        if node.dep_ in ("relcl", "acl", "advcl", "ccomp"):
            return True
        node = node.head
    return False


def _is_title(token: Token) -> bool:
    """An office or honorific ('Secretary', 'Minister'), not a name."""
    return token.lower_.rstrip(".") in TITLE_WORDS


def _compound_name(token: Token) -> str | None:
    """'Trump campaign' of 'the Trump campaign': a noun named by the proper nouns before it."""
    names = [c for c in token.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
    if not names:
        return None
    return token.doc[names[0].i : token.i + 1].text


def _is_definite(token: Token) -> bool:
    """'the minister' points back to someone named; 'a minister' does not."""
    return any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in token.lefts)


def _load_nouns() -> dict[str, frozenset[str]]:
    """Nouns that stand for an organisation, that speak for one, or that are never speakers."""
    data = json.loads(
        resources.files("indexer").joinpath("data/speaker_nouns.json").read_text(encoding="utf-8"))
    return {key: frozenset(words) for key, words in data.items() if not key.startswith("_")}


_NOUNS = _load_nouns()
ORG_HEAD_WORDS = ORG_HEADS | _NOUNS["organisation_heads"]
TITLE_WORDS = frozenset(json.loads(
    resources.files("indexer").joinpath("data/titles.json").read_text(encoding="utf-8"))["titles"])
ORG_NOUNS = _NOUNS["organisation"]
SPOKES_NOUNS = _NOUNS["spokesperson"]
NOT_SPEAKERS = _NOUNS["not_speaker"] | ORG_NOUNS | SPOKES_NOUNS
