"""Shared fixtures: paths to the repo, the shared corpora, and one loaded spaCy pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def nlp():
    """The real default pipeline with newsindex components, loaded once per test session."""
    from indexer.annotation import load_pipeline

    return load_pipeline()
