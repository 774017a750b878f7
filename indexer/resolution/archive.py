"""Automatic merges across the archive, from the facet values' counts alone (no NLP).

Per article, a short form already resolves to the fullest name the article gives. Across
articles, an article that only ever says "Trump", or spells "Erdogan" without its breve, leaves a
second value beside "Donald Trump" or "Recep Tayyip Erdoğan" in the facets. These rules merge
such values, each a judgement with its evidence:

- the same name but for case, accents, punctuation or particles ("Erdogan" / "Erdoğan");
- the same first name and surname, middle names or initials aside, when no two of the archive's
  spellings disagree on them ("John R. Bolton" / "John Bolton"; "George W. Bush" and "George H. W.
  Bush" stay apart, and "George Bush" joins neither);
- a surname alone ("Trump", "al-Assad") and the one full name it stands for: the full name that
  holds at least SHARE of the mentions of all full names with that surname, at least LEAST of
  them, and in context: the surname is never written without the full name beside it, or the
  articles that have one and not the other share at least MIN_SHARED people, organisations or
  countries (a "Page" in a football team sheet is not the "David Page" of the business pages).
  Short of that, a user is offered the merge (UNSURE) rather than given it.

Organisations merge on `fingerprints` keys (case, accents, punctuation, legal forms: "Senate" /
"senate"), and an acronym with the one name it abbreviates ("NTSB", "National Transportation
Safety Board") or a clipped name with the one name written out ("Lib Dems", "Liberal Democrats")
when their articles share context. The result is stored beside the index
(`resolved.json`) after every `index` run; the user's own decisions (`aliases.json`) are kept
apart and win over it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import fingerprints

from indexer.countries import country_kind, resolve_country
from indexer.first_names import is_given_name
from indexer.resolution.judgements import By, Judgement, Verdict
from indexer.resolution.names import PARTICLES, PersonName, fold, middles_agree, parse
from indexer.vocabulary import ORG_HEADS, members_of, shortened

FILE_NAME = "resolved.json"
# Thresholds of the surname rule. SHARE and LEAST are those `alias --suggest` used; context
# (MIN_SHARED) was measured with bench/audit_facets.py on lone surnames labelled by reading their
# articles (bench/data/facet_audit.json): on the BBC politics, business and sport sections it
# takes precision from 0.858 to 0.982 at recall 0.982 (2: 0.990 at 0.936); seeds 1.0 either way.
SHARE = 0.8
LEAST = 2
MIN_SHARED = 1
SUGGEST_SHARE = 0.5  # above this but short of the rest: offered to users as "perhaps the same"
# How often a longer organisation name that a shorter one joins is written, at least: once is
# too little to say what the short one stands for ("United", "United Bank").
ORG_LEAST = 2
# Context: the values of these facets in a name's articles, but for those in more than COMMON
# of all articles ("United States" tells nothing about who "Page" is).
CONTEXT_FACETS = ("person", "organization", "country")
CONTEXT_VALUES = 100
COMMON = 0.1

SHOUTED = re.compile(r"^[^a-z]*[A-Z]{3,}[^a-z]*$")  # "MAGA", "ALDI": an acronym, not a name
ACRONYM = re.compile(r"^[A-Z]{2,6}$")
_NAMED = re.compile(r"[A-Z][\w'’.&-]*")  # a word of a name: opens with a capital letter
MAX_COUNTRY_WORDS = 3  # "United States", "United Arab Emirates" before an organisation's name
SMALL_WORDS = frozenset({"of", "and", "the", "for", "on", "in", "de", "du", "des", "la", "le"})


def name_like(text: str) -> bool:
    """Whether a facet value looks like a person's name: capitalised words (particles aside),
    letters only, not an acronym ("people", "study co", "H1N1", "MAGA" are not)."""
    words = text.split()
    if not words or any(ch.isdigit() for ch in text) or SHOUTED.match(text):
        return False
    for word in words:
        letters = word.lstrip("(\"'“‘")
        if not letters or not letters[0].isalpha():
            return False
        if not letters[0].isupper() and word.lower().rstrip("-") not in PARTICLES:
            return False
    return True


def _best(names: Iterable[str], counts: dict[str, int], fewer_words: bool = False) -> str:
    """The spelling to keep: most mentions, then (for spelling variants) accents kept and words
    capitalised rather than shouted or lower case, or (for middle names) the shorter form, then
    alphabetical order."""
    def key(name: str):
        accents = sum(1 for ch in name if ord(ch) > 127)
        shape = len(name.split()) if fewer_words else -accents
        return (-counts.get(name, 0), shape, name.isupper() or name.islower(), name)

    return min(names, key=key)


def _judgement(field: str, variant: str, canonical: str, rule: str, verdict=Verdict.POSITIVE,
               **evidence) -> Judgement:
    return Judgement(field, variant, canonical, verdict, By.AUTO, rule, evidence)


# Asked of the index: of the articles of spellings a that do not name any of b, how many there
# are ("apart") and how many context values they share with those of b that do not name a.
Shared = Callable[[list[str], list[str]], dict[str, int]]


def related(evidence: dict) -> bool:
    """Whether context says two names are one: the first is never written without the second
    (nothing apart), or their articles apart share at least MIN_SHARED context values."""
    return evidence.get("apart", 1) == 0 or evidence.get("shared", 0) >= MIN_SHARED


def person_judgements(counts: dict[str, int], shared: Shared | None = None) -> list[Judgement]:
    """Automatic judgements over person names and their mentions (articles and quotes), with
    the context their articles share when `shared` can tell (else surnames are only offered)."""
    names = {n: p for n, p in ((n, parse(n)) for n in counts if name_like(n)) if p}
    out: list[Judgement] = []

    # 1. Spellings of one name: one key but for case, accents, punctuation, particles.
    spellings: dict[str, list[str]] = defaultdict(list)
    for name, parsed in names.items():
        spellings[parsed.full_key].append(name)
    head: dict[str, str] = {}  # each name -> the spelling that stands for its group
    weight: dict[str, int] = defaultdict(int)  # a group's mentions, by its spelling
    members: dict[str, list[str]] = {}  # a group's spellings, its own first
    for group in spellings.values():
        keep = _best(group, counts)
        members[keep] = sorted(group, key=lambda n: (n != keep, -counts[n], n))
        for name in group:
            head[name] = keep
            weight[keep] += counts[name]
            if name != keep:
                out.append(_judgement("person", name, keep, "same name but for case, accents "
                                      "or punctuation", mentions=counts[name]))

    # 2. Middle names and initials: one first name and surname, no disagreeing middles.
    full: dict[str, PersonName] = {h: names[h] for h in set(head.values()) if not names[h].lone}
    by_short: dict[str, list[str]] = defaultdict(list)
    for name, parsed in full.items():
        by_short[parsed.short_key].append(name)
    for group in by_short.values():
        middled = [n for n in group if full[n].middles]
        if len(group) < 2 or not all(middles_agree(full[a].middles, full[b].middles)
                                     for a in middled for b in middled):
            continue
        keep = _best(group, weight, fewer_words=True)
        for name in group:
            if name != keep:
                out.append(_judgement("person", name, keep, "same first name and surname; "
                                      "middle names or initials differ", mentions=weight[name]))
                weight[keep] += weight.pop(name)
                members[keep] += members.pop(name)
                del full[name]

    # 3. A surname alone and the one full name it stands for.
    by_surname: dict[str, list[str]] = defaultdict(list)
    for name, parsed in full.items():
        by_surname[parsed.bare].append(name)
    lone = sorted({h for h in head.values() if names[h].lone}, key=lambda n: (-weight[n], n))
    for name in lone:
        candidates = sorted((c for c in by_surname.get(names[name].bare, [])
                             if names[name].stands_for(full[c])), key=lambda n: (-weight[n], n))
        if not candidates:
            continue
        best, everyone = weight[candidates[0]], sum(weight[c] for c in candidates)
        share = best / everyone
        evidence = {"mentions": weight[name], "canonical_mentions": best,
                    "share": round(share, 3), "full_names": len(candidates)}
        rule = (f"surname alone; {share:.0%} of the mentions of full names with this "
                f"surname are of this one")
        if best >= LEAST and share >= SHARE and shared is not None:
            evidence.update(shared(members[name], members[candidates[0]]))
        if best >= LEAST and share >= SHARE and (shared is None or related(evidence)):
            out.append(_judgement("person", name, candidates[0], rule, **evidence))
        elif share > SUGGEST_SHARE:
            out.append(_judgement("person", name, candidates[0], rule, Verdict.UNSURE,
                                  **evidence))
    return out


def initials(name: str) -> str:
    """The initials of a name's words, small words aside, and a country's code among them whole:
    'National Transportation Safety Board' -> 'NTSB', 'Recording Industry Association of
    America' -> 'RIAA', 'UK Independence Party' -> 'UKIP', 'US Geological Survey' -> 'USGS'."""
    out = []
    for word in name.split():
        if ACRONYM.match(word) and country_kind(word) == "country":
            out.append(fold(word))  # a country's code stays whole: "UK Independence Party"
        else:  # each part of a hyphened word: "Agence France-Presse" is AFP
            out += [part[0] for part in fold(word).split() if part not in SMALL_WORDS]
    return "".join(out).upper()


@functools.lru_cache(maxsize=200_000)
def _fingerprint(name: str) -> str | None:
    """`fingerprints`' key (case, accents, punctuation, legal forms aside, words sorted), an
    "of" aside too: "State Department" and "Department of State" are one key."""
    return fingerprints.generate(" ".join(w for w in name.split() if w.lower() != "of"))


@functools.lru_cache(maxsize=200_000)
def organization_key(name: str) -> str | None:
    """An organisation's `fingerprints` key, a leading country named by its code: "US Supreme
    Court", "United States Supreme Court" and "U.S. supreme court" are one key. A bare "Supreme
    Court" keeps its own key (several countries have one); `organization_judgements` joins it
    with the one country's when the archive has only one and their articles share context."""
    split = country_split(name)
    if split is not None:
        return f"{split[0]} {split[1]}"
    return _fingerprint(name)


@functools.lru_cache(maxsize=200_000)
def country_split(name: str) -> tuple[str, str] | None:
    """A leading country's code (lower case) and the key of the rest: "United States Democratic
    Party" -> ("us", "democratic party"); None without one."""
    words = name.split()
    for n in range(min(len(words) - 1, MAX_COUNTRY_WORDS), 0, -1):
        country = " ".join(words[:n])
        if country_kind(country) == "country":
            code = resolve_country(country, "GPE")
            rest = _fingerprint(" ".join(words[n:]))
            if code is not None and rest:
                return code[1].lower(), rest
    return None


def _singular(name: str) -> str:
    """A name with its last word in the singular ("Lib Dems" -> "Lib Dem", "Houthis" ->
    "Houthi"); a short single word keeps its "s" ("Times" is not "Time")."""
    words = name.split()
    last = words[-1] if words else ""
    least = 3 if len(words) > 1 else 5
    if last.endswith("s") and not last.endswith("ss") and len(last) - 1 >= least:
        words[-1] = last[:-1]
    return " ".join(words)


def organization_judgements(
    counts: dict[str, int], shared: Shared | None = None
) -> list[Judgement]:
    """Organisation names that differ only in case, accents, punctuation, legal form or the
    spelling of a leading country; a one-word name and the one name in the archive that adds
    an organisation word to it ("Labour", "Labour Party"); a party's members' name and the one
    party it fits ("Republicans", "Republican Party"); the singular and the plural of one name
    ("Houthi", "Houthis"); a country's body and the one name going on from it with "of" ("US
    House", "US House of Representatives"); and, when their articles share context (without a
    way to ask, or short of it, the merge is only offered), a name with and without the one
    country the archive ever gives it ("United States Democratic Party", "Democratic Party";
    "Supreme Court" of two countries stays apart) and an acronym ("NTSB") with the one name in
    the archive it abbreviates."""
    groups: dict[str, list[str]] = defaultdict(list)
    for name in counts:
        key = organization_key(name)
        if key:
            groups[key].append(name)
    out = []
    spelled: dict[str, list[str]] = defaultdict(list)  # initials -> names written out
    for group in groups.values():
        keep = _best(group, counts)
        out += [_judgement("organization", n, keep, "same name but for case, accents, "
                           "punctuation, legal form or the spelling of its country",
                           mentions=counts[n])
                for n in group if n != keep]
        if len(keep.split()) > 1:
            spelled[initials(keep)].append(keep)
    heads = [keep for keep in (_best(g, counts) for g in groups.values())
             if len(keep.split()) > 1 and keep.split()[-1].lower() in ORG_HEADS]
    extended: dict[str, list[str]] = defaultdict(list)  # "labour" -> ["Labour Party"]
    for full in heads:
        extended[fingerprints.generate(full.rsplit(" ", 1)[0])].append(full)
    for group in groups.values():
        short = _best(group, counts)
        fulls = extended.get(fingerprints.generate(short) or "", [])
        if len(fulls) == 1 and len(short.split()) == 1 and not ACRONYM.match(short) \
                and counts[fulls[0]] >= ORG_LEAST:
            # in context, and a longer name written more than once: "United" (Manchester
            # United) is not the once-written "United Bank"; an acronym names its whole body
            # ("EU" is not the one "EU Commission")
            out.append(_on_context(short, fulls[0], counts, shared, "the one name in the "
                                   "archive that adds an organisation word to this one"))
    numbers: dict[str, list[str]] = defaultdict(list)  # "houthi" -> ["Houthi", "Houthis"]
    bests = [_best(group, counts) for group in groups.values()]
    for name in bests:
        numbers[organization_key(_singular(name)) or name].append(name)
    for names in numbers.values():
        keep = _best(names, counts)
        out += [_judgement("organization", n, keep, "the same name in the singular and the "
                           "plural", mentions=counts[n], canonical_mentions=counts[keep])
                for n in names if n != keep]
    for short in bests:
        words = short.split()
        if len(words) < 2 or country_kind(words[0]) != "country":
            continue  # only a country's body: "US House"
        fuller = [name for name in bests if name.startswith(short + " of ")]
        if len(fuller) == 1:
            out.append(_judgement("organization", short, fuller[0], "the one name in the "
                                  "archive that goes on from this country's body with 'of'",
                                  mentions=counts[short], canonical_mentions=counts[fuller[0]]))
    parties = [tuple(keep.split()) for keep in heads if keep.endswith(" Party")]
    for group in groups.values():
        members = _best(group, counts)
        fits = [party for party in parties if members_of(tuple(members.split()), party)]
        if len(fits) == 1:
            out.append(_judgement("organization", members, " ".join(fits[0]), "the members' "
                                  "name of the one party in the archive it fits",
                                  mentions=counts[members],
                                  canonical_mentions=counts[" ".join(fits[0])]))
    qualified: dict[str, dict[str, str]] = defaultdict(dict)  # "democratic party" -> {"us": ..}
    merged = {j.variant for j in out}  # "US House" went on to "US House of Representatives"
    for name in bests:
        if name not in merged and (split := country_split(name)) is not None:
            qualified[split[1]].setdefault(split[0], _best(groups[organization_key(name)],
                                                           counts))
    for name in bests:
        countries = qualified.get(organization_key(name) or "", {})
        if len(countries) != 1 or name in merged or country_split(name) is not None:
            continue  # a bare name of several countries' bodies ("Supreme Court") stays apart
        other = next(iter(countries.values()))
        keep = _best([name, other], counts)
        out.append(_on_context(other if keep == name else name, keep, counts, shared,
                               "the same name with and without the one country the archive "
                               "gives it"))
    for group in groups.values():
        acronym = _best(group, counts)
        if ACRONYM.match(acronym) and len(spelled.get(acronym, [])) == 1:
            out.append(_on_context(acronym, spelled[acronym][0], counts, shared, "an acronym of "
                                   "the one name in the archive with these initials"))
    out += _clipped(bests, counts, shared, {j.variant for j in out})
    return out + _last_words(bests, counts, shared, {j.variant for j in out})


def _clipped(bests: list[str], counts: dict[str, int], shared: Shared | None,
             merged: set[str]) -> list[Judgement]:
    """A name whose every word is a clipping of the word of the one other name in the archive
    written out ("Lib Dems", "Liberal Democrats"; "News Corp", "News Corporation"), when their
    articles share context: what `indexer.entities` joins inside one article, across articles.
    A clipping keeps less than half its word ("BBC One" is not "BBC Online")."""
    by_letters: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)  # "ld": Lib Dems
    for name in bests:
        words = name.split()
        if name not in merged and len(words) > 1:
            by_letters["".join(word[0].casefold() for word in words)].append((name, words))
    out = []
    for group in by_letters.values():
        for name, words in group:
            fuller = [other for other, others in group if other != name
                      and sum(map(len, others)) > sum(map(len, words))
                      and all(shortened(a, b) for a, b in zip(words, others, strict=True))]
            if len(fuller) == 1:
                out.append(_on_context(name, fuller[0], counts, shared, "every word clipped "
                                       "from the one name in the archive written out"))
    return out


def _last_words(bests: list[str], counts: dict[str, int], shared: Shared | None,
                merged: set[str]) -> list[Judgement]:
    """A one-word name and the one longer name in the archive that ends with it, when their
    articles share context ("Commons", "House of Commons"; "Telegraph", "Daily Telegraph"), as a
    lone surname and the one full name. A body's generic head ("Parliament", "Party") and an
    acronym stay apart: several bodies end with them. The longer name must be a name (words
    that open with a capital, no initial first: not "Dell, Samsung" or "S Dellape") written at
    least twice and no less often than the short one: a product after its maker ("Xbox",
    "Microsoft Xbox" once) or a name the model ran into the words before it ("Yahoo", "Yonca
    Brunini of Yahoo") is not the name the short one stands for."""
    enders: dict[str, list[str]] = defaultdict(list)  # "commons" -> ["House of Commons"]
    for name in bests:
        words = name.split()
        if (len(words) > 1 and name not in merged and len(words[0]) > 1
                and all(_NAMED.fullmatch(w) or w in SMALL_WORDS for w in words)):
            enders[fold(words[-1])].append(name)
    out = []
    for short in bests:
        key = fold(short)
        if (" " in short or short in merged or key in ORG_HEADS or ACRONYM.match(short)
                or len(enders.get(key, [])) != 1
                or counts[enders[key][0]] < max(ORG_LEAST, counts[short])):
            continue
        out.append(_on_context(short, enders[key][0], counts, shared, "the last word of the "
                               "one longer name in the archive that ends with it"))
    return out


def _on_context(variant: str, canonical: str, counts: dict[str, int], shared: Shared | None,
                rule: str) -> Judgement:
    """An organisation merge made when the two names' articles share context (see `related`),
    else only offered."""
    evidence = {"mentions": counts[variant], "canonical_mentions": counts[canonical]}
    if shared is not None:
        evidence.update(shared([variant], [canonical]))
    verdict = Verdict.POSITIVE if shared is not None and related(evidence) else Verdict.UNSURE
    return _judgement("organization", variant, canonical, rule, verdict, **evidence)


def auto_judgements(
    persons: dict[str, int], organizations: dict[str, int],
    shared: Callable[[str], Shared] | None = None,
) -> list[Judgement]:
    """Every automatic judgement of an archive, from its facet values and their mentions;
    `shared(field)` asks what context two names of that facet share."""
    return (person_judgements(persons, shared("person") if shared else None)
            + organization_judgements(organizations, shared("organization") if shared else None))


# The type vote: a name that both the person and the organisation facet hold is listed under
# the one most of its articles give it, when at least MAJORITY of them (and LEAST) do; a tie, or
# a close vote, leaves it in both. The name itself weighs in on persons: one that opens with a
# usual given name ("Ewan McGregor") stays a person whatever the vote; one that does not ("Lib
# Dems", "Yukos") leaves the person facet on a simple majority (more than half).
TYPE_FIELDS = ("person", "organization")
TYPES = "types"  # the key of the vote's results in resolved.json
MAJORITY = 2 / 3
# A work or a product: a name that the context of at least WORK_LEAST articles calls one ("the
# film The Aviator", "Microsoft's Xbox"; entities._named_by_noun), in at least WORK_SHARE of the
# articles naming it, leaves the person and organisation facets. The context is strong evidence
# and its absence weak (most articles name a film or a console with no noun before it), so a
# share far below a majority does; a true body's name gets such a context by mistake in fewer
# (on the BBC corpus, 1 article of Chelsea's 54, the EU's 38 and Channel 4's 15).
WORK = "work"
WORK_LEAST = 2
WORK_SHARE = 0.1


def type_key(name: str) -> str:
    """What a name is compared on between facets: a person's first name and surname, middle
    names aside ('Elijah Eugene Cummings' ~ 'Elijah Cummings'), else the folded name."""
    parsed = parse(name) if name_like(name) else None
    if parsed is not None and not parsed.lone:
        return parsed.short_key
    return fold(name)


def type_votes(counts: dict[str, dict[str, int]], keep: dict[str, set[str]] | None = None,
               merged: dict[str, dict[str, str]] | None = None,
               works: dict[str, int] | None = None) -> dict[str, dict[str, dict]]:
    """field -> {value: its evidence} for each value the archive mostly gives another type: the
    mentions of every spelling with its key (`type_key`) under each facet (counts: field ->
    value -> mentions), and the facet that wins. A value dropped from its facet still matches its
    filter; it is listed under the facet that won. Values in `keep` stay (a surname the
    archive merges into a person's full name is a person, whatever else shares it). With the
    archive's merges (field -> variant -> canonical), a spelling votes with the mentions of
    every spelling merged with it ("Lib Dem" as an organisation with "Lib Dems"). `works`
    counts the articles that call a name a work or a product (see WORK_SHARE)."""
    keys = {value: type_key(value) for field in TYPE_FIELDS for value in counts.get(field, {})}
    by_key: dict[str, dict[str, int]] = defaultdict(dict)  # key -> field -> mentions
    for field in TYPE_FIELDS:
        joined = (merged or {}).get(field, {})
        mentions: dict[str, int] = defaultdict(int)  # per name, its spellings together
        keyed: dict[str, set[str]] = defaultdict(set)  # key -> the names its spellings join
        for value, n in counts.get(field, {}).items():
            mentions[joined.get(value, value)] += n
            keyed[keys[value]].add(joined.get(value, value))
        for key, names in keyed.items():
            by_key[key][field] = sum(mentions[name] for name in names)
    called: dict[str, int] = defaultdict(int)  # key -> articles calling it a work
    for value, n in (works or {}).items():
        called[type_key(value)] += n
    out: dict[str, dict[str, dict]] = {}
    for field in TYPE_FIELDS:
        for value in counts.get(field, {}):
            key, listed = keys[value], counts[field][value]
            kept = value in (keep or {}).get(field, ())
            if not kept and _a_work(called[key], listed):
                out.setdefault(field, {})[value] = {"type": WORK, field: listed,
                                                    WORK: called[key]}
                continue
            votes = by_key[key]
            if len(votes) < 2 or kept:
                continue
            if field == "person" and is_given_name(value.split()[0]):
                continue  # a given name says person whatever the vote
            winner, most = max(votes.items(), key=lambda kv: (kv[1], kv[0]))
            total = sum(votes.values())
            enough = most * 2 > total if field == "person" else most >= MAJORITY * total
            if winner != field and most >= LEAST and enough:
                out.setdefault(field, {})[value] = {"type": winner, **dict(sorted(votes.items()))}
    return out


def _a_work(called: int, listed: int) -> bool:
    """Whether enough articles call a name a work or a product: at least WORK_LEAST, and at
    least WORK_SHARE of them and the `listed` ones (listing it in its facet) together."""
    return called >= WORK_LEAST and called >= WORK_SHARE * (called + listed)


def load_types(index_dir: str | Path) -> dict[str, dict[str, dict]]:
    """The type vote stored beside an index: field -> {value dropped from it: evidence}."""
    try:
        data = json.loads((Path(index_dir) / FILE_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return data.get(TYPES, {})


def load(index_dir: str | Path) -> list[Judgement]:
    """The automatic judgements stored beside an index (none before its first `index` run)."""
    path = Path(index_dir) / FILE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [
        Judgement(field, item["variant"], item["canonical"], Verdict(item["verdict"]), By.AUTO,
                  item.get("rule", ""), item.get("evidence", {}))
        for field, items in data.items() if not field.startswith("_") and field != TYPES
        for item in items
    ]


def save(index_dir: str | Path, judgements: list[Judgement],
         types: dict[str, dict[str, dict]] | None = None) -> bool:
    """Write the judgements (and the type vote) atomically; unchanged ones are not rewritten
    (searchers rebuild their facet tables when the file changes). True if the file changed."""
    path = Path(index_dir) / FILE_NAME
    data: dict = {"_about": "Automatic merges across the archive, recomputed after every "
                  "`newsindex index`; a user's decisions live in aliases.json and win."}
    for j in judgements:
        data.setdefault(j.field, []).append(
            {k: v for k, v in j.to_dict().items() if k != "by"}
        )
    if types:
        data[TYPES] = types
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".resolved-", suffix=".json", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
    return True
