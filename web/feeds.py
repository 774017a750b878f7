"""The CSV and Atom twins of a search: every match as spreadsheet rows, the newest as a feed."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Iterator
from urllib.parse import quote
from xml.etree import ElementTree as ET

from normality import slugify

from web.urls import article_url

ATOM = "http://www.w3.org/2005/Atom"
ARTICLE_COLUMNS = (
    "id", "published", "title", "source", "url", "score", "persons", "organizations", "countries",
    "topics", "snippet",
)
# title, url and published are the quote's article's; context is the sentence(s) around it;
# corrected_by/_at name the editor who corrected the speaker and when, speaker_found the speaker
# the annotation had found (all three empty when nobody corrected it).
QUOTE_COLUMNS = (
    "id", "article_id", "published", "speaker", "cue", "text", "mentions", "kind", "confidence",
    "title", "source", "url", "context", "corrected_by", "corrected_at", "speaker_found",
)
QUOTE_MARKS = "\"'“”‘’„‚«»‹›「」"
TAG = re.compile(r"<[^>]*>")
MAX_FILE_STEM = 80
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 cannot hold most control characters, even escaped.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def neutralise(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_lines(hits: Iterable[dict], quotes: bool = False) -> Iterator[str]:
    """CSV text, a header then one line per hit, produced as it is read (for streaming)."""
    columns = QUOTE_COLUMNS if quotes else ARTICLE_COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(columns)
    yield flush()
    for hit in hits:
        row = dict(hit, snippet=plain(hit.get("snippet") or ""))
        corrected = hit.get("corrected") or {}
        row.update(corrected_by=corrected.get("by"), corrected_at=corrected.get("at"),
                   speaker_found=corrected.get("was"))
        writer.writerow([neutralise(row.get(c)) for c in columns])
        yield flush()


def plain(marked: str) -> str:
    """A snippet's text without its <mark> tags and HTML escapes."""
    return html.unescape(TAG.sub("", marked))


def attachment(description: str, extension: str) -> str:
    """A Content-Disposition naming the download after the search: an ASCII slug as filename
    (transliterated: 'Erdoğan' -> 'erdogan') and the Unicode one as RFC 5987 filename*."""
    ascii_stem = (slugify(description, sep="-") or "search")[:MAX_FILE_STEM].strip("-")
    words = re.findall(r"\w+", description.casefold())
    unicode_stem = "-".join(words)[:MAX_FILE_STEM].strip("-") or ascii_stem
    return (f'attachment; filename="{ascii_stem}.{extension}"; '
            f"filename*=UTF-8''{quote(f'{unicode_stem}.{extension}', safe='')}")


def quote_title(speaker: str | None, text: str) -> str:
    """An Atom entry's title for a quotation: its speaker and words, in one pair of marks
    (the stored text keeps its own)."""
    return f"{speaker or 'Unattributed'}: “{_clip(text.strip().strip(QUOTE_MARKS).strip())}”"


def _text(parent: ET.Element, tag: str, text: str | None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = XML_INVALID.sub("", text)
    return element


def _stamp(date: str | None, fallback: str) -> str:
    """An Atom date-time from a YYYY[-MM[-DD]] publication date."""
    if not date:
        return fallback
    parts = (date.split("-") + ["01", "01"])[:3]
    return "-".join(parts) + "T00:00:00Z"


def atom_feed(
    title: str, feed_url: str, page_url: str, hits: list[dict], base: str, updated: str,
    quotes: bool = False, rights: str = "",
) -> bytes:
    """An Atom document of hits; base is the site root URL for absolute links.

    updated: when the index last changed, the feed's date when no hit has one; rights: the
    credits the index's sources call for.
    """
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", title)
    _text(feed, "id", feed_url)
    _text(feed, "link", None, rel="self", href=feed_url)
    _text(feed, "link", None, rel="alternate", type="text/html", href=page_url)
    dated = [_stamp(h["published"], updated) for h in hits if h.get("published")]
    # An undated article gets the oldest date shown: stable, and the feed stays newest first.
    stamps = [_stamp(h.get("published"), min(dated, default=updated)) for h in hits]
    _text(feed, "updated", max(stamps, default=updated))
    author = _text(feed, "author", None)
    _text(author, "name", "newsindex")
    if rights:
        _text(feed, "rights", rights)
    _text(feed, "generator", "newsindex")
    for hit, stamp in zip(hits, stamps, strict=True):
        entry = _text(feed, "entry", None)
        if quotes:
            anchor = hit["id"].rpartition("#")[2]
            link = base + article_url(hit["article_id"], anchor=anchor).lstrip("/")
            _text(entry, "title", quote_title(hit.get("speaker"), hit["text"]))
        else:
            link = base + article_url(hit["id"]).lstrip("/")
            _text(entry, "title", hit.get("title") or hit["id"])
        _text(entry, "id", link)
        _text(entry, "link", None, rel="alternate", type="text/html", href=link)
        _text(entry, "updated", stamp)
        if hit.get("published"):
            _text(entry, "published", stamp)
        if hit.get("source"):
            source = _text(entry, "source", None)
            _text(source, "title", hit["source"])
        _text(entry, "summary", hit.get("snippet", ""), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _clip(text: str, chars: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + "…"
