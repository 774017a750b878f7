"""First names from gender-guesser's table of ~40,000 (loaded once, on first use): whether a word
is a usual first name (entities) and which gender it usually has (quote pronouns)."""

from __future__ import annotations

from functools import lru_cache

import gender_guesser.detector

GIVEN = frozenset({"male", "female", "mostly_male", "mostly_female", "andy"})


@lru_cache(maxsize=1)
def _table() -> gender_guesser.detector.Detector:
    return gender_guesser.detector.Detector(case_sensitive=False)


@lru_cache(maxsize=8192)
def guess(word: str) -> str:
    """gender-guesser's answer for one word: male, female, mostly_*, andy or unknown."""
    return _table().get_gender(word)


def is_given_name(word: str) -> bool:
    """Whether a word is a usual first name somewhere ("Tracey", "Magnus", "Judit"), or two
    joined by a hyphen ("Sven-Goran", "Jean-Philippe") that the table does not list whole."""
    if guess(word) in GIVEN:
        return True
    parts = word.split("-")
    return len(parts) == 2 and all(part[:1].isupper() and guess(part) in GIVEN for part in parts)
