"""Records stage: annotated articles as plain data, and their JSON Lines hand-off format."""

from __future__ import annotations

import json
import os
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
}


class RecordError(ValueError):
    """A JSON Lines record that is not an annotated article."""


def facet_values(record: Record, field: str) -> list[str]:
    """The facet values a record contributes to one facet field, in record order."""
    value = record.get(FACET_FIELDS[field])
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if field == "topic":
        return [t["label"] for t in value]
    return list(value)


def check_record(record: object, where: str = "") -> Record:
    """Validate the minimum an annotated record needs before it may reach the store."""
    if not isinstance(record, dict):
        raise RecordError(f"{where}: not a JSON object")
    for key in ("id", "body"):
        if not isinstance(record.get(key), str) or not record[key]:
            raise RecordError(f"{where}: missing {key!r}")
    for key in ("persons", "organizations", "countries", "topics", "quotes", "entities"):
        if not isinstance(record.get(key, []), list):
            raise RecordError(f"{where}: {key!r} must be a list")
    return record


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
