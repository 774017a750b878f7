"""An article's text as escaped HTML paragraphs, with entity mentions and quotations marked.

Entities link to the search filter they stand for; each quotation is a span with id `q<n>`
(n: its place in the record's quotes), so `/article/<id>#q3` scrolls to and highlights it.
Annotations never nest wrongly: a quotation is the outer span, an entity the inner one, and
both are closed and reopened at paragraph breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from markupsafe import Markup, escape

from web.urls import search_url

BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
NEWLINE = re.compile(r"\s*\n\s*")
CLASSES = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place"}


@dataclass(frozen=True)
class Span:
    """One annotation over [start, end) of a text."""

    start: int
    end: int
    kind: str  # "entity" | "quote"
    data: dict
    number: int = 0


def entity_filter(entity: dict) -> tuple[str, str] | None:
    """The (facet, value) a mention stands for, if any: person, organization or country."""
    if entity.get("country"):
        return "country", entity["country"]
    if entity.get("label") == "PERSON" and entity.get("canonical"):
        return "person", entity["canonical"]
    if entity.get("label") == "ORG" and entity.get("canonical"):
        return "organization", entity["canonical"]
    return None


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans: blank lines separate paragraphs, else every line is one."""
    splitter = BLANK_LINE if BLANK_LINE.search(text) else NEWLINE
    spans, start = [], 0
    for match in splitter.finditer(text):
        if text[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def non_overlapping(spans: list[Span], limit: int) -> list[Span]:
    """Valid spans in order, dropping any that overlaps an earlier one."""
    kept: list[Span] = []
    end = -1
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if 0 <= span.start < span.end <= limit and span.start >= end:
            kept.append(span)
            end = span.end
    return kept


def crosses(inner: Span, outer: Span) -> bool:
    """Whether a span starts inside another and ends outside it, or the reverse."""
    return inner.start < outer.start < inner.end or inner.start < outer.end < inner.end


def _covering(spans: list[Span], start: int, end: int) -> Span | None:
    for span in spans:
        if span.start <= start and end <= span.end:
            return span
        if span.start >= end:
            break
    return None


def _entity_html(entity: Span | None, text: str) -> Markup:
    if entity is None:
        return Markup(text)
    data = entity.data
    css = CLASSES.get(data.get("label", ""), "other")
    target = entity_filter(data)
    canonical = data.get("canonical") or ""
    if target is None:
        return Markup('<span class="ent ent-{}" title="{}">{}</span>').format(
            css, data.get("label", ""), Markup(text)
        )
    facet, value = target
    return Markup('<a class="ent ent-{}" href="{}" title="{}: {}">{}</a>').format(
        css, search_url(**{facet: value}), facet, value or canonical, Markup(text)
    )


def render(
    text: str, entities: list[dict] | None = None, quotes: list[dict] | None = None,
    block: bool = True,
) -> list[Markup]:
    """Escaped paragraphs of text (or one line when block is False) with marks in place."""
    ents = non_overlapping(
        [Span(e["start"], e["end"], "entity", e) for e in entities or []], len(text)
    )
    qs = non_overlapping(
        [Span(q["start"], q["end"], "quote", q, n) for n, q in enumerate(quotes or [])], len(text)
    )
    ents = [e for e in ents if not any(crosses(e, q) for q in qs)]
    seen_quotes: set[int] = set()
    out = []
    for p_start, p_end in paragraphs(text) if block else [(0, len(text))]:
        cuts = {p_start, p_end}
        for span in ents + qs:
            cuts.update(c for c in (span.start, span.end) if p_start < c < p_end)
        points = sorted(cuts)
        pieces = [
            (_covering(qs, a, b), _covering(ents, a, b), text[a:b])
            for a, b in zip(points, points[1:], strict=False)
        ]
        html = Markup("")
        for quote, group in groupby(pieces, key=lambda p: p[0]):
            inner = Markup("")
            for entity, parts in groupby(group, key=lambda p: p[1]):
                chunk = escape("".join(p[2] for p in parts))
                inner += _entity_html(entity, Markup(str(chunk).replace("\n", "<br>\n")))
            if quote is None:
                html += inner
            else:
                anchor = f"q{quote.number}"
                first = quote.number not in seen_quotes
                seen_quotes.add(quote.number)
                html += Markup('<span class="quote"{} data-q="{}">{}</span>').format(
                    Markup(f' id="{anchor}"') if first else "", anchor, inner
                )
        out.append(html)
    return out
