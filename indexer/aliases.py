"""Aliases: merges of spellings ("Zelensky" -> "Volodymyr Zelenskyy") across articles.

Three sources, each a set of judgements (`indexer.resolution.judgements`):

- the shipped defaults (``data/default_aliases.json``);
- the automatic resolution across the archive, recomputed after every `index` run and stored
  beside the index (``<index_dir>/resolved.json``, see `indexer.resolution.archive`);
- the user's decisions (``<index_dir>/aliases.json``): merges, pairs that are "not the same"
  (which no shipped or automatic merge may join again), and names a facet lists whatever the
  archive's type vote says (`listed`)::

    {"person": {"Zelensky": "Volodymyr Zelenskyy"}, "organization": {...}, "country": {...},
     "not_same": {"person": [["Trump", "Donald Trump"]]},    # Trump split off Donald Trump
     "listed": {"person": ["Ray"]}}                          # a person, whatever the vote

They are applied when searching (facets and filters), not when annotating, so a decision
changes facet counts at once without re-running NLP. `effective()` combines the three.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.resolution import archive
from indexer.resolution.judgements import By, Judgement, Verdict, resolve
from indexer.vocabulary import SHIPPED_ALIASES_FILE

FIELDS = ("person", "organization", "country")
FILE_NAME = "aliases.json"
NOT_SAME = "not_same"
LISTED = "listed"
DEFAULTS_FILE = SHIPPED_ALIASES_FILE


class Aliases:
    """Variant -> canonical maps per facet field, with the reverse view that filters need, and
    the pairs a user said are not the same."""

    def __init__(self, mapping: dict[str, dict[str, str]] | None = None) -> None:
        self._map: dict[str, dict[str, str]] = {f: {} for f in FIELDS}
        self._user: dict[str, set[str]] = {f: set() for f in FIELDS}  # variants a user merged
        self._dropped: dict[str, set[str]] = {f: set() for f in FIELDS}  # shipped ones undone
        # (kept apart, from): the first of each pair is the one a user split off the second
        self._not_same: dict[str, set[tuple[str, str]]] = {f: set() for f in FIELDS}
        self._listed: dict[str, set[str]] = {f: set() for f in FIELDS}  # kept in their facet
        for field, pairs in (mapping or {}).items():
            for variant, canonical in pairs.items():
                self.add(field, variant, canonical)

    @classmethod
    def defaults(cls) -> Aliases:
        """The shipped alias set only."""
        aliases = cls(_read(DEFAULTS_FILE))
        aliases._user = {f: set() for f in FIELDS}
        return aliases

    @classmethod
    def load(cls, index_dir: str | Path) -> Aliases:
        """The shipped defaults overlaid with the user's ``aliases.json`` (if there is one)."""
        aliases = cls.defaults()
        data = _read(Path(index_dir) / FILE_NAME)
        for field, pairs in data.get(NOT_SAME, {}).items():
            aliases._table(field)
            aliases._not_same[field] |= {(a, b) for a, b in pairs if a != b}
        for field, names in data.get(LISTED, {}).items():
            aliases._table(field)
            aliases._listed[field] |= set(names)
        for field, pairs in data.items():
            if field in (NOT_SAME, LISTED):
                continue
            for variant, canonical in pairs.items():
                if variant == canonical:  # the user opts out of a shipped alias
                    aliases.remove(field, variant)
                else:
                    aliases.add(field, variant, canonical)
        return aliases

    def save(self, index_dir: str | Path) -> Path:
        """Write the user's decisions to ``<index_dir>/aliases.json`` atomically; its path."""
        path = Path(index_dir) / FILE_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        data: dict = {
            field: dict(sorted(
                [(v, c) for v, c in self._map[field].items() if v in self._user[field]]
                + [(v, v) for v in self._dropped[field]]
            ))
            for field in FIELDS
        }
        pairs = {f: sorted(list(p) for p in self._not_same[f]) for f in FIELDS
                 if self._not_same[f]}
        if pairs:
            data[NOT_SAME] = pairs
        listed = {f: sorted(self._listed[f]) for f in FIELDS if self._listed[f]}
        if listed:
            data[LISTED] = listed
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".aliases-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
        return path

    def add(self, field: str, variant: str, canonical: str) -> None:
        """Merge ``variant`` into ``canonical``; chains collapse, and a reversed pair flips."""
        table = self._table(field)
        variant, canonical = variant.strip(), canonical.strip()
        if not variant or not canonical:
            raise ValueError("an alias needs a variant and a canonical value")
        if variant == canonical:
            return
        self._not_same[field] -= {(variant, canonical), (canonical, variant)}
        if table.get(canonical) == variant:  # "B -> A" after "A -> B": A becomes the variant
            del table[canonical]
            self._user[field].discard(canonical)
        target = self.canonical(field, canonical)
        table[variant] = target
        self._user[field].add(variant)
        self._dropped[field].discard(variant)
        for other, value in table.items():  # earlier aliases of the variant follow it
            if value == variant:
                table[other] = target
                self._user[field].add(other)

    def remove(self, field: str, variant: str) -> bool:
        """Undo an alias; True if there was one."""
        variant = variant.strip()
        if self._table(field).pop(variant, None) is None:
            return False
        if variant in self._user[field]:
            self._user[field].discard(variant)
        else:
            self._dropped[field].add(variant)
        return True

    def split(self, field: str, variant: str, canonical: str) -> None:
        """Record that ``variant`` is not ``canonical``: a merge of the two by a user is undone,
        and no shipped or automatic merge joins them again."""
        variant, canonical = variant.strip(), canonical.strip()
        if not variant or not canonical or variant == canonical:
            raise ValueError("a split needs two different values")
        table = self._table(field)
        if table.get(variant) == canonical:
            self.remove(field, variant)
        elif table.get(canonical) == variant:
            self.remove(field, canonical)
        self._not_same[field].add((variant, canonical))

    def keep_listed(self, field: str, name: str, listed: bool = True) -> None:
        """A user says `name` belongs in `field`'s facet whatever the archive's type vote
        (`resolution.archive.type_votes`) says; with listed=False, the vote decides again."""
        name = name.strip()
        if not name:
            raise ValueError("a name to list is needed")
        self._table(field)
        if listed:
            self._listed[field].add(name)
        else:
            self._listed[field].discard(name)

    def listed(self, field: str) -> set[str]:
        """The names a user keeps in a facet whatever the type vote says."""
        self._table(field)
        return set(self._listed[field])

    def not_same(self, field: str) -> set[tuple[str, str]]:
        """The pairs a user said are not the same (the one split off first)."""
        self._table(field)
        return set(self._not_same[field])

    def canonical(self, field: str, value: str) -> str:
        """The canonical form of a facet value (the value itself when it has no alias)."""
        return self._table(field).get(value, value)

    def variants(self, field: str, canonical: str) -> set[str]:
        """Every raw value that maps to ``canonical``, itself included: what a filter must match."""
        target = self.canonical(field, canonical)
        return {target} | {v for v, c in self._table(field).items() if c == target}

    def to_dict(self) -> dict[str, dict[str, str]]:
        """Plain JSON-ready copy of all aliases."""
        return {field: dict(sorted(pairs.items())) for field, pairs in self._map.items()}

    def judgements(self) -> list[Judgement]:
        """The merges as positive judgements (a user's or shipped), and the user's negative ones."""
        out = []
        for field in FIELDS:
            for variant, canonical in self._map[field].items():
                by = By.USER if variant in self._user[field] else By.SHIPPED
                out.append(Judgement(field, variant, canonical, Verdict.POSITIVE, by))
            for a, b in sorted(self._not_same[field]):
                out.append(Judgement(field, a, b, Verdict.NEGATIVE, By.USER))
        return out

    def _table(self, field: str) -> dict[str, str]:
        """The map of one field; unknown fields are a caller's mistake."""
        if field not in self._map:
            raise ValueError(f"unknown alias field {field!r}; expected one of {', '.join(FIELDS)}")
        return self._map[field]


def _read(path: Path) -> dict[str, dict]:
    """An alias file's content, or nothing if it does not exist."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {field: pairs for field, pairs in data.items() if not field.startswith("_")}


@contextmanager
def editing(index_dir: str | Path) -> Iterator[Aliases]:
    """The user's decisions, to change and save while no other process or thread does (the CLI
    and a web server may decide at the same time)."""
    folder = Path(index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".aliases.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            aliases = Aliases.load(folder)
            yield aliases
            aliases.save(folder)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def effective(index_dir: str | Path) -> tuple[Aliases, list[Judgement]]:
    """The merges search applies: the shipped, automatic and user judgements resolved into one
    variant -> canonical map per field (a user's decision winning), and the judgements."""
    users = Aliases.load(index_dir)
    judgements = users.judgements() + archive.load(index_dir)
    merged = Aliases()
    for field, pairs in resolve(judgements).items():
        merged._map[field] = pairs
    merged._listed = users._listed
    return merged, judgements
