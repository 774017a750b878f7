"""Speaker corrections: an editor says who really spoke a quotation (or that no one named did).

Kept beside the index in ``<index_dir>/speakers.json``, one entry per corrected quotation::

    {"quotes": [{"article_id": "a1", "text": "We will ...", "start": 120,
                 "speaker": "Jane Doe", "by": "eve", "at": "2026-12-05T08:00:00Z"}]}

``speaker`` null means "no speaker". An entry names its quotation by article, text and offset
rather than by its number, so it still finds it when the article is annotated again and its
quotations come out in another order. Every write to a store (both backends) passes through
`applied`, so a correction holds through re-indexing, `topics apply` and `reindex`; the record
then carries the corrected speaker, and the quotation is marked::

    "corrected": {"by": "eve", "at": "...", "was": "John Roe", "was_confidence": 0.41}

(a person checked the attribution: its confidence becomes 1.0; without a speaker, null).
Correcting a quotation back to the speaker it was found with drops the entry and the mark. A
record that comes marked (loaded from an export) keeps its mark where no entry says otherwise.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from indexer.duplicates import _atomic_write
from indexer.records import Record

FILE_NAME = "speakers.json"
MAX_NAME = 200


def _read(index_dir: Path) -> list[dict]:
    path = Path(index_dir) / FILE_NAME
    if not path.exists():
        return []
    return [e for e in json.loads(path.read_text(encoding="utf-8")).get("quotes", [])
            if isinstance(e, dict) and e.get("article_id") and isinstance(e.get("text"), str)]


def load(index_dir: str | Path) -> dict[str, list[dict]]:
    """Article id -> its corrections."""
    out: dict[str, list[dict]] = {}
    for entry in _read(Path(index_dir)):
        out.setdefault(entry["article_id"], []).append(entry)
    return out


@contextmanager
def _editing(index_dir: Path) -> Iterator[list[dict]]:
    """The corrections, to change and save while no other process or thread does."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".speakers.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            entries = _read(index_dir)
            yield entries
            entries.sort(key=lambda e: (e["article_id"], e["start"]))
            text = json.dumps({"quotes": entries}, ensure_ascii=False, indent=1) + "\n"
            _atomic_write(index_dir / FILE_NAME, lambda f: f.write(text.encode("utf-8")))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def clean_name(name: str | None) -> str | None:
    """A speaker as typed: None for no speaker; ValueError for what cannot be a name."""
    name = " ".join((name or "").split())
    if not name:
        return None
    if len(name) > MAX_NAME or not name.isprintable():
        raise ValueError(f"a speaker's name is printable text of at most {MAX_NAME} characters")
    return name


def _find(quotes: list[dict], entry: dict) -> int | None:
    """The quotation an entry is about: the same text, the nearest to its offset."""
    same = [n for n, q in enumerate(quotes) if q.get("text") == entry["text"]]
    if not same:
        return None
    return min(same, key=lambda n: abs(quotes[n].get("start", 0) - entry.get("start", 0)))


def found_speaker(quote: dict) -> str | None:
    """Who the quotation was attributed to before any correction."""
    return quote["corrected"].get("was") if quote.get("corrected") else quote.get("speaker")


def _restored(quote: dict) -> dict:
    """A quotation as it was found, without any correction."""
    mark = quote.get("corrected")
    if not mark:
        return quote
    out = {k: v for k, v in quote.items() if k not in ("corrected", "confidence")}
    out["speaker"] = mark.get("was")
    if mark.get("was_confidence") is not None:
        out["confidence"] = mark["was_confidence"]
    return out


def _corrected(quote: dict, entry: dict) -> dict:
    found = _restored(quote)
    out = dict(found, speaker=entry["speaker"], confidence=1.0 if entry["speaker"] else None)
    out["corrected"] = {"by": entry.get("by") or "", "at": entry.get("at") or "",
                        "was": found.get("speaker"), "was_confidence": found.get("confidence")}
    return out


def apply(record: Record, entries: list[dict]) -> Record:
    """The record with its corrections applied. A quotation already marked corrected that no
    entry names keeps its mark (records exported from another index carry theirs)."""
    if not entries:
        return record
    fixed = list(record.get("quotes") or [])
    for entry in entries:
        n = _find(fixed, entry)
        if n is not None:
            fixed[n] = _corrected(fixed[n], entry)
    return dict(record, quotes=fixed)


def applied(records: Iterable[Record], index_dir: str | Path) -> Iterator[Record]:
    """Records on their way into a store, with the index's speaker corrections applied."""
    corrections = load(index_dir)
    for record in records:
        yield apply(record, corrections.get(record.get("id"), []))


def correct(index_dir: str | Path, store, quote_id: str, speaker: str | None,
            by: str) -> tuple[str | None, str | None]:
    """Record who spoke quotation `quote_id` ('<article id>#q<n>') and rewrite its article in
    the store at once; (the speaker before, the speaker now). LookupError for no such quote."""
    article_id, _, number = quote_id.rpartition("#q")
    record = store.get(article_id) if article_id and number.isdigit() else None
    quotes = (record or {}).get("quotes") or []
    if record is None or int(number) >= len(quotes):
        raise LookupError(f"{quote_id}: there is no such quotation in the index")
    quote = quotes[int(number)]
    speaker = clean_name(speaker)
    with _editing(Path(index_dir)) as entries:
        entries[:] = [e for e in entries if not (
            e["article_id"] == article_id and _find(quotes, e) == int(number))]
        if speaker != found_speaker(quote):
            entries.append({"article_id": article_id, "text": quote["text"],
                            "start": quote.get("start", 0), "speaker": speaker, "by": by,
                            "at": datetime.now(UTC).isoformat(timespec="seconds")
                            .replace("+00:00", "Z")})
    found = [_restored(q) if n == int(number) else q for n, q in enumerate(quotes)]
    for _ in store.write([dict(record, quotes=found)]):  # it applies the corrections saved now
        pass
    return quote.get("speaker"), speaker
