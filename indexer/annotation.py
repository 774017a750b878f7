"""Annotation stage: run spaCy with newsindex components over articles and build annotated records."""

from __future__ import annotations

import importlib

import spacy
from spacy.language import Language

from indexer import DEFAULT_MODEL

# Our components, by factory name, and the module that registers each.
COMPONENTS = {
    "newsindex_entities": "indexer.entities",
    "newsindex_quotes": "indexer.quotes",
}
# Pipes of the stock English pipelines that no newsindex feature reads.
UNUSED_PIPES = ("lemmatizer",)


def load_pipeline(
    model: str = DEFAULT_MODEL, components: tuple[str, ...] = tuple(COMPONENTS)
) -> Language:
    """Load an installed spaCy pipeline and append the newsindex components we need."""
    nlp = spacy.load(model, exclude=list(UNUSED_PIPES))
    for name in components:
        importlib.import_module(COMPONENTS[name])
        nlp.add_pipe(name)
    return nlp
