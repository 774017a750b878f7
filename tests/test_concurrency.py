"""Searches (Searcher, CLI, web) during indexing see whole commits only; a second indexer waits."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from indexer.check import check_index
from indexer.cli import main
from indexer.search import Searcher, SearchQuery
from indexer.store import Store
from tests.conftest import ROOT
from tests.reliability import annotated_records, cli, revised, run, save_records, stored
from web import create_app

COMMIT_EVERY = 4


@pytest.fixture(scope="module")
def inputs(nlp, tmp_path_factory) -> tuple[list[dict], Path, Path]:
    folder = tmp_path_factory.mktemp("concurrency-input")
    v1 = annotated_records(nlp, 40)
    return v1, save_records(folder / "v1.jsonl", v1), save_records(folder / "v2.jsonl", revised(v1))


def start_indexer(index: Path, source: Path, every: int = COMMIT_EVERY) -> subprocess.Popen:
    return subprocess.Popen(
        cli(index, "index", str(source), "--commit-every", str(every), "--quiet"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def whole_commit_states(records: list[dict]) -> dict[int, tuple[set[str], int]]:
    """Articles visible -> (which ids, how many quotes) for every state a commit can leave."""
    states = {}
    for n in [*range(0, len(records), COMMIT_EVERY), len(records)]:
        done = records[:n]
        states[n] = ({r["id"] for r in done}, sum(len(r["quotes"]) for r in done))
    return states


def test_searches_cli_and_web_during_indexing_see_whole_commits_only(tmp_path, inputs):
    records, v1_file, _ = inputs
    index = tmp_path / "index"
    Store(index)  # an empty index, so that searching can start before the first commit
    states = whole_commit_states(records)
    searcher = Searcher(Store.open_existing(index))
    web = create_app({"INDEX_DIR": str(index)}).test_client()
    seen: set[int] = set()
    proc = start_indexer(index, v1_file)
    cli_runs = []
    while True:
        finished = proc.poll() is not None
        articles = searcher.search(SearchQuery(per_page=200))
        quotes = searcher.quotes(SearchQuery(per_page=1))
        n = articles["total"]
        assert n in states, f"{n} articles visible: not a whole number of commits"
        ids, n_quotes = states[n]
        assert {h["id"] for h in articles["hits"]} == ids
        assert quotes["total"] >= n_quotes  # a later commit may have landed in between
        page = web.get("/search.json?per_page=100")
        assert page.status_code == 200, page.get_data(as_text=True)[:300]
        shown = page.get_json()
        assert shown["total"] in states
        assert {h["id"] for h in shown["hits"]} == states[shown["total"]][0]
        stats = searcher.stats()
        assert stats["articles"] in states and stats["quotes"] == states[stats["articles"]][1]
        seen.add(n)
        if len(cli_runs) < 3 or finished:
            cli_runs.append(run(index, "stats", "--json"))
        if finished:
            break
    assert proc.returncode == 0, proc.stderr.read()
    assert max(seen) == len(records)
    for done in cli_runs:
        assert done.returncode == 0, done.stderr
        counts = json.loads(done.stdout)
        assert counts["articles"] in states
        assert counts["quotes"] == states[counts["articles"]][1]


def test_a_second_indexer_waits_with_a_message_then_finishes(tmp_path, inputs):
    records, v1_file, _ = inputs
    store = Store(tmp_path / "index")
    with store.writer():  # another indexer is writing
        proc = start_indexer(store.dir, v1_file)
        message = proc.stderr.readline()
        assert "another indexer is writing; waiting" in message
        assert str(store.dir) in message
        assert proc.poll() is None
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.strip().endswith(f"indexed {len(records)}, updated 0, unchanged 0, failed 0")
    assert check_index(store.dir)["ok"]


def test_two_indexers_at_once_leave_each_article_once(tmp_path, inputs):
    records, v1_file, v2_file = inputs
    index = tmp_path / "index"
    Store(index)
    first, second = start_indexer(index, v1_file), start_indexer(index, v2_file)
    for proc in (first, second):
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    report = check_index(index)
    assert report["ok"], report["problems"]
    assert report["articles"] == len(records)
    held = stored(index)
    v1 = {r["id"]: r for r in records}
    v2 = {r["id"]: r for r in revised(records)}
    for aid, record in held.items():  # whichever committed last wins, article by article
        assert record in (v1[aid], v2[aid])


def test_a_writer_that_cannot_get_the_lock_in_time_is_a_one_line_error(
    tmp_path, inputs, monkeypatch, capsys
):
    records, v1_file, _ = inputs
    store = Store(tmp_path / "index")
    real_writer = Store.writer
    monkeypatch.setattr(
        Store, "writer", lambda self, wait=0.0, on_wait=None: real_writer(self, 0.2, on_wait)
    )
    with store.writer():
        code = main(["--index", str(store.dir), "index", str(v1_file), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err[-1] == f"newsindex: {store.dir}: another indexer holds the write lock"
    assert check_index(store.dir)["articles"] == 0
