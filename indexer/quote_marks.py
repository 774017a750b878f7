"""Pair double quotation marks in raw text: straight, curly, unbalanced, over paragraphs."""

from __future__ import annotations

from dataclasses import dataclass

# Double marks only: single marks inside a quotation are nested quotes or apostrophes.
OPENERS = frozenset("\u201c\u201e\u00ab")
CLOSERS = frozenset("\u201d\u00bb")
STRAIGHT = '"'
MARKS = OPENERS | CLOSERS | {STRAIGHT}
# Characters after which a mark opens rather than closes.
OPEN_BEFORE = frozenset(" \t\n\u00a0([{\u2014\u2013-/:;")
# Characters before which a mark closes rather than opens.
CLOSE_AFTER = frozenset(" \t\n\u00a0)]}\u2014\u2013-/.,;:!?'\u2019")


@dataclass(frozen=True)
class MarkedSpan:
    """A stretch of text between an opening and a closing mark, marks included."""

    start: int
    end: int
    closed: bool  # False when the closing mark was missing and the span ends at a paragraph end
    paragraphs: int  # how many paragraphs the span runs over


def _can_open(text: str, i: int) -> bool:
    """Whether the mark at i is placed like an opening mark (left-flanking)."""
    before = text[i - 1] if i else "\n"
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before in OPEN_BEFORE or before in MARKS or before in "\u2018'") and not after.isspace()


def _can_close(text: str, i: int) -> bool:
    """Whether the mark at i is placed like a closing mark (right-flanking)."""
    before = text[i - 1] if i else "\n"
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (after in CLOSE_AFTER or after in MARKS or after.isspace())


def _role(text: str, i: int) -> str:
    """'open', 'close' or 'either' for the mark at i, from its glyph and its neighbours."""
    ch = text[i]
    opens, closes = _can_open(text, i), _can_close(text, i)
    if ch in OPENERS:
        return "close" if closes and not opens else "open"
    if ch in CLOSERS:
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


def _pair_paragraph(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], int | None]:
    """Closed (open, close) mark pairs in one paragraph, and the position of a mark left open."""
    pairs: list[tuple[int, int]] = []
    open_at: int | None = None
    for i in range(start, end):
        if text[i] not in MARKS:
            continue
        role = _role(text, i)
        if open_at is None:
            if role != "close":
                open_at = i
        elif role != "open":
            pairs.append((open_at, i + 1))
            open_at = None
        else:
            # A second opening mark: the first one was never closed; start afresh here.
            open_at = i
    return pairs, open_at


def find_marked_spans(text: str) -> list[MarkedSpan]:
    """All quotation-mark spans in text, in order; a linear scan that never raises."""
    spans: list[MarkedSpan] = []
    paras = _paragraphs(text)
    carry: int | None = None  # opening position of a quotation running on from earlier paragraphs
    carried = 0
    for n, (start, end) in enumerate(paras):
        first = text[start] if start < end else ""
        if carry is not None and not (first in OPENERS or first == STRAIGHT):
            # The running quotation had no closing mark and no next-paragraph opening: it ends here.
            prev_end = paras[n - 1][1]
            spans.append(MarkedSpan(carry, prev_end, False, carried))
            carry = None
        pairs, open_at = _pair_paragraph(text, start, end)
        if carry is not None:
            # This paragraph reopens the running quotation with its first mark.
            if pairs and pairs[0][0] == start:
                spans.append(MarkedSpan(carry, pairs[0][1], True, carried + 1))
                pairs = pairs[1:]
                carry = None
            elif open_at == start and not pairs:
                carried += 1
                continue
            else:
                spans.append(MarkedSpan(carry, paras[n - 1][1], False, carried))
                carry = None
        spans.extend(MarkedSpan(a, b, True, 1) for a, b in pairs)
        if open_at is not None:
            carry, carried = open_at, 1
    if carry is not None:
        spans.append(MarkedSpan(carry, paras[-1][1], False, carried))
    return spans
