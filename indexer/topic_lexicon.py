"""Weighted lexicon matching over plain text, fast enough to run on every article.

Text is split into word tokens (runs of letters or of digits; a possessive 's is dropped) and
each token is Porter-stemmed with Whoosh's stemmer, so "elections", "elected" and "election" all
match the term "election". A term written with a leading ``=`` matches exact word forms instead:
in any case when written in lower case ("=news" matches "News", never "new"), otherwise
case-sensitively ("=Labour" matches the party, not "labour"). Terms may be phrases; at each
position the longest matching term wins and its words are not matched again ("Labour Party" is
counted once, never also as "labour"); at equal length exact terms win over stemmed ones.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from whoosh.lang.porter import stem

# Runs of letters or of digits: "£5bn" -> "5", "bn"; "COVID-19" -> "COVID", "19".
TOKEN_RE = re.compile(r"[^\W\d_]+|\d+")
POSSESSIVE_RE = re.compile(r"(?<=\w)['’]s?\b")
EXACT = "="
# A gap token no term contains, so that phrases never run across separate names.
GAP = "\x00"

Key = tuple[str, ...]


@lru_cache(maxsize=100_000)
def stem_word(word: str) -> str:
    """Porter stem of a lower-cased word, cached because news vocabulary repeats a lot."""
    return stem(word.lower())


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text's word forms as written, lower-cased and stemmed, position by position."""

    forms: tuple[str, ...]
    lowers: tuple[str, ...]
    stems: tuple[str, ...]


def tokenise(text: str) -> Tokens:
    """Word forms and stems of a text (possessives dropped: "Trump's" -> "Trump")."""
    forms = tuple(TOKEN_RE.findall(POSSESSIVE_RE.sub("", text)))
    lowers = tuple(f.lower() for f in forms)
    return Tokens(forms, lowers, tuple(stem_word(w) for w in lowers))


def join_names(names: Iterable[str]) -> Tokens:
    """Tokens of several names with a gap between them, so no phrase spans two names."""
    forms: list[str] = []
    lowers: list[str] = []
    stems: list[str] = []
    for name in names:
        tokens = tokenise(name)
        forms.extend(tokens.forms + (GAP,))
        lowers.extend(tokens.lowers + (GAP,))
        stems.extend(tokens.stems + (GAP,))
    return Tokens(tuple(forms), tuple(lowers), tuple(stems))


# How a term matches: its exact forms, its lower-cased forms, or its stems.
CASED, UNCASED, STEMMED = "cased", "uncased", "stemmed"
KINDS = (CASED, UNCASED, STEMMED)  # the order in which equally long matches win
TermKey = tuple[str, Key]


def term_key(term: str) -> TermKey:
    """How a lexicon term is matched: (kind, key tuple of forms, lower-cased forms or stems)."""
    exact = term.startswith(EXACT)
    tokens = tokenise(term[1:] if exact else term)
    if not tokens.forms:
        raise ValueError(f"lexicon term without words: {term!r}")
    if not exact:
        return STEMMED, tokens.stems
    if tokens.forms == tokens.lowers:
        return UNCASED, tokens.lowers
    return CASED, tokens.forms


class Lexicon:
    """Terms compiled for longest-first matching; each term carries weights for some targets."""

    def __init__(self, entries: Iterable[tuple[str, str, float]]) -> None:
        """Compile (term, target, weight) entries; a term may serve several targets."""
        self.tables: dict[str, dict[Key, dict[str, float]]] = {k: {} for k in KINDS}
        for term, target, weight in entries:
            kind, key = term_key(term)
            targets = self.tables[kind].setdefault(key, {})
            # Two spellings of one stem ("broadcast", "broadcasting") must not add up.
            targets[target] = max(targets.get(target, float(weight)), float(weight), key=abs)
        self._firsts = {kind: {key[0] for key in table} for kind, table in self.tables.items()}
        self.max_len = max((len(k) for t in self.tables.values() for k in t), default=0)

    def __len__(self) -> int:
        return sum(len(table) for table in self.tables.values())

    def match(self, tokens: Tokens) -> Counter[TermKey]:
        """How often each term occurs, longest match first, no token counted twice."""
        found: Counter[TermKey] = Counter()
        streams = {CASED: tokens.forms, UNCASED: tokens.lowers, STEMMED: tokens.stems}
        n = len(tokens.forms)
        i = 0
        while i < n:
            step = 1
            kinds = [k for k in KINDS if streams[k][i] in self._firsts[k]]
            if kinds:
                for size in range(min(self.max_len, n - i), 0, -1):
                    hit = next(((k, streams[k][i:i + size]) for k in kinds
                                if streams[k][i:i + size] in self.tables[k]), None)
                    if hit is not None:
                        found[hit] += 1
                        step = size
                        break
            i += step
        return found

    def targets(self, key: TermKey) -> dict[str, float]:
        """Target weights of a matched term key."""
        kind, words = key
        return self.tables[kind][words]
