"""Reading dates: from metadata, from a news dateline, and from a date range someone typed.

A wire story often carries its date only in its dateline ("BRUSSELS, March 6, 2025 —"), and
its agency in brackets ("WASHINGTON (Reuters) -"); an article without metadata gets both from
there. Numeric dates are month-first (03/04/2025 is 4 March) unless day-first reading is on
(`newsindex index --dayfirst`). A range from a URL is checked here too: a bad or inverted bound
is explained in a note and the rest of the search still runs.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import UTC, datetime

from dateutil import parser as dateparser

UNDATED = "undated"  # the date filter's value for articles without a date
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Whether numeric dates read day first (03/04/2025: 3 April); set by `index --dayfirst`.
DAY_FIRST: ContextVar[bool] = ContextVar("day_first", default=False)

MONTHS = "|".join(
    sorted({n for i in range(1, 13) for n in (calendar.month_name[i], calendar.month_abbr[i])},
           key=len, reverse=True)
)
# PLACE[, PLACE] [(AGENCY)][, DATE] DASH at the very start of a body: the dateline.
DATELINE = re.compile(
    r"\A\s*(?P<place>[A-Z][A-Za-z.'\- ]{1,40}(?:,\s*[A-Z][A-Za-z.' ]{1,30})?)"
    r"(?:\s*\((?P<agency>[A-Z][\w.&' ]{0,30})\))?"
    rf"(?:,\s*(?P<date>(?:{MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{MONTHS})\.?\s+\d{{4}}))?"
    r"(?:\s*\((?P<agency2>[A-Z][\w.&' ]{0,30})\))?"
    r"\s*(?:[-\u2013\u2014]{1,2}|:)\s"
)


@contextmanager
def day_first(on: bool = True) -> Iterator[None]:
    """Read numeric dates day first (03/04/2025 is 3 April) within this block."""
    token = DAY_FIRST.set(on)
    try:
        yield
    finally:
        DAY_FIRST.reset(token)


def normalise_date(value: object) -> str | None:
    """ISO date (YYYY-MM-DD) from the many ways feeds write dates; None when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    try:
        return dateparser.parse(str(value)[:100], dayfirst=DAY_FIRST.get()).date().isoformat()
    except (ValueError, OverflowError, TypeError):
        return None


def dateline(body: str) -> tuple[str | None, str | None]:
    """The date (ISO) and news agency a body's opening dateline gives, each None if absent."""
    m = DATELINE.match(body[:200])
    agency = m.group("agency") or m.group("agency2") if m else None
    if not m or not (m.group("date") or agency):
        return None, None
    place = m.group("place").split(",")[0].strip()
    if not place.replace(" ", "").replace(".", "").isupper():
        return None, None  # a dateline's place is in capitals: "Paris, he said -" is none
    date = normalise_date(m.group("date")) if m.group("date") else None
    return date, agency


def with_dateline(article):
    """An article (any dataclass with body, published, source) with the date and agency of its
    dateline filled in where its metadata gave none."""
    if article.published and article.source:
        return article
    date, agency = dateline(article.body)
    return replace(article, published=article.published or date,
                   source=article.source or agency)


# "since February", "until last week": the field already says which end of the range it is.
RANGE_WORD = re.compile(r"^(?:since|from|after|before|until|till|up\s+to|to|by)\s+", re.I)
# dateparser's periods -> how much of YYYY-MM-DD a relative date gives
PERIOD_CHARS = {"year": 4, "month": 7}


def bound(value: str, today: datetime | None = None) -> tuple[str, str | None]:
    """A typed date bound as YYYY[-MM[-DD]] (or "undated"), and a note when it was not written
    so: read as a date when possible ("Nov 2020" is 2020-11; "February", with no year, the
    latest February up to `today`; "last week" or "3 months ago" through dateparser), else ""
    (no bound)."""
    typed = value.strip()
    text = RANGE_WORD.sub("", typed)
    if not text or text.lower() == UNDATED:
        return text.lower(), None
    if valid(text):
        return text, None if text == typed else f"“{typed}” was read as {text}."
    today = today or datetime.now()
    read = _absolute(text, today) or _relative(text, today)
    if not read:
        return "", (f"“{typed}” is not a date (write YYYY, YYYY-MM or YYYY-MM-DD, such as "
                    "2020-11); the search ran without it.")
    return read, f"“{typed}” was read as {read}."


# A query ending in a date phrase, as people type into search boxes: "putin ukraine since
# February", "brexit in 2019". Not inside quotation marks; "in"/"during" need a year ("in May"
# may be Theresa May).
TEXT_DATE = re.compile(
    r"^(?P<rest>(?:[^\"]|\"[^\"]*\")*?)\s*\b(?P<word>since|after|from|until|till|in|during)"
    r"\s+(?P<when>[^\"()]{1,40})$", re.I)
STARTS = {"since": "from", "after": "from", "from": "from", "until": "to", "till": "to"}


def dates_in_text(text: str, today: datetime | None = None) -> tuple[str, str, str, str | None]:
    """A query's words without a trailing date phrase, the bounds the phrase gives (from, to:
    "" when none) and a note saying how it was read; the query unchanged when it has none."""
    m = TEXT_DATE.match(text.strip())
    if not m:
        return text, "", "", None
    word, when = m.group("word").lower(), m.group("when").strip()
    if word in ("in", "during") and not re.search(r"\b\d{4}\b", when):
        return text, "", "", None
    read, _ = bound(when, today)
    if not read or read == UNDATED:
        return text, "", "", None
    phrase = f"{m.group('word')} {when}"
    side = STARTS.get(word)
    lo, hi = (read, "") if side == "from" else ("", read) if side == "to" else (read, read)
    shown = {"from": f"from {read}", "to": f"up to {read}"}.get(side or "", f"in {read}")
    rest = re.sub(r"\s+(?:AND|OR|NOT)$", "", m.group("rest").strip())  # "putin AND since 2020"
    return (rest, lo, hi,
            f"“{phrase}” was read as a date: {shown} (put it in quotation marks to search the "
            f"words).")


def dated_query(text: str, date_from: str, date_to: str) -> tuple[str, str, str, list[str]]:
    """A query's words and its date range: the range given (read by `date_range`), else the
    one a date phrase ending the words gives ("putin since February"); with the notes saying
    what was read. The web and the CLI both search what this returns."""
    words, typed_from, typed_to, note = dates_in_text(text)
    if date_from or date_to:  # the range set (a month clicked, --from) wins
        typed_from, typed_to = date_from, date_to
        note = note and ("The date words ending the query were left out: the date range set "
                         "applies.")
    lo, hi, notes = date_range(typed_from, typed_to)
    return words, lo, hi, ([note] if note else []) + notes


def _absolute(text: str, today: datetime) -> str | None:
    """A date written out ("Nov 2020", "12 Feb 2025", "February"), as much of it as was given;
    without a year, the latest such month or day up to today."""
    try:
        a = dateparser.parse(text[:40], default=datetime(2000, 1, 1), dayfirst=DAY_FIRST.get())
        b = dateparser.parse(text[:40], default=datetime(2001, 2, 2), dayfirst=DAY_FIRST.get())
    except (ValueError, OverflowError, TypeError):
        return None
    month, day = a.month == b.month, a.month == b.month and a.day == b.day
    year = a.year
    if a.year != b.year:  # no year typed
        if not month:
            return None
        year = today.year if (a.month, a.day if day else 1) <= (today.month, today.day) \
            else today.year - 1
    return f"{year:04d}" + (f"-{a.month:02d}" if month else "") + (f"-{a.day:02d}" if day else "")


def _relative(text: str, today: datetime) -> str | None:
    """A date said relative to today ("yesterday", "last week", "3 months ago", "last year"),
    to the day, month or year it names (dateparser, English)."""
    if not re.search(r"[A-Za-z]", text):
        return None  # digits that did not make a date ("2020-13") are not read as one
    from dateparser.date import DateDataParser

    parser = DateDataParser(languages=["en"], settings={
        "PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False, "RELATIVE_BASE": today})
    try:
        found = parser.get_date_data(text[:40])
    except (ValueError, OverflowError, TypeError):
        return None
    if found.date_obj is None:
        return None
    return found.date_obj.date().isoformat()[: PERIOD_CHARS.get(found.period, 10)]


def valid(text: str) -> bool:
    """Whether text is a real YYYY, YYYY-MM or YYYY-MM-DD date."""
    m = DATE_RE.match(text)
    if not m:
        return False
    year, month, day = (int(g) if g else None for g in m.groups())
    if month is not None and not 1 <= month <= 12:
        return False
    return day is None or 1 <= day <= calendar.monthrange(year, month)[1]


def date_range(date_from: str, date_to: str) -> tuple[str, str, list[str]]:
    """A typed range made searchable: each bound read or dropped, an inverted range turned
    round; with a note for each change."""
    (lo, lo_note), (hi, hi_note) = bound(date_from or ""), bound(date_to or "")
    notes = [n for n in (lo_note, hi_note) if n]
    if lo and hi and UNDATED not in (lo, hi) and lo[: len(hi)] > hi and hi[: len(lo)] != lo:
        notes.append(f"The range ran backwards (from {lo} to {hi}); it was searched "
                     f"from {hi} to {lo}.")
        lo, hi = hi, lo
    return lo, hi, notes
