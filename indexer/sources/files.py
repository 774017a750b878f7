"""Article files: read txt, md, json, jsonl, csv and html files into Article records."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from indexer.dates import normalise_date, with_dateline

SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".csv", ".html", ".htm")
ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")  # web archives, read as streams
MAX_FILE_BYTES = 200 * 1024 * 1024
# Field names we accept in structured inputs, first match wins.
FIELD_NAMES = {
    "id": ("id", "guid", "uuid"),
    "title": ("title", "headline"),
    "body": ("body", "text", "content", "article", "maintext"),
    "published": ("published", "date", "published_at", "pubdate", "datetime", "date_publish"),
    "source": ("source", "publisher", "sitename", "outlet"),
    "url": ("url", "link"),
    "author": ("author", "authors", "byline"),
}
csv.field_size_limit(MAX_FILE_BYTES)


@dataclass(frozen=True)
class Article:
    """One article as read from a file, before any NLP."""

    id: str
    title: str
    body: str
    published: str | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    path: str | None = None

    def as_dict(self) -> dict:
        """Plain data for JSON and hashing."""
        return asdict(self)

    @property
    def content_hash(self) -> str:
        """What decides whether an article must be annotated again."""
        blob = json.dumps(
            [self.title, self.body, self.published, self.source, self.url, self.author]
        )
        return hashlib.sha1(blob.encode("utf-8")).hexdigest()


class SourceError(Exception):
    """A file (or one record in it) that cannot be read; carries the path for a one-line report."""

    def __init__(self, path: str | os.PathLike, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def article_id(given: str | None, url: str | None, title: str, body: str) -> str:
    """A stable id: the given one, else derived from the URL, else from title and text."""
    given = str(given).strip() if given is not None else ""
    if given:
        return given
    key = url.strip() if url else f"{title}\n{body}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def load_json(text: str) -> object:
    """json.loads, with lone surrogates from broken \\uXXXX escapes made U+FFFD (unstorable)."""
    data = json.loads(text)
    if "\\u" not in text:
        return data
    dumped = json.dumps(data, ensure_ascii=False)
    if not LONE_SURROGATE.search(dumped):
        return data
    return json.loads(LONE_SURROGATE.sub("\ufffd", dumped))


def decode(data: bytes, path: str | os.PathLike) -> str:
    """Text from bytes: UTF-8 (with or without BOM) first, else the most likely encoding."""
    if not data.strip():
        raise SourceError(path, "empty file")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(path, "binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    non_ascii = sum(b > 127 for b in data)
    if non_ascii < 0.05 * len(data):
        # Mostly ASCII: a Western single-byte file (Windows-1252, a superset of Latin-1 in
        # practice); statistical detection is unreliable on a handful of accented bytes.
        return (
            data.decode("cp1252", errors="strict") if _cp1252_ok(data) else data.decode("latin-1")
        )
    best = from_bytes(data).best()
    if best is None:
        raise SourceError(path, "undecodable bytes: no text encoding fits")
    text = str(best)
    if sum(not (c.isprintable() or c.isspace()) for c in text[:4096]) > 0.05 * min(len(text), 4096):
        raise SourceError(
            path, f"binary file: decoding as {best.encoding} gives control characters"
        )
    return text


def decode_page(data: bytes, charset: str | None, where: str | os.PathLike) -> str:
    """A web page's text: UTF-8 when the bytes are UTF-8 (whatever the header claims), else the
    declared charset when it decodes, else the most likely encoding."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, where)


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _pick(record: dict, field: str) -> object:
    lowered = {str(k).strip().lower(): v for k, v in record.items()}
    for name in FIELD_NAMES[field]:
        value = lowered.get(name)
        if value not in (None, ""):
            return value
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v)
    if isinstance(value, dict):
        return str(value.get("name") or value.get("title") or "") or None
    return str(value).strip() or None


def has_words(text: str) -> bool:
    """Whether text holds any letter or digit (a lone ':' or control byte is not an article)."""
    return any(c.isalnum() for c in text)


def from_record(record: object, path: str | os.PathLike, where: str = "") -> Article:
    """An Article from a JSON object or CSV row with any of the known field names."""
    label = f"{path}{where}"
    if not isinstance(record, dict):
        raise SourceError(label, f"expected an object, got {type(record).__name__}")
    body = _pick(record, "body")
    if not isinstance(body, str) or not has_words(body):
        raise SourceError(label, "no article text (body/text field missing or empty)")
    title = _text(_pick(record, "title")) or ""
    url = _text(_pick(record, "url"))
    return Article(
        id=article_id(_text(_pick(record, "id")), url, title, body),
        title=title,
        body=body,
        published=normalise_date(_pick(record, "published")),
        source=_text(_pick(record, "source")),
        url=url,
        author=_text(_pick(record, "author")),
        path=str(path),
    )


FRONT_MATTER_KEYS = ("title", "date", "source", "url", "author")
FRONT_MATTER_LINE = re.compile(r"[A-Za-z_][\w-]*[ \t]*:.*|[ \t]*")
FENCE = re.compile(r"---[ \t]*\r?")


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """`key: value` lines between two `---` lines at the top of a .txt/.md file, and the rest.
    Anything else (no closing `---`, a line that is no `key: value`) is no front matter: the text
    is returned whole."""
    lines = text.split("\n")
    if not lines or not FENCE.fullmatch(lines[0]):
        return {}, text
    fields = {}
    for n, line in enumerate(lines[1:], start=1):
        if FENCE.fullmatch(line):
            return fields, "\n".join(lines[n + 1 :])
        if not FRONT_MATTER_LINE.fullmatch(line.rstrip("\r")):
            return {}, text
        key, _, value = line.partition(":")
        if key.strip().lower() in FRONT_MATTER_KEYS:
            fields[key.strip().lower()] = value.strip().strip("'\"")
    return {}, text


def read_text(path: Path, text: str) -> Iterator[Article]:
    """A .txt/.md file: optional front matter (title, date, source, url, author); then the first
    line is the title unless the front matter gave one, and everything after it the body,
    unchanged."""
    fields, text = front_matter(text.lstrip("\ufeff"))
    if fields.get("title"):
        title, body = fields["title"], text
    else:
        first, _, body = text.partition("\n")
        title = first.strip().lstrip("#").strip()
        if not body.strip():
            body, title = title, ""
    if not has_words(body):
        raise SourceError(path, "no article text (no letters or digits)")
    url = fields.get("url") or None
    yield Article(
        id=article_id(None, url, title, body), title=title, body=body,
        published=normalise_date(fields.get("date")), source=fields.get("source") or None,
        url=url, author=fields.get("author") or None, path=str(path),
    )


def read_json(path: Path, text: str) -> Iterator[Article | SourceError]:
    """A .json file: one article object, a list of them, or {"articles": [...]}."""
    try:
        data = load_json(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise SourceError(path, f"invalid JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    items = data if isinstance(data, list) else [data]
    for n, item in enumerate(items):
        try:
            yield from_record(item, path, f"[{n}]" if isinstance(data, list) else "")
        except SourceError as exc:
            yield exc


def read_jsonl(path: Path, text: str) -> Iterator[Article | SourceError]:
    """A .jsonl file: one article object a line; a broken line is reported, the others read."""
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield from_record(load_json(line), path, f":{n}")
        except (json.JSONDecodeError, RecursionError) as exc:
            yield SourceError(f"{path}:{n}", f"invalid JSON: {exc}")
        except SourceError as exc:
            yield exc


def read_csv(path: Path, text: str) -> Iterator[Article | SourceError]:
    """A .csv file with a header row naming the fields (text/body required)."""
    try:
        rows = csv.DictReader(io.StringIO(text, newline=""))
        header = rows.fieldnames or []
    except csv.Error as exc:
        raise SourceError(path, f"invalid CSV: {exc}") from None
    if not any(str(h).strip().lower() in FIELD_NAMES["body"] for h in header):
        raise SourceError(path, f"CSV header has no text column (one of {FIELD_NAMES['body']})")
    try:
        for n, row in enumerate(rows, 2):
            row.pop(None, None)  # extra cells beyond the header
            try:
                yield from_record(row, path, f":{n}")
            except SourceError as exc:
                yield exc
    except csv.Error as exc:
        yield SourceError(path, f"invalid CSV: {exc}")


def read_html(path: Path, text: str) -> Iterator[Article]:
    """A saved news page: main text and metadata extracted by trafilatura."""
    yield html_article(text, path)


def html_article(
    text: str, path: str | os.PathLike, url: str | None = None, fallback: dict | None = None
) -> Article:
    """A news page's main text and metadata by trafilatura (title, date, author, site name,
    canonical URL); a fallback (a feed item's or a web archive record's fields) fills what the
    page lacks. Given a URL (fetched or archived), the id derives from it; else from the page's."""
    import trafilatura

    fallback = fallback or {}
    doc = trafilatura.bare_extraction(text, url=url, with_metadata=True, include_comments=False)
    body = getattr(doc, "text", None) if doc is not None else None
    if not body or not has_words(body):
        body = fallback.get("body")
    if not body or not has_words(body):
        raise SourceError(path, "HTML page has no extractable article text")

    def field(name: str) -> str | None:
        return (getattr(doc, name, None) or "").strip() or None

    title = field("title") or fallback.get("title") or ""
    page_url = field("url") or url
    return Article(
        id=article_id(None, url or page_url, title, body),
        title=title,
        body=body,
        published=normalise_date(field("date")) or normalise_date(fallback.get("published")),
        source=field("sitename") or fallback.get("source") or field("hostname"),
        url=page_url,
        author=field("author") or fallback.get("author"),
        path=str(path),
    )


READERS = {
    ".txt": read_text,
    ".md": read_text,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".csv": read_csv,
    ".html": read_html,
    ".htm": read_html,
}


def read_file(path: Path) -> Iterator[Article | SourceError]:
    """Every article in one file; errors are yielded (per record) or raised (whole file)."""
    if is_archive(path):
        from indexer.sources.warc import read_archive

        yield from read_archive(path)
        return
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise SourceError(path, f"unsupported file type {suffix or '(none)'}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(path, f"file too large ({size} bytes > {MAX_FILE_BYTES})")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, exc.strerror or str(exc)) from None
    for item in READERS[suffix](path, decode(data, path)):
        yield with_dateline(item) if isinstance(item, Article) else item


def is_archive(path: Path) -> bool:
    """A WARC or ARC file (plain or gzipped), which is streamed record by record."""
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path | SourceError]:
    """Files named, and supported files below folders named, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and (p.suffix.lower() in SUFFIXES or is_archive(p))
            )
            yield from found
        elif path.is_file():
            yield path
        else:
            yield SourceError(path, "no such file or folder")


def read_sources(paths: Iterable[str | os.PathLike]) -> Iterator[Article | SourceError]:
    """Articles from files and folders; each broken file or record comes out as a SourceError."""
    for item in iter_files(paths):
        if isinstance(item, SourceError):
            yield item
            continue
        try:
            yield from read_file(item)
        except SourceError as exc:
            yield exc
        except Exception as exc:  # a reader bug or library failure must not stop the run
            yield SourceError(item, f"unreadable: {type(exc).__name__}: {exc}")
