"""Topics: IPTC Media Topics for every article, plus topics users define themselves.

How it works. ``indexer/data/iptc_topics.json`` lists the 17 IPTC Media Topics top-level
codes with their official English labels, some second-level topics under each, and for every
topic a lexicon of weighted terms (see :mod:`indexer.topic_lexicon` for how terms match). The
terms were written by hand for international news; their weights were tuned on the odd-numbered
(development) half of the BBC corpus and on Wikinews; nothing was learnt from the test half.

For an article, each matched term adds ``weight * log2(1 + n)`` to its topic's evidence, where
``n`` counts body mentions plus title mentions times ``title_weight``; an organisation name from
the entity lists adds ``entity_weight`` for a term the text itself lacks (a canonical name such as
"World Health Organization" where the text said "the agency"). Second-level evidence also counts
for its parent, and a top-level topic's evidence is multiplied by its ``scale`` (which balances
topics with wide vocabularies, such as crime, against narrower ones). A top-level topic is kept
when its evidence reaches ``min_evidence`` and ``min_ratio`` of the best topic's (at most
``max_topics``); its score is its evidence over all topics' evidence plus ``prior``, so weak or
spread evidence scores low. A second-level topic is added, with ``"parent"``, when its evidence
passes ``sub_min_evidence`` and ``sub_min_ratio`` of its parent's. Nothing is returned when no
topic reaches ``min_evidence``: no topic rather than a wrong one. :func:`evidence` shows which
terms made the decision.

How to extend it. Add or re-weight terms in the data file, or, per index, in
``<index>/topics.json``::

    {"topics": [
      {"label": "brexit", "keywords": ["brexit", "article 50"]},
      {"label": "ukraine war", "query": "ukraine AND (war OR invasion)"},
      {"code": "15000000", "terms": {"pickleball": 4}}
    ]}

Keywords follow the lexicon's term syntax (stemmed, or exact with ``=``). A keyword topic is
found by :func:`classify` (score ``1 - 0.5 ** n``, ``n`` its mentions counted as above);
a query topic is a search the store runs over the index (:meth:`Taxonomy.query_topics`); an
entry with an IPTC ``code`` and ``terms`` adds terms to that shipped topic.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from indexer.topic_lexicon import STEMMED, Lexicon, TermKey, Tokens, join_names, tokenise

DATA_FILE = Path(__file__).parent / "data" / "iptc_topics.json"
USER_FILE = "topics.json"
CUSTOM_PREFIX = "custom:"
# Entity lists whose names are matched against the lexicon as extra evidence.
ENTITY_KEYS = ("organizations",)


@dataclass(frozen=True)
class Topic:
    """One IPTC topic: code, official label, lexicon, parent (second level) and evidence scale."""

    code: str
    label: str
    terms: dict[str, float]
    parent: str | None = None
    scale: float = 1.0


@dataclass(frozen=True)
class CustomTopic:
    """A user-defined topic, recognised by keywords (in classify) or by a search query (store)."""

    label: str
    keywords: tuple[str, ...] = ()
    query: str | None = None

    @property
    def code(self) -> str:
        """A stable code for the facet record, derived from the label."""
        return CUSTOM_PREFIX + re.sub(r"[^\w]+", "-", self.label.lower()).strip("-")

    def item(self, score: float = 1.0) -> dict[str, Any]:
        """The record entry an article carries when this topic applies to it."""
        return {"label": self.label, "code": self.code, "score": round(score, 3)}

    def to_json(self) -> dict[str, Any]:
        """The user file entry for this topic."""
        if self.query is not None:
            return {"label": self.label, "query": self.query}
        return {"label": self.label, "keywords": list(self.keywords)}


@dataclass
class Taxonomy:
    """Shipped IPTC topics merged with one index's user topics; compiled lazily for matching."""

    topics: list[Topic]
    settings: dict[str, float]
    custom: dict[str, CustomTopic] = field(default_factory=dict)
    extensions: list[dict[str, Any]] = field(default_factory=list)

    def add_custom(
        self, label: str, keywords: list[str] | None = None, query: str | None = None
    ) -> CustomTopic:
        """Add (or replace) a user topic given by keywords or by a search query, not both."""
        label = label.strip()
        if not label:
            raise ValueError("a topic needs a label")
        if (not keywords) == (query is None or not query.strip()):
            raise ValueError("give a topic either keywords or a query")
        if keywords:
            for keyword in keywords:
                if not tokenise(keyword.lstrip("=")).forms:
                    raise ValueError(f"keyword without words: {keyword!r}")
            topic = CustomTopic(label, keywords=tuple(keywords))
        else:
            topic = CustomTopic(label, query=query.strip())
        if any(t.label == label for t in self.topics):
            raise ValueError(f"{label!r} is an IPTC topic label")
        self.custom[label] = topic
        self.__dict__.pop("custom_lexicon", None)
        return topic

    def remove_custom(self, label: str) -> bool:
        """Drop a user topic; True if there was one."""
        self.__dict__.pop("custom_lexicon", None)
        return self.custom.pop(label, None) is not None

    def query_topics(self) -> list[CustomTopic]:
        """User topics the store applies by running their query over the index."""
        return [t for t in self.custom.values() if t.query is not None]

    def keyword_topics(self) -> list[CustomTopic]:
        """User topics that classify recognises from their keywords."""
        return [t for t in self.custom.values() if t.keywords]

    def save(self, index_dir: Path) -> Path:
        """Write this index's user topics (custom topics and term extensions) to its user file."""
        path = Path(index_dir) / USER_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        entries = [t.to_json() for t in self.custom.values()] + self.extensions
        path.write_text(json.dumps({"topics": entries}, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        return path

    @cached_property
    def by_code(self) -> dict[str, Topic]:
        """Every IPTC topic by code."""
        return {t.code: t for t in self.topics}

    @cached_property
    def lexicon(self) -> Lexicon:
        """All IPTC topics' terms in one lexicon, so that overlapping terms compete fairly."""
        return Lexicon((term, t.code, w) for t in self.topics for term, w in t.terms.items())

    def children(self, code: str) -> list[Topic]:
        """Second-level topics under a top-level code."""
        return [t for t in self.topics if t.parent == code]

    @cached_property
    def custom_lexicon(self) -> Lexicon:
        """User keyword topics' terms, matched apart from the IPTC ones."""
        return Lexicon((kw, t.label, 1.0) for t in self.keyword_topics() for kw in t.keywords)


def _topics_from_data(data: dict[str, Any]) -> list[Topic]:
    """Flatten the data file's nested topics into Topic objects, parents first."""
    topics = []
    for top in data["topics"]:
        topics.append(Topic(top["code"], top["label"], dict(top.get("terms", {})),
                            scale=float(top.get("scale", 1.0))))
        for sub in top.get("subtopics", []):
            topics.append(Topic(sub["code"], sub["label"], dict(sub.get("terms", {})), top["code"]))
    return topics


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Any]:
    """The shipped data file, parsed once per process."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def load_taxonomy(index_dir: Path | None = None) -> Taxonomy:
    """The shipped IPTC taxonomy merged with ``<index_dir>/topics.json`` when there is one."""
    data = _shipped()
    topics = _topics_from_data(data)
    path = Path(index_dir) / USER_FILE if index_dir is not None else None
    entries = []
    if path is not None and path.is_file():
        entries = json.loads(path.read_text(encoding="utf-8")).get("topics", [])
    codes = {t.code for t in topics}
    extra: dict[str, dict[str, float]] = defaultdict(dict)
    extensions = []
    for entry in entries:
        if "code" in entry:
            if entry["code"] not in codes:
                raise ValueError(f"{path}: unknown IPTC code {entry['code']!r}")
            extra[entry["code"]].update(entry.get("terms", {}))
            extensions.append(entry)
    topics = [replace(t, terms={**t.terms, **extra[t.code]}) if t.code in extra else t
              for t in topics]
    taxonomy = Taxonomy(topics, dict(data["settings"]), extensions=extensions)
    for entry in entries:
        if "code" not in entry:
            taxonomy.add_custom(entry["label"], entry.get("keywords"), entry.get("query"))
    return taxonomy


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy alone, shared by calls that pass none."""
    return load_taxonomy(None)


@dataclass(frozen=True, slots=True)
class _Text:
    """An article's token streams: title, body, and the organisation names found in it."""

    title: Tokens
    body: Tokens
    names: Tokens | None


def _text(title: str, body: str, entities: dict | None) -> _Text:
    """Tokenise an article once for every lexicon that reads it."""
    names = [n for key in ENTITY_KEYS for n in (entities or {}).get(key) or []
             if isinstance(n, str)]
    return _Text(tokenise(title or ""), tokenise(body or ""),
                 join_names(dict.fromkeys(names)) if names else None)


def _counts(lexicon: Lexicon, text: _Text, settings: dict[str, float]) -> dict[TermKey, float]:
    """Weighted mentions of each term; an entity name only adds terms the text itself lacks."""
    counts: dict[TermKey, float] = defaultdict(float)
    for key, n in lexicon.match(text.body).items():
        counts[key] += n
    for key, n in lexicon.match(text.title).items():
        counts[key] += n * settings["title_weight"]
    if text.names is not None:
        for key, n in lexicon.match(text.names).items():
            if key not in counts:
                counts[key] = n * settings["entity_weight"]
    return counts


def _contribution(weight: float, n: float) -> float:
    """Evidence from a term seen n (weighted) times: repeats count, but less and less."""
    return weight * math.log2(1.0 + n)


def evidence(
    title: str, body: str, entities: dict | None = None, taxonomy: Taxonomy | None = None
) -> dict[str, dict[str, float]]:
    """Per topic code, each matched term's contribution: why an article got its topics."""
    taxonomy = taxonomy or default_taxonomy()
    lexicon = taxonomy.lexicon
    why: dict[str, dict[str, float]] = defaultdict(dict)
    for key, n in _counts(lexicon, _text(title, body, entities), taxonomy.settings).items():
        kind, words = key
        shown = ("" if kind == STEMMED else "=") + " ".join(words)
        for code, weight in lexicon.targets(key).items():
            why[code][shown] = _contribution(weight, n)
    return dict(why)


def classify(
    title: str, body: str, entities: dict | None = None, taxonomy: Taxonomy | None = None
) -> list[dict[str, Any]]:
    """IPTC topics of an article: top-level ones best first, then second-level, then custom."""
    taxonomy = taxonomy or default_taxonomy()
    text = _text(title, body, entities)
    return _iptc_topics(taxonomy, text) + _keyword_topics(taxonomy, text)


def record_topics(
    record: dict, taxonomy: Taxonomy, matched_queries: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """A stored record's topics redone without NLP: text classified again, plus query matches."""
    topics = classify(record.get("title") or "", record.get("body") or "", record, taxonomy)
    return topics + [taxonomy.custom[label].item() for label in dict.fromkeys(matched_queries)]


def _iptc_topics(taxonomy: Taxonomy, text: _Text) -> list[dict[str, Any]]:
    """Top-level topics that pass the thresholds, then their confident second-level topics."""
    s = taxonomy.settings
    own: dict[str, float] = defaultdict(float)
    for key, n in _counts(taxonomy.lexicon, text, s).items():
        for code, weight in taxonomy.lexicon.targets(key).items():
            own[code] += _contribution(weight, n)
    top: dict[str, float] = defaultdict(float)
    for code, value in own.items():
        parent = taxonomy.by_code[code].parent or code
        top[parent] += value * taxonomy.by_code[parent].scale
    ranked = sorted(((v, c) for c, v in top.items() if v > 0), reverse=True)
    if not ranked or ranked[0][0] < s["min_evidence"]:
        return []
    total = sum(v for v, _ in ranked) + s["prior"]
    kept = [(v, c) for v, c in ranked
            if v >= s["min_evidence"] and v >= s["min_ratio"] * ranked[0][0]]
    kept = kept[: int(s["max_topics"])]
    result = [_item(taxonomy.by_code[c], v / total) for v, c in kept]
    for value, parent in kept:
        scale = taxonomy.by_code[parent].scale
        subs = sorted((own[t.code] * scale, t.code) for t in taxonomy.children(parent))
        subs = [(v, c) for v, c in subs
                if v >= max(s["sub_min_evidence"], s["sub_min_ratio"] * value)]
        for sub_value, code in reversed(subs[-int(s["max_subtopics"]):]):
            result.append({**_item(taxonomy.by_code[code], sub_value / total), "parent": parent})
    return result


def _item(topic: Topic, score: float) -> dict[str, Any]:
    """The record entry for an IPTC topic."""
    return {"label": topic.label, "code": topic.code, "score": round(score, 3)}


def _keyword_topics(taxonomy: Taxonomy, text: _Text) -> list[dict[str, Any]]:
    """User keyword topics found in the article, most mentioned first."""
    if not taxonomy.keyword_topics():
        return []
    lexicon = taxonomy.custom_lexicon
    hits: dict[str, float] = defaultdict(float)
    for key, n in _counts(lexicon, text, taxonomy.settings).items():
        for label in lexicon.targets(key):
            hits[label] += n
    found = sorted(hits.items(), key=lambda p: -p[1])
    return [taxonomy.custom[label].item(1.0 - 0.5 ** n) for label, n in found if n > 0]
