"""Name keys: what two spellings of a person's name have in common, whatever the case,
accents, punctuation, particles (von der, de, al-, bin, van), titles, middle names or initials.

Names are split into parts by `nameparser` (titles, first, middle, last with its particles,
suffix) and folded to plain lower-case ASCII by `normality` (transliteration, no hand lists).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import normality
from nameparser import HumanName
from nameparser.config import CONSTANTS

APOSTROPHES = re.compile(r"['’‘`´]")
# A first word of initials written together, with dots or without: "J.K.", "JRR", "W.G".
JOINED_INITIALS = re.compile(r"(?:[A-Z]\.){2,3}|[A-Z](?:\.[A-Z]){1,2}|[A-Z]{2,3}")
NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by one space: 'Recep Tayyip Erdoğan' -> 'recep tayyip
    erdogan', 'al-Assad' -> 'al assad', "O'Rourke" -> 'orourke'."""
    ascii_text = normality.ascii_text(APOSTROPHES.sub("", text)) or ""
    return NOT_WORD.sub(" ", ascii_text.lower()).strip()


# Surname particles from nameparser's list: "von der Leyen", "De La Fuente", "bin Salman" as
# words, "al-Assad", "el-Sisi" joined by a hyphen ("Mac", "Mc" are names of their own).
PARTICLES = frozenset(fold(p) for p in CONSTANTS.prefixes if not p.endswith("-")) - {"mac", "mc"}
HYPHEN_PARTICLES = frozenset(fold(p) for p in CONSTANTS.prefixes if p.endswith("-")) | {"al"}
TITLES = frozenset(CONSTANTS.titles)
# Words nameparser gives a part of their own: a name of two words without them it splits in two.
NAMEPARSER_WORDS = TITLES.union(CONSTANTS.prefixes, CONSTANTS.conjunctions,
                                CONSTANTS.suffix_acronyms, CONSTANTS.suffix_not_acronyms)
# Titles before a given name rather than a surname: "Prince William" is not a Mr William.
GIVEN_NAME_TITLES = frozenset({"pope", "prince", "princess", "king", "queen", "emperor",
                               "empress", "saint", "st", "sheikh", "sultan", "emir", "tsar"})


def _word(raw: str) -> str:
    """One space-separated word folded, a hyphen-joined particle dropped ('al-Assad' -> 'assad')."""
    head, dash, tail = raw.partition("-")
    if dash and tail and fold(head) in HYPHEN_PARTICLES:
        return fold(tail)
    return fold(raw)


@dataclass(frozen=True)
class PersonName:
    """The parts of one spelling of a person's name, folded."""

    text: str
    first: str  # 'donald'; '' for a surname alone
    middles: tuple[str, ...]  # ('j',), ('eugene',), ('h', 'w')
    surname: str  # with its particles: 'trump', 'von der leyen', 'de blasio', 'assad'
    bare: str  # without them: 'trump', 'leyen', 'blasio', 'assad'
    suffix: str = ""  # 'jr', 'sr', 'ii'

    @property
    def full_key(self) -> str:
        """Every part: spellings with this key differ only in case, accents, punctuation or
        titles."""
        return " ".join(p for p in (self.first, *self.middles, self.surname, self.suffix) if p)

    @property
    def short_key(self) -> str:
        """First name and bare surname (and suffix): the same person with or without middle
        names, 'al-' or 'el-'."""
        return " ".join(p for p in (self.first, self.bare, self.suffix) if p)

    @property
    def lone(self) -> bool:
        """A surname alone ('Trump', 'von der Leyen', 'Mr Balls'): it stands for a full name."""
        return not self.first

    def stands_for(self, other: PersonName) -> bool:
        """Whether this surname alone may be the other's: 'De Blasio' and 'Blasio' of 'Bill de
        Blasio'; 'Dal Maso' of 'Marc Dal Maso' but not of 'Jo Maso'."""
        if not self.lone or other.lone:
            return False
        if self.surname != self.bare:  # given with its particles: they must match
            return self.surname == other.surname
        return self.bare == other.bare


def _without_particles(words: list[str]) -> list[str]:
    i = 0
    while i < len(words) - 1 and words[i] in PARTICLES:
        i += 1
    return words[i:]


def _plain(word: str) -> bool:
    """A word nameparser reads as nothing but a name: letters only, no title, particle, suffix
    or conjunction ("Donald", "Trump"; not "Dr", "van", "Jr", "y")."""
    return word.isalpha() and word.lower() not in NAMEPARSER_WORDS


@functools.lru_cache(maxsize=200_000)
def parse(text: str) -> PersonName | None:
    """A spelling's parts; None when it has no letters to compare."""
    raw = text.split()
    titles = []
    while len(raw) > 1 and fold(raw[0]).replace(" ", "") in TITLES:
        titles.append(fold(raw[0]))
        raw = raw[1:]
    if len(raw) > 1 and JOINED_INITIALS.fullmatch(raw[0]):
        raw = [*raw[0].replace(".", ""), *raw[1:]]  # "JK Rowling" is "J. K. Rowling"
    words = [w for w in (_word(r) for r in raw) if w]
    if not words:
        return None
    bare = _without_particles(words)
    if len(bare) == 1:  # one name: a surname, unless a title says it is a given name
        if titles and titles[-1] in GIVEN_NAME_TITLES:
            return PersonName(text, titles[-1], (), bare[0], bare[0])
        return PersonName(text, "", (), " ".join(words), bare[0])
    if len(raw) == 2 and all(_plain(w) for w in raw):  # nameparser's reading, 50x faster
        given, middle, surname, suffix = raw[0], "", raw[1], ""
    else:
        human = HumanName(" ".join(raw))
        given, middle, surname, suffix = human.first, human.middle, human.last, human.suffix
    first = fold(given)
    last = [_word(w) for w in surname.split()]
    if not first or not last:  # nameparser could not tell the parts apart: compare whole
        return PersonName(text, words[0], tuple(words[1:-1]), words[-1], words[-1])
    middles = tuple(w for m in middle.split() if (w := _word(m)))
    suffix = fold(suffix).replace(" ", "")
    return PersonName(text, first, middles, " ".join(last),
                      " ".join(_without_particles(" ".join(last).split())), suffix)


def middles_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two lists of middle names can be the same person's: one is empty, or each name
    matches the other's at the same place, an initial matching a name it begins ('j' ~ 'john')."""
    if not a or not b:
        return True
    if len(a) != len(b):
        return False
    return all(x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))
               for x, y in zip(a, b, strict=True))
