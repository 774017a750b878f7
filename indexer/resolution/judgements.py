"""Pairwise judgements and the canonical names they make, in the manner of nomenklatura's resolver.

Each judgement says of two spellings of one facet that they name the same entity (POSITIVE), not
the same (NEGATIVE) or maybe (UNSURE, a suggestion shown to users), and who said so: a user,
the shipped defaults, or the automatic resolution across the archive. Canonical names are the
connected components of the positive judgements, where a NEGATIVE always beats an automatic or
shipped match: two components are never joined by such an edge while a negative pair spans them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Verdict(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    UNSURE = "unsure"


class By(StrEnum):
    USER = "user"
    SHIPPED = "shipped"
    AUTO = "auto"


# Positive judgements are applied in this order: a user's before the shipped ones, both before
# the automatic ones, which alone yield to a negative.
PRIORITY = {By.USER: 0, By.SHIPPED: 1, By.AUTO: 2}


@dataclass(frozen=True)
class Judgement:
    """One decision about two spellings of a facet (`variant` merged into `canonical`)."""

    field: str
    variant: str
    canonical: str
    verdict: Verdict
    by: By
    rule: str = ""  # for automatic ones: which rule matched, in words
    evidence: dict = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict:
        out = {"variant": self.variant, "canonical": self.canonical,
               "verdict": str(self.verdict), "by": str(self.by)}
        if self.rule:
            out["rule"] = self.rule
        if self.evidence:
            out["evidence"] = self.evidence
        return out


class _Components:
    """Union-find over spellings that remembers each component's members."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}

    def find(self, name: str) -> str:
        self.parent.setdefault(name, name)
        self.members.setdefault(name, {name})
        root = name
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[name] != root:  # path compression
            self.parent[name], name = root, self.parent[name]
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)


def resolve(judgements: Iterable[Judgement]) -> dict[str, dict[str, str]]:
    """field -> {variant: canonical} for every spelling that a positive judgement merges.

    The canonical name of a component is the target of its users' judgements if there are
    any, else of the shipped ones, else of the automatic ones; several targets of the same
    rank: the one most judgements point at, then the first in alphabetical order.
    """
    by_field: dict[str, list[Judgement]] = {}
    for judgement in judgements:
        by_field.setdefault(judgement.field, []).append(judgement)
    return {name: _resolve_field(items) for name, items in by_field.items()}


def _resolve_field(judgements: list[Judgement]) -> dict[str, str]:
    negatives: dict[str, set[str]] = {}
    for j in judgements:
        if j.verdict == Verdict.NEGATIVE:
            negatives.setdefault(j.variant, set()).add(j.canonical)
            negatives.setdefault(j.canonical, set()).add(j.variant)
    # Edges that touch a name split off (the variant of a negative judgement) come last, so that
    # the split cuts off that name alone rather than whatever an earlier edge joined it with.
    split_off = {j.variant for j in judgements if j.verdict == Verdict.NEGATIVE}
    positives = sorted(
        (j for j in judgements if j.verdict == Verdict.POSITIVE and j.variant != j.canonical),
        key=lambda j: (PRIORITY[j.by], j.variant in split_off or j.canonical in split_off),
    )
    parts = _Components()
    for j in positives:
        a, b = parts.find(j.variant), parts.find(j.canonical)
        if a == b:
            continue
        if j.by != By.USER and _apart(parts.members[a], parts.members[b], negatives):
            continue
        parts.join(a, b)
    targets: dict[str, dict[str, list[int]]] = {}  # root -> target -> [rank, votes]
    merged_at: dict[str, int] = {}  # a spelling -> the best rank of an edge merging it away
    for j in positives:
        root = parts.find(j.canonical)
        if parts.find(j.variant) != root:
            continue  # an edge a negative judgement refused
        rank = PRIORITY[j.by]
        entry = targets.setdefault(root, {}).setdefault(j.canonical, [rank, 0])
        entry[0], entry[1] = min(entry[0], rank), entry[1] + 1
        merged_at[j.variant] = min(merged_at.get(j.variant, rank), rank)
    out = {}
    for root, members in parts.members.items():
        if len(members) < 2:
            continue
        # A chain ends where no edge of the same rank or better merges the target away.
        choice = min(targets[root].items(), key=lambda kv: (
            kv[1][0], merged_at.get(kv[0], 99) <= kv[1][0], -kv[1][1], kv[0]))[0]
        out.update({m: choice for m in members if m != choice})
    return out


def _apart(a: set[str], b: set[str], negatives: dict[str, set[str]]) -> bool:
    """Whether some negative judgement pairs a member of a with a member of b."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return any(negatives.get(m, set()) & large for m in small)
