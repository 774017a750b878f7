"""Speaker mentions for quotations: find the mention a cue points to and resolve it to a person."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Doc, Token

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
NAME_LABELS = {"PERSON": "PERSON", "ORG": "ORG", "NORP": "ORG", "GPE": "ORG", "FAC": "ORG"}
NP_DEPS = frozenset({"compound", "det", "amod", "poss", "nummod", "nmod", "case", "quantmod"})
PHRASE_POS = frozenset({"NOUN", "PROPN", "PRON"})
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
        self.titles: dict[str, str] = {}
        q_starts = [a for a, _ in quoted]
        for ent in entities:
            first = bisect_left(starts, ent["start"])
            last = bisect_left(starts, ent["end"])
            for i in range(first, last):
                self.by_token[i] = ent
            if ent["label"] != "PERSON" or first >= len(doc):
                continue
            if _inside(quoted, q_starts, ent["start"]):
                continue
            head = doc[first:last].root if last > first else doc[first]
            is_subject = head.dep_ in SUBJECT_DEPS
            persons.append((ent["start"], ent["canonical"], is_subject))
            self._learn_titles(doc, first, head, ent["canonical"])
        self.persons = persons
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

    def person_before(self, pos: int) -> tuple[str, int] | None:
        """Who a pronoun at pos points to (name, where named): latest subject, else latest."""
        k = bisect_left(self.person_starts, pos)
        window = self.persons[max(0, k - 8) : k]
        for start, name, is_subject in reversed(window):
            if is_subject and pos - start < 1500:
                return name, start
        if window and pos - window[-1][0] < 600:
            return window[-1][1], window[-1][0]
        return None


def _inside(quoted: list[tuple[int, int]], q_starts: list[int], pos: int) -> bool:
    """Whether pos falls inside one of the sorted quoted spans."""
    k = bisect_left(q_starts, pos + 1) - 1
    return k >= 0 and quoted[k][0] <= pos < quoted[k][1]


def subject_of(cue: Token) -> Token | None:
    """The subject of a cue verb, climbing to the governing verb for 'adding', 'writing'."""
    verb = cue
    for _ in range(4):
        for child in verb.children:
            if child.dep_ in SUBJECT_DEPS:
                return child
        if verb.dep_ in CLIMB_DEPS and verb.head is not verb:
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
    doc = index.doc
    start, end = mention_span(token, index)
    lower = token.lower_
    if lower in RELATIVE_PRONOUNS and token.head.dep_ == "relcl":
        antecedent = token.head.head
        resolved = speaker_from_token(antecedent, index)
        return Speaker(resolved.name, resolved.label, start, end, resolved.resolved)
    ent = index.by_token.get(token.i)
    if ent is not None and ent["label"] in NAME_LABELS:
        return Speaker(ent["canonical"], NAME_LABELS[ent["label"]], start, end, True)
    if lower in PERSON_PRONOUNS:
        found = index.person_before(start)
        name = found[0] if found else None
        spk = Speaker(name, "PERSON" if name else None, start, end, name is not None)
        spk.antecedent_at = found[1] if found else -1
        return spk
    if token.pos_ == "PRON":
        return Speaker(None, None, start, end, False)
    title = lower.rstrip(".")
    if title in index.titles and _is_definite(token):
        return Speaker(index.titles[title], "PERSON", start, end, True)
    if token.pos_ in PHRASE_POS:
        return Speaker(doc.text[start:end], "NP", start, end, True)
    return Speaker(None, None, start, end, False)


def _is_definite(token: Token) -> bool:
    """'the minister' points back to someone named; 'a minister' does not."""
    return any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in token.lefts)
