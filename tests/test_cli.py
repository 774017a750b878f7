"""The `newsindex` command line end to end: real spaCy, a real Whoosh index in a temp folder."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import SEEDS

SEED = next(SEEDS.glob("000_*.txt"))


def newsindex(*args: str, index=None, check: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "indexer"]
    if index is not None:
        cmd += ["--index", str(index)]
    result = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seed article and 25 Wikinews seeds, as files in a folder."""
    folder = tmp_path_factory.mktemp("corpus")
    (folder / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    with open(SEEDS / "wikinews-2019-2020.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [row for _, row in zip(range(25), reader, strict=False)]
    with open(folder / "wikinews.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def index(corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("index")
    result = newsindex("index", str(corpus), index=folder, check=True)
    assert result.stdout.strip().splitlines()[-1] == "indexed 26, updated 0, unchanged 0, failed 0"
    return folder


def test_annotate_seed_lists_normalised_persons_and_countries():
    result = newsindex("annotate", str(SEED), "--json", check=True)
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    persons = set(record["persons"])
    assert {"Vladimir Putin", "Volodymyr Zelenskyy", "Pete Hegseth", "Mark Fogel",
            "Alexander Vinnik", "Peskov"} <= persons
    assert persons & {"Trump", "Donald Trump"}
    assert "Trump Wednesday" not in persons and "Putin" not in persons
    assert len(persons) == 7
    assert "Zelenskyy" not in record["countries"] + record["organizations"]
    assert {"Ukraine", "Russia", "United States"} <= set(record["countries"])
    assert "Middle East" not in record["countries"]
    body = record["body"]
    for ent in record["entities"]:
        text = body if ent["field"] == "body" else record["title"]
        assert text[ent["start"]:ent["end"]] == ent["text"]
    for quote in record["quotes"]:
        assert body[quote["start"]:quote["end"]] == quote["text"]


def test_search_filters_return_the_seed_with_facets_that_agree(index):
    result = newsindex("search", "putin", "--person", "Vladimir Putin", "--country", "Ukraine",
                       "--json", index=index, check=True)
    data = json.loads(result.stdout)
    assert data["total"] == 1
    assert data["hits"][0]["title"].startswith("President Trump Wednesday")
    assert "<mark>Putin</mark>" in data["hits"][0]["snippet"]
    facets = {name: {f["value"]: f for f in items} for name, items in data["facets"].items()}
    assert facets["person"]["Vladimir Putin"]["selected"]
    for name in ("topic", "organization"):  # unfiltered facets count exactly the hits
        assert all(f["count"] == 1 for f in facets[name].values())
    assert facets["organization"]["NATO"]["count"] == 1


def test_exclusion_and_or_within_a_facet(index):
    def total(*args):
        out = newsindex("search", *args, "--json", index=index, check=True).stdout
        return json.loads(out)["total"]

    every = total()
    with_russia = total("--country", "Russia")
    without_russia = total("--country", "-Russia")
    assert with_russia + without_russia == every == 26
    either = total("--country", "Russia", "--country", "United States")
    assert either >= max(with_russia, total("--country", "United States"))


def test_rerun_skips_unchanged_and_updates_changed(index, corpus, tmp_path):
    result = newsindex("index", str(corpus), index=index, check=True)
    assert result.stdout.strip().endswith("indexed 0, updated 0, unchanged 26, failed 0")
    stats = json.loads(newsindex("stats", "--json", index=index, check=True).stdout)
    assert stats["articles"] == 26


def test_broken_file_is_reported_and_the_rest_indexed(corpus, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "in" / "bad.json").write_text('{"title": "x", ')
    result = newsindex("index", str(tmp_path / "in"), index=tmp_path / "ix")
    assert result.returncode == 1
    assert result.stdout.strip().endswith("indexed 1, updated 0, unchanged 0, failed 1")
    (error,) = [line for line in result.stderr.splitlines() if "bad.json" in line]
    assert error.startswith(str(tmp_path / "in" / "bad.json") + ": invalid JSON")


def test_alias_merges_change_facet_counts_without_reindexing(index):
    def person_counts():
        out = newsindex("search", "--json", index=index, check=True).stdout
        return {f["value"]: f["count"] for f in json.loads(out)["facets"]["person"]}

    before = person_counts()
    top, second = list(before)[:2]
    newsindex("alias", "person", second, top, index=index, check=True)
    after = person_counts()
    assert second not in after
    assert before[top] <= after[top] <= before[top] + before[second]
    filtered = newsindex("search", "--person", second, "--json", index=index, check=True)
    assert json.loads(filtered.stdout)["total"] == after[top]


def test_quotes_by_speaker(index):
    result = newsindex("quotes", "--speaker", "Pete Hegseth", "--json", index=index, check=True)
    data = json.loads(result.stdout)
    assert [h["text"] for h in data["hits"]] == ["“unrealistic”"]
    nato = json.loads(newsindex("quotes", "--mentions", "Vladimir Putin", "--json",
                                index=index, check=True).stdout)
    assert nato["total"] >= 1
    assert all("Vladimir Putin" in h["mentions"] for h in nato["hits"])
    # "what did Hegseth say about NATO?": his one-word quote sits in a sentence about NATO
    about = json.loads(newsindex("quotes", "--speaker", "Pete Hegseth", "--mentions", "NATO",
                                 "--json", index=index, check=True).stdout)
    assert [h["text"] for h in about["hits"]] == ["“unrealistic”"]
    assert "Pete Hegseth" not in about["hits"][0]["mentions"]
    # ... and typed as words: a partial quote is found by its sentence, which the hit shows
    typed = json.loads(newsindex("quotes", "NATO", "--json", index=index, check=True).stdout)
    [hit] = [h for h in typed["hits"] if h["speaker"] == "Pete Hegseth"]
    assert hit["text"] == "“unrealistic”" and hit["kind"] == "partial"
    assert hit["context"].startswith("Defense Secretary Pete Hegseth told")
    assert "<mark>NATO</mark>" in hit["context_snippet"] and "<mark>" not in hit["snippet"]
    # a direct quote is found by its own words only, and has no sentence of its own
    direct = [h for h in data["hits"] + nato["hits"] if h["kind"] == "direct"]
    assert direct and all(h["context"] is None for h in direct)
    assert not any(h["kind"] == "direct" and "NATO" not in h["text"] for h in typed["hits"])


def test_bad_usage_exits_2(index, tmp_path):
    assert newsindex("search", "--sort", "sideways", index=index).returncode == 2
    missing = newsindex("search", "x", index=tmp_path / "nothing")
    assert missing.returncode == 2 and "no index here" in missing.stderr
    assert newsindex("search", "--from", "2020-13", index=index).returncode == 2
    assert newsindex("search", "--to", "no date at all", index=index).returncode == 2


def test_custom_query_topic_reapplies_to_the_existing_index(index):
    def topic_counts():
        out = newsindex("search", "--topic", "Kremlin watch", "--json", index=index).stdout
        return {f["value"]: f["count"] for f in json.loads(out)["facets"]["topic"]}

    before = topic_counts()
    hits = json.loads(newsindex("search", "putin OR kremlin", "--json", index=index).stdout)
    result = newsindex("topics", "add", "Kremlin watch", "--query", "putin OR kremlin",
                       index=index, check=True)
    assert "topics re-applied to 26 articles" in result.stdout
    after = topic_counts()
    assert before["Kremlin watch"] == 0
    assert after["Kremlin watch"] == hits["total"] > 0
    filtered = newsindex("search", "--topic", "Kremlin watch", "--json", index=index, check=True)
    assert json.loads(filtered.stdout)["total"] == hits["total"]
    newsindex("topics", "remove", "Kremlin watch", index=index, check=True)
    assert topic_counts()["Kremlin watch"] == 0


def test_indexing_merges_a_lone_surname_into_its_full_name_and_a_split_keeps_them_apart(
    index, tmp_path
):
    """No command run: "Trump" (articles that never give his first name) counts as "Donald
    Trump"; `alias --split` undoes it for good, `alias` merges again."""
    folder = tmp_path / "copy"
    shutil.copytree(index, folder)

    def persons() -> dict[str, int]:
        out = json.loads(newsindex("search", "--json", index=folder, check=True).stdout)
        return {v["value"]: v["count"] for v in out["facets"]["person"]}

    merged = persons()
    assert "Trump" not in merged
    listed = newsindex("alias", "--suggest", index=folder, check=True).stdout
    assert "person: merged 'Trump' -> 'Donald Trump' (surname alone;" in listed
    shown = newsindex("alias", "person", "--show", "Trump", index=folder, check=True).stdout
    assert shown.startswith("Donald Trump\n") and "'Trump': " in shown
    assert "merged by auto: surname alone" in shown

    newsindex("alias", "--split", "person", "Trump", "Donald Trump", index=folder, check=True)
    apart = persons()
    assert apart["Trump"] > 0 and apart["Donald Trump"] < merged["Donald Trump"]
    newsindex("index", str(SEED), index=folder, check=True)  # a later run recomputes the merges
    assert persons() == apart
    stored = json.loads((folder / "aliases.json").read_text(encoding="utf-8"))
    assert stored["not_same"] == {"person": [["Trump", "Donald Trump"]]}

    newsindex("alias", "person", "Trump", "Donald Trump", index=folder, check=True)
    assert persons() == merged
    bad = newsindex("alias", "--split", "person", "Trump", "Trump", index=folder)
    assert bad.returncode == 2


def test_reannotate_gives_unchanged_articles_the_current_annotation(tmp_path):
    """An article the index holds unchanged is skipped, even when its stored annotation came
    from an older version (here: one naming a person the text does not); --reannotate annotates
    it again, counted as updated."""
    from indexer.store import Store

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    folder = tmp_path / "ix"
    newsindex("index", str(tmp_path / "in"), index=folder, check=True)
    store = Store(folder)
    (article_id,) = store.hashes()
    current = store.get(article_id)
    older = dict(current, persons=["Someone Stale"])
    list(store.write([older]))

    rerun = newsindex("index", str(tmp_path / "in"), index=folder, check=True)
    assert rerun.stdout.strip().endswith("indexed 0, updated 0, unchanged 1, failed 0")
    assert Store(folder).get(article_id)["persons"] == ["Someone Stale"]

    again = newsindex("index", "--reannotate", str(tmp_path / "in"), index=folder, check=True)
    assert again.stdout.strip().endswith("indexed 0, updated 1, unchanged 0, failed 0")
    record = Store(folder).get(article_id)
    assert record["persons"] == current["persons"]
    search = json.loads(newsindex("search", "--json", "--person", "Someone Stale",
                                  index=folder, check=True).stdout)
    assert search["total"] == 0
