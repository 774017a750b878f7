"""Records stage: annotated articles as plain data, and their JSON Lines hand-off format."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from indexer.sources import load_json

Record = dict[str, Any]
# Keys every annotated record has (see CONTRACT.md), in output order.
RECORD_KEYS = (
    "id",
    "path",
    "title",
    "body",
    "published",
    "source",
    "url",
    "author",
    "persons",
    "organizations",
    "countries",
    "topics",
    "quotes",
    "entities",
)
# Facet fields of the index and the record list each one is read from.
FACET_FIELDS = {
    "person": "persons",
    "organization": "organizations",
    "country": "countries",
    "topic": "topics",
    "source": "source",
    # Not a facet users see: names the article's own context calls a work or a product ("the
    # film The Aviator", "Microsoft's Xbox"), which the archive's type vote counts against the
    # articles that list the same name as a person or an organisation.
    "work": "works",
}
# Facet fields an article's quotations do not carry.
ARTICLE_ONLY = ("work",)


class RecordError(ValueError):
    """A JSON Lines record that is not an annotated article."""


def facet_values(record: Record, field: str) -> list[str]:
    """The facet values a record contributes to one facet field, in record order. Its people
    include whoever an editor said spoke one of its quotations (indexer.speaker_corrections),
    though the NLP did not find them among its names."""
    value = record.get(FACET_FIELDS[field])
    if field == "person":
        values = list(value or [])
        corrected = [q.get("speaker") for q in record.get("quotes") or []
                     if isinstance(q, dict) and q.get("corrected") and q.get("speaker")]
        return values + [name for name in dict.fromkeys(corrected) if name not in values]
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if field == "topic":
        return [t["label"] for t in value]
    return list(value)


TEXT_KEYS = ("path", "title", "source", "url", "author", "content_hash")
NAME_LISTS = ("persons", "organizations", "countries", "country_codes", "works")
# Keys of list items the store, search and web read, and the types they must have.
ITEM_KEYS = {
    "topics": {"label": str, "code": (str, type(None)), "score": (int, float, type(None))},
    "quotes": {"text": str, "start": int, "end": int, "speaker": (str, type(None))},
    "entities": {"start": int, "end": int, "text": (str, type(None)), "label": (str, type(None)),
                 "canonical": (str, type(None)), "field": (str, type(None)),
                 "country": (str, type(None))},
}


def _items_ok(items: object, keys: dict[str, type | tuple]) -> bool:
    """A list of objects whose keys have the types given (optional keys may be missing)."""
    if not isinstance(items, list):
        return False
    for item in items:
        if not isinstance(item, dict):
            return False
        for key, kind in keys.items():
            value = item.get(key) if kind in (str, int) or key in item else None
            if isinstance(value, bool) or not isinstance(value, kind):
                return False
    return True


def check_record(record: object, where: str = "") -> Record:
    """Validate what the store, search and web read from a record before it may reach them."""
    from indexer.sources import normalise_date

    if not isinstance(record, dict):
        raise RecordError(f"{where}: not a JSON object")
    for key in ("id", "body"):
        if not isinstance(record.get(key), str) or not record[key]:
            raise RecordError(f"{where}: missing {key!r}")
    for key in TEXT_KEYS:
        if not isinstance(record.get(key), (str, type(None))):
            raise RecordError(f"{where}: {key!r} must be text or null")
    for key in NAME_LISTS:
        names = record.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise RecordError(f"{where}: {key!r} must be a list of names")
    for key, keys in ITEM_KEYS.items():
        if not _items_ok(record.get(key, []), keys):
            fields = ", ".join(k for k, kind in keys.items() if kind in (str, int))
            raise RecordError(f"{where}: {key!r} must be a list of objects with {fields}")
    published = record.get("published")
    if published is not None and not _iso_date(published):
        record = dict(record, published=normalise_date(published))  # unreadable: None
    return record


def _iso_date(value: object) -> bool:
    """A date the search can read: YYYY, YYYY-MM or YYYY-MM-DD, and a real one."""
    from datetime import date

    if not isinstance(value, str) or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        return False
    year, month, day = (value.split("-") + ["01", "01"])[:3]
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def dumps(record: Record) -> str:
    """One JSON Lines line for a record, keys in contract order."""
    ordered = {k: record.get(k) for k in RECORD_KEYS}
    ordered.update({k: v for k, v in record.items() if k not in ordered})
    return json.dumps(ordered, ensure_ascii=False)


def write_jsonl(records: Iterable[Record], out: IO[str]) -> int:
    """Write records as JSON Lines; returns how many."""
    n = 0
    for record in records:
        out.write(dumps(record) + "\n")
        n += 1
    return n


def read_jsonl(path: str | os.PathLike) -> Iterator[Record | RecordError]:
    """Annotated records from a JSON Lines file; a broken line comes out as a RecordError."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield check_record(load_json(line), f"{path}:{n}")
            except (json.JSONDecodeError, RecursionError) as exc:
                yield RecordError(f"{path}:{n}: invalid JSON: {exc}")
            except RecordError as exc:
                yield exc


def is_record_file(path: Path) -> bool:
    """Whether a .jsonl file holds annotated records (load without NLP), not raw articles."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.strip():
                    first = json.loads(line)
                    return isinstance(first, dict) and "entities" in first and "quotes" in first
    except (OSError, json.JSONDecodeError):
        return False
    return False
