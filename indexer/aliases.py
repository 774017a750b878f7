"""Aliases: user-editable merges of spellings ("Zelensky" -> "Volodymyr Zelenskyy") across articles.

Stored as JSON beside the index (``<index_dir>/aliases.json``)::

    {"person": {"Zelensky": "Volodymyr Zelenskyy"}, "organization": {...}, "country": {...}}

They are applied when searching (facets and filters), not when annotating, so adding one
changes facet counts at once without re-running NLP. A shipped default set
(``data/default_aliases.json``) is loaded first; the user's file overrides it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

FIELDS = ("person", "organization", "country")
FILE_NAME = "aliases.json"
DEFAULTS_FILE = Path(__file__).parent / "data" / "default_aliases.json"


class Aliases:
    """Variant -> canonical maps per facet field, with the reverse view that filters need."""

    def __init__(self, mapping: dict[str, dict[str, str]] | None = None) -> None:
        self._map: dict[str, dict[str, str]] = {f: {} for f in FIELDS}
        for field, pairs in (mapping or {}).items():
            for variant, canonical in pairs.items():
                self.add(field, variant, canonical)

    @classmethod
    def defaults(cls) -> Aliases:
        """The shipped alias set only."""
        return cls(_read(DEFAULTS_FILE))

    @classmethod
    def load(cls, index_dir: str | Path) -> Aliases:
        """The shipped defaults overlaid with the user's ``aliases.json`` (if there is one)."""
        aliases = cls.defaults()
        for field, pairs in _read(Path(index_dir) / FILE_NAME).items():
            for variant, canonical in pairs.items():
                if variant == canonical:  # the user opts out of a shipped alias
                    aliases.remove(field, variant)
                else:
                    aliases.add(field, variant, canonical)
        return aliases

    def save(self, index_dir: str | Path) -> Path:
        """Write every alias to ``<index_dir>/aliases.json`` atomically; return its path."""
        path = Path(index_dir) / FILE_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
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
        if table.get(canonical) == variant:  # "B -> A" after "A -> B": A becomes the variant
            del table[canonical]
        target = self.canonical(field, canonical)
        table[variant] = target
        for other, value in table.items():  # earlier aliases of the variant follow it
            if value == variant:
                table[other] = target

    def remove(self, field: str, variant: str) -> bool:
        """Undo an alias; True if there was one."""
        return self._table(field).pop(variant.strip(), None) is not None

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

    def _table(self, field: str) -> dict[str, str]:
        """The map of one field; unknown fields are a caller's mistake."""
        if field not in self._map:
            raise ValueError(f"unknown alias field {field!r}; expected one of {', '.join(FIELDS)}")
        return self._map[field]


def _read(path: Path) -> dict[str, dict[str, str]]:
    """An alias file's content, or nothing if it does not exist."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {field: pairs for field, pairs in data.items() if not field.startswith("_")}


def suggest_surnames(
    counts: list[tuple[str, int]], share: float = 0.8, least: int = 2
) -> list[dict]:
    """Merges a user may want: a one-word person facet value ("Trump", from articles that never
    give the full name) into the full name it stands for across the archive ("Donald Trump").

    `counts` are (person, articles) pairs. A word is suggested for the full name ending in it that
    holds at least `share` of the articles of all such names, and `least` articles: "Biden" goes
    to "Joe Biden" when "Hunter Biden" is rare, and nowhere when both are common.
    """
    by_surname: dict[str, list[tuple[int, str]]] = {}
    for name, count in counts:
        words = name.split()
        if len(words) > 1:
            by_surname.setdefault(words[-1], []).append((count, name))
    out = []
    for name, count in counts:
        full = sorted(by_surname.get(name, []), key=lambda pair: (-pair[0], pair[1]))
        if " " in name or not full:
            continue
        best, everyone = full[0][0], sum(c for c, _ in full)
        if best >= least and best >= share * everyone:
            out.append({"variant": name, "canonical": full[0][1], "variant_articles": count,
                        "canonical_articles": best, "share": round(best / everyone, 3)})
    return out
