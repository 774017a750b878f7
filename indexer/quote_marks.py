"""Pair quotation marks in raw text: straight, curly, unbalanced, over paragraphs, and runs of
quotations whose paragraph breaks were lost; double marks, or single ones where an article quotes
with them (British style)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuoteStyle:
    """The marks an article quotes with; the other kind marks nested quotations."""

    openers: frozenset[str]
    closers: frozenset[str]
    straight: str

    @property
    def marks(self) -> frozenset[str]:
        return self.openers | self.closers | {self.straight}


DOUBLE = QuoteStyle(frozenset("\u201c\u201e\u00ab"), frozenset("\u201d\u00bb"), '"')
SINGLE = QuoteStyle(frozenset("\u2018\u201a\u2039"), frozenset("\u2019\u203a"), "'")
OPENERS, CLOSERS, STRAIGHT = DOUBLE.openers, DOUBLE.closers, DOUBLE.straight
MARKS = DOUBLE.marks
ALL_MARKS = DOUBLE.marks | SINGLE.marks
# A single-quoted stretch needs this many words to count as a quotation when choosing the style.
STYLE_MIN_WORDS = 4
# Characters after which a mark opens rather than closes.
OPEN_BEFORE = frozenset(" \t\n\u00a0([{\u2014\u2013-/:;")
# Characters before which a mark closes rather than opens.
CLOSE_AFTER = frozenset(" \t\n\u00a0)]}\u2014\u2013-/.,;:!?'\u2019")


@dataclass(frozen=True)
class MarkedSpan:
    """A stretch of text between an opening and a closing mark, marks included."""

    start: int
    end: int
    closed: bool  # False when the closing mark was missing (the span ends where the next opens)
    paragraphs: int  # how many paragraphs the span runs over
    run: bool = False  # opened right after an unclosed quotation: 'said: "A. "B.' goes on as B


def _can_open(text: str, i: int) -> bool:
    """Whether the mark at i is placed like an opening mark (left-flanking)."""
    before = text[i - 1] if i else "\n"
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before in OPEN_BEFORE or before in ALL_MARKS) and not after.isspace()


def _can_close(text: str, i: int) -> bool:
    """Whether the mark at i is placed like a closing mark (right-flanking)."""
    before = text[i - 1] if i else "\n"
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (after in CLOSE_AFTER or after in ALL_MARKS or after.isspace())


def _apostrophe(text: str, i: int) -> bool:
    """A single mark between two letters or digits ("don't", "Kabul's") is no quotation mark."""
    return 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def _role(text: str, i: int, style: QuoteStyle = DOUBLE) -> str:
    """'open', 'close' or 'either' for the mark at i, from its glyph and its neighbours."""
    ch = text[i]
    opens, closes = _can_open(text, i), _can_close(text, i)
    if ch in style.openers:
        return "close" if closes and not opens else "open"
    if ch in style.closers:
        return "open" if opens and not closes else "close"
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    return "either"


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, the unit a quotation mark is balanced in."""
    out = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            out.append((pos + lead, pos + lead + len(stripped)))
        pos = end + 1
    return out


def _pair_paragraph(
    text: str, start: int, end: int, style: QuoteStyle
) -> tuple[list[MarkedSpan], int | None, bool]:
    """Quotations in one paragraph, the position of a mark left open, and whether that one
    re-opened right after an unclosed quotation."""
    spans: list[MarkedSpan] = []
    open_at: int | None = None
    run = False
    marks = style.marks
    for i in range(start, end):
        if text[i] not in marks or (style is SINGLE and _apostrophe(text, i)):
            continue
        role = _role(text, i, style)
        if open_at is None:
            if role != "close":
                open_at = i
        elif role != "open":
            spans.append(MarkedSpan(open_at, i + 1, True, 1, run))
            open_at, run = None, False
        else:
            # A second opening mark: the first quotation was never closed. In text whose
            # paragraph breaks were lost ('said: "A. "B.') it ends where the next one opens.
            stop = i
            while stop > open_at + 1 and text[stop - 1].isspace():
                stop -= 1
            spans.append(MarkedSpan(open_at, stop, False, 1, run))
            open_at, run = i, True
    return spans, open_at, run


def styled_spans(text: str) -> tuple[QuoteStyle, list[MarkedSpan]]:
    """The article's quote style and its quotation spans, each style paired once. Single marks
    when the article quotes with them: more single-quoted stretches of a few words than
    double-quoted ones (British papers; headlines alone do not decide it)."""
    doubles = _spans(text, DOUBLE)
    if not any(ch in SINGLE.marks for ch in text) or "''" in text:
        return DOUBLE, doubles  # doubled apostrophes stand for double marks (typewriter style)
    singles = _spans(text, SINGLE)

    def quotations(spans: list[MarkedSpan]) -> int:
        return sum(len(text[s.start : s.end].split()) >= STYLE_MIN_WORDS for s in spans)

    many = quotations(singles)
    return (SINGLE, singles) if many and many > quotations(doubles) else (DOUBLE, doubles)


def quote_style(text: str) -> QuoteStyle:
    """The marks an article quotes with (see styled_spans)."""
    return styled_spans(text)[0]


def find_marked_spans(text: str, style: QuoteStyle | None = None) -> list[MarkedSpan]:
    """All quotation-mark spans in text, in order, in the article's quote style (or the one
    given); a linear scan that never raises."""
    return _spans(text, style) if style else styled_spans(text)[1]


def _spans(text: str, style: QuoteStyle) -> list[MarkedSpan]:
    """Quotation spans of one style over all paragraphs."""
    spans: list[MarkedSpan] = []
    paras = _paragraphs(text)
    carry: int | None = None  # opening position of a quotation running on from earlier paragraphs
    carried, carry_run = 0, False
    for n, (start, end) in enumerate(paras):
        first = text[start] if start < end else ""
        if carry is not None and not (first in style.openers or first == style.straight):
            # The running quotation had no closing mark and no next-paragraph opening: it ends here.
            prev_end = paras[n - 1][1]
            spans.append(MarkedSpan(carry, prev_end, False, carried, carry_run))
            carry = None
        found, open_at, run = _pair_paragraph(text, start, end, style)
        if carry is not None:
            # This paragraph reopens the running quotation with its first mark.
            if found and found[0].start == start:
                first = found.pop(0)
                spans.append(MarkedSpan(carry, first.end, first.closed, carried + 1))
                carry = None
            elif open_at == start and not found:
                carried += 1
                continue
            else:
                spans.append(MarkedSpan(carry, paras[n - 1][1], False, carried))
                carry = None
        spans.extend(found)
        if open_at is not None:
            carry, carried, carry_run = open_at, 1, run
    if carry is not None:
        spans.append(MarkedSpan(carry, paras[-1][1], False, carried, carry_run))
    return spans
