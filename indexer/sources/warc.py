"""Web archives: the HTML responses of a WARC or ARC file (plain or gzipped) become Article
records, streamed record by record by warcio so a multi-GB crawl never sits in memory. Other
records (requests, revisits, metadata, images, error responses) are skipped and counted; a
truncated or damaged record ends the file with a reason, the articles before it kept."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from indexer.sources.files import Article, SourceError, decode_page, html_article

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_PAGE_BYTES = 10 * 1024 * 1024


def read_archive(path: Path) -> Iterator[Article | SourceError]:
    """Articles from a web archive's HTML responses: URL and capture date from the record
    (the date when the page gives none), text by trafilatura; a summary line of what it held."""
    from warcio.archiveiterator import ArchiveIterator

    skipped: Counter = Counter()
    pages = 0
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below, records stream from it)
    except OSError as exc:
        raise SourceError(path, exc.strerror or str(exc)) from None
    with handle:
        records = ArchiveIterator(handle, arc2warc=True)
        try:
            for record in records:
                kind = skip_reason(record)
                body = b"" if kind else record.content_stream().read(MAX_PAGE_BYTES + 1)
                while record.raw_stream.read(65536):  # the rest, to see that it is all there
                    pass
                url = record.rec_headers.get_header("WARC-Target-URI")
                where = f"{path}@{records.get_record_offset()}"  # after the read: it skips
                if getattr(record.raw_stream, "limit", 0) > 0:
                    yield SourceError(where, f"truncated record ({url}): "
                                      f"{record.raw_stream.limit} bytes of it missing")
                    continue
                if kind:
                    skipped[kind] += 1
                    continue
                if len(body) > MAX_PAGE_BYTES:
                    yield SourceError(where, f"{url}: page over {MAX_PAGE_BYTES} bytes")
                    continue
                charset = charset_of(record.http_headers.get_header("Content-Type") or "")
                try:
                    text = decode_page(body, charset, where)
                    yield html_article(text, path, url=url, fallback={
                        "published": record.rec_headers.get_header("WARC-Date")})
                    pages += 1
                except SourceError as exc:
                    yield SourceError(where, f"{url}: {exc.reason}")
        except Exception as exc:  # warcio: a truncated gzip member or a cut record
            yield SourceError(path, f"truncated or damaged record after offset {records.offset} "
                              f"({type(exc).__name__}: {exc}); the records before it are read")
    held = ", ".join(f"{kind} {n}" for kind, n in sorted(skipped.items()))
    print(f"{path}: {pages} HTML pages; skipped {sum(skipped.values())}"
          + (f" ({held})" if held else ""), flush=True, file=sys.stdout)


def skip_reason(record) -> str | None:
    """Why a record is no article (None for an HTML 200 response)."""
    if record.rec_type != "response":
        return record.rec_type
    if record.http_headers is None:
        return "response without HTTP headers"
    status = record.http_headers.get_statuscode()
    if status != "200":
        return f"HTTP {status} response"
    kind = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if kind and kind not in HTML_TYPES:
        return "non-HTML response"
    return None


def charset_of(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("'\"")
    return None
