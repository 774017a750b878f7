"""The CSV and Atom twins of a search: every match as spreadsheet rows, the newest as a feed."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from xml.etree import ElementTree as ET

from web.urls import article_url

ATOM = "http://www.w3.org/2005/Atom"
ATTRIBUTION = "Articles from Wikinews (https://en.wikinews.org), CC BY 2.5"
ARTICLE_COLUMNS = ("id", "published", "title", "source", "url", "score")
QUOTE_COLUMNS = (
    "id", "article_id", "published", "speaker", "cue", "text", "mentions", "kind", "confidence",
    "title", "source",
)
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
        writer.writerow([neutralise(hit.get(c)) for c in columns])
        yield flush()


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
    quotes: bool = False,
) -> bytes:
    """An Atom document of hits; base is the site root URL for absolute links.

    updated: when the index last changed, the feed's date when no hit has one.
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
    _text(feed, "rights", ATTRIBUTION)
    _text(feed, "generator", "newsindex")
    for hit, stamp in zip(hits, stamps, strict=True):
        entry = _text(feed, "entry", None)
        if quotes:
            anchor = hit["id"].rpartition("#")[2]
            link = base + article_url(hit["article_id"], anchor=anchor).lstrip("/")
            speaker = hit.get("speaker") or "Unattributed"
            _text(entry, "title", f"{speaker}: “{_clip(hit['text'])}”")
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
