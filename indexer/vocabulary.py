"""Word lists that the entity rules (indexer.entities) and the archive's resolution and quote
speakers share, from data/not_names.json; no spaCy here, so that loading records, searching and
serving do not import it."""

from __future__ import annotations

import json
from pathlib import Path

_NOT_NAMES = json.loads((Path(__file__).parent / "data" / "not_names.json").read_text("utf-8"))
NOT_ENTITIES = frozenset(_NOT_NAMES["not_entities"])
PLATFORMS = frozenset(_NOT_NAMES["platforms"])
GENERIC_ORGS = frozenset(_NOT_NAMES["generic"])
ORG_HEADS = frozenset(_NOT_NAMES["org_heads"])
EVENT_HEADS = frozenset(_NOT_NAMES["event_heads"])
LAW_HEADS = frozenset(_NOT_NAMES["law_heads"])
NUMBERED_NAMES = frozenset(_NOT_NAMES["numbered_names"])
CLUB_HEADS = frozenset(_NOT_NAMES["club_heads"])
# The aliases shipped with newsindex (indexer.aliases), and their organisations' nicknames
# ("Tories" -> "Conservative Party"), which entity rules use inside one article.
SHIPPED_ALIASES_FILE = Path(__file__).parent / "data" / "default_aliases.json"
SHIPPED_ORGANISATIONS: dict[str, str] = json.loads(
    SHIPPED_ALIASES_FILE.read_text("utf-8"))["organization"]
# Words that say a name is a body's: its heads, generic bodies, and titles that also end the
# names of bodies ("Toronto Police", "Scottish Executive").
ORG_WORDS = ORG_HEADS | {word.lower() for word in GENERIC_ORGS} | frozenset(
    _NOT_NAMES["title_org_words"])
# Words that end only bodies' names: a unit a body owns with one is a body, not its product
# ("Panasonic's Hollywood Laboratories"), and so is a first name with one ("Forest Laboratories").
BODY_WORDS = frozenset(_NOT_NAMES["body_words"])


def members_of(members: tuple[str, ...], party: tuple[str, ...]) -> bool:
    """Whether a plural name is that of a party's members: "Conservatives" of "Conservative
    Party", "Democrats" of "Democratic Party", "Greens" of "Green Party"; not a word that only
    ends in "s" ("Congress" of "Congress Party")."""
    last = members[-1]
    return (
        len(last) > 3 and last.endswith("s") and len(party) == len(members) + 1
        and party[-1] == "Party" and party[:-2] == members[:-1]
        and party[-2].startswith(last[:-1]) and party[-2] != last
    )


def shortened(short: str, word: str) -> bool:
    """The same word, its plural or singular, or a clipping of it ("Lib", "Dems" of
    "Liberal", "Democrats"): less than half of it, more than an initial."""
    short, word = short.casefold(), word.casefold()
    if short == word or short + "s" == word or short == word + "s":
        return True
    if short.endswith("s") and word.endswith("s"):
        stem, whole = short[:-1], word[:-1]
    else:  # an "s" only the short word ends in is its own: "News" is no clipping of "Newcastle"
        stem, whole = short, word.removesuffix("s")
    return (stem.isalpha() and whole.isalpha() and len(stem) > 1 and len(stem) * 2 < len(whole)
            and whole.startswith(stem))  # not an initial: "S Club" is not "Shore Club"
