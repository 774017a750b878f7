"""Plain-words notes on query syntax the parser had to guess at (it never refuses a query).

Whoosh reads an unmatched quote or bracket, or a dangling AND, as best it can; the search page
runs what it read and shows these notes, so nobody is left wondering why nothing matched.
"""

from __future__ import annotations

import re

from indexer.query import FIELD_ALIASES
from indexer.schema import SCHEMA

FIELDS = frozenset(SCHEMA.names()) - {"kind", "record", "content_hash"}
OPERATORS = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")
# The fields each page's documents hold text or values in, with an example for the help.
PAGE_FIELDS = {
    "search": (
        ("title:election", "a word in the headline only"),
        ("person:donald trump", "articles naming a person (also org:, country:, topic:, "
                                "source:; any case)"),
    ),
    "quotes": (
        ("speaker:joe biden", "quotes by a person (any case)"),
        ("mentions:russia", "quotes that name a person, organisation or country"),
        ("person:donald trump", "quotes from articles naming a person (also org:, country:, "
                                "topic:, source:)"),
    ),
}
# Fields a page's documents have no text or values in: a search there finds nothing.
EMPTY_FIELDS = {"search": {"speaker", "mentions", "quote"}, "quotes": {"title", "body"}}
TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+(?:"[^"]*"?)?')
BRACKETS = ("()", "[]", "{}")
FIELD_PREFIX = re.compile(r"^([A-Za-z_]\w*):(.*)$")


def notes(text: str, kind: str = "search") -> list[str]:
    """What in the query was probably not meant as typed, one sentence each (kind: the page,
    search or quotes)."""
    out = []
    if text.strip() and not any(
        ch.isalnum() or ch == "*" for w in TOKEN.findall(text) if w not in OPERATORS for ch in w
    ):
        out.append("This query has no words to search for.")
    if text.count('"') % 2:
        out.append('A quote mark (") has no partner, so the words after it were not searched '
                   "as a phrase. Close it to search for an exact phrase.")
    if any(unbalanced(text, pair) for pair in BRACKETS):
        out.append("A bracket has no partner; brackets group words, "
                   "as in (putin OR biden) AND talks.")
    words = [t for t in TOKEN.findall(text) if t not in ("(", ")")]
    ops = [w for w in words if w in OPERATORS]
    if ops:
        first, last = words[0], words[-1]
        doubled = any(a in OPERATORS and b in OPERATORS and b != "NOT"
                      for a, b in zip(words, words[1:], strict=False))
        if first in OPERATORS[:2] or first in OPERATORS[3:] or last in OPERATORS or doubled:
            out.append("AND, OR and NOT need a word on each side (NOT: a word after it), "
                       "as in ukraine AND talks, ukraine NOT russia.")
    for word in words:
        match = FIELD_PREFIX.match(word)
        if not match or word.startswith('"') or "://" in word:
            continue
        field, rest = match.groups()
        name = FIELD_ALIASES.get(field.lower(), field.lower())
        if name not in FIELDS:
            out.append(f"There is no field “{field}”; search one with "
                       f"{PAGE_FIELDS[kind][0][0].split(':')[0]}:word or person:name "
                       "(people, places and topics are easier to filter with the facets).")
        elif name in EMPTY_FIELDS[kind]:
            out.append(f"{'Quotes' if kind == 'quotes' else 'Articles'} have no “{field}” to "
                       "search, so it matches nothing here.")
        elif not rest:
            out.append(f"{field}: needs a word after it, as in {field}:election.")
    return out


def unbalanced(text: str, pair: str) -> bool:
    """Whether an opening and closing bracket fail to pair up (outside quoted phrases)."""
    depth = 0
    for char in re.sub(r'"[^"]*"', "", text):
        depth += {pair[0]: 1, pair[1]: -1}.get(char, 0)
        if depth < 0:
            return True
    return depth != 0
