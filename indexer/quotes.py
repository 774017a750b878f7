"""spaCy component `newsindex_quotes`: quotations and who said them, stored on doc._.quotes."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from importlib import resources

from spacy.language import Language
from spacy.tokens import Doc, Token

from indexer.quote_marks import ALL_MARKS, MarkedSpan, styled_spans
from indexer.quote_speakers import (
    PRONOUN_GENDER,
    EntityIndex,
    Speaker,
    sentence_subject,
    speaker_from_token,
    subject_of,
)

Doc.set_extension("quotes", default=None, force=True)

SENTENCE_END = frozenset({".", "!", "?"})
NESTED_CLOSE = frozenset("\u2019'\"\u201d \u00a0")
QUOTE_END_PUNCT = frozenset(".,?!\u2026\u2014-:;")
TAIL_TOKENS = 40
HEAD_TOKENS = 45
AFTER_CUE_TOKENS = 12  # the cue of '"...," X said' sits this close to the closing mark
AFTER_CUE_REACH = 25  # or further, after a long apposition: '"...," X, the attorney general, said'
DASHES = frozenset({"\u2015", "\u2014", "\u2013", "-", "--"})
NAMING = frozenset({"call", "calls", "called", "calling", "describe", "describes", "described",
                    "describing", "dub", "dubbed", "read", "reads", "mention", "mentioned"})
AFTER_PERIOD_TOKENS = 8  # after '."' only a short 'X said.' sentence attributes the quote
SUBJECT_REACH = 60  # tokens back from the quote that a cue's subject may lie
CLAUSE_DEPS = frozenset({"ccomp"})
# Clauses that modify a noun ("an email referencing ..."): quoted words there are not the
# main verb speaker's.
SIDE_CLAUSES = frozenset({"acl", "relcl", "pcomp"})
CARRY_REACH = 1500  # characters over which a bare quotation carries on the last speaker
MID_SENTENCE_WORDS = 5  # a capitalised sentence quoted mid-sentence this long is direct


def _load_cues() -> frozenset[str]:
    """Verb forms that attribute speech, from the shipped word list."""
    text = resources.files("indexer").joinpath("data/quote_cues.txt").read_text(encoding="utf-8")
    forms = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            forms.update(line.split())
    return frozenset(forms)


CUES = _load_cues()


@dataclass
class Attribution:
    """How a quotation was attributed: cue token text, speaker, and where the attribution ends."""

    cue: str | None
    speaker: Speaker | None
    how: str  # after, before, inside, according, continuation, none
    end: int  # character offset where the attribution clause ends (for continuations)


def doc_entities(doc: Doc) -> list[dict]:
    """Entities from newsindex_entities, else the raw spaCy entities with canonical=text."""
    ents = doc._.entities if Doc.has_extension("entities") else None
    if ents is None:
        ents = [
            {"text": e.text, "label": e.label_, "canonical": e.text,
             "start": e.start_char, "end": e.end_char}
            for e in doc.ents
        ]
    return sorted(ents, key=lambda e: e["start"])


class _Context:
    """Per-Doc lookups shared by the attribution steps."""

    def __init__(self, doc: Doc, spans: list[MarkedSpan], marks: frozenset[str]) -> None:
        self.doc = doc
        self.text = doc.text
        self.marks = marks
        self.starts = [t.idx for t in doc]
        self.index = EntityIndex(doc, doc_entities(doc), [(s.start, s.end) for s in spans])

    def token_at(self, char: int) -> int:
        """Index of the token that covers (or precedes) a character offset."""
        return max(0, bisect_right(self.starts, char) - 1)


def _is_cue(tok: Token) -> bool:
    """A speech verb form used as a verb."""
    return tok.lower_ in CUES and tok.pos_ in ("VERB", "AUX")


def _is_mark(tok: Token, marks: frozenset[str]) -> bool:
    """A quotation mark of the article's style (not the clitic of "'s", "'re")."""
    text = tok.text
    return bool(text) and text[0] in marks and not text[1:2].isalpha()


def _breaks(tok: Token) -> bool:
    """A paragraph break inside or after a token."""
    return "\n" in tok.text or "\n" in tok.whitespace_


def _lead(text: str, start: int) -> str:
    """What comes right before an opening mark: para, sent, colon, comma, dash or mid."""
    i = start - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    if i < 0 or text[i] == "\n":
        return "para"
    ch = text[i]
    if ch in ALL_MARKS or ch == ")":
        j = i - 1
        return "sent" if j >= 0 and text[j] in ".!?" else "mid"
    if ch in ".!?":
        return "sent"
    if ch == ":":
        return "colon"
    if ch == ",":
        return "comma"
    if ch in "\u2014\u2013-(":
        return "dash"
    return "mid"


def _last_char(text: str, m: MarkedSpan) -> str:
    """The last character inside the quotation, before its closing mark (if it has one)."""
    i = m.end - 2 if m.closed else m.end - 1
    while i > m.start and text[i] in NESTED_CLOSE:
        i -= 1  # '... those 5,000 people,’”': the nested quote closes first
    return text[i] if i > m.start else ""


def _speaker(ctx: _Context, cue: Token, lo: int, hi: int) -> Speaker | None:
    """The speaker of a cue verb, if its subject lies in [lo, hi) and outside any quotation."""
    subj = subject_of(cue)
    if subj is not None and lo <= subj.i < hi and not ctx.index.in_quote(subj.idx):
        return speaker_from_token(subj, ctx.index)
    return None


def _nearest_np(ctx: _Context, toks: list[Token]) -> Speaker | None:
    """Fallback when the parse gives no subject: the name or noun next to the cue."""
    for tok in toks:
        if tok.i in ctx.index.by_token or tok.pos_ in ("PROPN", "PRON"):
            return speaker_from_token(tok, ctx.index)
    for tok in toks:
        if tok.pos_ == "NOUN":
            return speaker_from_token(tok, ctx.index)
    return None


def _according_to(ctx: _Context, toks: list[Token]) -> Attribution | None:
    """'according to X' in a clause next to the quotation."""
    doc = ctx.doc
    for tok in toks:
        if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            to = doc[tok.i + 1]
            objs = [c for c in to.children if c.dep_ == "pobj"]
            target = objs[0] if objs else (doc[to.i + 1] if to.i + 1 < len(doc) else None)
            if target is not None:
                spk = speaker_from_token(target, ctx.index)
                return Attribution("according to", spk, "according", toks[-1].idx + len(toks[-1]))
    return None


def _tail(ctx: _Context, te: int) -> list[Token]:
    """Tokens after a closing mark up to the end of its sentence or paragraph."""
    doc = ctx.doc
    toks: list[Token] = []
    if te > 0 and _breaks(doc[te - 1]):
        return toks
    for k in range(te, min(len(doc), te + TAIL_TOKENS)):
        tok = doc[k]
        if _is_mark(tok, ctx.marks) or tok.is_space:
            break
        toks.append(tok)
        if tok.text in SENTENCE_END or _breaks(tok):
            break
    return toks


def _head(ctx: _Context, ts: int, cross_paragraph: bool) -> list[Token]:
    """Tokens before an opening mark back to the start of their sentence (nearest first)."""
    doc = ctx.doc
    toks: list[Token] = []
    k = ts - 1
    while k >= 0 and doc[k].is_space:
        if not cross_paragraph:
            return toks
        k -= 1
    if k >= 0 and _breaks(doc[k]) and not cross_paragraph:
        return toks
    while k >= 0 and len(toks) < HEAD_TOKENS:
        tok = doc[k]
        if tok.text in SENTENCE_END or tok.is_space or (_breaks(tok) and toks):
            break
        if toks and _is_mark(tok, ctx.marks) and k and doc[k - 1].text in SENTENCE_END:
            break  # '... school." Prof Lovenduski said': the quotation ended the sentence before
        toks.append(tok)
        k -= 1
    return toks


def _after(ctx: _Context, m: MarkedSpan, te: int, tail: list[Token]) -> Attribution | None:
    """Cue after the quotation: '"...," X said', '"...," said X', '"..." X told the BBC.'"""
    if not tail:
        return None
    closing = _last_char(ctx.text, m)
    if closing == "." and (len(tail) > AFTER_PERIOD_TOKENS or tail[-1].text == ":"):
        return _according_to(ctx, tail)  # '."  Sir John Bourn said: "' introduces the next one
    if closing not in QUOTE_END_PUNCT and tail[0].text != ",":
        return _according_to(ctx, tail)  # 'a "dastardly act" and urged ...' goes on the sentence
    end = tail[-1].idx + len(tail[-1])
    if tail[0].text in DASHES and len(tail) > 1 and tail[1].pos_ == "PROPN":
        return Attribution(None, speaker_from_token(tail[1], ctx.index), "after", end)
    for n, tok in enumerate(tail[:AFTER_CUE_REACH]):
        known = _is_cue(tok)
        # After '"...,"' the next verb attributes the quote even if we do not list it ('riffed').
        if not known and not (closing in ",?!" and tok.pos_ == "VERB" and n <= 4):
            continue
        if any(c.dep_ in CLAUSE_DEPS and c.i > tok.i and not ctx.index.in_quote(c.idx)
               for c in tok.children):
            return None  # 'X said that ...': the verb reports something else
        spk = _speaker(ctx, tok, te, tail[-1].i + 1)
        if n >= AFTER_CUE_TOKENS and spk is None:
            return None  # a distant verb counts only with its subject right after the quote
        if spk is None:
            spk = _nearest_np(ctx, list(reversed(tail[:n]))) or _nearest_np(ctx, tail[n + 1 :])
        return Attribution(tok.text, spk, "after", end)
    return _according_to(ctx, tail)


def _before(ctx: _Context, ts: int, head: list[Token]) -> Attribution | None:
    """Cue before the quotation: 'X said: "..."', 'X told the BBC, "..."', 'went on to say, "'."""
    first: tuple[int, Token] | None = None
    breaks = [n for n, tok in enumerate(head) if tok.text in DASHES or tok.text in ("(", ")")]
    for n, tok in enumerate(head):
        aside = bool(breaks) and breaks[0] < n < breaks[-1]
        if not _is_cue(tok) or aside or tok.dep_ == "relcl":
            continue  # 'Bercow commented — which the BBC noted as unusual — "...': an aside
        spk = _speaker(ctx, tok, max(0, ts - SUBJECT_REACH), ts)
        if spk is not None:
            return Attribution(tok.text, spk, "before", ctx.starts[ts])
        if first is None:
            first = (n, tok)
    if first is not None:
        n, tok = first
        spk = _nearest_np(ctx, list(reversed(head[:n]))) or _nearest_np(ctx, head[n + 1 :])
        return Attribution(tok.text, spk, "before", ctx.starts[ts])
    return _according_to(ctx, list(reversed(head)))


def _sentence_before(ctx: _Context, ts: int) -> Attribution | None:
    """'Schiff said Tuesday. "..."': a speech verb in the sentence just before a bare quotation."""
    doc = ctx.doc
    k = ts - 1
    while k >= 0 and (doc[k].is_space or doc[k].text in SENTENCE_END):
        k -= 1
    if k < 0 or _is_mark(doc[k], ctx.marks):
        return None  # right after another quotation: that is a continuation
    head = _head(ctx, k + 1, False)
    if not head or any(_is_mark(t, ctx.marks) for t in head):
        return None  # the sentence before holds a quotation: this one continues it
    found = _before(ctx, k + 1, head)
    if found is not None and found.speaker is not None and found.how == "before":
        found.how = "previous"
        return found
    # 'Greene believes he lost the race in the semi-finals. "In my semi-final race, ...': the
    # person the sentence before is about.
    subj = sentence_subject(doc[k].sent.root)
    if subj is None or ctx.index.in_quote(subj.idx):
        return None
    spk = speaker_from_token(subj, ctx.index)
    if spk.name is None or spk.label != "PERSON":
        return None
    return Attribution(None, spk, "subject", ctx.starts[ts])


def _colon_head(ctx: _Context, ts: int, head: list[Token]) -> Attribution | None:
    """'Hoff's letter makes a case: "..."', 'From Bush's post: "..."': no speech verb."""
    if not head:
        return None
    lo = head[-1].i
    root = next((t for t in head if not (lo <= t.head.i < ts) or t.head.i == t.i), None)
    if root is None:
        return None
    if root.pos_ in ("VERB", "AUX"):
        spk = _speaker(ctx, root, max(0, ts - SUBJECT_REACH), ts)
        return Attribution(root.text, spk, "colon", ctx.starts[ts]) if spk else None
    noun = root
    if root.pos_ == "ADP":
        noun = next((c for c in root.children if c.dep_ == "pobj"), root)
    owner = next((c for c in noun.children if c.dep_ == "poss"), noun)
    if owner.pos_ in ("NOUN", "PROPN"):
        return Attribution(None, speaker_from_token(owner, ctx.index), "colon", ctx.starts[ts])
    return None


def _inside(ctx: _Context, ts: int, te: int) -> Attribution | None:
    """A quotation governed by a speech verb in its sentence: 'told ... it was "unrealistic"'."""
    doc = ctx.doc
    root = None
    for k in range(ts, te):
        tok = doc[k]
        if not (ts <= tok.head.i < te):
            root = tok
            break
    if root is None:
        return None
    node = root.head
    for _ in range(6):
        if not (ts <= node.i < te) and _is_cue(node):
            spk = subject_of(node)
            speaker = speaker_from_token(spk, ctx.index) if spk is not None else None
            if spk is not None and spk.left_edge.i <= te - 1 and spk.right_edge.i >= ts:
                speaker = None  # the quote is part of the subject: 'the "Avatar" star posted'
            return Attribution(node.text, speaker, "inside", ctx.starts[ts])
        if node.head.i == node.i or (node.pos_ == "VERB" and node.dep_ in SIDE_CLAUSES):
            break  # 'Echoing an email referencing a "big guy", Trump said': not Trump's words
        node = node.head
    return None


def _words(text: str) -> int:
    return len(text.split())


def _is_block(ctx: _Context, m: MarkedSpan, lead: str) -> bool:
    """A quotation that stands as its own sentence(s) rather than words quoted inside one."""
    if not m.closed or m.paragraphs > 1:
        return True
    punct = _last_char(ctx.text, m) in QUOTE_END_PUNCT
    if lead in ("para", "sent", "colon"):
        return punct or _words(ctx.text[m.start : m.end]) >= 8
    if lead == "mid":  # 'Trump said on Friday "I can do it if I want."': a whole sentence
        inner = ctx.text[m.start + 1 : m.end - 1].lstrip()
        return (inner[:1].isupper() and _last_char(ctx.text, m) in SENTENCE_END
                and _words(inner) >= MID_SENTENCE_WORDS)
    return lead in ("comma", "dash") and punct


def _cue_adjacent(head: list[Token]) -> bool:
    """'He says "..."', 'the crowd chanted "..."': the speech verb right before the opening mark."""
    k = 1 if head and head[0].text in (",", ":") else 0
    return len(head) > k and _is_cue(head[k]) and head[k].lower_ not in NAMING


def _attribute(ctx: _Context, m: MarkedSpan, lead: str) -> tuple[Attribution, bool]:
    """Cue and speaker of one quotation (after, before, colon or inside patterns) and if direct."""
    ts = ctx.token_at(m.start)
    te = ctx.token_at(m.end - 1) + 1
    tail = _tail(ctx, te)
    head_across = lead == "para" and ctx.text[: m.start].rstrip().endswith(":")
    head = _head(ctx, ts, head_across)
    adjacent = _cue_adjacent(head) and _words(ctx.text[m.start : m.end]) > 2
    direct = _is_block(ctx, m, lead) or adjacent
    # Words quoted inside a sentence belong to its speech verb ('Schumer told MSNBC Cummings
    # "was a great man," while Trump noted ...'), before any cue that follows them.
    found = _inside(ctx, ts, te) if lead == "mid" and not m.run else None
    if found is None:
        found = _after(ctx, m, te, tail)
    if found is None and (lead in ("colon", "comma", "dash") or head_across or adjacent):
        found = _before(ctx, ts, head)
    if found is None and (lead == "colon" or head_across):
        found = _colon_head(ctx, ts, head)
    if found is None and not direct and not m.run:
        found = _inside(ctx, ts, te)
    if found is None and lead in ("para", "sent") and not m.run:
        found = _sentence_before(ctx, ts)
    if found is None:
        found = Attribution(None, None, "none", m.end)
    spk = found.speaker
    if spk is not None and spk.start <= m.start and spk.end >= m.end:
        found.speaker = None  # the quote names the speaker: 'the "Avatar" star posted'
    if found.how != "after":
        found.end = tail[-1].idx + len(tail[-1]) if tail else m.end
    return found, direct


# How sure each way of attributing a quotation is, before the speaker's own certainty.
CONFIDENCE = {"after": 0.95, "before": 0.9, "according": 0.85, "inside": 0.8, "continuation": 0.8,
              "colon": 0.75, "previous": 0.65, "subject": 0.6, "carried": 0.6, "none": 0.5}
# Cues that carry on from the previous quotation's speaker when they have no subject of their own.
CONTINUING = frozenset({"adding", "added", "continued", "continuing", "went", "saying"})


def _confidence(att: Attribution, direct: bool) -> float:
    """How sure we are of quote and speaker together."""
    conf = CONFIDENCE[att.how] if direct else CONFIDENCE[att.how] - 0.1
    if att.speaker is None or att.speaker.name is None:
        conf -= 0.2
    elif not att.speaker.resolved:
        conf -= 0.1
    return round(max(0.05, min(1.0, conf)), 2)


@dataclass
class _Found:
    """A quotation on its way to becoming a record."""

    span: MarkedSpan
    att: Attribution
    direct: bool


def find_quotes(doc: Doc, keep_partial: bool = True) -> list[dict]:
    """Direct (and with keep_partial, partial) quotations of a Doc with cue, speaker, confidence."""
    style, spans = styled_spans(doc.text)
    if not spans:
        return []
    ctx = _Context(doc, spans, style.marks)
    found: list[_Found] = []
    for m in spans:
        if not m.closed and m.paragraphs == 1:
            m = _close_before_cue(ctx, m)
        att, direct = _attribute(ctx, m, _lead(ctx.text, m.start))
        if not direct and (att.speaker is None or not keep_partial):
            continue  # scare quotes, titles, words quoted with no one saying them
        found.append(_Found(m, att, direct))
    _inherit(ctx.text, found)
    _carry_on(ctx, found)
    _pronouns_follow_speakers(ctx, found)
    return [_record(ctx.text, f) for f in found]


def _is_name(ctx: _Context, tok: Token) -> bool:
    """A token that can start a speaker mention: a name or a personal pronoun."""
    if tok.pos_ == "PRON":
        return tok.lower_ in ("he", "she", "they", "i", "we")
    return tok.pos_ == "PROPN" or tok.i in ctx.index.by_token


def _close_before_cue(ctx: _Context, m: MarkedSpan) -> MarkedSpan:
    """A quote missing its closing mark ends at ', said Kessel' / ', he said' when one follows."""
    doc = ctx.doc
    first = ctx.token_at(m.start) + 1
    last = ctx.token_at(m.end - 1)
    for k in range(first, last - 1):
        if doc[k].text != ",":
            continue
        window = list(doc[k + 1 : min(k + 4, last + 1)])
        if len(window) < 2:
            continue
        inverted = _is_cue(window[0]) and _is_name(ctx, window[1])
        if inverted or (_is_name(ctx, window[0]) and any(_is_cue(t) for t in window[1:])):
            return MarkedSpan(m.start, doc[k].idx + 1, False, 1)
    return m


def _inherit(text: str, found: list[_Found]) -> None:
    """Quotes with no cue of their own take the speaker of the quote next to them."""
    for prev, cur in zip(found, found[1:], strict=False):
        gap = text[prev.att.end : cur.span.start]
        if prev.att.speaker is None or cur.att.speaker is not None:
            continue
        if cur.att.how == "none" and not gap.strip():
            cur.att = Attribution(prev.att.cue, prev.att.speaker, "continuation", cur.span.end)
        elif cur.att.cue in CONTINUING and len(gap) < 120 and "\n" not in gap:
            cur.att.speaker = prev.att.speaker
    for cur, nxt in zip(found[-2::-1], found[::-1], strict=False):
        gap = text[cur.span.end : nxt.span.start]
        if cur.att.how == "none" and nxt.att.how == "after" and nxt.att.speaker and not gap.strip():
            cur.att = Attribution(nxt.att.cue, nxt.att.speaker, "continuation", cur.span.end)


def _carry_on(ctx: _Context, found: list[_Found]) -> None:
    """A bare quotation goes on with the last quoted speaker until another person is named."""
    last: _Found | None = None
    for cur in found:
        if cur.att.how == "none" and cur.direct and last is not None:
            named = ctx.index.persons_between(last.att.end, cur.span.start)
            if not named and cur.span.start - last.att.end < CARRY_REACH:
                cur.att = Attribution(last.att.cue, last.att.speaker, "carried", cur.span.end)
        spk = cur.att.speaker
        if cur.direct and spk is not None and spk.name and spk.label in ("PERSON", "ORG"):
            last = cur


def _pronouns_follow_speakers(ctx: _Context, found: list[_Found]) -> None:
    """'he said' after a quoted speaker means that speaker, unless a person was named since
    or the speaker is known to be of the other gender."""
    last: Speaker | None = None
    for f in found:
        spk = f.att.speaker
        if spk is None:
            continue
        if spk.antecedent_at is not None and last is not None and last.start > spk.antecedent_at:
            unnamed = spk.antecedent_at < 0
            pronoun = PRONOUN_GENDER.get(ctx.text[spk.start : spk.end].lower())
            agrees = pronoun is None or ctx.index.gender(last.name) in (None, pronoun)
            if (last.label == "PERSON" or unnamed) and agrees:
                f.att.speaker = Speaker(last.name, last.label, spk.start, spk.end, True,
                                        spk.antecedent_at)
        elif spk.antecedent_at is None and spk.name and spk.name[:1].isupper() and f.direct:
            last = spk


def _record(text: str, f: _Found) -> dict:
    """The plain-data record stored on doc._.quotes."""
    spk = f.att.speaker
    name = spk.name if spk and spk.name and spk.name[:1].isupper() else None  # not 'ex-Muslims'
    return {
        "text": text[f.span.start : f.span.end],
        "speaker": name,
        "speaker_label": spk.label if name else None,
        "cue": f.att.cue,
        "start": f.span.start,
        "end": f.span.end,
        "speaker_start": spk.start if spk else None,
        "speaker_end": spk.end if spk else None,
        "confidence": _confidence(f.att, f.direct),
        "kind": "direct" if f.direct else "partial",
    }


class QuoteFinder:
    """Pipeline component: sets doc._.quotes on every Doc."""

    def __init__(self, keep_partial: bool = True) -> None:
        self.keep_partial = keep_partial

    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = find_quotes(doc, self.keep_partial)
        return doc


@Language.factory("newsindex_quotes", default_config={"keep_partial": True})
def make_quotes(nlp: Language, name: str, keep_partial: bool) -> QuoteFinder:
    """Build the component; keep_partial keeps quoted words inside a sentence that has a cue."""
    return QuoteFinder(keep_partial)
