"""An index can be rebuilt from its export: same records, same facet counts, and it checks out."""

from __future__ import annotations

import csv
import json

import pytest

import indexer.annotation
from indexer.check import check_index
from indexer.cli import main
from indexer.search import QUOTE_FACETS, Searcher, SearchQuery
from indexer.store import Store
from tests.reliability import SEED_CSV, stored

EVERYTHING = SearchQuery(per_page=200, facet_limit=1000)


@pytest.fixture
def original(tmp_path, nlp, monkeypatch):
    """An index built the ordinary way, from raw Wikinews rows through the real pipeline."""
    monkeypatch.setattr(indexer.annotation, "load_pipeline", lambda *a, **k: nlp)
    with open(SEED_CSV, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if "said" in r["text"]][:25]
        fields = reader.fieldnames
    source = tmp_path / "wikinews.csv"
    with open(source, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    index = tmp_path / "original"
    assert main(["--index", str(index), "index", str(source), "--quiet"]) == 0
    return index, source


def views(index) -> tuple[dict, dict, dict]:
    """What a user sees of an index: all articles with facets, all quotes with facets, stats."""
    searcher = Searcher(Store.open_existing(index))
    articles = searcher.search(EVERYTHING)
    quotes = searcher.quotes(EVERYTHING)
    stats = searcher.stats()
    stats.pop("index_bytes")
    return articles, quotes, stats


def test_export_then_index_rebuilds_the_same_records_and_facet_counts(original, tmp_path, capsys):
    index, source = original
    exported = tmp_path / "exported.jsonl"
    assert main(["--index", str(index), "export", "-o", str(exported)]) == 0
    rebuilt = tmp_path / "rebuilt"
    assert main(["--index", str(rebuilt), "index", str(exported), "--quiet"]) == 0
    capsys.readouterr()

    assert stored(rebuilt) == stored(index)
    (articles, quotes, stats), (articles2, quotes2, stats2) = views(index), views(rebuilt)
    assert stats2 == stats and stats["quotes"] > 0 and stats["persons"] > 0
    assert articles2["facets"] == articles["facets"]
    assert {h["id"] for h in articles2["hits"]} == {h["id"] for h in articles["hits"]}
    assert quotes2["total"] == quotes["total"]
    assert set(quotes2["facets"]) == set(QUOTE_FACETS) | {"month", "undated"}
    assert quotes2["facets"] == quotes["facets"]
    for built in (index, rebuilt):
        assert check_index(built)["ok"]

    again = tmp_path / "again.jsonl"
    assert main(["--index", str(rebuilt), "export", "-o", str(again)]) == 0
    assert sorted(again.read_text().splitlines()) == sorted(exported.read_text().splitlines())

    # the rebuilt index knows every article's content: the raw files need no NLP again
    assert main(["--index", str(rebuilt), "index", str(source), "--quiet"]) == 0
    assert capsys.readouterr().out.strip().endswith(
        f"indexed 0, updated 0, unchanged {stats['articles']}, failed 0"
    )


def test_export_settings_carry_aliases_topics_and_saved_searches(original, tmp_path, capsys):
    """Records rebuild the index; --settings brings back what users added around it."""
    from web.saved import SavedSearches

    index, _ = original
    assert main(["--index", str(index), "alias", "person", "Trump", "Donald Trump"]) == 0
    assert main(["--index", str(index), "alias", "--split", "person", "Zelensky",
                 "Volodymyr Zelenskyy"]) == 0
    assert main(["--index", str(index), "topics", "add", "Storms", "--keywords", "storm"]) == 0
    SavedSearches(index).save("war", "/search?q=war")
    exported = tmp_path / "exported.jsonl"
    assert main(["--index", str(index), "export", "-o", str(exported)]) == 0
    assert "--settings DIR copies them" in capsys.readouterr().err  # the reminder

    settings = tmp_path / "settings"
    assert main(["--index", str(index), "export", "-o", str(exported),
                 "--settings", str(settings)]) == 0
    assert "aliases.json, topics.json, saved.sqlite" in capsys.readouterr().err
    rebuilt = tmp_path / "rebuilt"
    rebuilt.mkdir()
    for path in settings.iterdir():
        (rebuilt / path.name).write_bytes(path.read_bytes())
    assert main(["--index", str(rebuilt), "index", str(exported), "--quiet"]) == 0
    # facet lists equal, order too: the original's topics were rewritten in a later segment
    assert views(rebuilt)[0]["facets"] == views(index)[0]["facets"]
    assert [(s.name, s.url) for s in SavedSearches(rebuilt).all()] == [("war", "/search?q=war")]
    decisions = json.loads((rebuilt / "aliases.json").read_text(encoding="utf-8"))
    assert decisions["not_same"] == {"person": [["Zelensky", "Volodymyr Zelenskyy"]]}
