"""The query syntax people type: Whoosh's parser with web-search habits, and how it was read.

On top of Whoosh's syntax (words, "phrases", AND/OR/NOT, brackets, field:value, wildcards):
`-word`, `-"a phrase"` and `-field:value` exclude, `+word` requires; lowercase `and` and `or`
between words, and `not` right after them, are operators too; `word~` is fuzzy. Both backends
parse with this one parser; `reading()` says back, in the same words, what was searched.
"""

from __future__ import annotations

from collections.abc import Callable

from whoosh import qparser
from whoosh.qparser import syntax
from whoosh.qparser.plugins import EveryPlugin, PhrasePlugin
from whoosh.support.levenshtein import damerau_levenshtein

from indexer.schema import SCHEMA

# Facet fields a query may name (`country:russia`); their values match whatever the case.
VALUE_FIELDS = ("person", "organization", "country", "topic", "source", "speaker", "mentions")
# The short name people type for a field (`org:nato`), as the CLI's --org.
FIELD_ALIASES = {"org": "organization"}
# How much likelier than an edit a suggestion must be: a word one edit further off needs this
# many times the documents to win ("bidn": "biden" in 40 articles beats "bin" in 2).
EDIT_COST = 20.0
MAX_EDITS = 2
# Letters a suggestion shares with the typed word at its start: typos rarely hit the first one,
# and looking only there makes the search for near words 7 times faster (880 -> 119 ms, seeds).
SAME_START = 1

START = r"(?:^|(?<=[\s(]))"  # a sign counts only at a word's start: "well-known" is one phrase
LOWER_NOT = r"(?:(?<=\band\s)|(?<=\bAND\s)|(?<=\bor\s)|(?<=\bOR\s))not(?=\s)"


class PlusMinus(qparser.PlusMinusPlugin):
    """`+word` requires a word, `-word` excludes it, in any group; exclusions alone exclude
    from everything (`-trump` is every article without Trump)."""

    def __init__(self) -> None:
        super().__init__(plusexpr=START + r"\+(?=[^\s+])", minusexpr=START + r"-(?=[^\s-])")

    def do_plusminus(self, parser, group):
        for n, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[n] = self.do_plusminus(parser, node)
        if not any(isinstance(node, self.Plus | self.Minus) for node in group):
            return group
        required, optional, banned = [], [], []
        into = optional
        for node in group:
            if isinstance(node, self.Plus | self.Minus):
                into = required if isinstance(node, self.Plus) else banned
            elif not isinstance(node, syntax.Whitespace):
                into.append(node)
                into = optional
        kept = syntax.AndGroup(required) if required else None
        if optional and any(map(_has_words, optional)):
            rest = type(group)(optional)
            kept = syntax.AndMaybeGroup([kept, rest]) if kept else rest
        if not banned:
            return kept
        if kept is None:  # only exclusions: everything but them (Every ANDNOT, which
            every = EveryPlugin.EveryNode()  # normalising leaves whole, unlike Every AND NOT)
            every.startchar = every.endchar = banned[0].startchar
            return syntax.AndNotGroup([every, syntax.OrGroup(banned)])
        # `a -b` is `a AND NOT b` (the same tree: Whoosh's ANDNOT matcher lets some through)
        return syntax.AndGroup([kept] + [syntax.NotGroup([node]) for node in banned])


def _has_words(node) -> bool:
    return not isinstance(node, syntax.GroupNode) or any(_has_words(n) for n in node)


def operators() -> qparser.OperatorsPlugin:
    """AND, OR, NOT as Whoosh reads them, and lowercase `and`/`or` between words (stop words,
    so never searched anyway) and `not` after them."""
    return qparser.OperatorsPlugin(
        And=r"(?<=\s)(?:AND|and)(?=\s)",
        Or=r"(?<=\s)(?:OR|or)(?=\s)",
        Not=r"(?:(?:^|(?<=(\s|[()])))NOT|" + LOWER_NOT + r")(?=\s)",
    )


class FieldAliases(qparser.Plugin):
    """`org:` stands for `organization:`; a field name matches whatever its case."""

    def filters(self, parser):
        return [(self.rename, 50)]  # before the fields filter (100) attaches names to words

    def rename(self, parser, group):
        for node in group:
            if isinstance(node, syntax.GroupNode):
                self.rename(parser, node)
            elif isinstance(node, syntax.FieldnameNode):
                name = node.fieldname.lower()
                node.fieldname = FIELD_ALIASES.get(name, name)
        return group


class LongValues(qparser.Plugin):
    """`person:donald trump` reads as person:"donald trump" when the index holds that value:
    a facet value runs over the plain words after it as far as `known(field, value)` says
    such a value exists (longest first)."""

    MAX_WORDS = 6

    def __init__(self, known: Callable[[str, str], bool] | None) -> None:
        self.known = known

    def filters(self, parser):
        return [(self.extend, 105)]  # after fields are attached (100), before multifield (110)

    def extend(self, parser, group):
        if self.known is None:
            return group
        nodes = list(group)
        out, n = [], 0
        while n < len(nodes):
            node = nodes[n]
            if isinstance(node, syntax.GroupNode):
                out.append(self.extend(parser, node))
            elif type(node) is syntax.WordNode and node.fieldname in VALUE_FIELDS:
                words, ends = [node.text], [n]
                for k in range(n + 1, len(nodes)):
                    nxt = nodes[k]
                    if isinstance(nxt, syntax.Whitespace):
                        continue
                    plain = type(nxt) is syntax.WordNode and not nxt.fieldname
                    if not plain or len(words) >= self.MAX_WORDS:
                        break
                    words.append(nxt.text)
                    ends.append(k)
                for size in range(len(words), 1, -1):
                    value = " ".join(words[:size])
                    if self.known(node.fieldname, value):
                        node.text, node.endchar = value, nodes[ends[size - 1]].endchar
                        n = ends[size - 1]
                        break
                out.append(node)
            else:
                out.append(node)
            n += 1
        return group.__class__(out) if out != nodes else group


def query_parser(
    fields: list[str], boosts: dict[str, float], known: Callable[[str, str], bool] | None = None
) -> qparser.QueryParser:
    """The user's query syntax over some text fields (every backend parses with it); `known`
    says whether a facet field holds a value, for values of several words typed unquoted."""
    parser = qparser.MultifieldParser(fields, SCHEMA, fieldboosts=boosts)
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.add_plugin(qparser.WildcardPlugin())
    parser.replace_plugin(operators())
    parser.add_plugin(PlusMinus())
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(FieldAliases())
    parser.add_plugin(LongValues(known))
    return parser


JOINS = {
    syntax.AndGroup: " AND ",
    syntax.OrGroup: " OR ",
    syntax.AndNotGroup: " AND NOT ",
    syntax.AndMaybeGroup: " ANDMAYBE ",
    syntax.RequireGroup: " REQUIRE ",
}


def reading(node, text: str, defaults: tuple[str, ...], top: bool = True) -> str:
    """The parsed query said back in query syntax ("biden AND NOT trump"), as a user typed it:
    the words as written, fields named only when the query named them."""
    if isinstance(node, EveryPlugin.EveryNode):
        return "everything"
    if isinstance(node, syntax.GroupNode):
        same = _same_leaf(node, defaults)
        if same is not None:
            return reading(same, text, defaults, top)
        nodes, spans = [], set()
        for n in node:  # a plain word repeated over the default fields is said once
            span = (n.startchar, n.endchar)
            if not (getattr(n, "fieldname", None) in defaults and span in spans):
                nodes.append(n)
            spans.add(span)
        parts = [reading(n, text, defaults, False) for n in nodes]
        parts = [p for p in parts if p]
        if isinstance(node, syntax.NotGroup):
            return f"NOT {parts[0]}" if parts else ""
        if isinstance(node, syntax.AndNotGroup) and parts[0] == "everything":
            return " AND ".join(f"NOT {p}" for p in parts[1:])  # NOT trump
        joined = JOINS.get(type(node), " AND ").join(parts)
        return joined if top or len(parts) < 2 else f"({joined})"
    if isinstance(node, PhrasePlugin.PhraseNode):
        shown = f'"{node.text}"' + (f"~{node.slop}" if node.slop > 1 else "")
    elif isinstance(node, qparser.FuzzyTermPlugin.FuzzyTermNode):
        shown = f"{node.text}~" + (str(node.maxdist) if node.maxdist > 1 else "")
    elif isinstance(node, syntax.TextNode):
        shown = f'"{node.text}"' if " " in node.text else node.text
    else:
        shown = text[node.startchar : node.endchar].strip()
    field = getattr(node, "fieldname", None)
    named = field in defaults and text[: node.startchar].lower().endswith(f"{field}:")
    if field and (field not in defaults or named) and not shown.startswith(f"{field}:"):
        shown = f"{field}:{shown}"
    return shown


def _same_leaf(group, defaults: tuple[str, ...]):
    """The one word a group stands for when it only repeats it over the default fields (what
    the multi-field parser makes of a plain word), or when it holds a single node."""
    nodes = list(group)
    if len(nodes) == 1 and not isinstance(group, syntax.NotGroup):
        return nodes[0]
    spans = {(n.startchar, n.endchar) for n in nodes}
    if (
        isinstance(group, syntax.OrGroup) and len(spans) == 1 and len(nodes) > 1
        and all(getattr(n, "fieldname", None) in defaults for n in nodes)
    ):  # fmt: skip
        return nodes[0]
    return None


def best_correction(word: str, frequencies: dict[str, int]) -> str | None:
    """The likeliest intended word among indexed ones: frequent and few edits away
    (documents per word divided by EDIT_COST per edit); None when nothing is close."""
    best, best_score = None, 0.0
    for candidate, count in sorted(frequencies.items()):
        if candidate == word or count <= 0:
            continue
        edits = damerau_levenshtein(word, candidate)
        if edits > MAX_EDITS or edits >= len(word):
            continue
        score = count / EDIT_COST**edits
        if score > best_score:
            best, best_score = candidate, score
    return best
