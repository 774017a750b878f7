"""Shared fixtures: paths to the repo, the shared corpora, and one loaded spaCy pipeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every `make test` (a failure reproduces, and CI does
# not fail on an example no one has seen); HYPOTHESIS_PROFILE=explore draws new ones each run.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
# Passwords hashed with argon2's cheapest parameters in tests only (web/accounts.py,
# HASH_PROFILE_ENV): hundreds of logins, not seconds each. Servers use RFC 9106's low-memory one.
os.environ.setdefault("NEWSINDEX_ARGON2_PROFILE", "CHEAPEST")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def nlp():
    """The real default pipeline with newsindex components, loaded once per test session."""
    from indexer.annotation import load_pipeline

    return load_pipeline()


# Web UI fixtures: a small real index (the seed article, 30 Wikinews rows about Trump or Putin,
# and one article full of markup), annotated and stored through the real pipeline once.
MARKUP_ARTICLE = {
    "id": "markup-test",
    "title": "Jane Doe warns <script>alert('title')</script> about <b>markup</b> in Paris",
    "body": (
        "Jane Doe spoke in Paris, France on Monday. <script>alert('body')</script> She said "
        "that <img src=x onerror=alert(1)> tags & entities must stay text.\n\n"
        "\"We will never run <script>alert('quote')</script> in a browser,\" Jane Doe said.\n\n"
        "The European Union agreed with Jane Doe."
    ),
    "published": "2020-06-01",
    "source": "Test <em>Source</em>",
    "url": "javascript:alert('url')",
}


def web_corpus(folder: Path, rows: int = 30) -> list[Path]:
    """Write the web test corpus into folder; the paths to index."""
    import csv
    import json
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    with open(SEEDS / "wikinews-2019-2020.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        chosen = [r for r in reader if "Putin" in r["text"] or "Trump" in r["text"]][:rows]
        fields = reader.fieldnames
    with open(folder / "wikinews.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(chosen)
    seed = next(SEEDS.glob("000_*.txt"))
    shutil.copy(seed, folder / seed.name)
    (folder / "markup.json").write_text(json.dumps(MARKUP_ARTICLE), encoding="utf-8")
    return [folder / "wikinews.csv", folder / seed.name, folder / "markup.json"]


@pytest.fixture(scope="session")
def web_index(tmp_path_factory, nlp) -> Path:
    """A small real index for the web tests, built once per session."""
    from indexer.annotation import annotate
    from indexer.sources import Article, read_sources
    from indexer.store import Store
    from indexer.topics import load_taxonomy

    base = tmp_path_factory.mktemp("web")
    articles = [a for a in read_sources(web_corpus(base / "corpus")) if isinstance(a, Article)]
    store = Store(base / "index")
    records = annotate(articles, nlp, taxonomy=load_taxonomy(store.dir))
    assert sum(1 for _ in store.write(records)) == len(articles)
    return store.dir


@pytest.fixture
def web_index_copy(web_index, tmp_path) -> Path:
    """A private copy of the web test index (saved searches start empty)."""
    import shutil

    return Path(shutil.copytree(web_index, tmp_path / "index"))
